"""The demo plan: what it writes must expand (through the real plan loader) to exactly the plays it announces."""

import datetime as dt

import pytest
import yaml

from outreach.demoplan import write_demo_plan
from outreach.errors import CatalogError, ConfigError
from outreach.plan import plan_for


def _now(shipped, hour=10, minute=0, second=0):
    return dt.datetime(2027, 3, 2, hour, minute, second, tzinfo=shipped.zone)


def test_the_demo_plan_plays_at_the_announced_times(shipped, tmp_path):
    made = write_demo_plan(shipped, tmp_path, village_id="xiangle", script_id="fake-loan", count=4, start_in=25,
                           every=10, now=_now(shipped))
    assert made.path == tmp_path / "demo.yaml"
    assert made.times == ["10:00:25", "10:00:35", "10:00:45", "10:00:55"]
    day = dt.date(2027, 3, 2)
    _, _, expansion = plan_for(shipped, day, day, plans_dir=tmp_path)
    plays = [(o.at.strftime("%H:%M:%S"), o.village, o.script) for o in expansion.occurrences]
    assert plays == [(t, "xiangle", "fake-loan") for t in made.times]


def test_the_default_village_hears_only_mandarin(shipped, tmp_path):
    made = write_demo_plan(shipped, tmp_path, now=_now(shipped))
    assert shipped.profile.village(made.village).languages == ["cmn"]
    assert made.script == "general-warning" and len(made.times) == 3


def test_it_replaces_the_plans_in_its_folder_only(shipped, tmp_path):
    (tmp_path / "old.yaml").write_text("rules: []\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    write_demo_plan(shipped, tmp_path, now=_now(shipped))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.yaml", "notes.txt"]
    text = (tmp_path / "demo.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Demo plan") and yaml.safe_load(text)["quiet_hours"] == []


def test_plays_that_cross_midnight_get_a_window_over_both_days(shipped, tmp_path):
    made = write_demo_plan(shipped, tmp_path, count=2, start_in=30, every=60, now=_now(shipped, 23, 59, 0))
    assert made.times == ["23:59:30", "00:00:30"]
    rule = yaml.safe_load((tmp_path / "demo.yaml").read_text(encoding="utf-8"))["rules"][0]
    assert rule["windows"] == [{"dates": ["2027-03-02", "2027-03-03"]}]


def test_unknown_script_or_village_writes_nothing(shipped, tmp_path):
    out = tmp_path / "plans"
    with pytest.raises(CatalogError, match="unknown script 'nope'"):
        write_demo_plan(shipped, out, script_id="nope", now=_now(shipped))
    with pytest.raises(ConfigError, match="unknown village 'atlantis'"):
        write_demo_plan(shipped, out, village_id="atlantis", now=_now(shipped))
    assert not out.exists()
