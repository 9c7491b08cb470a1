import json

import pytest

from outreach.findings import Finding, Level, errors


def test_a_finding_reads_as_a_located_message():
    found = Finding(Level.ERROR, "templates/scripts/x/cmn.j2:2", "template syntax: unexpected end")
    assert str(found) == "templates/scripts/x/cmn.j2:2: error: template syntax: unexpected end"
    assert str(Finding(Level.WARNING, "", "no plan")) == "warning: no plan"
    assert json.loads(json.dumps(found.as_dict())) == {
        "level": "error", "where": "templates/scripts/x/cmn.j2:2", "message": "template syntax: unexpected end"}


def test_errors_keeps_only_what_blocks():
    findings = [Finding(Level.WARNING, "a", "w"), Finding(Level.ERROR, "b", "e"), Finding(Level.INFO, "c", "i")]
    assert errors(findings) == [findings[1]]
    assert errors(f for f in findings if f.level != Level.ERROR) == []


def test_levels_are_a_closed_vocabulary():
    assert [str(level) for level in Level] == ["error", "warning", "info"]
    with pytest.raises(ValueError):
        Level("fatal")
