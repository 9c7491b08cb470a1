"""What goes to print: texts per village language, drafts refused unless a marked proof is asked for."""

import pytest

from outreach.catalog import Catalog
from outreach.print import PrintError, collect

from conftest import write_script
from .pdftools import pdf_text


def test_cards_carry_the_languages_each_village_reads(shipped, catalog):
    script = catalog.get("general-warning")
    cards = collect(shipped, [script], shipped.profile.villages, allow_draft=True)
    langs = {card.village.id: list(card.texts) for card in cards}
    assert langs["wangmu"] == ["cmn", "pcc"] and langs["xiangle"] == ["cmn"]
    assert [c.drafts for c in cards if c.village.id == "wangmu"] == [["pcc"]]


def test_drafts_are_refused_naming_script_language_and_status(shipped, catalog):
    script = catalog.get("general-warning")
    with pytest.raises(PrintError, match=r"general-warning \(pcc: draft\).*--allow-draft"):
        collect(shipped, [script], [shipped.profile.village("wangmu")], allow_draft=False)
    [card] = collect(shipped, [script], [shipped.profile.village("xiangle")], allow_draft=False)
    assert card.drafts == []


def test_a_script_for_some_villages_prints_only_for_them(deployment):
    write_script(deployment, "local", {"cmn": "本村{{ village.name }}"}, "villages: [hongxing]\n")
    script = Catalog.load(deployment.scripts_dir).get("local")
    cards = collect(deployment, [script], deployment.profile.villages, allow_draft=False)
    assert [c.village.id for c in cards] == ["hongxing"]
    assert cards[0].texts["cmn"].text == "本村红星村"


def test_cards_cli_refuses_drafts_and_prints_approved_text(run, deployment, tmp_path):
    out = tmp_path / "x.pdf"
    root = str(deployment.root)
    code, _, err = run("cards", "general-warning", "--village", "wangmu", "--layout", "card", "-o", str(out),
                       "--root", root)
    assert code == 1 and "general-warning (pcc: draft)" in err and "--allow-draft" in err
    assert not out.exists()
    code, _, _ = run("cards", "general-warning", "--village", "xiangle", "--layout", "card", "-o", str(out),
                     "--root", root)
    assert code == 0 and out.exists()  # xiangle hears Mandarin only: approved text prints unmarked
    assert "DRAFT" not in pdf_text(out)
