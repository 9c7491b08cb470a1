"""The audio family: `audio` (loudspeaker programmes) and `cache` (the segment cache)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.errors import shown
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
from outreach.i18n import _, ngettext, show_moment, show_number
from outreach.languages.codes import LANGUAGE_CODES
from outreach.speech.registry import engine_spec, extra_engine_names

if TYPE_CHECKING:
    from outreach.assemble import Programme
    from outreach.batch_audio import Job
    from outreach.deployment import Deployment

_MANIFEST_SUMMARY = ("languages", "omitted", "duration_s", "loudness_lufs", "true_peak_dbtp", "approved",
                     "synthetic_approximation")


@click.command(help=_("Render loudspeaker programmes (chime, speech, repeats, even loudness) with a manifest.\n\n"
                       "Several programmes are made in parallel, one process a core, with a progress bar and an "
                       "estimate."))
@click.argument("script_ids", nargs=-1, metavar="SCRIPT...")
@click.option("--village", "village_id", default=None, metavar="ID", help=_("Village id from the profile."))
@click.option("--villages", "villages_all", type=click.Choice(["all"]), default=None,
              help=_("Every village of the profile."))
@click.option("--lang", type=click.Choice([*LANGUAGE_CODES, "all"]), default="all", show_default=True,
              help=_("all = the programme's languages that the village hears and that are approved."))
@click.option("--programme", "programme_name", default="standard", show_default=True,
              help=_("Programme settings from the profile (chime, repeats, level)."))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=_("Output folder (default: the state folder's programmes/)."))
@click.option("--all", "all_scripts", is_flag=True, help=_("Every script of the catalog."))
@click.option("--dry-run", is_flag=True, help=_("List the segments, the engine for each, and what is cached."))
@click.option("--allow-draft", is_flag=True, help=_("Include text that is not approved (rehearsal only)."))
@click.option("--engine", "extra_engine", type=click.Choice(extra_engine_names()), default=None,
              help=_("Also use this engine, after recordings (bouyei-espeak: a synthetic approximation for "
                     "rehearsal)."))
@click.option("--var", "var_pairs", multiple=True, metavar="KEY=VALUE", help=_("Override a variable; repeatable."))
@click.option("--jobs", "workers", type=click.IntRange(min=1), default=None,
              help=_("Processes making programmes at once (default: one a core)."))
@root_option
@json_option
def audio(script_ids: tuple[str, ...], village_id: str | None, villages_all: str | None, lang: str,
          programme_name: str, out_dir: Path | None, all_scripts: bool, dry_run: bool, allow_draft: bool,
          extra_engine: str | None, var_pairs: tuple[str, ...], workers: int | None, root: str | None,
          as_json: bool) -> None:
    from outreach.assemble import ProgrammeRequest, prepare
    from outreach.media import user_output
    from outreach.speech.chain import chain_for

    deployment = open_deployment(root)
    if out_dir is not None:
        user_output(deployment, out_dir, folder=True)
    if bool(village_id) == bool(villages_all):
        raise click.UsageError(_("give --village ID or --villages all"))
    villages = deployment.profile.villages if villages_all else [deployment.profile.village(village_id or "")]
    scripts_ = pick_scripts(deployment, script_ids, all_scripts)
    overrides = parse_vars(var_pairs)
    if extra_engine and engine_spec(extra_engine).synthetic_approximation and not allow_draft:
        allow_draft = True  # a synthetic rehearsal voice exists to hear drafts; its output is labelled, never aired
        click.echo(_("rehearsal: draft text included, spoken by a synthetic approximation"), err=True)
    langs = None if lang == "all" else [lang]
    if dry_run:
        chain = chain_for(deployment, extra_engine=extra_engine)
        rows = [row for village in villages for script in scripts_ for row in prepare(
            deployment, ProgrammeRequest(script, village, programme_name, langs, overrides, allow_draft), chain,
            out_dir).rows()]
        if as_json:
            print_json(rows)
        else:
            _print_dry_run(rows)
        return
    from outreach.batch_audio import jobs_for

    jobs = jobs_for([s.id for s in scripts_], [v.id for v in villages], programme_name, langs, overrides, allow_draft)
    results = _make(deployment, jobs, extra_engine, out_dir, workers)
    if as_json:
        print_json([{"path": str(r.path), "manifest": str(r.manifest_path), "reused": r.reused,
                     **{k: getattr(r.manifest, k) for k in _MANIFEST_SUMMARY}} for r in results])
        return
    for r in results:
        _echo_programme(r)


def _make(deployment: Deployment, jobs: list[Job], extra_engine: str | None, out_dir: Path | None,
          workers: int | None) -> list[Programme]:
    """One programme here; several in a pool of processes, with a bar and an estimate of the time left."""
    from outreach.batch_audio import failures, make_all

    if len(jobs) == 1:
        from outreach.assemble import build_programme
        from outreach.speech.chain import chain_for

        chain = chain_for(deployment, extra_engine=extra_engine)
        return [build_programme(deployment, jobs[0].request(deployment), chain, out_dir)]
    bar, started = progress(True), time.monotonic()
    with bar:
        task = bar.add_task(_("programmes"), total=len(jobs))

        def advance(done: int, total: int) -> None:
            left = (time.monotonic() - started) / done * (total - done) if done else 0
            bar.update(task, completed=done, description=_("programmes, about {time} left").format(
                time=_duration(left)))

        outcomes = make_all(deployment.root, jobs, extra_engine, out_dir, workers, advance)
    problem = failures(outcomes)
    made = [o.programme for o in outcomes if o.programme]
    if problem:
        for programme in made:
            _echo_programme(programme)
        raise problem
    return made


def _duration(seconds: float) -> str:
    if seconds < 90:
        return _("{seconds:.0f} s").format(seconds=seconds)
    return _("{minutes:.0f} min").format(minutes=seconds / 60)


def _print_dry_run(rows: list[dict]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(_("script"), _("lang"), _("key"), _("engine"), _("cached"), _("text"), box=None)
    for row in rows:
        if "omitted" in row:
            table.add_row(row["script"], row["lang"], "", "", "",
                          cell(_("(left out: {reason})").format(reason=shown(row["omitted"]))))
        else:
            engine = row["engine"] or Text(_("NONE"), style="bold red")
            table.add_row(row["script"], row["lang"], row["key"], engine,
                          _("yes") if row["cached"] else _("no"), cell(row["text"]))
    console().print(table)


def _echo_programme(made: Programme) -> None:
    m = made.manifest
    click.echo(_("{path} (unchanged, reused)").format(path=made.path) if made.reused else str(made.path))
    click.echo("  " + _("{languages} · {seconds:.1f} s · {loudness} LUFS · {peak} dBTP").format(
        languages=", ".join(m.languages), seconds=m.duration_s, loudness=m.loudness_lufs, peak=m.true_peak_dbtp),
        err=True)
    for lang, why in m.omitted.items():
        reason = shown(made.omitted.get(lang, why))
        click.echo("  " + _("left out {lang}: {reason}").format(lang=lang, reason=reason), err=True)
    if not m.approved:
        click.echo("  " + _("DRAFT: {languages} not approved: rehearsal only").format(
            languages=", ".join(m.unapproved_languages)), err=True)
    if m.synthetic_approximation:
        click.echo("  " + _("SYNTHETIC APPROXIMATION: {languages} is a machine approximation, not a speaker: "
                            "rehearsal only, never aired").format(languages=", ".join(m.synthetic_approximation)),
                   err=True)


@click.group(help=_("The audio segment cache in the state folder."))
def cache() -> None:
    pass


@cache.command("stats", help=_("Entries, size and last use of the audio cache (voiced segments, and the same "
                               "mastered for programmes)."))
@root_option
@json_option
def cache_stats(root: str | None, as_json: bool) -> None:
    from outreach.speech.cache import AudioCache

    deployment = open_deployment(root)
    state, zone = deployment.state_dir, deployment.zone
    stats, mastered = AudioCache.in_state(state).stats(), AudioCache.in_state(state, "mastered").stats()
    if as_json:
        print_json({**stats.__dict__, "mastered": mastered.__dict__})
        return

    def when(t: float | None) -> str:
        return show_moment(dt.datetime.fromtimestamp(t, zone)) if t else "-"

    click.echo(_("{segments}, {size:.1f} MB; least recently used {oldest}, most recently {newest}; "
                 "{pieces}, {pieces_size:.1f} MB").format(
        segments=_segments(stats.files), size=stats.bytes / 1e6, oldest=when(stats.oldest_use),
        newest=when(stats.newest_use), pieces=_pieces(mastered.files), pieces_size=mastered.bytes / 1e6))


def _segments(count: int) -> str:
    return ngettext("{n} segment", "{n} segments", count).format(n=show_number(count))


def _pieces(count: int) -> str:
    return ngettext("{n} mastered piece", "{n} mastered pieces", count).format(n=show_number(count))


@cache.command("prune", help=_("Remove cached segments and mastered pieces (they are made again when needed)."))
@click.option("--older-than", "days", type=click.FloatRange(min=0), default=None, metavar="DAYS",
              help=_("Remove segments unused for this many days."))
@click.option("--all", "everything", is_flag=True, help=_("Empty the cache."))
@root_option
def cache_prune(days: float | None, everything: bool, root: str | None) -> None:
    from outreach.speech.cache import AudioCache

    if (days is None) == (not everything):
        raise click.UsageError(_("give --older-than DAYS or --all"))
    state = open_deployment(root).state_dir
    files, size = AudioCache.in_state(state).prune(None if everything else days)
    pieces, piece_size = AudioCache.in_state(state, "mastered").prune(None if everything else days)
    click.echo(_("removed {segments} and {pieces}, {size:.1f} MB").format(
        segments=_segments(files), pieces=_pieces(pieces), size=(size + piece_size) / 1e6))


COMMANDS = [audio, cache]
