"""The A5 saddle-stitched booklet (卡通宣传册): one topic per spread, imposed 2-up on A4 for the printer.

Reader's order: cover, a preface with contents, the 防骗口诀, then one spread a
script (its text on the left page, a local case or the topic's lesson on the
right), notes pages to fill the last sheet, hotlines and QR on the back cover.
The page count is a multiple of 4 by construction; a page whose text does not
fit would push the count up, so the count is checked after rendering and the
type shrinks until every page fits (or the run stops with a message).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from outreach.deployment import Deployment
from outreach.errors import PrintError
from outreach.i18n import _
from outreach.print.cards import CardData
from outreach.print.layouts import CASES, case_lines, side_context, topic_lesson, village_names
from outreach.print.fitting import pdf_that_fits

TEMPLATE = "print/booklet.html.j2"
IMAGES = "print/images"
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".svg")
A4_LONG_PT = 297 * 72 / 25.4


def padded(pages: int) -> int:
    """Pages rounded up to whole sheets: a saddle-stitched sheet carries four pages."""
    return -(-pages // 4) * 4


def booklet_order(pages: int) -> list[tuple[int, int]]:
    """Printer's spreads, sheet by sheet, front side then back: (left, right) reader page numbers.

    Folded and nested, the sheets read 1, 2, ..., pages. Print duplex, flipping on the short edge.
    """
    if pages % 4:
        raise PrintError(_("a saddle-stitched booklet has a multiple of 4 pages, not {pages}").format(pages=pages))
    sides = []
    for sheet in range(pages // 4):
        sides.append((pages - 2 * sheet, 2 * sheet + 1))
        sides.append((2 * sheet + 2, pages - 2 * sheet - 1))
    return sides


def image_slots(templates: Path) -> dict[str, str]:
    """slot -> image path relative to the layout (``images/loan.png``): the county's own art, where there is some."""
    folder = templates / IMAGES
    if not folder.is_dir():
        return {}
    found = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_TYPES and p.is_file())
    return {p.stem: f"images/{p.name}" for p in found}


def _topic_pages(card: CardData, cases_path: Path, images: dict[str, str], bilingual: bool) -> list[dict[str, Any]]:
    topic = card.script.meta.topic
    size = (12.0, 8.0, 330) if bilingual else (13.0, 9.0, 640)
    text = {"kind": "text", "topic": topic, "sides": [side_context(card, lang, *size) for lang in card.texts],
            "draft": bool(card.drafts)}
    right = {"kind": "case", "topic": topic, "cases": case_lines(topic, cases_path),
             "lesson": topic_lesson(topic, cases_path), "title": card.script.meta.title.get("cmn", ""),
             "image": images.get(topic)}
    return [text, right]


def booklet_context(cards: list[CardData], templates: Path) -> dict[str, Any]:
    """Every page of one village's booklet, in reader's order and numbered, and what the cover and back show."""
    images = image_slots(templates)
    bilingual = any(len(card.texts) > 1 for card in cards)
    pages: list[dict[str, Any]] = [{"kind": "cover", "image": images.get("cover")}, {"kind": "contents"},
                                   {"kind": "rules", "image": images.get("rules")}]
    contents = []
    for card in cards:
        contents.append({"title": card.script.meta.title.get("cmn", ""), "page": len(pages) + 1,
                         "title_pcc": card.script.meta.title.get("pcc", "") if "pcc" in card.texts else ""})
        pages += _topic_pages(card, templates / CASES, images, bilingual)
    pages += [{"kind": "notes"} for _blank in range(padded(len(pages) + 1) - len(pages) - 1)]
    pages.append({"kind": "back", "image": images.get("back")})
    for number, page in enumerate(pages, start=1):
        page["number"] = number
    return {"pages": pages, "contents": contents, "draft": any(card.drafts for card in cards),
            **village_names(cards[0].village)}


def reader_pdf(deployment: Deployment, context: dict[str, Any]) -> bytes:
    """The booklet in reading order (A5 pages), in type small enough that no page overflows."""
    return pdf_that_fits(deployment, TEMPLATE, context, len(context["pages"]), "booklet")


def impose(reader: bytes) -> bytes:
    """Two reader pages side by side on each sheet side, in booklet order, centred on A4 (two A5 pages are 296 mm,
    the sheet 297 mm); vector content and fonts kept."""
    from pypdf import PdfReader, PdfWriter, Transformation

    pages = PdfReader(io.BytesIO(reader)).pages
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    sheet_w = max(A4_LONG_PT, 2 * width)
    margin = (sheet_w - 2 * width) / 2
    writer = PdfWriter()
    for left, right in booklet_order(len(pages)):
        side = writer.add_blank_page(width=sheet_w, height=height)
        side.merge_transformed_page(pages[left - 1], Transformation().translate(tx=margin))
        side.merge_transformed_page(pages[right - 1], Transformation().translate(tx=margin + width))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
