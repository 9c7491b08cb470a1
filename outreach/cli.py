"""The command line: the one place where errors become messages and exit codes.

``OutreachError`` -> one line on stderr, exit 1; usage errors -> exit 2. Listing
commands take ``--json`` so other tools can read them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from outreach.catalog import Catalog
from outreach.deployment import LANGUAGES, Deployment
from outreach.errors import CheckFailed, OutreachError

if TYPE_CHECKING:
    from outreach.render import RenderedText

# Heavy modules (rendering, audio, print) are imported inside the commands that
# need them, so that the long-running daemon process stays small.


def _console() -> Console:
    """Rich console; when output is piped (reports, logs) it is 120 columns wide, not 80."""
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 120)


def _cell(value: str) -> Text:
    """User text for a table cell: never parsed as markup, folded (CJK has no spaces to wrap at)."""
    return Text(value, overflow="fold")


def root_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--root", "root", envvar="OUTREACH_ROOT", default=None, metavar="DIR",
        help="Deployment folder holding templates/, schedules/ and audio/ (default: current folder).",
    )(func)


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts and other tools.")(func)


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{pair}' is not key=value", param_hint="--var")
        out[key.strip()] = value
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="outreach")
def cli() -> None:
    """Anti-fraud outreach: bilingual scripts, cards, loudspeaker programmes, plans."""


@cli.command()
@root_option
@json_option
def scripts(root: str | None, as_json: bool) -> None:
    """List the script catalog: id, topic, audiences, languages and review status."""
    deployment = Deployment.at(root)
    catalog = Catalog.load(deployment.scripts_dir)
    rows = [
        {
            "id": s.id,
            "topic": s.meta.topic,
            "audiences": s.meta.audiences,
            "tags": s.meta.tags,
            "title": dict(s.meta.title),
            "languages": {lang: r.status for lang, r in s.meta.languages.items()},
        }
        for s in catalog
    ]
    if as_json:
        _print_json({"scripts": rows, "broken": {k: str(v) for k, v in catalog.broken.items()}})
        return
    table = Table(box=None, pad_edge=False)
    for col in ("id", "topic", "audiences", "languages", "title (cmn)"):
        table.add_column(col)
    for row in rows:
        langs = ", ".join(f"{lang}:{status}" for lang, status in row["languages"].items())
        table.add_row(
            _cell(row["id"]), _cell(row["topic"]), _cell(", ".join(row["audiences"])),
            _cell(langs), _cell(row["title"].get("cmn", "")),
        )
    console = _console()
    console.print(table)
    for script_id, exc in catalog.broken.items():
        console.print(Text(f"broken: {script_id}: {exc}", style="red"))


def _banner(rendered: RenderedText, reviewer: str | None) -> Text:
    if rendered.approved:
        return Text(f"approved (reviewer: {reviewer})", style="green")
    return Text(
        f"DRAFT: {rendered.status}, not approved (reviewer: {reviewer or 'none'}); "
        "do not print or air without review",
        style="bold red",
    )


@cli.command()
@click.argument("script_id", metavar="SCRIPT")
@click.option("--lang", type=click.Choice(["cmn", "pcc", "all"]), default="all", show_default=True)
@click.option("--village", "village_id", metavar="ID", help="Village id from the profile (default: the first).")
@click.option("--var", "var_pairs", multiple=True, metavar="KEY=VALUE", help="Override a variable; repeatable.")
@click.option("--mode", type=click.Choice(["print", "speech"]), default="print", show_default=True)
@click.option("--segments", is_flag=True, help="Also list the language segments (what each voice will say).")
@root_option
@json_option
def preview(script_id: str, lang: str, village_id: str | None, var_pairs: tuple[str, ...], mode: str,
            segments: bool, root: str | None, as_json: bool) -> None:
    """Show a script rendered for one village, both languages side by side."""
    from outreach.render import Mode, render

    deployment = Deployment.at(root)
    profile = deployment.profile
    script = Catalog.load(deployment.scripts_dir).get(script_id)
    village = profile.village(village_id) if village_id else profile.villages[0]
    langs = script.languages if lang == "all" else [lang]
    overrides = _parse_vars(var_pairs)
    rendered = [render(script, code, profile, village, overrides, Mode(mode)) for code in langs]

    if as_json:
        _print_json({
            "script": script.id, "village": village.id, "mode": mode,
            "languages": {
                r.lang: {
                    "status": r.status, "approved": r.approved, "title": script.meta.title.get(r.lang),
                    "text": r.text, "segments": [s.__dict__ for s in r.segments],
                } for r in rendered
            },
        })
        return

    console = _console()
    console.print(Text(f"{script.id} · {village.name.cmn} ({village.id}) · {mode} mode", style="bold"))
    table = Table(show_lines=False, expand=True)
    for r in rendered:
        review = script.review(r.lang)
        header = Text(f"{LANGUAGES[r.lang]}: {script.meta.title.get(r.lang, '')}\n")
        header.append_text(_banner(r, review.reviewer))
        table.add_column(header, ratio=1)
    table.add_row(*[_cell(r.text) for r in rendered])
    console.print(table)
    for r in rendered:
        if not r.approved:
            console.print(Panel(Text(
                f"{LANGUAGES[r.lang]} text is {r.status.upper()}: not approved. "
                "Cards carry a DRAFT mark and need --allow-draft; it does not go on air.",
            ), style="bold red"))
            gloss = script.review(r.lang).gloss_cmn
            if gloss:
                console.print(Text(f"meaning ({r.lang} → cmn, for the reviewer): {gloss}"))
    if segments:
        seg_table = Table("lang", "origin", "text", box=None)
        for r in rendered:
            for s in r.segments:
                seg_table.add_row(s.lang, s.origin, _cell(s.text.replace("\n", "⏎")))
        console.print(seg_table)


@cli.command()
@root_option
@json_option
def check(root: str | None, as_json: bool) -> None:
    """Lint the catalog and profile: syntax, variables, Bouyei spelling, translations, villages."""
    from outreach.check import check_deployment

    deployment = Deployment.at(root)
    findings = check_deployment(deployment)
    errors = [f for f in findings if f.level == "error"]
    warnings = [f for f in findings if f.level == "warning"]
    if as_json:
        _print_json({"errors": len(errors), "warnings": len(warnings), "findings": [f.as_dict() for f in findings]})
    else:
        for finding in findings:
            click.echo(str(finding), err=finding.level == "error")
        click.echo(f"check: {len(errors)} error(s), {len(warnings)} warning(s)")
    if errors:
        raise CheckFailed(f"check found {len(errors)} error(s)")


@cli.command()
@click.argument("script_ids", nargs=-1, metavar="SCRIPT...")
@click.option("--village", "village_id", required=True, metavar="ID", help="Village id from the profile.")
@click.option("--lang", type=click.Choice(["cmn", "pcc", "all"]), default="all", show_default=True,
              help="all = the programme's languages that the village hears and that are approved.")
@click.option("--programme", "programme_name", default="standard", show_default=True)
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: the state folder's programmes/).")
@click.option("--all", "all_scripts", is_flag=True, help="Every script of the catalog.")
@click.option("--dry-run", is_flag=True, help="List the segments, the engine for each, and what is cached.")
@click.option("--allow-draft", is_flag=True, help="Include text that is not approved (rehearsal only).")
@click.option("--engine", "extra_engine", type=click.Choice(["bouyei-espeak", "gtts", "espeak"]), default=None,
              help="Also use this engine, after recordings (bouyei-espeak: a synthetic approximation for rehearsal).")
@click.option("--var", "var_pairs", multiple=True, metavar="KEY=VALUE")
@root_option
@json_option
def audio(script_ids: tuple[str, ...], village_id: str, lang: str, programme_name: str, out_dir: Path | None,
          all_scripts: bool, dry_run: bool, allow_draft: bool, extra_engine: str | None, var_pairs: tuple[str, ...],
          root: str | None, as_json: bool) -> None:
    """Render loudspeaker programmes (chime, speech, repeats, even loudness) with a manifest."""
    from outreach.assemble import build_programme, choose_languages, plan_languages
    from outreach.speech.chain import chain_for

    deployment = Deployment.at(root)
    profile = deployment.profile
    catalog = Catalog.load(deployment.scripts_dir)
    village = profile.village(village_id)
    if all_scripts == bool(script_ids):
        raise click.UsageError("name one or more scripts, or use --all")
    scripts_ = list(catalog) if all_scripts else [catalog.get(s) for s in script_ids]
    langs = None if lang == "all" else [lang]
    overrides = _parse_vars(var_pairs)
    if extra_engine == "bouyei-espeak" and not allow_draft:
        allow_draft = True  # a synthetic rehearsal voice exists to hear drafts; its output is labelled, never aired
        click.echo("rehearsal: draft text included, spoken by a synthetic approximation", err=True)
    chain = chain_for(deployment, extra_engine=extra_engine)
    programme = profile.programme(programme_name)

    if dry_run:
        report = []
        for script in scripts_:
            chosen, omitted = choose_languages(script, village, programme, langs, allow_draft)
            for plan in plan_languages(deployment, script, village, chosen, overrides):
                for seg in plan.segments:
                    p = chain.plan(seg)
                    report.append({
                        "script": script.id, "lang": seg.lang, "key": seg.key, "engine": p.engine,
                        "cached": p.cached, "text": seg.text, "skipped": [list(x) for x in p.skipped],
                    })
            report.extend({"script": script.id, "lang": k, "omitted": v} for k, v in omitted.items())
        if as_json:
            _print_json(report)
            return
        table = Table("script", "lang", "key", "engine", "cached", "text", box=None)
        for row in report:
            if "omitted" in row:
                table.add_row(row["script"], row["lang"], "", "", "", _cell(f"(left out: {row['omitted']})"))
            else:
                engine = row["engine"] or Text("NONE", style="bold red")
                table.add_row(row["script"], row["lang"], row["key"], engine,
                              "yes" if row["cached"] else "no", _cell(row["text"]))
        _console().print(table)
        return

    results = []
    progress = _progress(len(scripts_) > 1)
    with progress:
        task = progress.add_task("programmes", total=len(scripts_))
        for script in scripts_:
            made = build_programme(deployment, script, village, programme_name, langs, out_dir, allow_draft,
                                   chain, overrides)
            results.append(made)
            progress.advance(task)
    if as_json:
        _print_json([{"path": str(r.path), "manifest": str(r.manifest_path), "reused": r.reused,
                      **{k: r.manifest[k] for k in ("languages", "omitted", "duration_s", "loudness_lufs",
                                                      "true_peak_dbtp", "approved", "synthetic_approximation")}}
                     for r in results])
        return
    for r in results:
        m = r.manifest
        note = " (unchanged, reused)" if r.reused else ""
        click.echo(f"{r.path}{note}")
        click.echo(f"  {', '.join(m['languages'])} · {m['duration_s']:.1f} s · {m['loudness_lufs']} LUFS · "
                   f"{m['true_peak_dbtp']} dBTP", err=True)
        for lang_, why in m["omitted"].items():
            click.echo(f"  left out {lang_}: {why}", err=True)
        if not m["approved"]:
            click.echo(f"  DRAFT: {', '.join(m['unapproved_languages'])} not approved: rehearsal only", err=True)
        if m["synthetic_approximation"]:
            click.echo(f"  SYNTHETIC APPROXIMATION: {', '.join(m['synthetic_approximation'])} is a machine "
                       "approximation, not a speaker: rehearsal only, never aired", err=True)


def _progress(enabled: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), disable=not enabled, transient=True)


@cli.group()
def cache() -> None:
    """The audio segment cache in the state folder."""


@cache.command("stats")
@root_option
@json_option
def cache_stats(root: str | None, as_json: bool) -> None:
    """Entries, size and last use of the audio cache."""
    from outreach.speech.chain import chain_for

    stats = chain_for(Deployment.at(root), engines={}).cache.stats()
    if as_json:
        _print_json(stats.__dict__)
        return
    def when(t: float | None) -> str:
        return dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M") if t else "-"
    click.echo(f"{stats.files} segment(s), {stats.bytes / 1e6:.1f} MB; "
               f"least recently used {when(stats.oldest_use)}, most recently {when(stats.newest_use)}")


@cache.command("prune")
@click.option("--older-than", "days", type=click.FloatRange(min=0), default=None, metavar="DAYS",
              help="Remove segments unused for this many days.")
@click.option("--all", "everything", is_flag=True, help="Empty the cache.")
@root_option
def cache_prune(days: float | None, everything: bool, root: str | None) -> None:
    """Remove cached segments (they are re-synthesised when needed)."""
    from outreach.speech.chain import chain_for

    if (days is None) == (not everything):
        raise click.UsageError("give --older-than DAYS or --all")
    files, size = chain_for(Deployment.at(root), engines={}).cache.prune(None if everything else days)
    click.echo(f"removed {files} segment(s), {size / 1e6:.1f} MB")


@cli.command()
@click.argument("script_ids", nargs=-1, required=True, metavar="SCRIPT...")
@click.option("--village", "village_id", metavar="ID", help="One village.")
@click.option("--villages", "villages_all", type=click.Choice(["all"]), help="Every village of the profile.")
@click.option("--layout", type=click.Choice(["card", "wallet", "leaflet"]), required=True)
@click.option("--copies", type=click.IntRange(1, 100_000), default=1, show_default=True,
              help="Copies of each script for each village.")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--png", "png_dir", type=click.Path(file_okay=False, path_type=Path), help="Write a PNG preview of each page here.")
@click.option("--allow-draft", is_flag=True, help="Print unapproved text (marked DRAFT), e.g. as a proof for reviewers.")
@click.option("--by", "printed_by", default=None, help="Who ran the print (for the ledger; default: the login name).")
@root_option
def cards(script_ids: tuple[str, ...], village_id: str | None, villages_all: str | None, layout: str, copies: int,
          out: Path, png_dir: Path | None, allow_draft: bool, printed_by: str | None, root: str | None) -> None:
    """Print cards, wallet cards (10-up with crop marks) or leaflets as one PDF, and log the run."""
    import getpass

    from outreach.print import collect, make_pdf
    from outreach.print.ledger import Ledger

    deployment = Deployment.at(root)
    profile = deployment.profile
    if bool(village_id) == bool(villages_all):
        raise click.UsageError("give --village ID or --villages all")
    villages = profile.villages if villages_all else [profile.village(village_id)]
    catalog = Catalog.load(deployment.scripts_dir)
    scripts_ = [catalog.get(s) for s in script_ids]
    unique = collect(deployment, scripts_, villages, allow_draft)
    batch = [card for card in unique for _ in range(copies)]
    progress = _progress(len(batch) > 50)
    with progress:
        task = progress.add_task(f"{layout} PDF", total=None)
        result = make_pdf(deployment, layout, batch, out, png_dir,
                          progress=lambda done, total: progress.update(task, completed=done, total=total))
    draft = any(card.drafts for card in unique)
    Ledger(deployment.state_dir / "ledger.sqlite").record(
        layout=layout, items=[(c.script.id, c.village.id) for c in unique], copies=copies, pages=result.pages,
        output=out.resolve(), printed_by=printed_by or getpass.getuser(), draft=draft,
    )
    click.echo(f"{out}: {result.cards} {layout}(s) on {result.pages} page(s)")
    if draft:
        click.echo("  DRAFT: contains unapproved text, marked on every page; for proofreading only", err=True)
    for png in result.png:
        click.echo(f"  preview {png}", err=True)


@cli.command()
@click.option("--month", metavar="YYYY-MM", help="Only this month.")
@root_option
@json_option
def ledger(month: str | None, root: str | None, as_json: bool) -> None:
    """Print runs, and cards printed per village."""
    from outreach.print.ledger import Ledger

    if month and not re.fullmatch(r"\d{4}-\d{2}", month):
        raise click.BadParameter("--month is YYYY-MM")
    book = Ledger(Deployment.at(root).state_dir / "ledger.sqlite")
    runs, totals = book.runs(month), book.per_village(month)
    if as_json:
        _print_json({"runs": [r.__dict__ for r in runs], "per_village": totals})
        return
    table = Table("#", "when", "layout", "scripts", "villages", "cards", "by", box=None)
    for r in runs:
        table.add_row(str(r.id), r.printed_at[:16], r.layout + (" DRAFT" if r.draft else ""),
                      _cell(", ".join(r.scripts)), _cell(", ".join(r.villages)), str(r.cards), r.printed_by)
    console = _console()
    console.print(table)
    summary = Table("village", "card", "wallet", "leaflet", "total", box=None, title=f"printed {month or 'in all'}")
    for village, by_layout in totals.items():
        summary.add_row(village, *(str(by_layout.get(k, 0)) for k in ("card", "wallet", "leaflet")),
                        str(sum(by_layout.values())))
    console.print(summary)


def _date(value: str | None, default: dt.date) -> dt.date:
    if value is None:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date YYYY-MM-DD") from None


def _today(deployment: Deployment) -> dt.date:
    import zoneinfo

    return dt.datetime.now(zoneinfo.ZoneInfo(deployment.profile.timezone)).date()


@cli.command("calendar")
@click.argument("year", type=click.IntRange(2000, 2100))
@click.option("--village", "village_id", metavar="ID", help="Only events that apply to this village.")
@root_option
@json_option
def calendar_cmd(year: int, village_id: str | None, root: str | None, as_json: bool) -> None:
    """Every event of a year (holidays, festivals, school, exams, market days) with its source."""
    from outreach.calendar import build_events, load_calendar_data

    deployment = Deployment.at(root)
    profile = deployment.profile
    if village_id:
        profile.village(village_id)
    data = load_calendar_data(deployment.root / "schedules" / "calendar")
    events = build_events(data, profile, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if village_id:
        events = [e for e in events if e.applies_to(village_id)]
    rows = [{
        "start": e.start.isoformat(), "end": e.end.isoformat(), "kind": e.kind, "name": e.name,
        "label": e.label, "official": e.official, "source": e.source,
        "villages": sorted(e.villages) if e.villages is not None else "all",
    } for e in events]
    if as_json:
        _print_json(rows)
        return
    table = Table("date", "kind", "event", "villages", "source", box=None)
    table.columns[0].no_wrap = True
    for row, event in zip(rows, events):
        span = row["start"] if row["start"] == row["end"] else f"{row['start']}..{row['end'][5:]}"
        source = Text(event.source_kind, style=None if row["official"] else "yellow")
        villages = "all" if row["villages"] == "all" else ",".join(row["villages"])
        table.add_row(span, row["kind"], _cell(f"{row['label']} ({row['name']})"), _cell(villages), source)
    console = _console()
    console.print(table)
    console.print(Text("sources: official = chinese_calendar or an official data file; computed = lunar-python; "
                       "UNOFFICIAL/placeholder/example = to be corrected by staff (--json shows the full source)"))


@cli.command()
@click.option("--from", "start", metavar="DATE", help="First day (default: today).")
@click.option("--to", "end", metavar="DATE", help="Last day (default: 7 days after the first).")
@click.option("--village", "village_id", metavar="ID")
@click.option("--ics", "ics_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write an iCalendar file.")
@root_option
@json_option
def agenda(start: str | None, end: str | None, village_id: str | None, ics_path: Path | None, root: str | None,
           as_json: bool) -> None:
    """What would play where and when, and why (which rule, which event); nothing is played."""
    from outreach.plan import plan_for

    deployment = Deployment.at(root)
    first = _date(start, _today(deployment))
    last = _date(end, first + dt.timedelta(days=7))
    if last < first:
        raise click.BadParameter("--to is before --from")
    if village_id:
        deployment.profile.village(village_id)
    _, events, expansion = plan_for(deployment, first, last)
    occurrences = [o for o in expansion.occurrences if village_id in (None, o.village)]
    if ics_path:
        write_ics(deployment, occurrences, ics_path)
    unofficial = sorted({e.start.year for e in events if e.kind == "holiday" and not e.official
                         and first <= e.start <= last})
    if as_json:
        _print_json({"from": first.isoformat(), "to": last.isoformat(),
                     "occurrences": [o.as_dict() for o in occurrences],
                     "unofficial_years": unofficial})
        return
    table = Table("when", "village", "script", "rule", "why", box=None)
    table.columns[0].no_wrap = True
    for o in occurrences:
        table.add_row(f"{o.at:%Y-%m-%d %a %H:%M}", o.village, o.script, o.rule, _cell(o.reason))
    console = _console()
    console.print(table)
    console.print(Text(f"{len(occurrences)} occurrence(s) from {first} to {last}"
                       + (f"; written to {ics_path}" if ics_path else "")))
    for year in unofficial:
        console.print(Text(f"warning: {year} holidays are estimated (no official arrangement entered)",
                           style="yellow"))


def write_ics(deployment: Deployment, occurrences: list, path: Path) -> None:
    """An iCalendar file of the agenda, for any calendar app."""
    import zoneinfo

    from icalendar import Calendar, Event as IcsEvent

    from outreach.media import write_atomic

    zone = zoneinfo.ZoneInfo(deployment.profile.timezone)
    titles = {s.id: s.meta.title.get("cmn", s.id) for s in Catalog.load(deployment.scripts_dir)}
    cal = Calendar()
    cal.add("prodid", "-//outreach//anti-fraud broadcasts//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "反诈广播 outreach")
    for o in occurrences:
        ev = IcsEvent()
        ev.add("uid", f"{o.id}@outreach")
        ev.add("dtstart", o.at.replace(tzinfo=zone))
        ev.add("dtend", o.at.replace(tzinfo=zone) + dt.timedelta(minutes=5))
        ev.add("dtstamp", dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
        ev.add("summary", f"{titles.get(o.script, o.script)} · {o.village}")
        ev.add("description", f"rule {o.rule}: {o.reason}")
        ev.add("location", o.village)
        cal.add_component(ev)
    write_atomic(path, cal.to_ical())


@cli.group()
def plan() -> None:
    """Broadcast plans (schedules/plans/)."""


@plan.command("check")
@click.option("--today", "today_s", metavar="DATE", help="Start of the year checked (default: today).")
@root_option
@json_option
def plan_check(today_s: str | None, root: str | None, as_json: bool) -> None:
    """Validate plans: unknown scripts, villages, tags, events; rules that never fire; collisions; quiet hours."""
    from outreach.calendar import build_events, load_calendar_data
    from outreach.plan import EVENT_MARGIN, check_plan, load_plan

    deployment = Deployment.at(root)
    profile = deployment.profile
    today = _date(today_s, _today(deployment))
    plan_ = load_plan(deployment.root / "schedules" / "plans")
    data = load_calendar_data(deployment.root / "schedules" / "calendar")
    end = today + dt.timedelta(days=365)
    events = build_events(data, profile, dt.date(today.year, 1, 1) - EVENT_MARGIN, end + EVENT_MARGIN)
    findings = check_plan(plan_, events, profile.villages, list(Catalog.load(deployment.scripts_dir)),
                          list(profile.programmes), today)
    errors = [f for f in findings if f.level == "error"]
    if as_json:
        _print_json([f.as_dict() for f in findings])
    else:
        infos = [f for f in findings if f.level == "info"]
        for f in findings:
            if f.level != "info":
                click.echo(str(f), err=f.level == "error")
        if infos:
            click.echo(f"{len(infos)} occurrence(s) moved to avoid collisions, e.g. {infos[0]}")
        click.echo(f"plan check: {len(plan_.rules)} rule(s), {len(errors)} error(s), "
                   f"{sum(f.level == 'warning' for f in findings)} warning(s)")
    if errors:
        raise CheckFailed(f"plan check found {len(errors)} error(s)")


def _plans_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--plans", "plans_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="Plan folder (default: schedules/plans of the deployment).")(func)


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
    import zoneinfo

    import yaml

    from outreach.media import write_atomic

    deployment = Deployment.at(root)
    profile = deployment.profile
    village = profile.village(village_id) if village_id else next(
        (v for v in profile.villages if v.languages == ["cmn"]), profile.villages[0])
    Catalog.load(deployment.scripts_dir).get(script_id)
    now = dt.datetime.now(zoneinfo.ZoneInfo(profile.timezone))
    times = [(now + dt.timedelta(seconds=start_in + i * every)).strftime("%H:%M:%S") for i in range(count)]
    days = sorted({(now + dt.timedelta(seconds=start_in + i * every)).date().isoformat() for i in range(count)})
    plan_ = {
        "quiet_hours": [],
        "collision_gap_minutes": 0,
        "max_shift_minutes": 0,
        "rules": [{
            "id": "demo", "villages": [village.id], "scripts": [script_id], "times": times,
            "windows": [{"dates": [days[0], days[-1]]}], "priority": 50,
        }],
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.yaml"):
        old.unlink()
    header = "# Demo plan written by `outreach plan demo`: a few plays in the next minute. Not for real use.\n"
    write_atomic(out_dir / "demo.yaml", (header + yaml.safe_dump(plan_, allow_unicode=True, sort_keys=False)).encode())
    click.echo(f"{out_dir / 'demo.yaml'}: {script_id} in {village.id} at {', '.join(times)}")


@cli.command()
@_plans_option
@click.option("--exit-after", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="Stop after this many seconds (for demos and tests).")
@root_option
def daemon(plans_dir: Path | None, exit_after: float | None, root: str | None) -> None:
    """Play the plan on time, exactly once, logging every occurrence (SIGHUP re-plans, SIGTERM stops)."""
    from outreach.daemon import Daemon, configure_logging

    import zoneinfo

    deployment = Deployment.at(root)
    configure_logging(zoneinfo.ZoneInfo(deployment.profile.timezone))
    raise SystemExit(Daemon(deployment, plans_dir, exit_after).run())


def _daemon_state(deployment: Deployment) -> dict[str, Any]:
    import os

    state = deployment.state_dir
    pid_file, beat = state / "daemon.pid", state / "daemon.heartbeat"
    running = False
    pid = None
    if pid_file.exists():
        try:
            pid = int(pid_file.read_text().strip())
            os.kill(pid, 0)
            running = True
        except (ValueError, ProcessLookupError, PermissionError):
            running = False
    return {"running": running, "pid": pid if running else None,
            "heartbeat": beat.read_text().strip() if beat.exists() else None}


@cli.command()
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@root_option
@json_option
def status(limit: int, root: str | None, as_json: bool) -> None:
    """Next occurrences, last plays, failures, and whether every programme in the horizon is ready."""
    import zoneinfo

    from outreach.playlog import open_playlog

    deployment = Deployment.at(root)
    profile = deployment.profile
    book = open_playlog(deployment.state_dir)
    now = dt.datetime.now(zoneinfo.ZoneInfo(profile.timezone))
    horizon = now + dt.timedelta(hours=profile.daemon.horizon_hours)
    upcoming = book.query(states=("scheduled",), since=now - dt.timedelta(seconds=profile.daemon.grace_seconds),
                          until=horizon)
    recent = book.query(states=("played", "failed", "missed", "interrupted"), order="updated_at", descending=True,
                        limit=limit)
    failures = [p for p in recent if p.state != "played"]
    not_ready = [p for p in upcoming if not p.ready]
    data = {
        "daemon": _daemon_state(deployment),
        "now": now.isoformat(timespec="seconds"),
        "horizon": {"scheduled": len(upcoming), "ready": len(upcoming) - len(not_ready),
                    "not_ready": [{"id": p.id, "script": p.script, "village": p.village,
                                   "reason": p.render_error or "not rendered yet"} for p in not_ready]},
        "next": [p.as_dict() for p in upcoming[:limit]],
        "last": [p.as_dict() for p in recent],
        "failures": [p.as_dict() for p in failures],
    }
    if as_json:
        _print_json(data)
        return
    console = _console()
    d = data["daemon"]
    console.print(Text(f"daemon: {'running, pid ' + str(d['pid']) if d['running'] else 'not running'}"
                       + (f"; last heartbeat {d['heartbeat']}" if d["heartbeat"] else "")))
    h = data["horizon"]
    console.print(Text(f"horizon until {horizon:%Y-%m-%d %H:%M}: {h['scheduled']} scheduled, {h['ready']} ready",
                       style="green" if not h["not_ready"] else "yellow"))
    for item in h["not_ready"]:
        console.print(Text(f"  not ready: {item['script']} for {item['village']}: {item['reason']}", style="yellow"))
    table = Table("next", "village", "script", "ready", "why", box=None, title="next occurrences")
    for p in upcoming[:limit]:
        table.add_row(f"{p.planned_at:%m-%d %H:%M:%S}", p.village, p.script, "yes" if p.ready else "NO",
                      _cell(p.reason_planned))
    console.print(table)
    table = Table("when", "village", "script", "state", "late", "detail", box=None, title="last plays")
    for p in recent:
        late = f"{p.lateness_ms:.0f} ms" if p.lateness_ms is not None else ""
        table.add_row(f"{p.planned_at:%m-%d %H:%M:%S}", p.village, p.script,
                      Text(p.state, style="green" if p.state == "played" else "red"), late,
                      _cell(p.reason or p.detail or ""))
    console.print(table)


@cli.command("log")
@click.option("--village", "village_id", metavar="ID")
@click.option("--since", metavar="DATE", help="Planned on or after this day.")
@click.option("--state", "states", multiple=True, type=click.Choice(
    ["scheduled", "playing", "played", "failed", "missed", "interrupted", "cancelled"]))
@root_option
@json_option
def log_cmd(village_id: str | None, since: str | None, states: tuple[str, ...], root: str | None,
            as_json: bool) -> None:
    """The play log: every occurrence, what happened and why."""
    import zoneinfo

    from outreach.playlog import open_playlog

    deployment = Deployment.at(root)
    zone = zoneinfo.ZoneInfo(deployment.profile.timezone)
    start = dt.datetime.combine(_date(since, dt.date(2000, 1, 1)), dt.time(), zone) if since else None
    plays = open_playlog(deployment.state_dir).query(village=village_id, since=start, states=states or None)
    if as_json:
        _print_json([p.as_dict() for p in plays])
        return
    table = Table("planned", "village", "script", "rule", "state", "late", "reason / detail", box=None)
    for p in plays:
        late = f"{p.lateness_ms:.0f} ms" if p.lateness_ms is not None else ""
        table.add_row(f"{p.planned_at:%Y-%m-%d %H:%M:%S}", p.village, p.script, p.rule, p.state, late,
                      _cell(p.reason or p.detail or ""))
    _console().print(table)


@cli.command()
@click.option("--month", required=True, metavar="YYYY-MM")
@click.option("--format", "fmt", type=click.Choice(["csv", "html", "pdf"]), default=None,
              help="Default: from the file name's extension.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@root_option
def report(month: str, fmt: str | None, out: Path, root: str | None) -> None:
    """The monthly report: broadcasts per village, script and language; missed and failed; cards printed."""
    from outreach.report import write_report

    fmt = fmt or out.suffix.lstrip(".").lower()
    if fmt not in ("csv", "html", "pdf"):
        raise click.BadParameter("give --format csv|html|pdf or a file ending in one of them")
    summary = write_report(Deployment.at(root), month, fmt, out)
    t = summary.totals
    click.echo(f"{out}: {t['played']} played, {t['missed']} missed, {t['failed']} failed, {t['cards']} printed")


@cli.group()
def clips() -> None:
    """Bouyei recordings: the sheet for a speaker, importing the takes, coverage."""


@clips.command("sheet")
@click.argument("script_ids", nargs=-1, metavar="[SCRIPT...]")
@click.option("--all", "all_scripts", is_flag=True, help="Every script of the catalog.")
@click.option("--lang", default="pcc", type=click.Choice(["pcc"]), show_default=True)
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="FILE.pdf (to print) or FILE.csv (for a spreadsheet, and for import --sheet).")
@root_option
def clips_sheet(script_ids: tuple[str, ...], all_scripts: bool, lang: str, out: Path, root: str | None) -> None:
    """Every fixed sentence and every word a Bouyei programme needs, each with an id to say before it."""
    from outreach.clips import needed, write_sheet

    deployment = Deployment.at(root)
    if all_scripts == bool(script_ids):
        raise click.UsageError("name one or more scripts, or use --all")
    catalog = Catalog.load(deployment.scripts_dir)
    chosen = list(catalog) if all_scripts else [catalog.get(s) for s in script_ids]
    count = write_sheet(deployment, needed(deployment, chosen, lang), out)
    click.echo(f"{out}: {count} item(s) to record")


@clips.command("import")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--sheet", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The sheet's CSV, to accept files named by id (001.wav).")
@root_option
@json_option
def clips_import(folder: Path, sheet: Path | None, root: str | None, as_json: bool) -> None:
    """Trim, resample, normalise and file recordings named by key (or by sheet id)."""
    from outreach.clips import import_folder

    results = import_folder(Deployment.at(root), folder, sheet)
    if as_json:
        _print_json([r.as_dict() for r in results])
        return
    for r in results:
        if r.status == "taken":
            click.echo(f"took    {r.file} -> {r.target} ({r.duration:.2f} s)")
        else:
            click.echo(f"refused {r.file}: {r.reason}", err=True)
    taken = sum(r.status == "taken" for r in results)
    click.echo(f"{taken} taken, {len(results) - taken} refused")


@clips.command("status")
@click.option("--lang", default="pcc", type=click.Choice(["pcc"]), show_default=True)
@root_option
@json_option
def clips_status(lang: str, root: str | None, as_json: bool) -> None:
    """Coverage per script and village: which sentences and words still lack a recording."""
    from outreach.clips import coverage

    data = coverage(Deployment.at(root), lang)
    if as_json:
        _print_json(data)
        return
    console = _console()
    console.print(Text(f"{data['recorded']} of {data['needed']} recordings present"
                       f"{' (complete)' if data['complete'] else ''}; numbers 1-99: "
                       f"{data['numbers']['recorded']} of {data['numbers']['needed']}"))
    for title, group in (("script", data["scripts"]), ("village", data["villages"])):
        table = Table(title, "recorded", "missing (first)", box=None)
        for name, entry in sorted(group.items()):
            first = ", ".join(f"{m['key']} '{m['text']}'" for m in entry["missing"][:2])
            table.add_row(name, f"{entry['recorded']}/{entry['needed']}", _cell(first))
        console.print(table)


@cli.group(hidden=True)
def worker() -> None:
    """Helpers the daemon runs in a separate process."""


@worker.command("render")
@root_option
def worker_render(root: str | None) -> None:
    """Read programmes to render as JSON on stdin; print one JSON result a line."""
    from outreach.assemble import build_programme
    from outreach.speech.chain import chain_for

    deployment = Deployment.at(root)
    items = json.loads(sys.stdin.read() or "[]")
    catalog = Catalog.load(deployment.scripts_dir)
    chain = chain_for(deployment)
    air_dir = deployment.state_dir / "air"  # the daemon's own folder: manual `outreach audio` runs never touch it
    for item in items:
        try:
            script = catalog.get(item["script"])
            village = deployment.profile.village(item["village"])
            made = build_programme(deployment, script, village, item["programme"], out_dir=air_dir, chain=chain,
                                   overrides=item.get("variables") or None, for_air=True)
            result = {"key": item["key"], "ok": True, "path": str(made.path),
                      "hash": made.manifest["content_hash"], "languages": made.manifest["languages"]}
        except OutreachError as exc:
            result = {"key": item["key"], "ok": False, "error": str(exc)}
        except Exception as exc:  # one bad programme must not stop the others
            result = {"key": item["key"], "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        click.echo(json.dumps(result, ensure_ascii=False))
        sys.stdout.flush()


@cli.group("bouyei")
def bouyei_group() -> None:
    """The Bouyei orthography (1985): syllables, IPA, spelling, numerals."""


@bouyei_group.command("ipa")
@click.argument("words", nargs=-1, required=True)
@json_option
def bouyei_ipa(words: tuple[str, ...], as_json: bool) -> None:
    """Syllables, tones and IPA of each WORD."""
    from outreach.languages import bouyei

    results = []
    for word in words:
        syls = bouyei.syllables(word)
        results.append({
            "word": word,
            "ipa": "".join(s.ipa() for s in syls),
            "syllables": [
                {"text": s.text, "initial": s.initial, "final": s.final, "tone": s.tone,
                 "contour": s.contour, "loan": s.loan, "ipa": s.ipa()}
                for s in syls
            ],
        })
    if as_json:
        _print_json(results)
        return
    for r in results:
        parts = " ".join(
            f"{s['text']}({s['initial'] or '∅'}+{s['final']}, tone {s['tone']} {s['contour']}{', loan' if s['loan'] else ''})"
            for s in r["syllables"]
        )
        click.echo(f"{r['word']}\t[{r['ipa']}]\t{parts}")


@bouyei_group.command("check")
@click.argument("text")
@json_option
def bouyei_check(text: str, as_json: bool) -> None:
    """Check the spelling of every Latin word in TEXT (Han characters and digits are Mandarin)."""
    from outreach.languages import bouyei

    issues = bouyei.check_text(text)
    if as_json:
        _print_json([{"word": i.word, "column": i.offset + 1, "reason": i.reason} for i in issues])
    else:
        for issue in issues:
            click.echo(f"column {issue.offset + 1}: {issue}")
        if not issues:
            click.echo("ok: every word parses")
    if issues:
        raise CheckFailed(f"{len(issues)} misspelt word(s)")


@bouyei_group.command("number")
@click.argument("numbers", nargs=-1, type=click.IntRange(1, 99), required=True)
def bouyei_number(numbers: tuple[int, ...]) -> None:
    """Bouyei numerals 1-99 (11-99 follow the pattern of Sun Hongkai's 1995 Wangmo data)."""
    from outreach.languages import bouyei

    for n in numbers:
        word = bouyei.numeral(n)
        click.echo(f"{n}\t{word}\t[{bouyei.ipa(word)}]")


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the command, turns user mistakes into one line and an exit code."""
    try:
        cli.main(args=argv, prog_name="outreach", standalone_mode=False)
    except OutreachError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
