"""The banner: the profile's size, one line filling the height on red, outlines any viewer draws, A3 tiles."""

from __future__ import annotations

import pytest

from conftest import copy_deployment
from outreach.deployment import BannerConfig
from outreach.errors import PrintError
from outreach.ledger import PrintLedger
from outreach.print import PrintRequest
from outreach.print.banner import FILL, SHEET_H, SHEET_MARGIN, SHEET_W, banner_context, fit, scale_for, text_em, tiles
from outreach.print.products import print_product

from .pdftools import MM, fonts, page_sizes, pdf_text, png

WIDTH, HEIGHT = 2000, 250  # small enough for a quick test, long enough that a short slogan fills the height


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """An approved Mandarin banner (card-renting's 自己的卡自己用) on a 2 m x 0.25 m banner, made once."""
    root = tmp_path_factory.mktemp("banner")
    deployment = copy_deployment(root / "root", {"width_mm: 5000": f"width_mm: {WIDTH}",
                                                 "height_mm: 700": f"height_mm: {HEIGHT}"})
    result = print_product(deployment, PrintRequest(scripts=("card-renting",), layout="banner",
                                                    out=root / "banner.pdf", villages=("wangmu",), copies=2))
    return deployment, result


def _ink_rows(image, colour: tuple[int, int, int]) -> list[int]:
    """Rows of the image holding pixels of the text colour (poppler's rendering, as a viewer shows it)."""
    pixels = image.convert("RGB").load()
    near = lambda p: all(abs(a - b) < 60 for a, b in zip(p, colour))  # noqa: E731
    return [y for y in range(image.height) if any(near(pixels[x, y]) for x in range(0, image.width, 2))]


def test_short_lines_fill_the_height_and_long_ones_fit_between_the_ends():
    size, spread = fit("自己的卡自己用", 5000, 700)
    assert size == pytest.approx(FILL * 700) and spread > 0
    long_line = "只要涉及转账，请反复确认，拿不准就拨打反诈专线"
    size, spread = fit(long_line, 5000, 700)
    assert size < FILL * 700 and spread == 0
    assert text_em(long_line) * size <= 5000 - 2 * 0.3 * 700 + 0.5
    assert text_em("ab") < text_em("天天")  # the font's own widths: Latin letters are narrower than Han


def test_tiles_cover_the_banner_with_overlaps_on_a3():
    sheets = tiles(5000, 700, 10)
    win_w, win_h = SHEET_W - 2 * SHEET_MARGIN, SHEET_H - 2 * SHEET_MARGIN
    cols, rows = sheets[-1].col + 1, sheets[-1].row + 1
    assert len(sheets) == cols * rows
    assert sheets[-1].x + sheets[-1].w == 5000 and sheets[-1].y + sheets[-1].h == 700  # cut to the banner's edge
    assert all(t.w <= win_w and t.h <= win_h for t in sheets)
    assert all(b.x - a.x == win_w - 10 for a, b in zip(sheets, sheets[1:]) if a.row == b.row)
    assert [t.overlap_right for t in sheets if t.row == 0][-1] is False
    assert scale_for(5000) == 1 and scale_for(6000) == 2


def test_the_banner_page_has_the_profiles_size_and_its_text_fills_the_height(made, tmp_path):
    from PIL import Image

    _, result = made
    assert page_sizes(result.path) == [(round(WIDTH * MM, 1), round(HEIGHT * MM, 1))]
    image = Image.open(png(result.path, tmp_path / "banner", dpi=25))
    rows = _ink_rows(image, (255, 215, 0))
    ink = (rows[-1] - rows[0] + 1) / image.height
    assert 0.6 < ink < FILL  # the Han glyphs' ink is about 0.87 of the em, and the em is FILL of the height
    top, bottom = rows[0], image.height - 1 - rows[-1]
    assert abs(top - bottom) < 0.08 * image.height  # centred
    assert fonts(result.path) == []  # the slogan is outlines: nothing for a viewer or the shop's RIP to substitute


def test_the_a3_tiles_have_one_sheet_per_window(made):
    _, result = made
    sheets = result.files[1]
    expected = len(tiles(WIDTH, HEIGHT, 10))
    assert sheets.name == "banner-a3.pdf"
    assert page_sizes(sheets) == [(round(420 * MM, 1), round(297 * MM, 1))] * expected
    text = pdf_text(sheets, 1)
    assert f"第 1 行 第 1 列（共 1 行 {expected} 列）" in text and "重叠 10 mm" in text
    assert all(embedded for _, embedded in fonts(sheets))


def test_the_run_is_logged_with_its_slogan(made):
    deployment, result = made
    [run] = PrintLedger(deployment.ledger_path).runs()
    assert (run.layout, run.scripts, run.cards) == ("banner", ["card-renting.cmn1"], 2)


def test_a_bouyei_slogan_is_a_draft_and_prints_only_as_a_marked_proof(run, tmp_path):
    deployment = copy_deployment(tmp_path / "root", {"width_mm: 5000": "width_mm: 1500"})
    out = tmp_path / "b.pdf"
    args = ("cards", "general-warning", "--village", "wangmu", "--layout", "banner", "--lang", "pcc", "--slogan", "2",
            "-o", str(out), "--root", str(deployment.root))
    code, _, err = run(*args)
    assert code == 1 and "not approved (draft)" in err and "--allow-draft" in err and not out.exists()
    code, stdout, err = run(*args, "--allow-draft")
    assert code == 0 and "DRAFT" in err
    assert "DRAFT 草稿" in pdf_text(out) and all(embedded for _, embedded in fonts(out))
    code, _, err = run(*args[:-2], "--slogan", "9", "--allow-draft")
    assert code == 1 and "has 2 pcc slogans; --slogan 9 is not one" in err


def test_white_text_and_long_banners_drawn_to_scale():
    config = BannerConfig(width_mm=6000, height_mm=600, text_colour="white")
    context = banner_context("天上永远不会掉馅饼", "cmn", config, draft=False)
    assert context["scale"] == 2 and 'fill="#ffffff"' in str(context["svg"])
    with pytest.raises(PrintError, match="no glyph"):
        banner_context("\U0001fae8", "cmn", config, draft=False)


def test_one_slogan_per_banner(run, deployment, tmp_path):
    code, _, err = run("cards", "general-warning", "fake-loan", "--village", "wangmu", "--layout", "banner",
                       "-o", str(tmp_path / "b.pdf"), "--root", str(deployment.root))
    assert code == 1 and "one script" in err
