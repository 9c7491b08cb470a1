"""`bouyei ipa`, `bouyei check` and `bouyei number`."""

import json


def test_bouyei_commands(run):
    code, out, _ = run("bouyei", "ipa", "ndeeul", "xibrogt", "--json")
    assert code == 0
    data = json.loads(out)
    assert data[0]["ipa"] == "ɗeːu˨˦" and [s["tone"] for s in data[1]["syllables"]] == [8, 7]
    code, out, _ = run("bouyei", "check", "--strict", "lix xeenzz miz luanh yungh")
    assert code == 1 and "column 5" in out and "xeenzz" in out
    code, out, _ = run("bouyei", "check", "Lix xeenz miz luanh yungh")
    assert code == 0 and "ok" in out
    code, out, _ = run("bouyei", "number", "16", "35")
    assert code == 0 and "xibrogt" in out and "saamlxibhac" in out
    code, _, err = run("bouyei", "number", "100")
    assert code == 2


def test_bouyei_ipa_text_shows_each_syllable(run):
    code, out, _ = run("bouyei", "ipa", "xibrogt")
    assert code == 0
    word, ipa, parts = out.rstrip("\n").split("\t")
    assert word == "xibrogt" and ipa.startswith("[") and "tone 8" in parts and "tone 7" in parts


def test_bouyei_ipa_reports_every_word_and_fails_only_when_strict(run):
    code, out, _ = run("bouyei", "ipa", "bea", "weac", "xibrogt")
    assert code == 0
    lines = [line.split("\t") for line in out.splitlines()]
    assert [line[0] for line in lines] == ["bea", "weac", "xibrogt"]
    assert all(line[1].startswith("[") and len(line[1]) > 2 for line in lines)
    code, out, _ = run("bouyei", "ipa", "--json", "bea", "zzz", "xibrogt")
    assert code == 0
    records = json.loads(out)
    assert [r["word"] for r in records] == ["bea", "zzz", "xibrogt"]
    assert [r["error"] is None for r in records] == [True, False, True] and records[2]["ipa"]
    code, out, err = run("bouyei", "ipa", "--strict", "bea", "zzz", "xibrogt")
    assert code == 1 and "zzz\terror: " in out and "1 word does not parse" in err
    assert out.splitlines()[2].startswith("xibrogt\t[")


def test_bouyei_check_json_gives_every_word_with_its_column(run):
    code, out, _ = run("bouyei", "check", "lix", "xeenzz", "--json")
    assert code == 0
    records = json.loads(out)
    assert [(r["word"], r["column"], r["ok"]) for r in records] == [("lix", 1, True), ("xeenzz", 5, False)]
    code, out, _ = run("bouyei", "check", "--strict", "--json", "lix", "xeenzz")
    assert code == 1 and json.loads(out) == records
    code, out, _ = run("bouyei", "check", "lix", "xeenzz")
    assert code == 0 and out.splitlines()[-1] == "1 misspelt word"
