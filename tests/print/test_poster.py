"""Posters: A3 and A2, headline, three rules, hotlines, a QR code that scans; Bouyei where the village hears it."""

from __future__ import annotations

import subprocess

import pytest

from conftest import copy_deployment, write_script
from outreach.print import PrintRequest
from outreach.print.products import ProductOptions, print_product

from .pdftools import MM, fonts, page_sizes, pdf_text, png


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One A3 run for a Bouyei village and a Mandarin one (two pages), made once for the module."""
    root = tmp_path_factory.mktemp("poster")
    deployment = copy_deployment(root / "root")
    result = print_product(deployment, PrintRequest(scripts=("fake-loan",), layout="poster", out=root / "p.pdf",
                                                    villages=("wangmu", "xiangle"), allow_draft=True))
    return deployment, result


def test_a3_pages_one_per_village_with_the_headline_rules_and_hotlines(made):
    _, result = made
    assert page_sizes(result.path) == [(round(297 * MM, 1), round(420 * MM, 1))] * 2
    for page in (1, 2):
        text = pdf_text(result.path, page)
        assert "网上贷款先交钱？是诈骗！" in text and "陌生来电不轻信" in text and "转账汇款多核实" in text
        assert "96110" in text and "110" in text
    assert all(embedded for _, embedded in fonts(result.path)) and fonts(result.path)


def test_the_bouyei_village_gets_both_languages_the_mandarin_village_one(made):
    _, result = made
    bouyei, mandarin = pdf_text(result.path, 1), pdf_text(result.path, 2)
    assert "Bouyei 布依语" in bouyei and "myaec haec xeenz" in bouyei and "DRAFT" in bouyei
    assert "Bouyei" not in mandarin and "DRAFT" not in mandarin
    assert result.draft


def test_the_qr_code_scans_to_the_profiles_link(made, tmp_path):
    deployment, result = made
    image = png(result.path, tmp_path / "poster", dpi=72, page=2)
    scanned = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True, check=False)
    assert scanned.stdout.strip() == deployment.profile.qr_link


def test_a2_is_the_same_poster_larger(deployment, tmp_path):
    out = tmp_path / "a2.pdf"
    print_product(deployment, PrintRequest(scripts=("elderly",), layout="poster", out=out, villages=("xiangle",)),
                  ProductOptions(size="A2"))
    assert page_sizes(out) == [(round(420 * MM, 1), round(594 * MM, 1))]
    assert "凡是要钱的电话，先挂断" in pdf_text(out)  # the approved slogan strip and the topic's lesson


def test_a_long_bouyei_text_still_fits_its_poster(deployment, tmp_path):
    write_script(deployment, "long", {"cmn": "请注意。", "pcc": "Buxens aul xeenz, myaec haec! " * 40 + "Buxqyaix" * 12})
    out = tmp_path / "long.pdf"
    print_product(deployment, PrintRequest(scripts=("long",), layout="poster", out=out, villages=("hongxing",),
                                           allow_draft=True))
    assert len(page_sizes(out)) == 1
    assert "Buxqyaix" in pdf_text(out)
    words = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True, check=True).stdout
    right_edges = [float(part.split('"')[1]) for part in words.split("xMax=")[1:] if "Buxqyaix" in part]
    assert right_edges and max(right_edges) <= (297 - 16) * MM + 1  # the long word wrapped inside the margin
