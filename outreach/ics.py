"""The agenda as an iCalendar file, so staff can see planned broadcasts in any calendar app.

Each occurrence becomes a five-minute event whose UID is the occurrence id: re-importing an
updated agenda replaces events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from outreach.deployment import Deployment
    from outreach.plan import Occurrence

EVENT_LENGTH = dt.timedelta(minutes=5)
# A fixed stamp keeps the file byte-identical for an unchanged agenda.
_STAMP = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


def agenda_ics(occurrences: Iterable[Occurrence], zone: dt.tzinfo, titles: Mapping[str, str]) -> bytes:
    """The iCalendar bytes; ``titles`` maps script ids to the title shown (the id when missing)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//outreach//anti-fraud broadcasts//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "反诈广播 outreach")
    for o in occurrences:
        start = o.at.replace(tzinfo=zone)
        event = Event()
        event.add("uid", f"{o.id}@outreach")
        event.add("dtstart", start)
        event.add("dtend", start + EVENT_LENGTH)
        event.add("dtstamp", _STAMP)
        event.add("summary", f"{titles.get(o.script, o.script)} · {o.village}")
        event.add("description", f"rule {o.rule}: {o.reason}")
        event.add("location", o.village)
        cal.add_component(event)
    return cal.to_ical()


def write_ics(deployment: Deployment, occurrences: Iterable[Occurrence], path: Path) -> None:
    """Write the agenda of a deployment, titled with the scripts' Mandarin titles, in the county's time zone."""
    from outreach.media import write_atomic

    titles = {s.id: s.meta.title.get("cmn", s.id) for s in deployment.catalog}
    write_atomic(path, agenda_ics(occurrences, deployment.zone, titles))
