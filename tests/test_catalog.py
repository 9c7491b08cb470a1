"""The script catalog: metadata validated strictly, one broken script kept aside, variables typed."""

import datetime as dt

import pytest

from outreach import approvals
from outreach.catalog import Catalog, Variable, coerce, to_number
from outreach.errors import CatalogError, ConfigError, PrintError, VariableValueError
from outreach.print.cards import collect

from conftest import write_script


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_approved_text_needs_a_reviewer(deployment):
    """Even with a console approval on file, script.yaml claiming approval without a reviewer is refused."""
    meta = deployment.scripts_dir / "elderly" / "script.yaml"
    approvals.decide(meta.parent, "pcc", approvals.APPROVED, "Lu Fang")
    _edit(meta, "status: draft", "status: approved")
    catalog = Catalog.load(deployment.scripts_dir)
    assert "elderly" in catalog.broken and "general-warning" in catalog.scripts
    with pytest.raises(ConfigError, match=r"languages.pcc: status 'approved' needs a reviewer"):
        catalog.get("elderly")


def test_a_console_approval_makes_bouyei_approved_for_print(deployment):
    script = Catalog.load(deployment.scripts_dir).get("general-warning")
    wangmu = deployment.profile.village("wangmu")
    with pytest.raises(PrintError, match=r"general-warning \(pcc: draft\)"):
        collect(deployment, [script], [wangmu], allow_draft=False)
    approvals.decide(script.folder, "pcc", approvals.APPROVED, "Lu Fang", when=dt.datetime(2027, 3, 2, 9, 0))
    [card] = collect(deployment, [script], [wangmu], allow_draft=False)
    assert card.drafts == [] and card.texts["pcc"].status == "approved"
    review = script.review("pcc")
    assert (review.reviewer, review.reviewed_on) == ("Lu Fang", dt.date(2027, 3, 2))
    assert script.declared("pcc").status == "draft" and script.summary()["languages"]["pcc"] == "approved"


def test_editing_an_approved_template_returns_it_to_draft(deployment):
    script = Catalog.load(deployment.scripts_dir).get("general-warning")
    approvals.decide(script.folder, "pcc", approvals.APPROVED, "Lu Fang")
    assert script.approved("pcc")
    with script.template_path("pcc").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    assert not script.approved("pcc") and script.review("pcc").status == "draft"
    with pytest.raises(PrintError, match=r"general-warning \(pcc: draft\)"):
        collect(deployment, [script], [deployment.profile.village("wangmu")], allow_draft=False)


def test_a_returned_text_is_a_draft_even_if_script_yaml_approves_it(deployment):
    script = Catalog.load(deployment.scripts_dir).get("general-warning")
    assert script.approved("cmn")
    approvals.decide(script.folder, "cmn", approvals.RETURNED, "Lu Fang", "the hotline number is old")
    assert script.review("cmn").status == "draft" and script.declared("cmn").status == "approved"


def test_unknown_script(catalog):
    with pytest.raises(CatalogError, match="unknown script 'nope'"):
        catalog.get("nope")


def test_shipped_catalog_metadata(catalog):
    topics = {s.meta.topic for s in catalog}
    assert {"general", "investment", "loan", "card-renting", "school", "holiday", "elderly", "impersonation"} <= topics
    for script in catalog:
        assert script.review("cmn").status == "approved"
        assert script.review("pcc").status == "draft"
        assert script.review("pcc").gloss_cmn


def test_misspelt_key_bad_id_and_missing_title_are_refused(deployment):
    write_script(deployment, "typo", {"cmn": "一"}, "tagz: [x]\n")
    write_script(deployment, "Bad_Id", {"cmn": "一"})
    write_script(deployment, "untitled", {"cmn": "一"})
    _edit(deployment.scripts_dir / "untitled" / "script.yaml", "title:\n  cmn: 标题\n", "title: {}\n")
    catalog = Catalog.load(deployment.scripts_dir)
    assert set(catalog.broken) == {"typo", "Bad_Id", "untitled"}
    assert "tagz: unknown key (a typo?)" in str(catalog.broken["typo"])
    assert "lower-case letters, digits and hyphens" in str(catalog.broken["Bad_Id"])
    assert "no title for language cmn" in str(catalog.broken["untitled"])


def test_asking_for_a_language_the_script_lacks(deployment):
    write_script(deployment, "mandarin-only", {"cmn": "一"})
    script = Catalog.load(deployment.scripts_dir).get("mandarin-only")
    assert script.languages == ["cmn"] and script.approved("cmn")
    with pytest.raises(CatalogError, match="script 'mandarin-only' has no pcc text"):
        script.review("pcc")


def test_numbers_as_staff_write_them():
    assert to_number("110,000") == 110000 and isinstance(to_number("110,000"), int)
    assert to_number(2.0) == 2 and isinstance(to_number(2.0), int)
    assert to_number("1.5") == 1.5
    with pytest.raises(ValueError):
        to_number("lots")


@pytest.mark.parametrize(("type_", "raw", "value"), [
    ("money", "70,000", 70000),
    ("int", 3, 3),
    ("date", "2027-03-01", dt.date(2027, 3, 1)),
    ("date", dt.date(2027, 3, 1), dt.date(2027, 3, 1)),
    ("phone", "0859-1234567", "0859-1234567"),
    ("text", 12, "12"),
])
def test_values_are_converted_to_the_declared_type(type_, raw, value):
    assert coerce("s", "v", Variable(type=type_), raw) == value


@pytest.mark.parametrize(("type_", "raw"), [("money", "lots"), ("date", "March"), ("phone", "call me"), ("int", "")])
def test_a_value_that_does_not_fit_names_script_variable_and_type(type_, raw):
    with pytest.raises(VariableValueError, match=f"script 's': variable 'v' is a {type_}, and {raw!r} is not one"):
        coerce("s", "v", Variable(type=type_), raw)


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e400", float("nan")])
def test_a_number_that_is_not_finite_is_refused(raw):
    with pytest.raises(ValueError, match="not a finite number"):
        to_number(raw)
    with pytest.raises(VariableValueError, match=f"variable 'amount' is a money, and {raw!r} is not one"):
        coerce("s", "amount", Variable(type="money"), raw)


def test_a_script_yaml_that_is_not_utf8_is_broken_and_the_others_load(deployment):
    (deployment.scripts_dir / "elderly" / "script.yaml").write_bytes(b"title:\n  cmn: \xff\xfe\n")
    catalog = Catalog.load(deployment.scripts_dir)
    assert "fake-loan" in {s.id for s in catalog}
    with pytest.raises(ConfigError, match=r"elderly/script.yaml:2: not UTF-8 text"):
        catalog.get("elderly")


def test_a_script_yaml_written_twice_is_refused_naming_the_line(deployment):
    path = deployment.scripts_dir / "fake-loan" / "script.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "topic: other\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"fake-loan/script.yaml:\d+:1: YAML: key 'topic' appears twice"):
        Catalog.load(deployment.scripts_dir).get("fake-loan")


def test_scripts_and_check_list_the_good_scripts_beside_a_broken_one(deployment, run):
    (deployment.scripts_dir / "elderly" / "script.yaml").write_bytes(b"title: \xff\n")
    (deployment.scripts_dir / "fake-loan" / "script.yaml").unlink()
    (deployment.scripts_dir / "fake-loan" / "script.yaml").mkdir()
    code, out, _ = run("scripts", "--root", str(deployment.root))
    assert code == 0 and "general-warning" in out
    assert "broken: elderly:" in out and "not UTF-8 text" in out
    assert "broken: fake-loan:" in out and "script.yaml: is a folder, not" in out
    code, out, err = run("check", "--root", str(deployment.root))
    assert code == 1 and "check: 2 errors, " in out and "Traceback" not in err


@pytest.mark.parametrize("damage", ["[1]", "null", "{\"pcc\": {\"status\": \"approved\"}}", "folder"])
def test_a_damaged_approvals_file_leaves_script_yaml_in_force(deployment, damage):
    script = Catalog.load(deployment.scripts_dir).get("general-warning")
    path = script.folder / approvals.FILE
    if damage == "folder":
        path.mkdir()
    else:
        path.write_text(damage, encoding="utf-8")
    assert script.review("pcc").status == "draft" and script.approved("cmn")
