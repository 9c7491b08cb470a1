"""Node plays for the county's play log view and the monthly report, read without loading the fleet.

They come back as ``playlog.Play`` rows whose ``output`` is ``node:<id>``, so a
caller lists or counts them beside the daemon's own plays and can say which
node aired each one. A deployment without a fleet database has none.
"""

from __future__ import annotations

import datetime as dt

from outreach.deployment import Deployment
from outreach.fleet.db import FleetDB
from outreach.fleet.paths import FleetPaths
from outreach.playlog import Play


def node_plays(deployment: Deployment, *, since: dt.datetime | None = None, until: dt.datetime | None = None,
               village: str | None = None, states: tuple[str, ...] | None = None) -> list[Play]:
    path = FleetPaths.of(deployment).db
    if not path.exists():
        return []
    plays = [play for play, _ in FleetDB(path).plays(since=since, until=until, village=village)]
    return [p for p in plays if not states or p.state in states]
