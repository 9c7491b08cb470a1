"""The on-air family: `daemon` (plays the plan), `status` and `log` (what it did and will do)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.cli.common import cell, console, json_option, open_deployment, parse_date, print_json, root_option
from outreach.i18n import _, show_moment
from outreach.playlog import STATES

if TYPE_CHECKING:
    from rich.console import Console

    from outreach.playlog import Play
    from outreach.status import StatusSummary


@click.command(help=_("Play the plan on time, exactly once, logging every occurrence (SIGHUP re-plans, SIGTERM "
                      "stops).\n\nOne daemon per deployment; it exits with code 1 when it can no longer play, so "
                      "systemd restarts it."))
@click.option("--plans", "plans_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=_("Plan folder (default: schedules/plans of the deployment)."))
@click.option("--exit-after", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help=_("Stop after this many seconds (for demos and tests)."))
@root_option
def daemon(plans_dir: Path | None, exit_after: float | None, root: str | None) -> None:
    from outreach.daemon import run_daemon

    click.get_current_context().exit(run_daemon(open_deployment(root), plans_dir, exit_after))


@click.command(help=_("Next occurrences, last plays, failures, and whether every programme in the horizon is ready."))
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help=_("How many next occurrences and last plays to show."))
@root_option
@json_option
def status(limit: int, root: str | None, as_json: bool) -> None:
    from outreach.status import status_summary

    summary = status_summary(open_deployment(root), limit)
    if as_json:
        print_json(summary.as_json())
        return
    _print_status(summary, limit)


def _moment(text: str | None) -> str:
    """A timestamp from a file (the heartbeat's), shown like every other time; as it is if it is no timestamp."""
    try:
        return show_moment(dt.datetime.fromisoformat(text or ""), seconds=True)
    except ValueError:
        return text or ""


def _print_status(summary: StatusSummary, limit: int) -> None:
    from rich.text import Text

    out = console()
    d = summary.daemon
    condition = d.shown() if not d.pid else _("{condition}, pid {pid}").format(condition=d.shown(), pid=d.pid)
    line = (_("daemon: {condition}; last heartbeat {heartbeat}").format(condition=condition,
                                                                        heartbeat=_moment(d.heartbeat))
            if d.heartbeat else _("daemon: {condition}").format(condition=condition))
    out.print(Text(line, style="green" if d.running else "red"))
    for problem in d.problems:
        out.print(Text("  " + _("problem: {problem}").format(problem=problem), style="red"))
    scheduled, not_ready = len(summary.upcoming), len(summary.not_ready)
    out.print(Text(_("horizon until {end}: {scheduled} scheduled, {ready} ready").format(
        end=show_moment(summary.horizon_end), scheduled=scheduled, ready=scheduled - not_ready),
        style="yellow" if not_ready else "green"))
    for p in summary.not_ready:
        out.print(Text("  " + _("not ready: {script} for {village}: {reason}").format(
            script=p.script, village=p.village, reason=p.render_error or _("not rendered yet")), style="yellow"))
    for p in summary.kept:
        out.print(Text("  " + _("last good programme kept: {script} for {village}: {reason}").format(
            script=p.script, village=p.village, reason=p.render_error or ""), style="yellow"))
    _print_next(out, summary.upcoming[:limit])
    _print_last(out, summary.recent)


def _print_next(out: Console, plays: list[Play]) -> None:
    from rich.table import Table

    table = Table(_("next"), _("village"), _("script"), _("ready"), _("why"), box=None,
                  title=_("next occurrences"))
    for p in plays:
        table.add_row(show_moment(p.planned_at, seconds=True), p.village, p.script, _("yes") if p.ready else _("NO"),
                      cell(p.reason_planned))
    out.print(table)


def _late(p: Play) -> str:
    return _("{ms:.0f} ms").format(ms=p.lateness_ms) if p.lateness_ms is not None else ""


def _print_last(out: Console, plays: list[Play]) -> None:
    from rich.table import Table
    from rich.text import Text

    from outreach.status import show_state

    table = Table(_("when"), _("village"), _("script"), _("state"), _("late"), _("detail"), box=None,
                  title=_("last plays"))
    for p in plays:
        table.add_row(show_moment(p.planned_at, seconds=True), p.village, p.script,
                      Text(show_state(p.state), style="green" if p.state == "played" else "red"), _late(p),
                      cell(p.reason or p.detail or ""))
    out.print(table)


@click.command("log", help=_("The play log: every occurrence, what happened and why."))
@click.option("--village", "village_id", metavar="ID", help=_("Only the plays of this village."))
@click.option("--since", metavar="DATE", help=_("Planned on or after this day."))
@click.option("--state", "states", multiple=True, type=click.Choice(STATES),
              help=_("Only plays in this state (may be repeated)."))
@root_option
@json_option
def log_cmd(village_id: str | None, since: str | None, states: tuple[str, ...], root: str | None,
            as_json: bool) -> None:
    from rich.table import Table

    from outreach.status import show_state

    deployment = open_deployment(root)
    start = dt.datetime.combine(parse_date(since, dt.date(2000, 1, 1)), dt.time(), deployment.zone) if since else None
    plays = deployment.playlog().query(village=village_id, since=start, states=states or None)
    if as_json:
        print_json([p.as_dict() for p in plays])
        return
    table = Table(_("planned"), _("village"), _("script"), _("rule"), _("state"), _("late"), _("reason / detail"),
                  box=None)
    for p in plays:
        table.add_row(show_moment(p.planned_at, seconds=True), p.village, p.script, p.rule, show_state(p.state),
                      _late(p), cell(p.reason or p.detail or ""))
    console().print(table)


COMMANDS = [daemon, status, log_cmd]
