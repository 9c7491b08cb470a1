"""Print tests on real PDFs: WeasyPrint output checked with poppler (pdfinfo, pdffonts, pdftotext,
pdftoppm) and the QR codes decoded with zbarimg."""

import json
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from outreach.catalog import Catalog
from outreach.print import COLS, ROWS, PrintError, collect, crop_marks, impose, make_pdf
from outreach.print.ledger import Ledger

from conftest import write_script

MM = 72 / 25.4


@pytest.fixture(scope="session")
def printed(tmp_path_factory, shipped):
    """One run of each layout, shared by the tests below."""
    out = tmp_path_factory.mktemp("print")
    catalog = Catalog.load(shipped.scripts_dir)
    scripts = [catalog.get(s) for s in ("general-warning", "fake-loan", "elderly")]
    results = {}
    for layout, villages in (("card", [shipped.profile.village("wangmu")]),
                             ("wallet", shipped.profile.villages),
                             ("leaflet", [shipped.profile.village("hongxing")])):
        cards = collect(shipped, scripts, villages, allow_draft=True)
        results[layout] = make_pdf(shipped, layout, cards, out / f"{layout}.pdf", png_dir=out / "png")
    return results


def _text(pdf: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _size_mm(pdf: Path) -> set[tuple[float, float]]:
    return {(round(float(p.mediabox.width) / MM, 1), round(float(p.mediabox.height) / MM, 1))
            for p in PdfReader(pdf).pages}


def test_page_sizes_are_exact(printed):
    assert _size_mm(printed["card"].path) == {(105.0, 148.0)}
    assert _size_mm(printed["wallet"].path) == {(210.0, 297.0)}
    assert _size_mm(printed["leaflet"].path) == {(210.0, 297.0)}


def test_all_fonts_are_embedded_cjk(printed):
    for result in printed.values():
        out = subprocess.run(["pdffonts", str(result.path)], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
        assert rows, "no fonts"
        for row in rows:
            assert row[0].split("+")[1].startswith("Noto-Sans-CJK-SC"), row
            emb, sub = row[-5], row[-4]
            assert (emb, sub) == ("yes", "yes"), row


def test_text_is_extractable(printed):
    card = _text(printed["card"].path)
    assert "王母村" in card and "96110" in card and "110" in card
    assert "Lix haux miz luanh genl, lix xeenz miz luanh yungh." in card
    assert "DRAFT" in card  # Bouyei is a draft: marked
    leaflet = _text(printed["leaflet"].path)
    assert "红星村" in leaflet and "16,635元" in leaflet and "Leeux boz ndil!" in leaflet


def test_card_has_mandarin_front_and_bouyei_back(printed):
    result = printed["card"]
    assert result.pages == 2 * result.cards
    assert "天上不会掉馅饼" in _text(result.path, 1) and "Leeux boz ndil" not in _text(result.path, 1)
    assert "Leeux boz ndil" in _text(result.path, 2)


def test_qr_codes_decode_to_the_profile_link(printed, shipped):
    for result in printed.values():
        first = result.png[0]
        out = subprocess.run(["zbarimg", "-q", str(first)], capture_output=True, text=True, check=False).stdout
        codes = {line.removeprefix("QR-Code:") for line in out.split()}
        assert codes == {shipped.profile.qr_link}, (result.layout, out)
    wallet = subprocess.run(["zbarimg", "-q", str(printed["wallet"].png[0])], capture_output=True, text=True).stdout
    assert wallet.count("QR-Code:") == COLS * ROWS


def test_wallet_sheet_holds_ten_cards_inside_the_page(printed):
    result = printed["wallet"]
    assert result.cards == 15 and result.pages == 2
    assert _text(result.path, 1).count("96110") == 10
    assert _text(result.path, 2).count("96110") == 5
    for x, y in impose(10):
        assert 0 < x and x + 96 <= 210 and 0 < y and y + 54 <= 297
    for mark in crop_marks():
        assert 0 <= mark["x"] and mark["x"] + mark["w"] <= 210 and 0 <= mark["y"] and mark["y"] + mark["h"] <= 297


def test_draft_refuses_to_print_without_allow_draft(run, shipped, tmp_path):
    out = tmp_path / "x.pdf"
    code, _, err = run("cards", "general-warning", "--village", "wangmu", "--layout", "card", "-o", str(out),
                       "--root", str(shipped.root))
    assert code == 1 and "general-warning (pcc: draft)" in err and "--allow-draft" in err
    assert not out.exists()
    code, out_text, _ = run("cards", "general-warning", "--village", "xiangle", "--layout", "card", "-o", str(out),
                            "--root", str(shipped.root))
    assert code == 0 and out.exists()  # xiangle hears Mandarin only: approved text prints unmarked
    assert "DRAFT" not in _text(out)


def test_script_text_is_escaped_in_html(deployment, tmp_path):
    write_script(deployment, "markup", {"cmn": "注意<b>加粗</b>&amp; <img src=x onerror=alert(1)>"})
    catalog = Catalog.load(deployment.scripts_dir)
    cards = collect(deployment, [catalog.get("markup")], [deployment.profile.village("xiangle")], False)
    result = make_pdf(deployment, "card", cards, tmp_path / "m.pdf")
    text = _text(result.path)
    assert "<b>加粗</b>&amp; <img src=x" in text


def test_big_batches_are_chunked_and_copies_rendered_once(shipped, tmp_path):
    catalog = Catalog.load(shipped.scripts_dir)
    cards = collect(shipped, [catalog.get("fake-investment")], [shipped.profile.village("xiangle")], False)
    batch = [c for c in cards for _ in range(300)]
    result = make_pdf(shipped, "wallet", batch, tmp_path / "many.pdf")
    assert result.pages == 30 and result.cards == 300
    assert result.chunks_rendered == 1  # three chunks, all identical


def test_cards_cli_writes_ledger_and_png(run, deployment, tmp_path):
    root = str(deployment.root)
    out = tmp_path / "w.pdf"
    code, stdout, err = run("cards", "general-warning", "fake-loan", "--villages", "all", "--layout", "wallet",
                            "--copies", "3", "-o", str(out), "--png", str(tmp_path / "png"), "--allow-draft",
                            "--by", "岑警官", "--root", root)
    assert code == 0 and "30 wallet(s) on 3 page(s)" in stdout and "DRAFT" in err
    assert len(list((tmp_path / "png").glob("w-*.png"))) == 3
    code, stdout, _ = run("ledger", "--json", "--root", root)
    data = json.loads(stdout)
    [run_] = data["runs"]
    assert run_["printed_by"] == "岑警官" and run_["cards"] == 30 and run_["draft"] is True
    assert data["per_village"]["wangmu"] == {"wallet": 6}
    code, stdout, _ = run("ledger", "--month", run_["printed_at"][:7], "--root", root)
    assert code == 0 and "wangmu" in stdout
    assert Ledger(deployment.state_dir / "ledger.sqlite").per_village("1999-01") == {}


def test_unknown_layout_and_empty_batch(shipped, tmp_path):
    with pytest.raises(PrintError, match="unknown layout"):
        make_pdf(shipped, "poster", [], tmp_path / "p.pdf")
    with pytest.raises(PrintError, match="nothing to print"):
        make_pdf(shipped, "card", [], tmp_path / "p.pdf")
