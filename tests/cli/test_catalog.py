"""`scripts`, `preview` and `check` against the shipped catalog and a broken copy of it."""

import json
import re

from conftest import ROOT


def test_scripts_lists_the_catalog(run):
    code, out, _ = run("scripts", "--root", str(ROOT), "--json")
    assert code == 0
    data = json.loads(out)
    ids = {s["id"] for s in data["scripts"]}
    assert len(ids) >= 8 and "general-warning" in ids
    general = next(s for s in data["scripts"] if s["id"] == "general-warning")
    assert general["languages"] == {"cmn": "approved", "pcc": "draft"}
    code, out, _ = run("scripts", "--root", str(ROOT))
    assert code == 0 and "general-warning" in out and "pcc:draft" in out


def test_scripts_names_a_broken_script(run, deployment):
    (deployment.scripts_dir / "fake-loan" / "script.yaml").write_text("title: [", encoding="utf-8")
    code, out, _ = run("scripts", "--json", "--root", str(deployment.root))
    assert code == 0
    data = json.loads(out)
    assert "fake-loan" in data["broken"] and "fake-loan" not in {s["id"] for s in data["scripts"]}
    code, out, _ = run("scripts", "--root", str(deployment.root))
    assert code == 0 and "broken: fake-loan" in out


def test_preview_both_languages_with_draft_banner(run):
    code, out, _ = run("preview", "general-warning", "--lang", "all", "--village", "hongxing", "--root", str(ROOT))
    assert code == 0
    assert "红星村" in out and "Leeux boz ndil" in out and "96110" in out
    assert "DRAFT" in out
    assert "approved" in out


def test_preview_speech_mode_reads_numbers_as_words(run):
    code, out, _ = run("preview", "fake-investment", "--mode", "speech", "--json", "--root", str(ROOT))
    assert code == 0
    data = json.loads(out)
    cmn = data["languages"]["cmn"]["text"]
    assert "十一万元" in cmn and "九六幺幺零" in cmn and "110" not in cmn
    pcc = data["languages"]["pcc"]
    assert pcc["approved"] is False
    assert {s["lang"] for s in pcc["segments"]} == {"cmn", "pcc"}


def test_preview_lists_segments_by_language(run):
    code, out, _ = run("preview", "fake-investment", "--segments", "--root", str(ROOT))
    assert code == 0
    rows = {tuple(line.split()[:3]) for line in out.splitlines()}
    assert ("cmn", "variable", "96110") in rows
    assert any(row[:2] == ("pcc", "fixed") for row in rows)


def test_preview_pinyin_shows_what_the_mandarin_engine_receives(run):
    code, out, _ = run("preview", "fake-investment", "--pinyin", "--json", "--root", str(ROOT))
    assert code == 0
    data = json.loads(out)
    assert data["mode"] == "speech"
    cmn = data["languages"]["cmn"]["segments"]
    assert {"text": "九六幺幺零", "lang": "cmn", "origin": "variable", "pinyin": "jiu3 liu4 yao1 yao1 ling2"} in cmn
    pcc = data["languages"]["pcc"]["segments"]
    assert all((s["pinyin"] is None) == (s["lang"] == "pcc") for s in pcc)
    code, out, _ = run("preview", "fake-investment", "--lang", "cmn", "--pinyin", "--root", str(ROOT))
    assert code == 0 and "speech mode" in out
    header = next(line.split() for line in out.splitlines() if line.split()[:1] == ["lang"])
    assert header == ["lang", "origin", "text", "pinyin"]
    rows = [line.split() for line in out.splitlines()]
    assert ["cmn", "variable", "九六幺幺零", "jiu3", "liu4", "yao1", "yao1", "ling2"] in rows
    code, out, _ = run("preview", "fake-investment", "--lang", "cmn", "--segments", "--root", str(ROOT))
    assert "pinyin" not in out and "jiu3" not in out


def test_preview_var_override_and_bad_values(run):
    code, out, _ = run("preview", "fake-investment", "--lang", "cmn", "--var", "amount=5000", "--json",
                       "--root", str(ROOT))
    assert code == 0 and "5,000元" in json.loads(out)["languages"]["cmn"]["text"]
    code, _, err = run("preview", "fake-investment", "--var", "amount=much", "--root", str(ROOT))
    assert code == 1 and err.startswith("error: ") and "amount" in err and "Traceback" not in err
    code, _, err = run("preview", "fake-investment", "--var", "amount", "--root", str(ROOT))
    assert code == 2 and "key=value" in err


def test_preview_unknown_village_and_script(run):
    code, _, err = run("preview", "general-warning", "--village", "atlantis", "--root", str(ROOT))
    assert code == 1 and "unknown village 'atlantis'" in err
    code, _, err = run("preview", "no-such-script", "--root", str(ROOT))
    assert code == 1 and "unknown script 'no-such-script'" in err


def test_check_passes_on_shipped_catalog_and_fails_on_a_broken_one(run, deployment):
    code, out, _ = run("check", "--root", str(ROOT))
    assert code == 0 and "check: 0 errors, " in out
    path = deployment.scripts_dir / "general-warning" / "pcc.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("xeenz", "xeenzz", 1), encoding="utf-8")
    code, out, err = run("check", "--root", str(deployment.root))
    assert code == 1
    assert "general-warning/pcc.j2:2:30: error: Bouyei spelling" in err and "'xeenzz'" in err
    assert re.search(r"check found 1 error$", err, re.M)
    code, out, _ = run("check", "--json", "--root", str(deployment.root))
    assert code == 1 and json.loads(out)["errors"] == 1


def test_preview_refuses_amounts_that_are_not_finite(run):
    for amount in ("nan", "1e400", "-inf"):
        for mode in ("print", "speech"):
            code, out, err = run("preview", "fake-loan", "--var", f"amount={amount}", "--mode", mode,
                                 "--root", str(ROOT))
            assert code == 1 and f"variable 'amount' is a money, and '{amount}' is not one" in err
            assert "NaN" not in out + err and "∞" not in out + err
