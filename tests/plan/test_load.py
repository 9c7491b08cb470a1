import datetime as dt
import json

import pytest

from outreach.errors import ConfigError, OutreachError
from outreach.plan import EVENT_MARGIN, load_plan, plan_for

D = dt.date


def test_bad_plan_file_names_file_and_key_path(deployment):
    path = deployment.root / "schedules" / "plans" / "county.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('times: ["07:20", "17:30"]', 'times: ["7h20"]'),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"county.yaml: rules\[1\]\.times: '7h20' is not a time HH:MM"):
        load_plan(deployment.root / "schedules" / "plans")


def test_unknown_window_key_is_refused(deployment):
    path = deployment.root / "schedules" / "plans" / "county.yaml"
    text = path.read_text(encoding="utf-8")
    assert "from: -5d" in text
    path.write_text(text.replace("from: -5d", "before: -5d", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"county.yaml: rules\[\d\]\.windows\[0\]\.before: unknown key"):
        load_plan(deployment.root / "schedules" / "plans")


def test_rule_ids_are_unique_across_files_and_settings_merge(deployment):
    folder = deployment.root / "schedules" / "plans"
    (folder / "extra.yaml").write_text(
        "collision_gap_minutes: 45\nmax_shift_minutes: 30\nquiet_hours: ['12:00-14:00', '23:00-23:30']\n",
        encoding="utf-8")
    shipped = load_plan(folder)
    assert shipped.collision_gap == dt.timedelta(minutes=45)  # the widest gap of all files
    assert shipped.max_shift == dt.timedelta(minutes=30)  # the shortest shift
    assert shipped.is_quiet(dt.time(23, 10)) and shipped.is_quiet(dt.time(12, 30))
    assert len(shipped.quiet_hours) == len(set(shipped.quiet_hours))
    assert shipped.source("market-day").endswith("county.yaml: rules[0]")
    (folder / "extra.yaml").write_text(
        "rules:\n  - {id: market-day, scripts: [elderly], times: ['08:00'], windows: [{event: market-day}]}\n",
        encoding="utf-8")
    with pytest.raises(ConfigError, match=r"extra.yaml: rules\[0\]\.id: rule 'market-day' is already in .*county.yaml"):
        load_plan(folder)


def test_no_plan_files_means_no_rules_and_default_quiet_hours(tmp_path):
    plan = load_plan(tmp_path / "absent")
    assert plan.rules == () and plan.is_quiet(dt.time(22, 0)) and not plan.is_quiet(dt.time(8, 0))
    assert plan.collision_gap == dt.timedelta(minutes=20) and plan.max_shift == dt.timedelta(minutes=120)


def test_plan_for_reads_a_deployment_and_sees_events_before_the_range(shipped):
    plan, events, expansion = plan_for(shipped, D(2027, 2, 1), D(2027, 2, 28))
    assert plan.rules and expansion.occurrences
    assert min(e.start for e in events) <= D(2027, 1, 1) - EVENT_MARGIN + dt.timedelta(days=7)
    assert all(D(2027, 2, 1) <= o.at.date() <= D(2027, 2, 28) for o in expansion.occurrences)


def test_agenda_cli_and_ics_round_trip(run, shipped, tmp_path):
    from icalendar import Calendar

    ics = tmp_path / "feb.ics"
    code, out, _ = run("agenda", "--from", "2027-02-01", "--to", "2027-02-28", "--json", "--ics", str(ics),
                       "--root", str(shipped.root))
    assert code == 0
    data = json.loads(out)
    reasons = " ".join(o["reason"] for o in data["occurrences"])
    assert "spring-festival -10d..+2d" in reasons and "school-start -5d..+3d" in reasons
    assert data["unofficial_years"] == [2027]
    cal = Calendar.from_ical(ics.read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(data["occurrences"])
    first = min(events, key=lambda e: e.decoded("dtstart"))
    assert first.decoded("dtstart").isoformat().startswith(data["occurrences"][0]["at"])
    assert str(first["uid"]) == f"{data['occurrences'][0]['id']}@outreach"
    code, out, _ = run("agenda", "--from", "2027-02-01", "--to", "2027-02-03", "--village", "xiangle",
                       "--root", str(shipped.root))
    assert code == 0 and "wangmu" not in out and "xiangle" in out
    code, _, err = run("plan", "check", "--today", "2026-11-28", "--root", str(shipped.root))
    assert code == 0


def test_an_unquoted_time_or_a_second_rules_block_is_a_located_error(deployment):
    path = deployment.root / "schedules" / "plans" / "county.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('times: ["07:20", "17:30"]', "times: [17:30]"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"county.yaml:\d+:\d+: .*17:30 is read by YAML as a number, not a time: "
                                          r"write times in quotes, '17:30'"):
        load_plan(deployment.root / "schedules" / "plans")
    path.write_text(text + "\nrules: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"county.yaml:\d+:1: YAML: key 'rules' appears twice"):
        load_plan(deployment.root / "schedules" / "plans")


def test_a_plan_is_expanded_a_year_at_most_at_a_time(shipped, run):
    with pytest.raises(OutreachError, match="2027-01-01..2099-12-25 is longer than 366 days"):
        plan_for(shipped, D(2027, 1, 1), D(2099, 12, 25))
    code, _, err = run("agenda", "--from", "2027-01-01", "--to", "2099-12-25", "--root", str(shipped.root))
    assert code == 1 and "a year at most" in err
