"""The card layouts and what each template (``templates/print/<layout>.html.j2``) is given.

Code here only measures and places; every word on the page lives in the
templates, so wording changes need no release.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from outreach.catalog import to_number
from outreach.datafile import StrictModel, load_yaml, validate
from outreach.deployment import Village
from outreach.languages.codes import LANGUAGES
from outreach.languages.mandarin import format_money
from outreach.print.cards import CardData
from outreach.print.imposition import PER_SHEET, crop_marks, impose
from outreach.render import RenderedText

HTML_LANG = {"cmn": "zh-Hans", "pcc": "pcc"}
CASES = "print/cases.yaml"


class Layout(StrEnum):
    """What a print run makes: A6 cards (one language a side), 10-up wallet cards, A4 leaflets; and the shop
    products made once and printed many times: A5 booklets, banners (横幅), A3/A2 posters."""

    CARD = "card"
    WALLET = "wallet"
    LEAFLET = "leaflet"
    BOOKLET = "booklet"
    BANNER = "banner"
    POSTER = "poster"

    @property
    def template(self) -> str:
        """Its template under the deployment's ``templates/``, so staff can restyle it without code."""
        return f"print/{self.value}.html.j2"

    @property
    def cards_per_document(self) -> int:
        """Cards in one WeasyPrint document: its memory grows with pages, so big runs go in chunks."""
        return {Layout.CARD: 25, Layout.WALLET: 10 * PER_SHEET, Layout.LEAFLET: 20}.get(self, 1)

    @property
    def master(self) -> bool:
        """A master the print shop copies (booklet, banner, poster): one PDF, copies only counted in the ledger."""
        return self in (Layout.BOOKLET, Layout.BANNER, Layout.POSTER)


def paragraphs(rendered: RenderedText) -> list[list[dict[str, str]]]:
    """Rendered segments split into paragraphs at newlines, each span with its HTML language."""
    paras: list[list[dict[str, str]]] = [[]]
    for seg in rendered.segments:
        for i, part in enumerate(seg.text.split("\n")):
            if i:
                paras.append([])
            if part.strip():
                paras[-1].append({"html_lang": HTML_LANG.get(seg.lang, seg.lang), "text": part})
    return [p for p in paras if p]


def font_size(text: str, base: float, floor: float, capacity: int) -> float:
    """Shrink the type for long texts so a card never overflows (capacity: characters that fit at base)."""
    weight = sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text)
    if weight <= capacity:
        return base
    return round(max(floor, base * (capacity / weight) ** 0.5), 2)


def village_names(village: Village) -> dict[str, str]:
    """The village and its contact as every layout prints them."""
    return {
        "village_cmn": village.name.cmn, "village_pcc": village.name.pcc or "",
        "contact_name": village.contact.name, "contact_phone": village.contact.phone,
    }


def _titles(card: CardData) -> dict[str, str]:
    title = card.script.meta.title
    return {"title_cmn": title.get("cmn", ""), "title_pcc": title.get("pcc", "") if "pcc" in card.texts else ""}


def side_context(card: CardData, lang: str, base: float, floor: float, capacity: int) -> dict[str, Any]:
    """One language's text of a card, with type sized to its room (``capacity``: characters that fit at ``base``)."""
    rendered = card.texts[lang]
    return {
        "lang": lang, "css": lang, "html_lang": HTML_LANG[lang],
        "title": card.script.meta.title.get(lang, ""),
        "heading": LANGUAGES[lang],
        "paragraphs": paragraphs(rendered),
        "font_size": font_size(rendered.text, base, floor, capacity),
        "draft": not rendered.approved,
        "status": rendered.status,
    }


def card_context(cards: list[CardData]) -> dict[str, Any]:
    """A6 cards: one side a language, so a Bouyei reader never has to find their text among Mandarin."""
    return {"cards": [
        {"sides": [side_context(card, lang, 9.0, 6.8, 230) for lang in card.texts], **village_names(card.village)}
        for card in cards
    ]}


def wallet_context(cards: list[CardData]) -> dict[str, Any]:
    """A4 sheets of ten cards and their crop marks; a wallet card has no room for the script text, only its title."""
    sheets = []
    marks = crop_marks()
    for start in range(0, len(cards), PER_SHEET):
        batch = cards[start:start + PER_SHEET]
        placed = [{
            "x": round(x, 2), "y": round(y, 2), **_titles(card),
            "pcc_draft": "pcc" in card.drafts, "draft": bool(card.drafts), **village_names(card.village),
        } for card, (x, y) in zip(batch, impose(len(batch)))]
        sheets.append({"cards": placed, "marks": marks})
    return {"sheets": sheets}


class Case(StrictModel):
    """One local case: ``{amount}`` in the text marks where the amount is printed."""

    topic: str
    text: str = Field(min_length=1)
    amount: int | float | None = None
    lesson: str = ""

    @field_validator("amount", mode="before")
    @classmethod
    def _finite(cls, value: Any) -> int | float | None:
        return None if value is None else to_number(value)


class CaseFile(StrictModel):
    cases: list[Case] = []
    lessons: dict[str, str] = {}


@lru_cache(maxsize=4)
def _case_file(path: Path, mtime: float) -> CaseFile:
    return validate(CaseFile, load_yaml(path), path)


def _cases(path: Path) -> CaseFile:
    """cases.yaml as validated (none when the file is absent); a broken file is a ConfigError naming it."""
    if not path.exists():
        return CaseFile()
    return _case_file(path, path.stat().st_mtime)


def case_lines(topic: str, cases_path: Path) -> list[dict[str, str]]:
    """Local fraud cases on a topic; the amount is formatted here, the words (and lessons) stay in cases.yaml."""
    lines = []
    for case in (c for c in _cases(cases_path).cases if c.topic == topic):
        before, marker, after = case.text.partition("{amount}")
        amount = format_money(case.amount) if case.amount is not None and marker else ""
        lines.append({"before": before, "amount": amount, "after": after, "lesson": case.lesson})
    return lines


def topic_lesson(topic: str, cases_path: Path) -> str:
    """What a topic without a case teaches (``lessons`` in cases.yaml), or nothing."""
    return _cases(cases_path).lessons.get(topic, "")


def leaflet_context(cards: list[CardData], cases_path: Path) -> dict[str, Any]:
    """A4 leaflets: both texts in full, plus local cases, which persuade more than warnings."""
    return {"leaflets": [{
        **_titles(card),
        "sides": [side_context(card, lang, 10.5, 8.5, 900) for lang in card.texts],
        "cases": case_lines(card.script.meta.topic, cases_path),
        "draft": bool(card.drafts),
        **village_names(card.village),
    } for card in cards]}


def layout_context(layout: Layout, cards: list[CardData], templates: Path) -> dict[str, Any]:
    """The context of one document of the layout (``templates``: the deployment's templates folder)."""
    if layout is Layout.CARD:
        return card_context(cards)
    if layout is Layout.WALLET:
        return wallet_context(cards)
    return leaflet_context(cards, templates / CASES)
