import datetime as dt

import pytest
import yaml

from outreach.calendar import (
    EventKind, build_events, day_branch, events_for_year, festival_events, holiday_events, load_calendar_data,
    lunar_to_solar, unofficial_years,
)
from outreach.datafile import load_yaml
from outreach.errors import ConfigError

D = dt.date


@pytest.fixture(scope="session")
def data(shipped):
    return load_calendar_data(shipped.root / "schedules" / "calendar")


def _find(events, name, kind=None):
    return [e for e in events if e.name == name and (kind is None or e.kind == kind)]


def test_spring_festival_2027(data):
    events = festival_events(2027)
    assert _find(events, "spring-festival")[0].start == D(2027, 2, 6)
    assert _find(events, "spring-festival-eve")[0].start == D(2027, 2, 5)


@pytest.mark.parametrize("year, sanyuesan, liuyueliu", [
    (2026, D(2026, 4, 19), D(2026, 7, 19)),
    (2027, D(2027, 4, 9), D(2027, 7, 9)),
    (2028, D(2028, 3, 28), D(2028, 7, 27)),
])
def test_bouyei_festivals(year, sanyuesan, liuyueliu):
    events = festival_events(year)
    assert [e.start for e in _find(events, "sanyuesan")] == [sanyuesan]
    assert [e.start for e in _find(events, "liuyueliu")] == [liuyueliu]


def test_leap_month_does_not_repeat_a_festival():
    # 2025 has a leap sixth month (闰六月): 六月六 happens once, in the ordinary sixth month
    events = [e for e in festival_events(2025) if e.name == "liuyueliu"]
    assert [e.start for e in events] == [D(2025, 6, 30)]
    assert lunar_to_solar(2025, 6, 6) == D(2025, 6, 30)


def test_2026_data_file_agrees_with_chinese_calendar(data):
    """The shipped holidays-2026.yaml (from the State Council notice) and chinese_calendar must agree."""
    from outreach.calendar import _official_holidays

    from_file = {(e.kind, e.start, e.end) for e in holiday_events(2026, data) if e.kind in ("holiday", "workday")}
    holidays, workdays = _official_holidays(2026)
    from_library = {(e.kind, e.start, e.end) for e in holidays + workdays}
    assert from_file == from_library
    assert ("workday", D(2026, 2, 28), D(2026, 2, 28)) in from_file  # a 2026 make-up workday (调休)
    assert ("holiday", D(2026, 2, 15), D(2026, 2, 23)) in from_file
    names = {e.name for e in holiday_events(2026, data) if e.kind == EventKind.WORKDAY}
    assert {"new-year-workday", "spring-festival-workday"} <= names  # named after the holiday they make up for


def test_2027_has_no_official_data_so_it_is_marked_unofficial(data):
    events = holiday_events(2027, data)
    spring = _find(events, "spring-festival-holiday")[0]
    assert not spring.official and "unofficial" in spring.source
    assert spring.start == D(2027, 2, 5)  # from New Year's Eve
    assert not [e for e in events if e.kind == "workday"]


def test_school_terms_exams_and_markets(shipped, data):
    events = build_events(data, shipped.profile, D(2027, 1, 1), D(2027, 12, 31))
    starts = [e.start for e in events if e.name == "school-start"]
    assert D(2027, 2, 22) in starts and D(2026, 9, 1) not in starts  # outside the range
    gaokao = _find(events, "gaokao")[0]
    assert gaokao.villages == frozenset({"wangmu", "hongxing"})  # the villages tagged 'school'
    markets = [e for e in events if e.kind == "market-day" and "wangmu" in e.villages]
    assert all(day_branch(e.start) in "子午" for e in markets)
    gaps = {(b.start - a.start).days for a, b in zip(markets, markets[1:])}
    assert gaps == {6}


def test_years_with_estimated_holidays_are_named(shipped, data):
    events = build_events(data, shipped.profile, D(2026, 1, 1), D(2028, 12, 31))
    assert unofficial_years(events, D(2026, 1, 1), D(2028, 12, 31)) == [2027, 2028]
    assert unofficial_years(events, D(2026, 1, 1), D(2026, 12, 31)) == []


def test_a_workday_without_a_date_names_the_key_path(deployment):
    path = deployment.root / "schedules" / "calendar" / "holidays-2026.yaml"
    text = path.read_text(encoding="utf-8")
    assert "{date: 2026-01-04, for: new-year}" in text
    path.write_text(text.replace("{date: 2026-01-04, for: new-year}", "{day: 2026-01-04, for: new-year}"),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"holidays-2026.yaml: workdays\[0\]\.date: required key is missing "
                                          r"\(line \d+\); workdays\[0\]\.day: unknown key"):
        load_calendar_data(deployment.root / "schedules" / "calendar")


def test_day_branch_matches_lunar_python():
    from lunar_python import Solar

    for day in (D(2000, 1, 1), D(2027, 2, 6), D(2031, 12, 31)):
        assert day_branch(day) == Solar.fromYmd(day.year, day.month, day.day).getLunar().getDayZhi()


def test_bad_market_file_names_the_key_path(deployment):
    path = deployment.root / "schedules" / "calendar" / "markets.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("[卯, 酉]", "[卯, 猫]"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"markets.yaml: markets\[1\]\.rule: .*'猫' is not an earthly branch"):
        load_calendar_data(deployment.root / "schedules" / "calendar")


def test_calendar_cli(run, shipped):
    import json

    code, out, _ = run("calendar", "2027", "--json", "--root", str(shipped.root))
    assert code == 0
    rows = json.loads(out)
    assert any(r["name"] == "sanyuesan" and r["start"] == "2027-04-09" for r in rows)
    assert any(r["kind"] == "holiday" and not r["official"] for r in rows)
    code, out, _ = run("calendar", "2027", "--village", "xiangle", "--root", str(shipped.root))
    assert code == 0 and "石屯场" not in out and "王母场" in out


def test_events_for_year_of_the_deployment_and_of_one_village(shipped):
    every = events_for_year(shipped, 2027)
    assert all(e.end >= D(2027, 1, 1) and e.start <= D(2027, 12, 31) for e in every)
    xiangle = events_for_year(shipped, 2027, "xiangle")
    assert xiangle == [e for e in every if e.applies_to("xiangle")] and len(xiangle) < len(every)
    with pytest.raises(ConfigError, match="unknown village 'atlantis'"):
        events_for_year(shipped, 2027, "atlantis")


def test_impossible_dates_and_bad_exam_villages_name_file_and_line(deployment):
    folder = deployment.root / "schedules" / "calendar"
    path = folder / "holidays-2026.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{date: 2026-01-04, for: new-year}", "{date: 2026-02-30, for: new-year}"),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"holidays-2026.yaml:\d+:\d+: .*'2026-02-30' is not a real date"):
        load_calendar_data(folder)
    path.write_text(text.replace("{date: 2026-01-04, for: new-year}", "{date: 0001-01-04, for: new-year}"),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"workdays\[0\]\.date: 0001-01-04 is outside 1970-2099 .*\(line \d+\)"):
        load_calendar_data(folder)
    path.write_text(text, encoding="utf-8")
    terms = sorted(folder.glob("terms-*.yaml"))[-1]
    assert "exams:" in terms.read_text(encoding="utf-8")
    terms.write_text(terms.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    data = load_yaml(terms)
    data["exams"][0]["villages"] = 7
    terms.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"exams\[0\]\.villages: villages is 'all', a list of village ids"):
        load_calendar_data(folder)
