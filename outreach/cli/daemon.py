"""The on-air family: `daemon` (plays the plan), `status` and `log` (what it did and will do)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.cli.common import cell, console, json_option, open_deployment, parse_date, print_json, root_option
from outreach.playlog import STATES

if TYPE_CHECKING:
    from rich.console import Console

    from outreach.playlog import Play
    from outreach.status import StatusSummary


@click.command()
@click.option("--plans", "plans_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Plan folder (default: schedules/plans of the deployment).")
@click.option("--exit-after", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="Stop after this many seconds (for demos and tests).")
@root_option
def daemon(plans_dir: Path | None, exit_after: float | None, root: str | None) -> None:
    """Play the plan on time, exactly once, logging every occurrence (SIGHUP re-plans, SIGTERM stops).

    One daemon per deployment; it exits with code 1 when it can no longer play, so systemd restarts it."""
    from outreach.daemon import run_daemon

    click.get_current_context().exit(run_daemon(open_deployment(root), plans_dir, exit_after))


@click.command()
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@root_option
@json_option
def status(limit: int, root: str | None, as_json: bool) -> None:
    """Next occurrences, last plays, failures, and whether every programme in the horizon is ready."""
    from outreach.status import status_summary

    summary = status_summary(open_deployment(root), limit)
    if as_json:
        print_json(summary.as_json())
        return
    _print_status(summary, limit)


def _print_status(summary: StatusSummary, limit: int) -> None:
    from rich.text import Text

    out = console()
    data = summary.as_json()
    d = data["daemon"]
    condition = d["condition"] + (f", pid {d['pid']}" if d["pid"] else "")
    out.print(Text(f"daemon: {condition}" + (f"; last heartbeat {d['heartbeat']}" if d["heartbeat"] else ""),
                   style="green" if d["running"] else "red"))
    for problem in d["problems"]:
        out.print(Text(f"  problem: {problem}", style="red"))
    h = data["horizon"]
    out.print(Text(f"horizon until {summary.horizon_end:%Y-%m-%d %H:%M}: {h['scheduled']} scheduled, "
                   f"{h['ready']} ready", style="green" if not h["not_ready"] else "yellow"))
    for item in h["not_ready"]:
        out.print(Text(f"  not ready: {item['script']} for {item['village']}: {item['reason']}", style="yellow"))
    for item in h["last_good"]:
        out.print(Text(f"  last good programme kept: {item['script']} for {item['village']}: {item['reason']}",
                       style="yellow"))
    _print_next(out, summary.upcoming[:limit])
    _print_last(out, summary.recent)


def _print_next(out: Console, plays: list[Play]) -> None:
    from rich.table import Table

    table = Table("next", "village", "script", "ready", "why", box=None, title="next occurrences")
    for p in plays:
        table.add_row(f"{p.planned_at:%m-%d %H:%M:%S}", p.village, p.script, "yes" if p.ready else "NO",
                      cell(p.reason_planned))
    out.print(table)


def _late(p: Play) -> str:
    return f"{p.lateness_ms:.0f} ms" if p.lateness_ms is not None else ""


def _print_last(out: Console, plays: list[Play]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table("when", "village", "script", "state", "late", "detail", box=None, title="last plays")
    for p in plays:
        table.add_row(f"{p.planned_at:%m-%d %H:%M:%S}", p.village, p.script,
                      Text(p.state, style="green" if p.state == "played" else "red"), _late(p),
                      cell(p.reason or p.detail or ""))
    out.print(table)


@click.command("log")
@click.option("--village", "village_id", metavar="ID")
@click.option("--since", metavar="DATE", help="Planned on or after this day.")
@click.option("--state", "states", multiple=True, type=click.Choice(STATES))
@root_option
@json_option
def log_cmd(village_id: str | None, since: str | None, states: tuple[str, ...], root: str | None,
            as_json: bool) -> None:
    """The play log: every occurrence, what happened and why."""
    from rich.table import Table

    deployment = open_deployment(root)
    start = dt.datetime.combine(parse_date(since, dt.date(2000, 1, 1)), dt.time(), deployment.zone) if since else None
    plays = deployment.playlog().query(village=village_id, since=start, states=states or None)
    if as_json:
        print_json([p.as_dict() for p in plays])
        return
    table = Table("planned", "village", "script", "rule", "state", "late", "reason / detail", box=None)
    for p in plays:
        table.add_row(f"{p.planned_at:%Y-%m-%d %H:%M:%S}", p.village, p.script, p.rule, p.state, _late(p),
                      cell(p.reason or p.detail or ""))
    console().print(table)


COMMANDS = [daemon, status, log_cmd]
