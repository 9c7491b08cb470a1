"""The planning family: `calendar`, `agenda` and `plan check` / `plan demo`; nothing here plays anything."""

from __future__ import annotations

from contextlib import nullcontext

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.cli.common import cell, console, json_option, open_deployment, parse_date, print_json, root_option
from outreach.errors import CheckFailed
from outreach.i18n import ENGLISH, N_, _, ngettext, show_date, show_day, use_locale

if TYPE_CHECKING:
    from outreach.calendar import Event
    from outreach.plan import Occurrence

# Event.source_kind in the calendar table (explained under it); other words are shown as they are.
SOURCE_WORDS = {"official": N_("official"), "computed": N_("computed"), "data": N_("data"),
                "UNOFFICIAL": N_("UNOFFICIAL"), "placeholder": N_("placeholder"), "example": N_("example")}
KIND_WORDS = {"holiday": N_("holiday"), "holiday-eve": N_("holiday-eve"), "workday": N_("workday"),
              "festival": N_("festival"), "school": N_("school"), "term": N_("term"), "vacation": N_("vacation"),
              "exam": N_("exam"), "market-day": N_("market-day")}
"""Event kinds as the calendar shows them (--json and plan files keep the English values)."""


@click.command("calendar", help=_("Every event of a year (holidays, festivals, school, exams, market days) with its "
                                  "source."))
@click.argument("year", type=click.IntRange(2000, 2100))
@click.option("--village", "village_id", metavar="ID", help=_("Only events that apply to this village."))
@root_option
@json_option
def calendar_cmd(year: int, village_id: str | None, root: str | None, as_json: bool) -> None:
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

    table = Table(_("date"), _("kind"), _("event"), _("villages"), _("source"), box=None)
    table.columns[0].no_wrap = True
    for row, event in zip(rows, events):
        span = show_date(event.start) if event.start == event.end else \
            _("{start}..{end}").format(start=show_date(event.start), end=show_date(event.end))
        kind = event.source_kind
        source = Text(_(SOURCE_WORDS[kind]) if kind in SOURCE_WORDS else kind,
                      style=None if row["official"] else "yellow")
        villages = _("all") if row["villages"] == "all" else ",".join(row["villages"])
        kind_word = _(KIND_WORDS[row["kind"]]) if row["kind"] in KIND_WORDS else row["kind"]
        table.add_row(span, kind_word, cell(f"{row['label']} ({row['name']})"), cell(villages), source)
    out = console()
    out.print(table)
    out.print(Text(_("sources: official = chinese_calendar or an official data file; data = a data file in "
                     "schedules/calendar/; computed = lunar-python; UNOFFICIAL/placeholder/example = to be corrected "
                     "by staff (--json shows the full source)")))


@click.command(help=_("What would play where and when, and why (which rule, which event); nothing is played."))
@click.option("--from", "start", metavar="DATE", help=_("First day (default: today)."))
@click.option("--to", "end", metavar="DATE", help=_("Last day (default: 7 days after the first)."))
@click.option("--village", "village_id", metavar="ID", help=_("Only the occurrences of this village."))
@click.option("--ics", "ics_path", type=click.Path(dir_okay=False, path_type=Path),
              help=_("Also write an iCalendar file."))
@root_option
@json_option
def agenda(start: str | None, end: str | None, village_id: str | None, ics_path: Path | None, root: str | None,
           as_json: bool) -> None:
    from outreach.calendar import unofficial_years
    from outreach.plan import plan_for

    deployment = open_deployment(root)
    first = parse_date(start, deployment.today())
    last = parse_date(end, first + dt.timedelta(days=7))
    if last < first:
        raise click.BadParameter(_("--to is before --from"))
    if village_id:
        deployment.profile.village(village_id)
    _plan, events, expansion = plan_for(deployment, first, last)
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
    counts = {"count": len(occurrences), "first": show_date(first), "last": show_date(last)}
    if ics_path:
        summary = ngettext("{count} occurrence from {first} to {last}; written to {path}",
                           "{count} occurrences from {first} to {last}; written to {path}",
                           len(occurrences)).format(path=ics_path, **counts)
    else:
        summary = ngettext("{count} occurrence from {first} to {last}", "{count} occurrences from {first} to {last}",
                           len(occurrences)).format(**counts)
    _print_agenda(occurrences, summary, unofficial)


def _print_agenda(occurrences: list[Occurrence], summary: str, unofficial: list[int]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(_("when"), _("village"), _("script"), _("rule"), _("why"), box=None)
    table.columns[0].no_wrap = True
    for o in occurrences:
        table.add_row(f"{show_day(o.at.date())} {o.at:%H:%M}", o.village, o.script, o.rule, cell(o.reason))
    out = console()
    out.print(table)
    out.print(Text(summary))
    for year in unofficial:
        out.print(Text(_("warning: {year} holidays are estimated (no official arrangement entered)").format(year=year),
                       style="yellow"))


@click.group(help=_("Broadcast plans (schedules/plans/)."))
def plan() -> None:
    pass


@plan.command("check", help=_("Validate plans: unknown scripts, villages, tags, events; rules that never fire; "
                              "collisions; quiet hours."))
@click.option("--today", "today_s", metavar="DATE", help=_("Start of the year checked (default: today)."))
@root_option
@json_option
def plan_check(today_s: str | None, root: str | None, as_json: bool) -> None:
    from outreach.findings import Level, errors
    from outreach.plan import check_deployment_plan

    deployment = open_deployment(root)
    with use_locale(ENGLISH) if as_json else nullcontext():  # JSON is for tools: English whatever the locale
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
            click.echo(ngettext("{count} occurrence moved to avoid collisions, e.g. {example}",
                                "{count} occurrences moved to avoid collisions, e.g. {example}", len(infos)).format(
                count=len(infos), example=infos[0]))
        rules, warnings = len(plan_.rules), sum(f.level == Level.WARNING for f in findings)
        click.echo(_("plan check: {rules}, {errors}, {warnings}").format(
            rules=ngettext("{n} rule", "{n} rules", rules).format(n=rules),
            errors=ngettext("{n} error", "{n} errors", len(blocking)).format(n=len(blocking)),
            warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings)))
    if blocking:
        raise CheckFailed(ngettext("plan check found {count} error", "plan check found {count} errors",
                                   len(blocking)).format(count=len(blocking)))


@plan.command("demo", help=_("Write a demo plan that fires a few occurrences within the next minute (for trying "
                             "the daemon)."))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help=_("Scratch folder for the demo plan (its plan files are replaced): point the daemon's --plans "
                     "at it."))
@click.option("--village", "village_id", default=None, metavar="ID",
              help=_("Default: the first Mandarin-only village."))
@click.option("--script", "script_id", default="general-warning", show_default=True,
              help=_("The script to play."))
@click.option("--count", type=click.IntRange(1, 100), default=3, show_default=True,
              help=_("How many occurrences."))
@click.option("--start-in", type=click.IntRange(5, 3600), default=25, show_default=True,
              help=_("Seconds from now."))
@click.option("--every", type=click.IntRange(1, 3600), default=10, show_default=True, help=_("Seconds apart."))
@root_option
def plan_demo(out_dir: Path, village_id: str | None, script_id: str, count: int, start_in: int, every: int,
              root: str | None) -> None:
    from outreach.demoplan import write_demo_plan
    from outreach.media import user_output

    deployment = open_deployment(root)
    made = write_demo_plan(deployment, user_output(deployment, out_dir, folder=True), village_id=village_id,
                           script_id=script_id, count=count, start_in=start_in, every=every)
    click.echo(_("{path}: {script} in {village} at {times}").format(path=made.path, script=made.script,
                                                                     village=made.village, times=", ".join(made.times)))


COMMANDS = [calendar_cmd, agenda, plan]
