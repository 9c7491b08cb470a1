"""The planning family: `calendar`, `agenda` and `plan check` / `plan demo`; nothing here plays anything."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.cli.common import cell, console, json_option, open_deployment, parse_date, print_json, root_option
from outreach.errors import CheckFailed

if TYPE_CHECKING:
    from outreach.calendar import Event
    from outreach.plan import Occurrence


@click.command("calendar")
@click.argument("year", type=click.IntRange(2000, 2100))
@click.option("--village", "village_id", metavar="ID", help="Only events that apply to this village.")
@root_option
@json_option
def calendar_cmd(year: int, village_id: str | None, root: str | None, as_json: bool) -> None:
    """Every event of a year (holidays, festivals, school, exams, market days) with its source."""
    from outreach.calendar import events_for_year

    events = events_for_year(open_deployment(root), year, village_id)
    rows = [{
        "start": e.start.isoformat(), "end": e.end.isoformat(), "kind": e.kind, "name": e.name,
        "label": e.label, "official": e.official, "source": e.source,
        "villages": sorted(e.villages) if e.villages is not None else "all",
    } for e in events]
    if as_json:
        print_json(rows)
        return
    _print_calendar(rows, events)


def _print_calendar(rows: list[dict], events: list[Event]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table("date", "kind", "event", "villages", "source", box=None)
    table.columns[0].no_wrap = True
    for row, event in zip(rows, events):
        span = row["start"] if row["start"] == row["end"] else f"{row['start']}..{row['end'][5:]}"
        source = Text(event.source_kind, style=None if row["official"] else "yellow")
        villages = "all" if row["villages"] == "all" else ",".join(row["villages"])
        table.add_row(span, row["kind"], cell(f"{row['label']} ({row['name']})"), cell(villages), source)
    out = console()
    out.print(table)
    out.print(Text("sources: official = chinese_calendar or an official data file; computed = lunar-python; "
                   "UNOFFICIAL/placeholder/example = to be corrected by staff (--json shows the full source)"))


@click.command()
@click.option("--from", "start", metavar="DATE", help="First day (default: today).")
@click.option("--to", "end", metavar="DATE", help="Last day (default: 7 days after the first).")
@click.option("--village", "village_id", metavar="ID")
@click.option("--ics", "ics_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an iCalendar file.")
@root_option
@json_option
def agenda(start: str | None, end: str | None, village_id: str | None, ics_path: Path | None, root: str | None,
           as_json: bool) -> None:
    """What would play where and when, and why (which rule, which event); nothing is played."""
    from outreach.calendar import unofficial_years
    from outreach.plan import plan_for

    deployment = open_deployment(root)
    first = parse_date(start, deployment.today())
    last = parse_date(end, first + dt.timedelta(days=7))
    if last < first:
        raise click.BadParameter("--to is before --from")
    if village_id:
        deployment.profile.village(village_id)
    _, events, expansion = plan_for(deployment, first, last)
    occurrences = [o for o in expansion.occurrences if village_id in (None, o.village)]
    if ics_path:
        from outreach.ics import write_ics
        from outreach.media import user_output

        write_ics(deployment, occurrences, user_output(deployment, ics_path))
    unofficial = unofficial_years(events, first, last)
    if as_json:
        print_json({"from": first.isoformat(), "to": last.isoformat(),
                    "occurrences": [o.as_dict() for o in occurrences], "unofficial_years": unofficial})
        return
    written = f"; written to {ics_path}" if ics_path else ""
    _print_agenda(occurrences, f"{len(occurrences)} occurrence(s) from {first} to {last}{written}", unofficial)


def _print_agenda(occurrences: list[Occurrence], summary: str, unofficial: list[int]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table("when", "village", "script", "rule", "why", box=None)
    table.columns[0].no_wrap = True
    for o in occurrences:
        table.add_row(f"{o.at:%Y-%m-%d %a %H:%M}", o.village, o.script, o.rule, cell(o.reason))
    out = console()
    out.print(table)
    out.print(Text(summary))
    for year in unofficial:
        out.print(Text(f"warning: {year} holidays are estimated (no official arrangement entered)", style="yellow"))


@click.group()
def plan() -> None:
    """Broadcast plans (schedules/plans/)."""


@plan.command("check")
@click.option("--today", "today_s", metavar="DATE", help="Start of the year checked (default: today).")
@root_option
@json_option
def plan_check(today_s: str | None, root: str | None, as_json: bool) -> None:
    """Validate plans: unknown scripts, villages, tags, events; rules that never fire; collisions; quiet hours."""
    from outreach.findings import Level, errors
    from outreach.plan import check_deployment_plan

    deployment = open_deployment(root)
    plan_, findings = check_deployment_plan(deployment, parse_date(today_s, deployment.today()))
    blocking = errors(findings)
    if as_json:
        print_json([f.as_dict() for f in findings])
    else:
        infos = [f for f in findings if f.level == Level.INFO]
        for f in findings:
            if f.level != Level.INFO:
                click.echo(str(f), err=f.level == Level.ERROR)
        if infos:
            click.echo(f"{len(infos)} occurrence(s) moved to avoid collisions, e.g. {infos[0]}")
        click.echo(f"plan check: {len(plan_.rules)} rule(s), {len(blocking)} error(s), "
                   f"{sum(f.level == Level.WARNING for f in findings)} warning(s)")
    if blocking:
        raise CheckFailed(f"plan check found {len(blocking)} error(s)")


@plan.command("demo")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--village", "village_id", default=None, metavar="ID", help="Default: the first Mandarin-only village.")
@click.option("--script", "script_id", default="general-warning", show_default=True)
@click.option("--count", type=click.IntRange(1, 100), default=3, show_default=True)
@click.option("--start-in", type=click.IntRange(5, 3600), default=25, show_default=True, help="Seconds from now.")
@click.option("--every", type=click.IntRange(1, 3600), default=10, show_default=True, help="Seconds apart.")
@root_option
def plan_demo(out_dir: Path, village_id: str | None, script_id: str, count: int, start_in: int, every: int,
              root: str | None) -> None:
    """Write a demo plan that fires a few occurrences within the next minute (for trying the daemon)."""
    from outreach.demoplan import write_demo_plan
    from outreach.media import user_output

    deployment = open_deployment(root)
    made = write_demo_plan(deployment, user_output(deployment, out_dir, folder=True), village_id=village_id,
                           script_id=script_id, count=count, start_in=start_in, every=every)
    click.echo(f"{made.path}: {made.script} in {made.village} at {', '.join(made.times)}")


COMMANDS = [calendar_cmd, agenda, plan]
