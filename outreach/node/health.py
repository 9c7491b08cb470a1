"""What a node says about itself in its heartbeat, and the two things it must say loudly.

Pure functions over facts the node gathers (held bundle, next play, clock offset,
disk, outbox), so the rules are tested without a broker: a bundle that runs out
within 24 h, and a clock more than 30 s off the county's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from outreach.i18n import _, show_moment
from outreach.node.bundle import Manifest
from outreach.node.protocol import CLOCK_LIMIT_S, RUNS_OUT_WARNING, iso, software_version


@dataclass
class Observed:
    """What the node learnt since it started (written by its threads, read by the heartbeat)."""

    clock_offset_s: float | None = None
    clock_checked: dt.datetime | None = None
    last_refusal: dict[str, Any] | None = None
    taken_at: dt.datetime | None = None


def clock_warning(offset_s: float | None) -> str | None:
    if offset_s is None or abs(offset_s) <= CLOCK_LIMIT_S:
        return None
    if offset_s < 0:
        text = _("clock is {seconds:.0f} s ahead of the county's (limit {limit:.0f} s): plays go out at the wrong "
                 "time until NTP (chrony) sets it right")
    else:
        text = _("clock is {seconds:.0f} s behind the county's (limit {limit:.0f} s): plays go out at the wrong "
                 "time until NTP (chrony) sets it right")
    return text.format(seconds=abs(offset_s), limit=CLOCK_LIMIT_S)


def runs_out_warning(held: Manifest | None, now: dt.datetime) -> str | None:
    if held is None:
        return _("no bundle held yet: nothing to play until the county's first bundle arrives")
    left = held.until - now
    if left > RUNS_OUT_WARNING:
        return None
    if left <= dt.timedelta(0):
        return _("the bundle ran out at {until}: nothing more to play until a new one arrives").format(
            until=show_moment(held.until))
    return _("the bundle runs out at {until} (in {hours:.1f} h) and no newer one has arrived: is the link to the "
             "county down?").format(until=show_moment(held.until), hours=left.total_seconds() / 3600)


@dataclass(frozen=True)
class Facts:
    node: str
    village: str
    now: dt.datetime
    held: Manifest | None
    next_play: dt.datetime | None
    disk_free_bytes: int
    outbox_pending: int
    downloaded_bytes: int
    subscriptions_refused: tuple[str, ...]
    problems: tuple[str, ...] = ()


def status_body(facts: Facts, health: Observed) -> dict[str, Any]:
    """The retained status message (the county's `fleet status` reads these keys)."""
    warnings = [w for w in (runs_out_warning(facts.held, facts.now), clock_warning(health.clock_offset_s)) if w]
    warnings += facts.problems
    return {
        "state": "online", "node": facts.node, "village": facts.village, "version": software_version(),
        "sent_at": iso(facts.now), "sequence": facts.held.sequence if facts.held else 0,
        "bundle_until": iso(facts.held.until) if facts.held else None, "next_play": iso(facts.next_play),
        "clock_offset_s": None if health.clock_offset_s is None else round(health.clock_offset_s, 3),
        "clock_checked": iso(health.clock_checked), "clock_ok": clock_warning(health.clock_offset_s) is None,
        "disk_free_bytes": facts.disk_free_bytes, "outbox_pending": facts.outbox_pending,
        "downloaded_bytes": facts.downloaded_bytes, "warnings": warnings, "last_refusal": health.last_refusal,
        "taken_at": iso(health.taken_at), "subscriptions_refused": list(facts.subscriptions_refused),
    }
