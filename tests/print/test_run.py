"""A county-sized print run through `print_run`: 20,000 wallet cards in one job, streamed to one PDF.

Copies of a card are handed to the run one at a time (never a list of every
copy), identical chunks are rendered once, and the merged file must still hold
every page in order: checked with poppler's pdfinfo and pdftotext.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import copy_deployment
from outreach.print.run import Copies, PrintRequest, print_run

from .pdftools import pdf_text


def test_copies_are_handed_out_one_at_a_time_with_a_length() -> None:
    copies = Copies(("a", "b"), 3)
    assert len(copies) == 6 and list(copies) == ["a", "a", "a", "b", "b", "b"]
    assert iter(copies) is not iter(copies)


def test_twenty_thousand_cards_in_one_job(tmp_path: Path) -> None:
    d = copy_deployment(tmp_path / "d")
    first, last = d.profile.villages[0], d.profile.villages[-1]
    out = tmp_path / "wallet.pdf"
    result = print_run(d, PrintRequest(scripts=("fake-investment",), layout="wallet", out=out,
                                       villages=(first.id, last.id), copies=10_000, allow_draft=True,
                                       printed_by="test"))
    assert (result.cards, result.pages) == (20_000, 2_000)
    assert result.chunks_rendered <= 4
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1) == "2000"
    first_page, last_page = pdf_text(out, 1), pdf_text(out, 2_000)
    assert first.name.cmn in first_page and last.name.cmn not in first_page
    assert last.name.cmn in last_page and first.name.cmn not in last_page
