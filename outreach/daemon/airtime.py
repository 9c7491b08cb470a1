"""The air-time decision, as one pure function.

When a play is due, everything that matters is a handful of facts: its record,
the time, the grace, whether its file is there and unchanged, whether a render
for it is still on the way, whether its output exists and is free. ``decide``
turns them into one verdict; the caller only carries it out (and records it in
one place), so every rule of what goes on air can be tested without a clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from outreach.i18n import _
from outreach.media import file_sha256
from outreach.playlog import Play
from outreach.status import show_state

Action = Literal["play", "wait", "skip", "missed", "failed"]
ProgrammeState = Literal["ok", "missing", "changed"]


@dataclass(frozen=True)
class Verdict:
    """play: start it now; wait: its render is on the way, decide again when it lands (within the grace);
    skip: not ours to play (already handled, cancelled); missed / failed: record that, with the reason."""

    action: Action
    reason: str | None = None


def programme_state(play: Play) -> ProgrammeState:
    """The file on disk for a play: rendered and unchanged since it was checked, absent, or altered."""
    path = Path(play.programme_path) if play.programme_path else None
    if not play.ready or path is None or not path.is_file():
        return "missing"
    if play.programme_hash and file_sha256(path) != play.programme_hash:
        return "changed"
    return "ok"


def decide(play: Play | None, now: dt.datetime, grace: dt.timedelta, *, programme: ProgrammeState,
           rendering: bool, output_known: bool, output_busy: bool = False) -> Verdict:
    """What to do with a due play. ``rendering``: a render for it is queued or running;
    ``output_busy``: its output stayed busy until the end of the grace."""
    if play is None or play.state != "scheduled":
        state = show_state(play.state) if play else _("unknown")
        return Verdict("skip", _("not scheduled ({state})").format(state=state))
    if output_busy:
        return Verdict("missed", _("output '{output}' was busy for the whole grace time").format(output=play.output))
    late = now - play.planned_at
    if programme != "ok" and rendering:
        if late <= grace:
            return Verdict("wait", _("its programme is being rendered"))
        return Verdict("failed", _("the programme was not rendered in time (still rendering at the end of the grace)"))
    if late > grace:
        return Verdict("missed", _("could start only {late:.0f} s late (grace {grace:.0f} s)").format(
            late=late.total_seconds(), grace=grace.total_seconds()))
    if programme == "missing":
        return Verdict("failed", play.render_error or _("the programme was not rendered in time"))
    if programme == "changed":
        return Verdict("failed", _("the programme file changed after it was prepared; not aired"))
    if not output_known:
        return Verdict("failed", _("unknown output '{output}'").format(output=play.output))
    return Verdict("play")
