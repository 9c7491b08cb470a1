"""The script catalog: metadata validated strictly, one broken script kept aside, variables typed."""

import datetime as dt

import pytest

from outreach.catalog import Catalog, Variable, coerce, to_number
from outreach.errors import CatalogError, ConfigError, VariableValueError

from conftest import write_script


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_approved_text_needs_a_reviewer(deployment):
    meta = deployment.scripts_dir / "elderly" / "script.yaml"
    _edit(meta, "status: draft", "status: approved")
    catalog = Catalog.load(deployment.scripts_dir)
    assert "elderly" in catalog.broken and "general-warning" in catalog.scripts
    with pytest.raises(ConfigError, match=r"languages.pcc: status 'approved' needs a reviewer"):
        catalog.get("elderly")


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
    assert "no title for language(s) cmn" in str(catalog.broken["untitled"])


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
