"""Everything printed: HTML + CSS layouts (templates/print/) -> PDF with WeasyPrint.

- ``cards``: what is printed (scripts rendered for villages; drafts refused unless allowed)
- ``layouts``: the card layouts and the context each template gets (local cases from cases.yaml)
- ``imposition``: wallet-card placement and crop marks on A4
- ``pdf``: the one HTML -> PDF path (``pdf_from_template``), also used by the report and the recording sheet;
  ``fetcher``: what a page may load; ``fitting``: one-page sections; ``merge``: chunks into one file
- ``batch``: a whole run as one PDF, in chunks, merged
- ``run``: a print run as staff ask for it (scripts, villages, copies), logged in the ledger
- ``booklet``, ``banner``, ``poster``: print-shop masters; ``products`` makes them and logs them
- ``slogans``: the reviewed short lines banners and posters carry
- ``charts``: bar charts as inline SVG for printed reports; ``qr``: the QR code

Print runs are recorded in the outreach ledger (``outreach/ledger/``, ``PrintLedger``), which the monthly report reads.
"""

from __future__ import annotations

from outreach.errors import PrintError
from outreach.print.batch import PrintResult, make_pdf
from outreach.print.cards import CardData, collect
from outreach.print.imposition import COLS, ROWS, crop_marks, impose
from outreach.print.layouts import Layout
from outreach.print.pdf import html_from_template, pdf_from_template
from outreach.print.qr import data_uri, qr_png
from outreach.print.run import PrintRequest, print_run

__all__ = [
    "COLS", "ROWS", "CardData", "Layout", "PrintError", "PrintRequest", "PrintResult", "collect", "crop_marks",
    "data_uri", "html_from_template", "impose", "make_pdf", "pdf_from_template", "print_run", "qr_png",
]
