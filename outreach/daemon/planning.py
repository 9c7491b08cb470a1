"""What the daemon plans from: the last good profile, plan, calendar and scripts.

Staff edit these files while the daemon runs, and a file saved half-way (a
YAML error in one ``script.yaml``, a broken rule) must not cancel broadcasts.
Each input is re-read at a re-plan when its files changed; one that fails to
load is reported (file and line, in the log and in ``status``) and the last
version that loaded is used instead. A script that cannot be read and was never read by this
daemon (it was broken when the daemon started) keeps the plays the log has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from outreach.calendar import CalendarData, Event, build_events, load_calendar_data
from outreach.catalog import Catalog, Script
from outreach.daemon.health import Health
from outreach.deployment import Deployment
from outreach.errors import OutreachError
from outreach.i18n import N_, _
from outreach.plan import EVENT_MARGIN, Expansion, Plan, expand, load_plan

T = TypeVar("T")

# kind -> (cannot be read, a last good version is kept; cannot be read, none ever loaded; reads again)
READ_MESSAGES = {
    "profile": (N_("the profile cannot be read, planning with its last good version: {error}"),
                N_("the profile cannot be read, the plays already in the log are kept: {error}"),
                N_("the profile reads again")),
    "plan": (N_("the plan cannot be read, planning with its last good version: {error}"),
             N_("the plan cannot be read, the plays already in the log are kept: {error}"),
             N_("the plan reads again")),
    "calendar": (N_("the calendar cannot be read, planning with its last good version: {error}"),
                 N_("the calendar cannot be read, the plays already in the log are kept: {error}"),
                 N_("the calendar reads again")),
    "catalog": (N_("the script catalog cannot be read, planning with its last good version: {error}"),
                N_("the script catalog cannot be read, the plays already in the log are kept: {error}"),
                N_("the script catalog reads again")),
}


def stamp(paths: list[Path]) -> str:
    """Names, sizes and modification times of the files under these paths: equal means unchanged."""
    parts = []
    for top in paths:
        for path in sorted(top.rglob("*")) if top.is_dir() else [top]:
            if path.is_file():
                info = path.stat()
                parts.append(f"{path}:{info.st_mtime_ns}:{info.st_size}")
    return str(hash("\n".join(parts)))


class PlanInputs:
    def __init__(self, deployment: Deployment, plans_dir: Path, health: Health) -> None:
        self.deployment = deployment
        self.plans_dir = plans_dir
        self.health = health
        self.plan: Plan | None = None
        self.calendar: CalendarData | None = None
        self.scripts: dict[str, Script] = {}
        self.unreadable: set[str] = set()
        self._events: tuple[tuple[object, ...], list[Event]] | None = None
        self._stamps: dict[str, str] = {}

    def _read(self, kind: str, load: Callable[[], T], last: object, files: Path) -> T | None:
        """Load one input, unless its files are as they were at the last attempt (then None: keep what is)."""
        seen = stamp([files])
        if self._stamps.get(kind) == seen:
            return None
        self._stamps[kind] = seen
        try:
            value = load()
        except (OutreachError, OSError) as exc:
            kept, none, _again = READ_MESSAGES[kind]
            self.health.report(kind, _(kept if last is not None else none).format(error=exc))
            return None
        self.health.clear(kind, _(READ_MESSAGES[kind][2]))
        return value

    def refresh(self) -> Deployment:
        """Read every input again, keeping the last good version of any that fails; returns the deployment
        (whose profile is the last good one)."""
        fresh = Deployment(self.deployment.root)
        if self._read("profile", lambda: fresh.profile, self.deployment, fresh.profile_path):
            self.deployment = fresh
        self.plan = self._read("plan", lambda: load_plan(self.plans_dir), self.plan, self.plans_dir) or self.plan
        folder, scripts = self.deployment.calendar_dir, self.deployment.scripts_dir
        self.calendar = self._read("calendar", lambda: load_calendar_data(folder), self.calendar, folder) \
            or self.calendar
        catalog = self._read("catalog", lambda: Catalog.load(scripts), self.scripts or None, scripts)
        if catalog is not None:
            self._take_scripts(catalog)
        return self.deployment

    def _take_scripts(self, catalog: Catalog) -> None:
        kept = {sid: self.scripts[sid] for sid in catalog.broken if sid in self.scripts}
        self.unreadable = set(catalog.broken)
        for sid, exc in catalog.broken.items():
            message = _("script '{script}' cannot be read, planning with its last good version: {error}") \
                if sid in kept else _("script '{script}' cannot be read, its plays are kept as they are: {error}")
            self.health.report(f"script:{sid}", message.format(script=sid, error=exc))
        self.health.clear_others("script:", {f"script:{sid}" for sid in catalog.broken})
        self.scripts = {**kept, **catalog.scripts}

    def expand(self, start: dt.datetime, end: dt.datetime) -> Expansion | None:
        """The plan over [start, end]; None while there is no plan or calendar that ever loaded."""
        if self.plan is None or self.calendar is None:
            return None
        profile = self.deployment.profile
        first, last = start.date(), end.date()
        key = (self.calendar, profile, first.year, last)
        if self._events is None or self._events[0] != key:  # a re-plan on the same day reuses the events
            anchor = dt.date(first.year, 1, 1)
            self._events = (key, build_events(self.calendar, profile, anchor - EVENT_MARGIN, last + EVENT_MARGIN))
        return expand(self.plan, self._events[1], profile.villages, list(self.scripts.values()), first, last)
