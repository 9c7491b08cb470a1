import datetime as dt

import pytest
from pydantic import ValidationError

from outreach.plan import Plan, PlanFile, Rotation, RotationMode, Rule, Window, parse_offset, parse_span, parse_time


def test_times_offsets_and_spans_parse():
    assert parse_time("07:05") == dt.time(7, 5)
    assert parse_time("23:59:30") == dt.time(23, 59, 30)
    assert [parse_offset(v) for v in ("-5d", "+3d", "2", 4)] == [-5, 3, 2, 4]
    assert parse_span("21:30 - 07:00") == (dt.time(21, 30), dt.time(7, 0))
    for bad in ("7:05", "24:00", "07:60"):
        with pytest.raises(ValueError, match="is not a time HH:MM"):
            parse_time(bad)
    with pytest.raises(ValueError, match="not a day offset"):
        parse_offset("five days")
    with pytest.raises(ValueError, match="not a span"):
        parse_span("07:00")


def test_quiet_hours_may_run_over_midnight():
    plan = Plan((), (parse_span("12:00-14:00"), parse_span("21:30-07:00")), (), dt.timedelta(), dt.timedelta())
    quiet = [t for t in ("06:59", "07:00", "11:59", "12:00", "13:59", "14:00", "21:29", "21:30", "00:00")
             if plan.is_quiet(parse_time(t))]
    assert quiet == ["06:59", "12:00", "13:59", "21:30", "00:00"]


def test_a_window_is_either_an_event_or_dates():
    assert Window(event="school-start", **{"from": "-5d", "to": "+3d"}).describe() == "school-start -5d..+3d"
    assert Window(dates=(dt.date(2027, 3, 1), dt.date(2027, 3, 9))).describe() == "2027-03-01..2027-03-09"
    with pytest.raises(ValidationError, match="either an event or dates"):
        Window()
    with pytest.raises(ValidationError, match="the end is before the start"):
        Window(dates=(dt.date(2027, 3, 9), dt.date(2027, 3, 1)))


def test_rule_refuses_what_staff_get_wrong():
    base = {"id": "r", "scripts": ["elderly"], "times": ["08:00"], "windows": [{"event": "market-day"}]}
    assert Rule.model_validate(base).rotation.mode is RotationMode.ROUND_ROBIN
    for change, message in [
        ({"times": ["08:00", "08:00"]}, "a time appears twice"),
        ({"scripts": {"colour": "red"}}, "scripts is a list of script ids"),
        ({"villages": "some"}, "villages is 'all'"),
        ({"weekdays": ["monday"]}, "weekdays.0"),
        ({"rotation": {"mode": "random"}}, "rotation.mode"),
        ({"window": []}, "window\n  Extra inputs are not permitted"),
    ]:
        with pytest.raises(ValidationError, match=message):
            Rule.model_validate({**base, **change})


def test_rotation_mode_is_a_closed_vocabulary():
    assert Rotation.model_validate({"mode": "weighted"}).mode == "weighted"
    assert {m.value for m in RotationMode} == {"round-robin", "weighted"}


def test_quiet_hours_in_a_plan_file_are_spans():
    assert PlanFile().quiet_hours == ["12:00-14:00", "21:30-07:00"]
    with pytest.raises(ValidationError, match="quiet_hours"):
        PlanFile.model_validate({"quiet_hours": ["noon"]})


@pytest.mark.parametrize("offset", ["-99999999d", "+367d", "400"])
def test_an_offset_beyond_a_year_is_a_typo_not_a_plan(offset):
    with pytest.raises(ValueError, match="reaches more than 366 days from its event"):
        parse_offset(offset)
    assert parse_offset("-366d") == -366


def test_window_and_blackout_dates_must_be_plausible():
    with pytest.raises(ValidationError, match=r"dates\.0\n.*0001-01-01 is outside 1970-2099"):
        Window(dates=(dt.date(1, 1, 1), dt.date(2027, 1, 1)))
    with pytest.raises(ValidationError, match="9999-12-31 is outside 1970-2099"):
        PlanFile(blackouts=[{"dates": [dt.date(2027, 1, 1), dt.date(9999, 12, 31)]}])
