"""Printable cards and leaflets: HTML + CSS layouts (templates/print/) -> PDF with WeasyPrint.

Layouts are Jinja2 templates rendered in the sandbox with HTML autoescaping, so
a script text can never inject markup. Big batches are rendered in chunks and
merged with pypdf, because WeasyPrint's memory grows with the pages of one
document; identical chunks (copies) are rendered once. Unapproved text carries a
DRAFT mark and is refused unless ``allow_draft`` is given.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from jinja2.sandbox import SandboxedEnvironment

from outreach.catalog import Script
from outreach.datafile import load_yaml
from outreach.deployment import LANGUAGES, Deployment, Village
from outreach.errors import OutreachError
from outreach.languages.mandarin import format_money
from outreach.media import atomic_path
from outreach.render import Mode, RenderedText, render

LAYOUTS = ("card", "wallet", "leaflet")
HTML_LANG = {"cmn": "zh-Hans", "pcc": "pcc"}
CHUNK = {"card": 25, "wallet": 10, "leaflet": 20}  # cards, sheets, leaflets per WeasyPrint document

# Wallet imposition (mm): 2 columns x 5 rows of 90 x 54 mm cards on A4, columns 6 mm apart
# (3 mm bleed each side), rows butt-cut; the block is centred.
CARD_W, CARD_H, BLEED = 90.0, 54.0, 3.0
COLS, ROWS = 2, 5
SHEET_W, SHEET_H = 210.0, 297.0
MARK_LEN, MARK_GAP = 5.0, 3.0


class PrintError(OutreachError):
    """A print run cannot be made (draft text without --allow-draft, an unknown layout...)."""


@dataclass(frozen=True)
class PrintResult:
    path: Path
    pages: int
    cards: int
    layout: str
    chunks_rendered: int
    png: list[Path] = field(default_factory=list)


def qr_png(link: str) -> bytes:
    """A QR code as PNG (PNG, not SVG: measured twice as fast to lay out)."""
    return _qr_png(link)


@lru_cache(maxsize=8)
def _qr_png(link: str) -> bytes:
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    qr.add_data(link)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def paragraphs(rendered: RenderedText) -> list[list[dict[str, str]]]:
    """Rendered segments split into paragraphs at newlines, each span with its HTML language."""
    paras: list[list[dict[str, str]]] = [[]]
    for seg in rendered.segments:
        parts = seg.text.split("\n")
        for i, part in enumerate(parts):
            if i:
                paras.append([])
            if part.strip():
                paras[-1].append({"html_lang": HTML_LANG.get(seg.lang, seg.lang), "text": part})
    return [p for p in paras if p]


def _font_size(text: str, base: float, floor: float, capacity: int) -> float:
    """Shrink the type for long texts so a card never overflows (capacity: characters that fit at base)."""
    weight = sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text)
    if weight <= capacity:
        return base
    return round(max(floor, base * (capacity / weight) ** 0.5), 2)


@dataclass
class CardData:
    script: Script
    village: Village
    texts: dict[str, RenderedText]

    @property
    def drafts(self) -> list[str]:
        return [lang for lang, r in self.texts.items() if not r.approved]


def languages_for(script: Script, village: Village) -> list[str]:
    return [lang for lang in ("cmn", "pcc") if lang in script.languages and lang in village.languages]


def collect(
    deployment: Deployment, scripts: list[Script], villages: list[Village], allow_draft: bool
) -> list[CardData]:
    """Render every script for every village (print mode); refuse drafts unless allowed."""
    profile = deployment.profile
    cards = []
    for script in scripts:
        for village in villages:
            if script.meta.villages is not None and village.id not in script.meta.villages:
                continue
            langs = languages_for(script, village) or ["cmn"]
            texts = {lang: render(script, lang, profile, village, None, Mode.PRINT) for lang in langs}
            cards.append(CardData(script, village, texts))
    drafts = sorted({f"{c.script.id} ({lang}: {c.texts[lang].status})" for c in cards for lang in c.drafts})
    if drafts and not allow_draft:
        raise PrintError(
            "not approved for print: " + ", ".join(drafts)
            + ". Get the text reviewed, or print a marked proof with --allow-draft"
        )
    return cards


def _village_names(village: Village) -> dict[str, str]:
    return {
        "village_cmn": village.name.cmn, "village_pcc": village.name.pcc or "",
        "contact_name": village.contact.name, "contact_phone": village.contact.phone,
    }


def _side(card: CardData, lang: str, base: float, floor: float, capacity: int) -> dict[str, Any]:
    rendered = card.texts[lang]
    return {
        "lang": lang, "css": lang, "html_lang": HTML_LANG[lang],
        "title": card.script.meta.title.get(lang, ""),
        "heading": LANGUAGES[lang],
        "paragraphs": paragraphs(rendered),
        "font_size": _font_size(rendered.text, base, floor, capacity),
        "draft": not rendered.approved,
        "status": rendered.status,
    }


def _card_context(cards: list[CardData]) -> dict[str, Any]:
    out = []
    for card in cards:
        sides = [_side(card, lang, 9.0, 6.8, 230) for lang in card.texts]
        out.append({"sides": sides, **_village_names(card.village)})
    return {"cards": out}


def impose(count: int) -> list[tuple[float, float]]:
    """Top-left corners (mm, bleed box) of the cards on one wallet sheet."""
    block_w = COLS * (CARD_W + 2 * BLEED)
    left = (SHEET_W - block_w) / 2
    top = (SHEET_H - ROWS * CARD_H) / 2
    return [(left + (i % COLS) * (CARD_W + 2 * BLEED), top + (i // COLS) * CARD_H) for i in range(count)]


def crop_marks() -> list[dict[str, float]]:
    """Hairline marks outside the block at every cut line."""
    block_w = COLS * (CARD_W + 2 * BLEED)
    left, top = (SHEET_W - block_w) / 2, (SHEET_H - ROWS * CARD_H) / 2
    bottom = top + ROWS * CARD_H
    marks = []
    xs = [left + c * (CARD_W + 2 * BLEED) + BLEED + k * CARD_W for c in range(COLS) for k in (0, 1)]
    for x in xs:
        marks.append({"x": x - 0.1, "y": top - BLEED - MARK_GAP - MARK_LEN, "w": 0.2, "h": MARK_LEN})
        marks.append({"x": x - 0.1, "y": bottom + BLEED + MARK_GAP, "w": 0.2, "h": MARK_LEN})
    for r in range(ROWS + 1):
        y = top + r * CARD_H
        marks.append({"x": left - MARK_GAP - MARK_LEN, "y": y - 0.1, "w": MARK_LEN, "h": 0.2})
        marks.append({"x": left + block_w + MARK_GAP, "y": y - 0.1, "w": MARK_LEN, "h": 0.2})
    return [{k: round(v, 2) for k, v in m.items()} for m in marks]


def _wallet_context(cards: list[CardData]) -> dict[str, Any]:
    sheets = []
    marks = crop_marks()
    for start in range(0, len(cards), COLS * ROWS):
        batch = cards[start:start + COLS * ROWS]
        placed = []
        for card, (x, y) in zip(batch, impose(len(batch))):
            placed.append({
                "x": round(x, 2), "y": round(y, 2),
                "title_cmn": card.script.meta.title.get("cmn", ""),
                "title_pcc": card.script.meta.title.get("pcc", "") if "pcc" in card.texts else "",
                "pcc_draft": "pcc" in card.drafts,
                "draft": bool(card.drafts), **_village_names(card.village),
            })
        sheets.append({"cards": placed, "marks": marks})
    return {"sheets": sheets}


@lru_cache(maxsize=4)
def _cases(path: Path) -> tuple[dict[str, Any], ...]:
    if not path.exists():
        return ()
    return tuple((load_yaml(path) or {}).get("cases", []))


def _case_lines(script: Script, cases_path: Path) -> list[dict[str, str]]:
    chosen = [c for c in _cases(cases_path) if c.get("topic") == script.meta.topic]
    lines = []
    for case in chosen:
        before, _, after = str(case["text"]).partition("{amount}")
        amount = format_money(case["amount"]) if case.get("amount") is not None and _ else ""
        lines.append({"before": before, "amount": amount, "after": after})
    return lines


def _leaflet_context(cards: list[CardData], cases_path: Path) -> dict[str, Any]:
    out = []
    for card in cards:
        out.append({
            "title_cmn": card.script.meta.title.get("cmn", ""),
            "title_pcc": card.script.meta.title.get("pcc", "") if "pcc" in card.texts else "",
            "sides": [_side(card, lang, 10.5, 8.5, 900) for lang in card.texts],
            "cases": _case_lines(card.script, cases_path),
            "draft": bool(card.drafts),
            **_village_names(card.village),
        })
    return {"leaflets": out}


@lru_cache(maxsize=4)
def _environment(folder: Path) -> jinja2.Environment:
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(folder)), autoescape=True, undefined=jinja2.StrictUndefined,
        auto_reload=True,
    )


def render_html(deployment: Deployment, layout: str, context: dict[str, Any]) -> str:
    folder = deployment.templates / "print"
    env = _environment(folder)
    profile = deployment.profile
    base = {
        "base_css": Markup((folder / "base.css").read_text(encoding="utf-8")),
        "qr": data_uri(qr_png(profile.qr_link)),
        "hotline": profile.hotlines.antifraud, "police": profile.hotlines.police,
        "station": profile.station.name, "station_phone": profile.station.phone or "",
        "county": profile.county.cmn, "county_pcc": profile.county.pcc or profile.county.cmn,
    }
    try:
        return env.get_template(f"{layout}.html.j2").render({**base, **context})
    except jinja2.TemplateSyntaxError as exc:
        raise PrintError(f"{exc.filename}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound:
        raise PrintError(f"no layout '{layout}' in {folder} (layouts: {', '.join(LAYOUTS)})") from None


def _html_to_pdf(html: str, base_url: Path) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(base_url)).write_pdf()


def _chunks(cards: list[CardData], layout: str) -> Iterable[list[CardData]]:
    size = CHUNK[layout] * (COLS * ROWS if layout == "wallet" else 1)
    for start in range(0, len(cards), size):
        yield cards[start:start + size]


def make_pdf(
    deployment: Deployment,
    layout: str,
    cards: list[CardData],
    out: Path,
    png_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PrintResult:
    """Lay out the cards, render chunk by chunk, merge, write atomically; optional PNG previews."""
    from pypdf import PdfReader, PdfWriter

    if layout not in LAYOUTS:
        raise PrintError(f"unknown layout '{layout}' (layouts: {', '.join(LAYOUTS)})")
    if not cards:
        raise PrintError("nothing to print")
    cases_path = deployment.templates / "print" / "cases.yaml"
    writer = PdfWriter()
    rendered: dict[str, bytes] = {}
    chunks = list(_chunks(cards, layout))
    for done, chunk in enumerate(chunks, start=1):
        if layout == "card":
            context = _card_context(chunk)
        elif layout == "wallet":
            context = _wallet_context(chunk)
        else:
            context = _leaflet_context(chunk, cases_path)
        html = render_html(deployment, layout, context)
        key = hashlib.sha256(html.encode("utf-8")).hexdigest()
        if key not in rendered:
            rendered[key] = _html_to_pdf(html, deployment.templates / "print")
        writer.append(PdfReader(io.BytesIO(rendered[key])))
        if progress:
            progress(done, len(chunks))
    with atomic_path(out) as tmp:
        with tmp.open("wb") as fh:
            writer.write(fh)
    pages = len(writer.pages)
    pngs = write_png(out, png_dir) if png_dir else []
    return PrintResult(out, pages, len(cards), layout, len(rendered), pngs)


def write_png(pdf: Path, folder: Path, dpi: int = 110) -> list[Path]:
    """One PNG preview a page (pdftoppm), for WeChat groups and for looking at it."""
    exe = shutil.which("pdftoppm")
    if not exe:
        raise PrintError("pdftoppm is not installed (apt-get install poppler-utils)")
    folder.mkdir(parents=True, exist_ok=True)
    prefix = folder / pdf.stem
    result = subprocess.run([exe, "-png", "-r", str(dpi), str(pdf), str(prefix)], capture_output=True, check=False)
    if result.returncode != 0:
        raise PrintError(f"pdftoppm failed: {result.stderr.decode('utf-8', 'replace').strip()[:200]}")
    pattern = re.compile(re.escape(pdf.stem) + r"-\d+\.png$")
    return sorted(p for p in folder.iterdir() if pattern.match(p.name))
