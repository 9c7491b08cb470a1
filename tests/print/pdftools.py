"""Reading PDFs back in the print tests, with poppler's own tools (what a print shop's RIP would see)."""

import subprocess
from pathlib import Path


def pdf_text(pdf: Path, page: int | None = None) -> str:
    """The text of a PDF (or of one page), laid out as on the page."""
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout
