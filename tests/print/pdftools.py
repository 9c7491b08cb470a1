"""Reading PDFs back in the print tests, with poppler's own tools (what a print shop's RIP would see)."""

import subprocess
from pathlib import Path


def pdf_text(pdf: Path, page: int | None = None) -> str:
    """The text of a PDF (or of one page), laid out as on the page."""
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pdf_region_text(pdf: Path, page: int, box_pt: tuple[float, float, float, float]) -> str:
    """The text of one page inside a box (x, y, width, height in points from the top left)."""
    x, y, w, h = (str(int(v)) for v in box_pt)
    args = ["pdftotext", "-f", str(page), "-l", str(page), "-x", x, "-y", y, "-W", w, "-H", h, str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Every page's size in points (width, height)."""
    from pypdf import PdfReader

    return [(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) for p in PdfReader(pdf).pages]


def fonts(pdf: Path) -> list[tuple[str, bool]]:
    """(font name, embedded?) of every font pdffonts lists."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    return [(row.split()[0], row.split()[-5] == "yes") for row in rows if row.strip()]


def png(pdf: Path, out_stem: Path, dpi: int, page: int = 1) -> Path:
    """One page rendered by poppler (what most viewers and print previews show)."""
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(out_stem)], check=True)
    return out_stem.with_suffix(".png")


MM = 72 / 25.4
