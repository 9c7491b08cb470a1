"""A print run as one PDF: cards laid out in chunks, each chunk rendered once, merged with pypdf.

WeasyPrint's memory grows with the pages of one document, so big runs are
split; copies make identical chunks, which are rendered only once.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from outreach.deployment import Deployment
from outreach.errors import PrintError
from outreach.media import atomic_path
from outreach.print.cards import CardData
from outreach.print.layouts import Layout, layout_context
from outreach.print.pdf import html_from_template, pdf_from_html, write_png


@dataclass(frozen=True)
class PrintResult:
    """What a run made, for the ledger and the user.

    ``chunks_rendered`` shows copies were rendered once; ``draft``: some text is not approved (marked on the page).
    """

    path: Path
    pages: int
    cards: int
    layout: str
    chunks_rendered: int
    png: list[Path] = field(default_factory=list)
    draft: bool = False


def _chunks(cards: list[CardData], layout: Layout) -> Iterator[list[CardData]]:
    size = layout.cards_per_document
    for start in range(0, len(cards), size):
        yield cards[start:start + size]


def _layout(name: str) -> Layout:
    try:
        return Layout(name)
    except ValueError:
        raise PrintError(f"unknown layout '{name}' (layouts: {', '.join(Layout)})") from None


def make_pdf(
    deployment: Deployment,
    layout: Layout | str,
    cards: list[CardData],
    out: Path,
    png_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PrintResult:
    """Lay out the cards, render chunk by chunk, merge, write atomically; optional PNG previews."""
    from pypdf import PdfReader, PdfWriter

    layout = _layout(layout)
    if not cards:
        raise PrintError("nothing to print")
    writer = PdfWriter()
    rendered: dict[str, bytes] = {}
    chunks = list(_chunks(cards, layout))
    base_url = (deployment.templates / layout.template).parent
    for done, chunk in enumerate(chunks, start=1):
        html = html_from_template(deployment, layout.template, layout_context(layout, chunk, deployment.templates))
        key = hashlib.sha256(html.encode("utf-8")).hexdigest()
        if key not in rendered:
            rendered[key] = pdf_from_html(html, base_url)
        writer.append(PdfReader(io.BytesIO(rendered[key])))
        if progress:
            progress(done, len(chunks))
    with atomic_path(out) as tmp, tmp.open("wb") as fh:
        writer.write(fh)
    pngs = write_png(out, png_dir) if png_dir else []
    return PrintResult(out, len(writer.pages), len(cards), layout.value, len(rendered), pngs,
                       draft=any(card.drafts for card in cards))
