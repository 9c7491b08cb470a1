import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.calendar import build_events, load_calendar_data
from outreach.catalog import Catalog
from outreach.errors import ConfigError
from outreach.plan import Plan, Rule, Window, check_plan, expand, load_plan, parse_span

D = dt.date


class World(tuple):
    """Plan, events, villages and scripts of the shipped deployment (short repr for hypothesis reports)."""

    def __repr__(self) -> str:
        return "World(shipped)"


@pytest.fixture(scope="session")
def world(shipped):
    data = load_calendar_data(shipped.root / "schedules" / "calendar")
    events = build_events(data, shipped.profile, D(2025, 11, 1), D(2029, 2, 1))
    scripts = list(Catalog.load(shipped.scripts_dir))
    plan = load_plan(shipped.root / "schedules" / "plans")
    return World((plan, events, shipped.profile.villages, scripts))


def _plan(rules, quiet=("12:00-14:00", "21:30-07:00"), blackouts=()):
    return Plan(tuple(rules), tuple(parse_span(q) for q in quiet), tuple(blackouts),
                dt.timedelta(minutes=20), dt.timedelta(minutes=120))


def test_shipped_plan_over_february_2027(world):
    plan, events, villages, scripts = world
    result = expand(plan, events, villages, scripts, D(2027, 2, 1), D(2027, 2, 28))
    rules = {o.rule for o in result.occurrences}
    assert {"spring-festival", "school-start", "market-day", "holidays"} <= rules
    spring = [o for o in result.occurrences if o.rule == "spring-festival"]
    assert min(o.at.date() for o in spring) == D(2027, 1, 27) + dt.timedelta(days=5)  # window starts 01-27
    assert max(o.at.date() for o in spring) == D(2027, 2, 8)
    school = [o for o in result.occurrences if o.rule == "school-start"]
    assert {o.at.date() for o in school} == {D(2027, 2, 22) + dt.timedelta(days=k) for k in range(-5, 4)}
    assert {o.village for o in school} == {"wangmu", "hongxing"}
    assert all(dict(o.variables)["term_start"] == "2027-02-22" for o in school if o.script == "school-start")
    holiday = [o for o in result.occurrences if o.script == "holiday-travel" and o.rule != "market-day"]
    assert holiday
    assert all(dict(o.variables)["holiday"] == "春节" for o in holiday)


def test_exam_days_are_silent_near_schools(world):
    plan, events, villages, scripts = world
    rule = Rule(id="daily", scripts=["general-warning"], times=["08:00"],
                windows=[Window(dates=(D(2027, 6, 5), D(2027, 6, 11)))])
    result = expand(_plan([rule]), events, villages, scripts, D(2027, 6, 1), D(2027, 6, 30))
    wangmu = {o.at.date() for o in result.occurrences if o.village == "wangmu"}
    xiangle = {o.at.date() for o in result.occurrences if o.village == "xiangle"}
    assert D(2027, 6, 8) not in wangmu and D(2027, 6, 8) in xiangle  # 高考 7-9 June, wangmu has a school
    assert any("高考" in why for *_, why in result.blackout_skipped)


def test_priority_decides_collisions(world):
    _, events, villages, scripts = world
    high = Rule(id="high", priority=90, villages=["wangmu"], scripts=["fake-loan"], times=["08:00"],
                windows=[Window(dates=(D(2027, 3, 1), D(2027, 3, 1)))])
    low = Rule(id="low", priority=10, villages=["wangmu"], scripts=["elderly"], times=["08:05"],
               windows=[Window(dates=(D(2027, 3, 1), D(2027, 3, 1)))])
    result = expand(_plan([low, high]), events, villages, scripts, D(2027, 3, 1), D(2027, 3, 1))
    by_rule = {o.rule: o for o in result.occurrences}
    assert by_rule["high"].at.time() == dt.time(8, 0)
    assert by_rule["low"].at.time() == dt.time(8, 25) and by_rule["low"].moved
    assert by_rule["low"].planned.time() == dt.time(8, 5)


def test_rotation_round_robin_and_min_gap(world):
    _, events, villages, scripts = world
    rule = Rule(id="rr", villages=["xiangle"], scripts=["fake-loan", "elderly", "impersonation"],
                times=["08:00"], windows=[Window(dates=(D(2027, 3, 1), D(2027, 3, 9)))])
    result = expand(_plan([rule]), events, villages, scripts, D(2027, 3, 1), D(2027, 3, 9))
    assert [o.script for o in result.occurrences] == ["fake-loan", "elderly", "impersonation"] * 3
    gap = Rule(id="gap", villages=["xiangle"], scripts=["fake-loan", "elderly"], times=["08:00"],
               rotation={"min_gap_days": 3}, windows=[Window(dates=(D(2027, 3, 1), D(2027, 3, 6)))])
    result = expand(_plan([gap]), events, villages, scripts, D(2027, 3, 1), D(2027, 3, 6))
    last: dict[str, dt.date] = {}
    for o in result.occurrences:
        if o.script in last and (o.at.date() - last[o.script]).days < 3:
            # allowed only when every script was played within the gap
            assert all((o.at.date() - d).days < 3 for d in last.values())
        last[o.script] = o.at.date()


def test_rotation_does_not_depend_on_the_window_asked_for(world):
    plan, events, villages, scripts = world
    year = expand(plan, events, villages, scripts, D(2027, 1, 1), D(2027, 12, 31))
    march = expand(plan, events, villages, scripts, D(2027, 3, 1), D(2027, 3, 31))
    in_march = {o.id: o.script for o in year.occurrences if o.at.month == 3}
    assert in_march == {o.id: o.script for o in march.occurrences}


def test_bad_plan_file_names_file_and_key_path(deployment):
    path = deployment.root / "schedules" / "plans" / "county.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('times: ["07:20", "17:30"]', 'times: ["7h20"]'),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"county.yaml: rules\[1\]\.times: '7h20' is not a time HH:MM"):
        load_plan(deployment.root / "schedules" / "plans")


def test_plan_check_reports_unknown_references_and_quiet_hours(world):
    plan, events, villages, scripts = world
    bad = Rule(id="bad", villages={"tag": "nowhere"}, scripts=["no-such", "elderly"], times=["12:30", "08:00"],
               windows=[Window(event="harvest-moon")], programme="loud")
    findings = check_plan(_plan([bad]), events, villages, scripts, ["standard"], D(2026, 11, 28))
    messages = {(f.level, f.message) for f in findings}
    assert ("error", "unknown script 'no-such'") in messages
    assert ("error", "no village has the tag 'nowhere'") in messages
    assert ("error", "unknown event 'harvest-moon'") in messages
    assert ("error", "unknown programme 'loud' (known: standard)") in messages
    assert ("warning", "12:30 is in quiet hours: it never plays") in messages


def test_plan_check_on_shipped_plan_finds_no_errors_and_flags_2027(world, shipped):
    plan, events, villages, scripts = world
    findings = check_plan(plan, events, villages, scripts, list(shipped.profile.programmes), D(2026, 11, 28))
    assert not [f for f in findings if f.level == "error"]
    assert any("2027" in f.message and "estimated" in f.message for f in findings)
    never = Rule(id="never", scripts=["elderly"], times=["08:00"], windows=[Window(dates=(D(2020, 1, 1), D(2020, 1, 2)))])
    findings = check_plan(_plan([never]), events, villages, scripts, ["standard"], D(2026, 11, 28))
    assert any(f.message.startswith("rule 'never' never fires") for f in findings)


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


# -- properties -------------------------------------------------------------

EVENTS = ["market-day", "school-start", "spring-festival", "holiday-eve", "sanyuesan", "holiday", "festival"]
times = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 5, 20, 30, 45]))
windows = st.builds(
    lambda e, a, b: Window(event=e, **{"from": -a, "to": b}),
    st.sampled_from(EVENTS), st.integers(0, 10), st.integers(0, 5),
)


@st.composite
def rules(draw, index):
    scripts = draw(st.lists(st.sampled_from(
        ["general-warning", "fake-loan", "elderly", "card-renting", "holiday-travel"]), min_size=1, max_size=3,
        unique=True))
    villages = draw(st.one_of(st.just("all"), st.just({"tag": "school"}),
                              st.lists(st.sampled_from(["wangmu", "xiangle", "baoshu"]), min_size=1, unique=True)))
    return Rule(id=f"r{index}", villages=villages, scripts=scripts,
                times=draw(st.lists(times, min_size=1, max_size=3, unique=True)),
                windows=draw(st.lists(windows, min_size=1, max_size=2)), priority=draw(st.integers(0, 100)),
                rotation={"min_gap_days": draw(st.integers(0, 3))})


plans = st.integers(1, 4).flatmap(lambda n: st.tuples(*[rules(i) for i in range(n)]))
ranges = st.builds(lambda start, days: (start, start + dt.timedelta(days=days)),
                   st.dates(D(2026, 1, 1), D(2028, 10, 1)), st.integers(0, 60))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans, ranges)
def test_expansion_never_violates_quiet_hours_or_blackouts_and_is_deterministic(world, rule_set, span):
    _, events, villages, scripts = world
    plan = _plan(rule_set)
    start, end = span
    first = expand(plan, events, villages, scripts, start, end)
    second = expand(plan, events, villages, scripts, start, end)
    assert first.occurrences == second.occurrences
    assert first.occurrences == sorted(first.occurrences)
    ids = [o.id for o in first.occurrences]
    assert len(ids) == len(set(ids))
    from outreach.plan import blackout_days
    silent = blackout_days(plan, events, villages)
    for o in first.occurrences:
        assert not plan.is_quiet(o.at.time()), o
        assert o.at.date() not in silent.get(o.village, {}), o
        assert start <= o.at.date() <= end


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans, ranges, rules(99))
def test_ids_survive_an_unrelated_rule(world, rule_set, span, extra):
    _, events, villages, scripts = world
    start, end = span
    before = expand(_plan(rule_set), events, villages, scripts, start, end)
    after = expand(_plan(rule_set + (extra,)), events, villages, scripts, start, end)
    kept = {o.id for o in after.occurrences} | {o.id for o, _ in after.dropped}
    assert {o.id for o in before.occurrences} <= kept
