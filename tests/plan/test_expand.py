import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.plan import Blackout, Rule, Window, blackout_days, expand

D = dt.date


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


def test_exam_days_are_silent_near_schools(world, make_plan):
    plan, events, villages, scripts = world
    rule = Rule(id="daily", scripts=["general-warning"], times=["08:00"],
                windows=[Window(dates=(D(2027, 6, 5), D(2027, 6, 11)))])
    result = expand(make_plan([rule]), events, villages, scripts, D(2027, 6, 1), D(2027, 6, 30))
    wangmu = {o.at.date() for o in result.occurrences if o.village == "wangmu"}
    xiangle = {o.at.date() for o in result.occurrences if o.village == "xiangle"}
    assert D(2027, 6, 8) not in wangmu and D(2027, 6, 8) in xiangle  # 高考 7-9 June, wangmu has a school
    assert any("高考" in why for *_, why in result.blackout_skipped)


def test_plan_blackouts_and_quiet_hours_are_reported_not_played(world, make_plan):
    _, events, villages, scripts = world
    rule = Rule(id="daily", villages=["xiangle"], scripts=["elderly"], times=["08:00", "12:30"],
                windows=[Window(dates=(D(2027, 3, 1), D(2027, 3, 3)))])
    quiet_day = Blackout(dates=(D(2027, 3, 2), D(2027, 3, 2)), villages=["xiangle"], reason="county meeting")
    result = expand(make_plan([rule], blackouts=[quiet_day]), events, villages, scripts, D(2027, 3, 1), D(2027, 3, 3))
    assert [o.at for o in result.occurrences] == [dt.datetime(2027, 3, 1, 8), dt.datetime(2027, 3, 3, 8)]
    assert [at for *_, at in result.quiet_skipped] == [dt.datetime(2027, 3, d, 12, 30) for d in (1, 2, 3)]
    assert result.blackout_skipped == [("daily", "xiangle", dt.datetime(2027, 3, 2, 8), "county meeting")]


def test_priority_decides_collisions(world, make_plan):
    _, events, villages, scripts = world
    high = Rule(id="high", priority=90, villages=["wangmu"], scripts=["fake-loan"], times=["08:00"],
                windows=[Window(dates=(D(2027, 3, 1), D(2027, 3, 1)))])
    low = Rule(id="low", priority=10, villages=["wangmu"], scripts=["elderly"], times=["08:05"],
               windows=[Window(dates=(D(2027, 3, 1), D(2027, 3, 1)))])
    result = expand(make_plan([low, high]), events, villages, scripts, D(2027, 3, 1), D(2027, 3, 1))
    by_rule = {o.rule: o for o in result.occurrences}
    assert by_rule["high"].at.time() == dt.time(8, 0)
    assert by_rule["low"].at.time() == dt.time(8, 25) and by_rule["low"].moved
    assert by_rule["low"].planned.time() == dt.time(8, 5)
    assert by_rule["low"].id != by_rule["high"].id and result.moved == [by_rule["low"]]


def test_a_collision_with_no_free_slot_is_dropped(world, make_plan):
    _, events, villages, scripts = world
    day = Window(dates=(D(2027, 3, 1), D(2027, 3, 1)))
    high = Rule(id="high", priority=90, villages=["wangmu"], scripts=["fake-loan"], times=["11:50"], windows=[day])
    low = Rule(id="low", priority=10, villages=["wangmu"], scripts=["elderly"], times=["11:45"], windows=[day])
    result = expand(make_plan([low, high]), events, villages, scripts, D(2027, 3, 1), D(2027, 3, 1))
    assert [o.rule for o in result.occurrences] == ["high"]
    assert [(o.rule, why) for o, why in result.dropped] == [("low", "no free slot within the allowed shift")]


def test_rotation_does_not_depend_on_the_window_asked_for(world):
    plan, events, villages, scripts = world
    year = expand(plan, events, villages, scripts, D(2027, 1, 1), D(2027, 12, 31))
    march = expand(plan, events, villages, scripts, D(2027, 3, 1), D(2027, 3, 31))
    in_march = {o.id: o.script for o in year.occurrences if o.at.month == 3}
    assert in_march == {o.id: o.script for o in march.occurrences}


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
                rotation={"min_gap_days": draw(st.integers(0, 3)),
                          "mode": draw(st.sampled_from(["round-robin", "weighted"]))})


plans = st.integers(1, 4).flatmap(lambda n: st.tuples(*[rules(i) for i in range(n)]))
ranges = st.builds(lambda start, days: (start, start + dt.timedelta(days=days)),
                   st.dates(D(2026, 1, 1), D(2028, 10, 1)), st.integers(0, 60))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans, ranges)
def test_expansion_never_violates_quiet_hours_or_blackouts_and_is_deterministic(world, make_plan, rule_set, span):
    _, events, villages, scripts = world
    plan = make_plan(rule_set)
    start, end = span
    first = expand(plan, events, villages, scripts, start, end)
    second = expand(plan, events, villages, scripts, start, end)
    assert first.occurrences == second.occurrences
    assert first.occurrences == sorted(first.occurrences)
    ids = [o.id for o in first.occurrences]
    assert len(ids) == len(set(ids))
    silent = blackout_days(plan, events, villages)
    for o in first.occurrences:
        assert not plan.is_quiet(o.at.time()), o
        assert o.at.date() not in silent.get(o.village, {}), o
        assert start <= o.at.date() <= end


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans, ranges, rules(99))
def test_ids_survive_an_unrelated_rule(world, make_plan, rule_set, span, extra):
    _, events, villages, scripts = world
    start, end = span
    before = expand(make_plan(rule_set), events, villages, scripts, start, end)
    after = expand(make_plan(rule_set + (extra,)), events, villages, scripts, start, end)
    kept = {o.id for o in after.occurrences} | {o.id for o, _ in after.dropped}
    assert {o.id for o in before.occurrences} <= kept


def test_blackout_days_are_counted_only_within_the_range_asked_for(world, make_plan):
    _, events, villages, _ = world
    long = Blackout(dates=(D(1970, 1, 1), D(2099, 12, 31)), villages=["xiangle"], reason="closed")
    silent = blackout_days(make_plan([], blackouts=[long]), events, villages, D(2027, 3, 1), D(2027, 3, 31))
    assert sorted(silent["xiangle"]) == [D(2027, 3, 1) + dt.timedelta(days=n) for n in range(31)]
