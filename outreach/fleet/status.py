"""``outreach fleet status``: each node's last word, its bundle against the latest, its last day on air.

Read from the fleet database only (``fleet serve`` keeps it current), so it works
while the broker is down and says how old each fact is. A node is flagged when
it has been silent too long, went offline, holds an older bundle than the latest,
has a clock more than 30 s off, will run out of bundle within a day, or refused a bundle in the last day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from outreach.deployment import Deployment
from outreach.fleet.build import node_villages
from outreach.fleet.db import FleetDB
from outreach.fleet.paths import FleetPaths
from outreach.node.protocol import RUNS_OUT_WARNING
from outreach.status import DaemonState, daemon_state

DAY = dt.timedelta(hours=24)


@dataclass(frozen=True)
class NodeView:
    node: str
    village: str
    state: str
    last_seen: str | None
    held: int | None
    latest: int | None
    next_play: str | None
    clock_offset_s: float | None
    disk_free_bytes: int | None
    outbox_pending: int | None
    last_day: dict[str, int]
    warnings: list[str]
    flags: list[str]
    last_refusal: dict[str, Any] | None


@dataclass(frozen=True)
class FleetStatus:
    now: dt.datetime
    serve: DaemonState
    nodes: list[NodeView]

    def as_json(self) -> dict[str, Any]:
        return {"now": self.now.isoformat(timespec="seconds"), "serve": self.serve.as_dict(),
                "nodes": [asdict(n) for n in self.nodes]}


def _flags(body: dict[str, Any], seen: dt.datetime | None, latest: int | None, refusal: dict[str, Any] | None,
           now: dt.datetime, silent: dt.timedelta) -> list[str]:
    flags = []
    if seen is None or now - seen > silent:
        flags.append("silent")
    if body.get("state") == "offline":
        flags.append("offline")
    if latest is not None and (body.get("sequence") or 0) < latest:
        flags.append("behind")
    if body.get("clock_ok") is False:
        flags.append("clock")
    until = body.get("bundle_until")
    if until and dt.datetime.fromisoformat(until) - now < RUNS_OUT_WARNING:
        flags.append("runs-out")
    if refusal and now - dt.datetime.fromisoformat(refusal["received_at"]) < DAY:
        flags.append("refused")
    return flags


def fleet_status(deployment: Deployment, now: dt.datetime | None = None) -> FleetStatus:
    now = now or deployment.now()
    paths = FleetPaths.of(deployment)
    db = FleetDB(paths.db)
    known = {n.id: n for n in db.nodes()}
    statuses, latest = db.statuses(), {b.node: b.sequence for b in db.bundles()}
    silent = dt.timedelta(minutes=deployment.profile.fleet.silent_minutes)
    views = []
    for node, village in sorted(node_villages(deployment.profile).items()):
        body, seen_at = statuses.get(node, ({}, None))
        seen = dt.datetime.fromisoformat(seen_at) if seen_at else None
        refusals = db.refusals(node)
        refusal = refusals[-1] if refusals else None
        counts = Counter(p.state for p, _ in db.plays(node=node, since=now - DAY, until=now))
        flags = _flags(body, seen, latest.get(node), refusal, now, silent) if node in known else ["not provisioned"]
        views.append(NodeView(
            node=node, village=village.id, state=body.get("state", "never seen"), last_seen=seen_at,
            held=body.get("sequence"), latest=latest.get(node), next_play=body.get("next_play"),
            clock_offset_s=body.get("clock_offset_s"), disk_free_bytes=body.get("disk_free_bytes"),
            outbox_pending=body.get("outbox_pending"),
            last_day={"played": counts["played"], "missed": counts["missed"],
                      "failed": counts["failed"] + counts["interrupted"]},
            warnings=list(body.get("warnings") or []), flags=flags, last_refusal=refusal))
    return FleetStatus(now, daemon_state(paths.root), views)
