"""The poster (A3 or A2, portrait): headline, three rules, a local case, hotlines, QR; Bouyei where it is heard.

One page per script and village. The layout is drawn for A3 and scaled by the
paper's width (``s``), so A2 is the same poster, larger.
"""

from __future__ import annotations

from typing import Any

from outreach.deployment import Deployment
from outreach.errors import PrintError
from outreach.i18n import _
from outreach.print.booklet import image_slots
from outreach.print.cards import CardData
from outreach.print.fitting import pdf_that_fits
from outreach.print.layouts import CASES, case_lines, side_context, topic_lesson, village_names
from outreach.print.slogans import slogan_book

TEMPLATE = "print/poster.html.j2"
SIZES = {"A3": (297.0, 420.0), "A2": (420.0, 594.0)}


def _slogan(deployment: Deployment, script: str) -> str:
    """The script's first approved Mandarin slogan, for the strip under the headline (drafts never go here)."""
    listed = slogan_book(deployment).slogans.get(script, {}).get("cmn", [])  # type: ignore[call-overload]
    return next((s.text for s in listed if s.status == "approved"), "")


def poster_context(deployment: Deployment, cards: list[CardData], size: str) -> dict[str, Any]:
    """Every poster of the run, and the paper: width, height and the scale from A3."""
    if size not in SIZES:
        raise PrintError(_("posters are A3 or A2, not {size}").format(size=size))
    width, height = SIZES[size]
    cases = deployment.templates / CASES
    images = image_slots(deployment.templates)
    posters = [{
        "title": card.script.meta.title.get("cmn", ""),
        "title_pcc": card.script.meta.title.get("pcc", "") if "pcc" in card.texts else "",
        "bouyei": side_context(card, "pcc", 22.0, 13.0, 160) if "pcc" in card.texts else None,
        "case": next(iter(case_lines(card.script.meta.topic, cases)), None),
        "lesson": topic_lesson(card.script.meta.topic, cases), "topic": card.script.meta.topic,
        "image": images.get(card.script.meta.topic),
        "slogan": _slogan(deployment, card.script.id),
        "draft": bool(card.drafts), **village_names(card.village),
    } for card in cards]
    return {"posters": posters, "width_mm": width, "height_mm": height, "s": width / SIZES["A3"][0]}


def poster_pdf(deployment: Deployment, cards: list[CardData], size: str) -> bytes:
    """The run's posters, one page each, in type small enough that nothing overflows."""
    return pdf_that_fits(deployment, TEMPLATE, poster_context(deployment, cards, size), len(cards), "poster")
