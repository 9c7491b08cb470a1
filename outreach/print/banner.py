"""The banner (横幅): one slogan on red at the print shop's size, and the same banner tiled onto A3 sheets.

The type is sized from the font's own advance widths (fontTools reads the
font WeasyPrint uses), so the line fills the banner's height unless it would
run past the ends, where it is made just small enough to fit. A PDF page can
be at most 5080 mm long: longer banners are drawn to scale and say so.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from outreach.deployment import BannerConfig, Deployment
from outreach.errors import PrintError
from outreach.i18n import _
from outreach.print.pdf import html_from_template, pdf_from_html

TEMPLATE = "print/banner.html.j2"
FONT = "Noto Sans CJK SC:bold"
FILL = 0.8
END_MARGIN = 0.3
MAX_SPREAD = 0.3
PDF_MAX_MM = 5080.0
SHEET_W, SHEET_H, SHEET_MARGIN = 420.0, 297.0, 10.0
COLOURS = {"white": "#ffffff", "yellow": "#ffd700"}


@dataclass(frozen=True)
class Tile:
    """One A3 sheet's window onto the banner (mm, banner coordinates), and whether a neighbour overlaps it."""

    row: int
    col: int
    x: float
    y: float
    w: float
    h: float
    overlap_right: bool
    overlap_below: bool


@lru_cache(maxsize=2)
def _font(pattern: str) -> Any:
    """The font fontconfig picks for ``pattern`` (the one WeasyPrint uses), read with fontTools."""
    exe = shutil.which("fc-match")
    found = subprocess.run([exe, "-f", "%{file}:%{index}", pattern], capture_output=True, text=True,
                           check=False) if exe else None
    path, _sep, index = found.stdout.rpartition(":") if found and not found.returncode else ("", "", "")
    if not path:
        raise PrintError(_("no font for '{pattern}': banners need fontconfig and Noto Sans CJK "
                           "(apt-get install fontconfig fonts-noto-cjk)").format(pattern=pattern))
    from fontTools.ttLib import TTCollection, TTFont

    if path.lower().endswith(".ttc"):
        return TTCollection(path, lazy=True).fonts[int(index or 0)]
    return TTFont(path, lazy=True)


def _glyphs(text: str) -> list[str]:
    cmap = _font(FONT).getBestCmap()
    missing = sorted({ch for ch in text if ord(ch) not in cmap})
    if missing:
        raise PrintError(_("the banner font has no glyph for {characters}: leave it out of the slogan").format(
            characters=" ".join(missing)))
    return [cmap[ord(ch)] for ch in text]


def text_em(text: str) -> float:
    """The width of a line in em, from the font's own advance widths."""
    font = _font(FONT)
    upem = float(font["head"].unitsPerEm)
    glyph_set = font.getGlyphSet()
    return sum(glyph_set[g].width for g in _glyphs(text)) / upem


def outlines(text: str, colour: str, spread_em: float) -> Markup:
    """The line as filled outlines in an SVG one em high (文字转曲, as print shops want it): no font in the
    PDF, and no viewer that refuses glyphs above 20 inches (poppler's Splash does) shows an empty banner."""
    from fontTools.pens.svgPathPen import SVGPathPen

    font = _font(FONT)
    upem = float(font["head"].unitsPerEm)
    glyph_set = font.getGlyphSet()
    ascent = font["OS/2"].sTypoAscender
    x, paths = 0.0, []
    for name in _glyphs(text):
        pen = SVGPathPen(glyph_set)
        glyph_set[name].draw(pen)
        if pen.getCommands():
            paths.append(f'<path transform="translate({x:.0f} 0)" d="{pen.getCommands()}"/>')
        x += glyph_set[name].width + spread_em * upem
    width = x - spread_em * upem
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {upem:.0f}" '
                  'preserveAspectRatio="none">'
                  f'<g fill="{colour}" transform="matrix(1 0 0 -1 0 {ascent})">{"".join(paths)}</g></svg>')


def fit(text: str, width: float, height: float) -> tuple[float, float]:
    """Type size (em, mm) and letter spacing (mm) for one line on a banner of ``width`` x ``height`` mm.

    The em is FILL of the height unless the line would then pass the end margins; a short all-Han line is spread
    out (up to MAX_SPREAD em between characters), as banners are lettered.
    """
    room = width - 2 * END_MARGIN * height
    em = text_em(text)
    size = min(FILL * height, room / em)
    spread = 0.0
    if len(text) > 1 and all(ord(ch) > 0x2E80 for ch in text):
        spread = min(MAX_SPREAD * size, (room - em * size) / (len(text) - 1))
    return round(size, 2), round(max(spread, 0.0), 2)


def tiles(width: float, height: float, overlap: float) -> list[Tile]:
    """A3 landscape sheets covering the banner, row by row; neighbours overlap by ``overlap`` mm, and the last
    sheet of a row or column is cut to the banner's edge."""
    win_w, win_h = SHEET_W - 2 * SHEET_MARGIN, SHEET_H - 2 * SHEET_MARGIN
    cols = max(1, math.ceil((width - overlap) / (win_w - overlap)))
    rows = max(1, math.ceil((height - overlap) / (win_h - overlap)))
    sheets = []
    for r in range(rows):
        for c in range(cols):
            x, y = c * (win_w - overlap), r * (win_h - overlap)
            sheets.append(Tile(r, c, x, y, min(win_w, width - x), min(win_h, height - y), c < cols - 1, r < rows - 1))
    return sheets


def scale_for(width: float) -> int:
    """How many times smaller than life the single-page banner is drawn (1 up to PDF's page-size limit)."""
    return max(1, math.ceil(width / PDF_MAX_MM))


def banner_context(text: str, lang: str, config: BannerConfig, draft: bool) -> dict[str, Any]:
    """What the banner layout draws, at life size (``tile`` pages) and on its one page (``scale``)."""
    size, spread = fit(text, config.width_mm, config.height_mm)
    sheets = tiles(config.width_mm, config.height_mm, config.tile_overlap_mm)
    return {
        "text": text, "html_lang": "zh-Hans" if lang == "cmn" else lang, "draft": draft,
        "width_mm": config.width_mm, "height_mm": config.height_mm, "font_mm": size,
        "text_w_mm": round(text_em(text) * size + spread * (len(text) - 1), 2),
        "svg": outlines(text, COLOURS[config.text_colour], spread / size), "scale": scale_for(config.width_mm),
        "tiles": [t.__dict__ for t in sheets], "rows": sheets[-1].row + 1, "cols": sheets[-1].col + 1,
        "overlap_mm": config.tile_overlap_mm, "sheet_margin_mm": SHEET_MARGIN,
    }


def banner_pdfs(deployment: Deployment, text: str, lang: str, draft: bool) -> tuple[bytes, bytes]:
    """The single-page banner and its A3 tiles, as PDF bytes."""
    context = banner_context(text, lang, deployment.profile.banner, draft)
    base_url = (deployment.templates / TEMPLATE).parent
    return tuple(pdf_from_html(html_from_template(deployment, TEMPLATE, {**context, "mode": mode}), base_url,
                                [deployment.templates])
                 for mode in ("banner", "tiles"))  # type: ignore[return-value]
