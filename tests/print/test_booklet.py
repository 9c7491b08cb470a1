"""The A5 booklet: reader's order, imposition 2-up on A4 in booklet order, fonts, images, text that never overflows."""

from __future__ import annotations

import subprocess

import pytest

from conftest import copy_deployment, write_script
from outreach.errors import PrintError
from outreach.ledger import PrintLedger
from outreach.print import PrintRequest
from outreach.print.booklet import booklet_order, image_slots, padded
from outreach.print.products import print_product

from .pdftools import MM, fonts, page_sizes, pdf_region_text, pdf_text

A5 = (round(148 * MM, 1), round(210 * MM, 1))
A4_LANDSCAPE = (round(297 * MM, 1), round(210 * MM, 1))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One Mandarin booklet of one script (6 pages of content, padded to 8), made once for the module."""
    root = tmp_path_factory.mktemp("booklet")
    deployment = copy_deployment(root / "root")
    out = root / "booklet.pdf"
    result = print_product(deployment, PrintRequest(scripts=("fake-loan",), layout="booklet", out=out,
                                                    villages=("xiangle",), copies=300, printed_by="岑勤"))
    return deployment, result


def test_booklet_order_nests_the_sheets_so_the_fold_reads_in_order():
    assert booklet_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    for pages in (4, 12, 20):
        order = booklet_order(pages)
        assert sorted(p for side in order for p in side) == list(range(1, pages + 1))
        assert all(left + right == pages + 1 for left, right in order)  # facing pages on a sheet side
    assert [padded(n) for n in (1, 4, 5, 10, 12)] == [4, 4, 8, 12, 12]
    with pytest.raises(PrintError, match="multiple of 4"):
        booklet_order(10)


def test_reader_copy_is_a5_and_the_printers_copy_is_a4_spreads(made):
    _, result = made
    reader = result.files[1]
    assert result.files[0] == result.path and reader.name == "booklet-reader.pdf"
    assert page_sizes(reader) == [A5] * 8
    assert page_sizes(result.path) == [A4_LANDSCAPE] * 4
    assert result.pages == 4 and result.copies == 300 and not result.draft


def test_each_printed_side_carries_the_pages_booklet_order_says(made):
    _, result = made
    width, height = A4_LANDSCAPE
    for side, (left, right) in enumerate(booklet_order(8), start=1):
        for number, x in ((left, 0), (right, width / 2)):
            text = pdf_region_text(result.path, side, (x, 0, width / 2, height))
            if number == 1:
                assert "防范电信网络诈骗" in text and "—" not in text
            elif number == 8:
                assert "96110" in text and "扫码了解更多" in text
            else:
                assert f"— {number} —" in text, (side, number, text)
    reader_text = [pdf_text(result.files[1], page) for page in range(1, 9)]
    assert "目录" in reader_text[1] and "防骗口诀" in reader_text[2]
    assert "网上贷款先交钱" in reader_text[3] and "70,000元" in reader_text[4]
    assert "核实电话本" in reader_text[5] and "核实电话本" in reader_text[6]  # the padding pages


def test_fonts_are_embedded_and_the_run_is_in_the_ledger(made):
    deployment, result = made
    for pdf in result.files:
        listed = fonts(pdf)
        assert listed and all(embedded for _, embedded in listed), listed
    [run] = PrintLedger(deployment.ledger_path).runs()
    assert (run.layout, run.scripts, run.villages, run.cards, run.printed_by) == (
        "booklet", ["fake-loan"], ["xiangle"], 300, "岑勤")


def test_the_countys_own_art_goes_into_the_illustration_slots(deployment, tmp_path):
    from PIL import Image

    art = deployment.templates / "print" / "images"

    Image.new("RGB", (60, 40), "orange").save(art / "cover.png")
    Image.new("RGB", (60, 40), "green").save(art / "loan.png")
    assert image_slots(deployment.templates) == {"cover": "images/cover.png", "loan": "images/loan.png"}
    out = tmp_path / "b.pdf"
    print_product(deployment, PrintRequest(scripts=("fake-loan",), layout="booklet", out=out, villages=("xiangle",)))
    listed = subprocess.run(["pdfimages", "-list", str(tmp_path / "b-reader.pdf")], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    pages = sorted(int(row.split()[0]) for row in listed)
    assert pages == [1, 5, 8]  # cover art, the loan case page's art, the QR on the back cover


def test_long_bouyei_text_shrinks_to_fit_its_page_and_never_runs_off_it(deployment, tmp_path):
    long_pcc = "{{ village.name }}: Leeux boz ndil!\n" + "Buxens aul xeenz, myaec haec! " * 60 + "\n" + "Buxqyaix" * 14
    write_script(deployment, "long", {"cmn": "请注意：" + "只要涉及转账，请反复确认。" * 12, "pcc": long_pcc})
    out = tmp_path / "long.pdf"
    result = print_product(deployment, PrintRequest(scripts=("long",), layout="booklet", out=out,
                                                    villages=("wangmu",), allow_draft=True))
    reader = result.files[1]
    assert len(page_sizes(reader)) == 8 and result.draft
    text = pdf_text(reader, 4)
    assert "— 4 —" in text and "DRAFT" in text and "Buxqyaix" in text
    words = subprocess.run(["pdftotext", "-bbox", "-f", "4", "-l", "4", str(reader), "-"], capture_output=True,
                           text=True, check=True).stdout
    right_edges = [float(part.split('"')[1]) for part in words.split("xMax=")[1:] if "Buxqyaix" in part]
    assert right_edges and max(right_edges) <= A5[0] - 12 * MM + 1  # inside the text column: the long word wrapped


def test_text_that_cannot_fit_even_in_small_type_stops_the_run(deployment, tmp_path):
    write_script(deployment, "huge", {"cmn": "只要涉及转账，请反复确认。" * 400})
    with pytest.raises(PrintError, match="does not fit its 8 page"):
        print_product(deployment, PrintRequest(scripts=("huge",), layout="booklet", out=tmp_path / "h.pdf",
                                               villages=("xiangle",)))
    assert not (tmp_path / "h.pdf").exists()


def test_a_booklet_is_for_one_village(run, deployment, tmp_path):
    code, _, err = run("cards", "fake-loan", "--villages", "all", "--layout", "booklet", "-o", str(tmp_path / "b.pdf"),
                       "--root", str(deployment.root))
    assert code == 1 and "one village at a time" in err
