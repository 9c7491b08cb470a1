"""The agenda as iCalendar: read back with icalendar, not compared as text."""

import datetime as dt
import zoneinfo

from icalendar import Calendar

from outreach.ics import agenda_ics, write_ics
from outreach.plan import Occurrence

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


def _occ(at: dt.datetime, script: str = "general-warning", village: str = "wangmu") -> Occurrence:
    return Occurrence(at=at, village=village, rule="market", script=script, programme="standard", priority=50,
                      reason="market-day", planned=at)


def _events(data: bytes) -> list:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_each_occurrence_is_a_five_minute_event_in_local_time():
    occ = _occ(dt.datetime(2027, 2, 18, 7, 30))
    (event,) = _events(agenda_ics([occ], ZONE, {"general-warning": "天上不会掉馅饼"}))
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == dt.datetime(2027, 2, 18, 7, 30, tzinfo=ZONE)
    assert start.utcoffset() == dt.timedelta(hours=8)
    assert end - start == dt.timedelta(minutes=5)
    assert str(event["uid"]) == f"{occ.id}@outreach"
    assert str(event["summary"]) == "天上不会掉馅饼 · wangmu"
    assert str(event["description"]) == "rule market: market-day"
    assert str(event["location"]) == "wangmu"


def test_a_script_without_a_title_is_shown_by_its_id():
    (event,) = _events(agenda_ics([_occ(dt.datetime(2027, 2, 18, 7, 30), script="tiny")], ZONE, {}))
    assert str(event["summary"]) == "tiny · wangmu"


def test_an_unchanged_agenda_gives_the_same_bytes():
    """Calendar apps re-import by UID; a stable file also keeps diffs of exported agendas empty."""
    occs = [_occ(dt.datetime(2027, 2, 18, 7, 30)), _occ(dt.datetime(2027, 2, 18, 18, 0), village="xiangle")]
    assert agenda_ics(occs, ZONE, {}) == agenda_ics(list(occs), ZONE, {})
    assert len(_events(agenda_ics(occs, ZONE, {}))) == 2


def test_write_ics_titles_events_with_the_catalogs_mandarin_titles(shipped, tmp_path):
    path = tmp_path / "agenda.ics"
    write_ics(shipped, [_occ(dt.datetime(2027, 2, 18, 7, 30))], path)
    (event,) = _events(path.read_bytes())
    title = shipped.catalog.get("general-warning").meta.title["cmn"]
    assert str(event["summary"]) == f"{title} · wangmu"
    assert event.decoded("dtstart").tzinfo is not None
