"""A print run as one PDF: cards laid out in chunks, each chunk rendered once, merged as it is made.

WeasyPrint's memory grows with the pages of one document, so big runs are
split into chunks; copies make identical chunks, which are rendered only once.
Finished chunks wait on disk, not in memory, and go into the output file as
they come (``merge``): a 20,000-card run needs no more memory than a 2,000-card
one. The cards themselves may come as a stream (an iterator), for the same reason.
"""

from __future__ import annotations

import hashlib
import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from outreach.deployment import Deployment
from outreach.errors import PrintError
from outreach.i18n import _
from outreach.media import atomic_path
from outreach.print.cards import CardData
from outreach.print.layouts import Layout, layout_context
from outreach.print.merge import StreamingMerger
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


def _chunks(cards: Iterable[CardData], layout: Layout) -> Iterator[list[CardData]]:
    cards = iter(cards)
    while chunk := list(itertools.islice(cards, layout.cards_per_document)):
        yield chunk


def _layout(name: str) -> Layout:
    try:
        return Layout(name)
    except ValueError:
        raise PrintError(_("unknown layout '{name}' (layouts: {layouts})").format(
            name=name, layouts=", ".join(Layout))) from None


@dataclass
class _Tally:
    cards: int = 0
    chunks: int = 0
    draft: bool = False


def _merge_chunks(deployment: Deployment, layout: Layout, cards: Iterable[CardData], merger: StreamingMerger,
                  progress: Callable[[int, int], None] | None, total: int) -> tuple[_Tally, int]:
    """Render each distinct chunk once (kept on disk) and append every chunk to the merger in order."""
    tally, base_url = _Tally(), (deployment.templates / layout.template).parent
    rendered: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="outreach-chunks-") as folder:
        for chunk in _chunks(cards, layout):
            tally.cards += len(chunk)
            tally.chunks += 1
            tally.draft = tally.draft or any(card.drafts for card in chunk)
            html = html_from_template(deployment, layout.template, layout_context(layout, chunk, deployment.templates))
            key = hashlib.sha256(html.encode("utf-8")).hexdigest()
            if key not in rendered:
                rendered[key] = Path(folder) / f"{len(rendered)}.pdf"
                rendered[key].write_bytes(pdf_from_html(html, base_url))
            merger.append(rendered[key])
            if progress:
                progress(tally.chunks, max(total, tally.chunks))
    return tally, len(rendered)


def make_pdf(
    deployment: Deployment,
    layout: Layout | str,
    cards: Iterable[CardData],
    out: Path,
    png_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PrintResult:
    """Lay out the cards, render chunk by chunk, merge as they come, write atomically; optional PNG previews.

    ``progress`` gets (chunks done, chunks in all); the total is known when ``cards`` has a length.
    """
    layout = _layout(layout)
    size = layout.cards_per_document
    total = -(-len(cards) // size) if hasattr(cards, "__len__") else 0
    with atomic_path(out) as tmp, tmp.open("wb") as fh:
        merger = StreamingMerger(fh)
        tally, distinct = _merge_chunks(deployment, layout, cards, merger, progress, total)
        if not tally.cards:
            raise PrintError(_("nothing to print"))
        merger.close()
    pngs = write_png(out, png_dir) if png_dir else []
    return PrintResult(out, merger.pages, tally.cards, layout.value, distinct, pngs, draft=tally.draft)
