import datetime as dt

from outreach.findings import Level, errors
from outreach.plan import Blackout, Rule, Window, check_plan

D = dt.date


def test_plan_check_reports_unknown_references_and_quiet_hours(world, make_plan):
    plan, events, villages, scripts = world
    bad = Rule(id="bad", villages={"tag": "nowhere"}, scripts=["no-such", "elderly"], times=["12:30", "08:00"],
               windows=[Window(event="harvest-moon")], programme="loud",
               rotation={"mode": "weighted", "weights": {"fake-loan": 2}})
    findings = check_plan(make_plan([bad], blackouts=[Blackout(event="typhoon")]), events, villages, scripts,
                          ["standard"], D(2026, 11, 28))
    messages = {(f.level, f.message) for f in findings}
    assert ("error", "unknown script 'no-such'") in messages
    assert ("error", "no village has the tag 'nowhere'") in messages
    assert ("error", "unknown event 'harvest-moon'") in messages
    assert ("error", "unknown programme 'loud' (known: standard)") in messages
    assert ("error", "'fake-loan' is not one of the rule's scripts") in messages
    assert ("error", "unknown event 'typhoon'") in messages
    assert ("warning", "12:30 is in quiet hours: it never plays") in messages
    assert not any(f.level == Level.INFO or "never fires" in f.message for f in findings)  # no expansion on errors


def test_plan_check_on_shipped_plan_finds_no_errors_and_flags_2027(world, shipped, make_plan):
    plan, events, villages, scripts = world
    findings = check_plan(plan, events, villages, scripts, list(shipped.profile.programmes), D(2026, 11, 28))
    assert errors(findings) == []
    assert any("2027" in f.message and "estimated" in f.message for f in findings)
    never = Rule(id="never", scripts=["elderly"], times=["08:00"],
                 windows=[Window(dates=(D(2020, 1, 1), D(2020, 1, 2)))])
    findings = check_plan(make_plan([never]), events, villages, scripts, ["standard"], D(2026, 11, 28))
    assert any(f.message.startswith("rule 'never' never fires") for f in findings)


def test_plan_check_tells_of_moved_and_dropped_plays(world, make_plan):
    _, events, villages, scripts = world
    day = Window(dates=(D(2027, 3, 1), D(2027, 3, 1)))
    rules = [Rule(id="high", priority=90, villages=["wangmu"], scripts=["fake-loan"], times=["08:00", "11:50"],
                  windows=[day]),
             Rule(id="low", priority=10, villages=["wangmu"], scripts=["elderly"], times=["08:05", "11:45"],
                  windows=[day])]
    findings = check_plan(make_plan(rules), events, villages, scripts, ["standard"], D(2027, 3, 1), horizon_days=1)
    messages = {(f.level, f.message) for f in findings}
    assert (Level.INFO, "wangmu 2027-03-01 08:05 moved to 08:25 (collision)") in messages
    assert (Level.WARNING, "wangmu 2027-03-01 11:45 dropped: no free slot within the allowed shift") in messages
