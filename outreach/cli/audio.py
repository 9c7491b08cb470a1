"""The audio family: `audio` (loudspeaker programmes) and `cache` (the segment cache)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.cli.common import (
    cell,
    console,
    json_option,
    open_deployment,
    parse_vars,
    pick_scripts,
    print_json,
    progress,
    root_option,
)
from outreach.languages.codes import LANGUAGE_CODES
from outreach.speech.registry import engine_spec, extra_engine_names

if TYPE_CHECKING:
    from outreach.assemble import Programme

_MANIFEST_SUMMARY = ("languages", "omitted", "duration_s", "loudness_lufs", "true_peak_dbtp", "approved",
                     "synthetic_approximation")


@click.command()
@click.argument("script_ids", nargs=-1, metavar="SCRIPT...")
@click.option("--village", "village_id", required=True, metavar="ID", help="Village id from the profile.")
@click.option("--lang", type=click.Choice([*LANGUAGE_CODES, "all"]), default="all", show_default=True,
              help="all = the programme's languages that the village hears and that are approved.")
@click.option("--programme", "programme_name", default="standard", show_default=True)
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: the state folder's programmes/).")
@click.option("--all", "all_scripts", is_flag=True, help="Every script of the catalog.")
@click.option("--dry-run", is_flag=True, help="List the segments, the engine for each, and what is cached.")
@click.option("--allow-draft", is_flag=True, help="Include text that is not approved (rehearsal only).")
@click.option("--engine", "extra_engine", type=click.Choice(extra_engine_names()), default=None,
              help="Also use this engine, after recordings (bouyei-espeak: a synthetic approximation for rehearsal).")
@click.option("--var", "var_pairs", multiple=True, metavar="KEY=VALUE")
@root_option
@json_option
def audio(script_ids: tuple[str, ...], village_id: str, lang: str, programme_name: str, out_dir: Path | None,
          all_scripts: bool, dry_run: bool, allow_draft: bool, extra_engine: str | None, var_pairs: tuple[str, ...],
          root: str | None, as_json: bool) -> None:
    """Render loudspeaker programmes (chime, speech, repeats, even loudness) with a manifest."""
    from outreach.assemble import ProgrammeRequest, build_programme, prepare
    from outreach.speech.chain import chain_for

    deployment = open_deployment(root)
    village = deployment.profile.village(village_id)
    scripts_ = pick_scripts(deployment, script_ids, all_scripts)
    overrides = parse_vars(var_pairs)
    if extra_engine and engine_spec(extra_engine).synthetic_approximation and not allow_draft:
        allow_draft = True  # a synthetic rehearsal voice exists to hear drafts; its output is labelled, never aired
        click.echo("rehearsal: draft text included, spoken by a synthetic approximation", err=True)
    chain = chain_for(deployment, extra_engine=extra_engine)
    requests = [ProgrammeRequest(script, village, programme_name, None if lang == "all" else [lang], overrides,
                                 allow_draft) for script in scripts_]
    if dry_run:
        rows = [row for request in requests for row in prepare(deployment, request, chain, out_dir).rows()]
        if as_json:
            print_json(rows)
        else:
            _print_dry_run(rows)
        return
    results = []
    bar = progress(len(requests) > 1)
    with bar:
        task = bar.add_task("programmes", total=len(requests))
        for request in requests:
            results.append(build_programme(deployment, request, chain, out_dir))
            bar.advance(task)
    if as_json:
        print_json([{"path": str(r.path), "manifest": str(r.manifest_path), "reused": r.reused,
                     **{k: getattr(r.manifest, k) for k in _MANIFEST_SUMMARY}} for r in results])
        return
    for r in results:
        _echo_programme(r)


def _print_dry_run(rows: list[dict]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table("script", "lang", "key", "engine", "cached", "text", box=None)
    for row in rows:
        if "omitted" in row:
            table.add_row(row["script"], row["lang"], "", "", "", cell(f"(left out: {row['omitted']})"))
        else:
            engine = row["engine"] or Text("NONE", style="bold red")
            table.add_row(row["script"], row["lang"], row["key"], engine,
                          "yes" if row["cached"] else "no", cell(row["text"]))
    console().print(table)


def _echo_programme(made: Programme) -> None:
    m = made.manifest
    note = " (unchanged, reused)" if made.reused else ""
    click.echo(f"{made.path}{note}")
    click.echo(f"  {', '.join(m.languages)} · {m.duration_s:.1f} s · {m.loudness_lufs} LUFS · "
               f"{m.true_peak_dbtp} dBTP", err=True)
    for lang, why in m.omitted.items():
        click.echo(f"  left out {lang}: {why}", err=True)
    if not m.approved:
        click.echo(f"  DRAFT: {', '.join(m.unapproved_languages)} not approved: rehearsal only", err=True)
    if m.synthetic_approximation:
        click.echo(f"  SYNTHETIC APPROXIMATION: {', '.join(m.synthetic_approximation)} is a machine "
                   "approximation, not a speaker: rehearsal only, never aired", err=True)


@click.group()
def cache() -> None:
    """The audio segment cache in the state folder."""


@cache.command("stats")
@root_option
@json_option
def cache_stats(root: str | None, as_json: bool) -> None:
    """Entries, size and last use of the audio cache."""
    from outreach.speech.cache import AudioCache

    stats = AudioCache.in_state(open_deployment(root).state_dir).stats()
    if as_json:
        print_json(stats.__dict__)
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
    from outreach.speech.cache import AudioCache

    if (days is None) == (not everything):
        raise click.UsageError("give --older-than DAYS or --all")
    files, size = AudioCache.in_state(open_deployment(root).state_dir).prune(None if everything else days)
    click.echo(f"removed {files} segment(s), {size / 1e6:.1f} MB")


COMMANDS = [audio, cache]
