"""Print-shop masters: booklets, banners and posters, made once and copied by the shop, logged in the ledger.

Unlike cards, a master's copies are not laid out in the PDF: the run records
how many the shop makes. A booklet is written twice (imposed for the printer,
and in reader's order for screens), a banner twice (one page at its size, and
tiled onto A3 sheets for a station printer).
"""

from __future__ import annotations

import getpass
import io
from dataclasses import dataclass, field
from pathlib import Path

from outreach.deployment import Deployment, Village
from outreach.errors import PrintError
from outreach.i18n import _
from outreach.ledger.prints import PrintLedger
from outreach.media import write_atomic
from outreach.print.cards import collect
from outreach.print.layouts import Layout
from outreach.print.pdf import write_png
from outreach.print.run import PrintRequest


@dataclass(frozen=True)
class ProductOptions:
    """What only some masters need: the poster's paper, the banner's slogan (number, from 1) and language."""

    size: str = "A3"
    slogan: int = 1
    lang: str = "cmn"


@dataclass(frozen=True)
class ProductResult:
    """What a master run wrote (``files``: the main PDF first) and counted (``copies``: pieces in the ledger)."""

    path: Path
    files: list[Path]
    pages: int
    copies: int
    layout: str
    draft: bool
    png: list[Path] = field(default_factory=list)


def sibling(out: Path, suffix: str) -> Path:
    """``booklet.pdf`` -> ``booklet-reader.pdf``: the second file of a master sits next to the first."""
    return out.with_name(f"{out.stem}-{suffix}{out.suffix or '.pdf'}")


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _booklet(deployment: Deployment, request: PrintRequest, villages: list[Village]) -> tuple[dict[Path, bytes], list[tuple[str, str]], bool]:
    from outreach.print.booklet import booklet_context, impose, reader_pdf

    if len(villages) != 1:
        raise PrintError(_("a booklet is made for one village at a time (its back cover names the contact): "
                           "give --village"))
    cards = collect(deployment, [deployment.catalog.get(s) for s in request.scripts], villages, request.allow_draft)
    if not cards:
        raise PrintError(_("nothing to print: none of the scripts is for this village"))
    reader = reader_pdf(deployment, booklet_context(cards, deployment.templates))
    key = "+".join(card.script.id for card in cards)
    draft = any(card.drafts for card in cards)
    return {request.out: impose(reader), sibling(request.out, "reader"): reader}, [(key, villages[0].id)], draft


def _banner(deployment: Deployment, request: PrintRequest, villages: list[Village],
            options: ProductOptions) -> tuple[dict[Path, bytes], list[tuple[str, str]], bool]:
    from outreach.print.banner import banner_pdfs
    from outreach.print.slogans import choose

    if len(request.scripts) != 1:
        raise PrintError(_("a banner carries one slogan: name one script"))
    script = deployment.catalog.get(request.scripts[0]).id
    chosen = choose(deployment, script, options.lang, options.slogan, request.allow_draft)
    single, sheets = banner_pdfs(deployment, chosen.text, chosen.lang, chosen.draft)
    key = f"{script}.{chosen.lang}{options.slogan}"
    return {request.out: single, sibling(request.out, "a3"): sheets}, [(key, v.id) for v in villages], chosen.draft


def _poster(deployment: Deployment, request: PrintRequest, villages: list[Village],
            options: ProductOptions) -> tuple[dict[Path, bytes], list[tuple[str, str]], bool]:
    from outreach.print.poster import poster_pdf

    cards = collect(deployment, [deployment.catalog.get(s) for s in request.scripts], villages, request.allow_draft)
    if not cards:
        raise PrintError(_("nothing to print"))
    pdf = poster_pdf(deployment, cards, options.size)
    return {request.out: pdf}, [(c.script.id, c.village.id) for c in cards], any(c.drafts for c in cards)


def _previews(files: dict[Path, bytes], folder: Path) -> list[Path]:
    """PNG previews of every file, about 2000 pixels on the long side at most: a 5 m banner at 110 dpi would be
    a 65-megapixel image nobody can open on a phone."""
    from pypdf import PdfReader

    out = []
    for path, pdf in files.items():
        box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
        longest_in = max(float(box.width), float(box.height)) / 72
        out += write_png(path, folder, dpi=max(4, min(110, int(2000 / longest_in))))
    return out


def print_product(deployment: Deployment, request: PrintRequest, options: ProductOptions | None = None) -> ProductResult:
    """Make a booklet, banner or poster master, write its files atomically, preview them, record the run."""
    options = options or ProductOptions()
    layout = Layout(request.layout)
    profile = deployment.profile
    villages = (profile.villages if request.villages is None
                else [profile.village(village_id) for village_id in request.villages])
    if layout is Layout.BOOKLET:
        files, items, draft = _booklet(deployment, request, villages)
    elif layout is Layout.BANNER:
        files, items, draft = _banner(deployment, request, villages, options)
    elif layout is Layout.POSTER:
        files, items, draft = _poster(deployment, request, villages, options)
    else:
        raise PrintError(_("'{layout}' is laid out card by card, not as a master: use print_run").format(
            layout=layout))
    for path, pdf in files.items():
        write_atomic(path, pdf)
    pngs = _previews(files, request.png_dir) if request.png_dir else []
    pages = _pages(files[request.out])
    PrintLedger(deployment.ledger_path).record(
        layout=layout.value, items=items, copies=request.copies, pages=pages, output=request.out.resolve(),
        printed_by=request.printed_by or getpass.getuser(), draft=draft, when=deployment.now())
    return ProductResult(request.out, list(files), pages, len(items) * request.copies, layout.value, draft, pngs)
