"""Whole print runs on real PDFs: WeasyPrint output checked with poppler (pdfinfo, pdffonts, pdftotext,
pdftoppm) and the QR codes decoded with zbarimg."""

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from outreach.catalog import Catalog
from outreach.print import COLS, ROWS, Layout, PrintError, collect, make_pdf

from .pdftools import pdf_text

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
    card = pdf_text(printed["card"].path)
    assert "王母村" in card and "96110" in card and "110" in card
    assert "Lix haux miz luanh genl, lix xeenz miz luanh yungh." in card
    assert "DRAFT" in card  # Bouyei is a draft: marked
    leaflet = pdf_text(printed["leaflet"].path)
    assert "红星村" in leaflet and "16,635元" in leaflet and "Leeux boz ndil!" in leaflet


def test_card_has_mandarin_front_and_bouyei_back(printed):
    result = printed["card"]
    assert result.pages == 2 * result.cards
    assert "天上不会掉馅饼" in pdf_text(result.path, 1) and "Leeux boz ndil" not in pdf_text(result.path, 1)
    assert "Leeux boz ndil" in pdf_text(result.path, 2)


def test_qr_codes_decode_to_the_profile_link(printed, shipped):
    for result in printed.values():
        first = result.png[0]
        out = subprocess.run(["zbarimg", "-q", str(first)], capture_output=True, text=True, check=False).stdout
        codes = {line.removeprefix("QR-Code:") for line in out.split()}
        assert codes == {shipped.profile.qr_link}, (result.layout, out)
    wallet = subprocess.run(["zbarimg", "-q", str(printed["wallet"].png[0])], capture_output=True, text=True).stdout
    assert wallet.count("QR-Code:") == COLS * ROWS


def test_wallet_sheet_holds_ten_cards(printed):
    result = printed["wallet"]
    assert result.cards == 15 and result.pages == 2
    assert pdf_text(result.path, 1).count("96110") == 10
    assert pdf_text(result.path, 2).count("96110") == 5


def test_big_batches_are_chunked_and_copies_rendered_once(shipped, tmp_path):
    catalog = Catalog.load(shipped.scripts_dir)
    cards = collect(shipped, [catalog.get("fake-investment")], [shipped.profile.village("xiangle")], False)
    batch = [c for c in cards for _ in range(300)]
    result = make_pdf(shipped, "wallet", batch, tmp_path / "many.pdf")
    assert result.pages == 30 and result.cards == 300
    assert result.chunks_rendered == 1  # three chunks, all identical


def test_unknown_layout_and_empty_batch(shipped, tmp_path):
    with pytest.raises(PrintError, match="unknown layout 'flyer' \\(layouts: card, wallet, leaflet"):
        make_pdf(shipped, "flyer", [], tmp_path / "p.pdf")
    with pytest.raises(PrintError, match="nothing to print"):
        make_pdf(shipped, "card", [], tmp_path / "p.pdf")
    assert not (tmp_path / "p.pdf").exists()


def _villages(shipped, count: int) -> list:
    template = shipped.profile.village("xiangle")
    return [template.model_copy(update={"id": f"v{i:03d}", "name": template.name.model_copy(
        update={"cmn": f"测试{i:03d}村"})}) for i in range(count)]


def test_a_streamed_run_is_merged_chunk_by_chunk_in_order(shipped, tmp_path, monkeypatch):
    """The code path of a 20,000-card run (cards streamed in, each chunk merged as it is made) on 45 cards in
    chunks of 10; the 20,000 cards themselves are in benchmarks/print.py."""
    monkeypatch.setattr(Layout, "cards_per_document", property(lambda self: 10))
    script = Catalog.load(shipped.scripts_dir).get("fake-investment")
    villages = _villages(shipped, 45)
    streamed = (card for village in villages for card in collect(shipped, [script], [village], False))
    chunks_seen: list[tuple[int, int]] = []
    result = make_pdf(shipped, "wallet", streamed, tmp_path / "run.pdf", progress=lambda d, t: chunks_seen.append((d, t)))
    assert (result.cards, result.pages, result.chunks_rendered) == (45, 5, 5)
    assert [d for d, _ in chunks_seen] == [1, 2, 3, 4, 5]
    info = subprocess.run(["pdfinfo", str(result.path)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           5" in info
    assert len(PdfReader(result.path).pages) == 5
    assert "测试000村" in pdf_text(result.path, 1) and "测试009村" in pdf_text(result.path, 1)
    last = pdf_text(result.path, 5)
    assert "测试044村" in last and "测试040村" in last and "测试039村" not in last
    assert pdf_text(result.path).count("96110") == 45
