"""Rendering a layout whose every section must stay one page: text that does not fit adds a page, which is caught.

Layouts with fixed pages (booklet pages, posters) give each page a minimum
height, not a fixed one, so overflowing text spills onto an extra page instead
of being clipped unseen; the page count then tells, and the type is set a step
smaller until every page fits.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

from outreach.deployment import Deployment
from outreach.errors import PrintError
from outreach.i18n import ngettext
from outreach.print.pdf import html_from_template, pdf_from_html

SCALES = (1.0, 0.9, 0.8, 0.7)
TOO_LONG: dict[str, Callable[[int], str]] = {  # the message for a page count, by layout
    "booklet": lambda pages: ngettext(
        "the booklet's text does not fit its {pages} page even at {scale:.0%} type: "
        "shorten the longest text, or print fewer scripts together",
        "the booklet's text does not fit its {pages} pages even at {scale:.0%} type: "
        "shorten the longest text, or print fewer scripts together", pages),
    "poster": lambda pages: ngettext(
        "the poster's text does not fit its {pages} page even at {scale:.0%} type: "
        "shorten the longest text, or print fewer scripts together",
        "the poster's text does not fit its {pages} pages even at {scale:.0%} type: "
        "shorten the longest text, or print fewer scripts together", pages),
}


def pdf_that_fits(deployment: Deployment, template: str, context: Mapping[str, Any], pages: int, what: str) -> bytes:
    """The layout as PDF with exactly ``pages`` pages, at the largest ``scale`` (passed to the layout) that fits."""
    from pypdf import PdfReader

    base_url = (deployment.templates / template).parent
    for scale in SCALES:
        pdf = pdf_from_html(html_from_template(deployment, template, {**context, "scale": scale}), base_url,
                           [deployment.templates])
        if len(PdfReader(io.BytesIO(pdf)).pages) == pages:
            return pdf
    raise PrintError(TOO_LONG[what](pages).format(pages=pages, scale=SCALES[-1]))
