"""The catalog family: `scripts`, `preview` and `check`."""

from __future__ import annotations

from contextlib import nullcontext

from typing import TYPE_CHECKING

import click

from outreach.cli.common import (
    cell,
    console,
    json_option,
    open_deployment,
    parse_vars,
    print_json,
    root_option,
    vocabulary,
)
from outreach.errors import CheckFailed
from outreach.i18n import ENGLISH, N_, _, ngettext, use_locale
from outreach.languages.codes import LANGUAGE_CODES
from outreach.render_messages import MODE_WORDS, ORIGIN_WORDS, word

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text

    from outreach.catalog import Catalog, Script
    from outreach.render import RenderedText, Segment


STATUS_WORDS = {"draft": N_("draft"), "reviewed": N_("reviewed"), "approved": N_("approved"),
                "returned": N_("returned")}
"""How each review status reads in a listing (script.yaml and JSON keep the English values)."""
LANGUAGE_WORDS = {"cmn": N_("Mandarin"), "pcc": N_("Bouyei")}


@click.command(help=_("List the script catalog: id, topic, audiences, languages and review status."))
@root_option
@json_option
def scripts(root: str | None, as_json: bool) -> None:
    catalog = open_deployment(root).catalog
    rows = [s.summary() for s in catalog]
    if as_json:
        print_json({"scripts": rows, "broken": {k: str(v) for k, v in catalog.broken.items()}})
        return
    _print_scripts(rows, catalog)


def _print_scripts(rows: list[dict], catalog: Catalog) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False)
    for col in (_("id"), _("topic"), _("audiences"), _("languages"), _("title (cmn)")):
        table.add_column(col)
    for row in rows:
        langs = ", ".join(f"{lang}:{word(STATUS_WORDS, status)}" for lang, status in row["languages"].items())
        table.add_row(cell(row["id"]), cell(row["topic"]), cell(", ".join(row["audiences"])),
                      cell(langs), cell(row["title"].get("cmn", "")))
    out = console()
    out.print(table)
    for script_id, exc in catalog.broken.items():
        out.print(Text(_("broken: {script}: {error}").format(script=script_id, error=exc), style="red"))


@click.command(help=_("Show a script rendered for one village, both languages side by side."))
@click.argument("script_id", metavar="SCRIPT")
@click.option("--lang", type=click.Choice([*LANGUAGE_CODES, "all"]), default="all", show_default=True,
              help=_("Only this language."))
@click.option("--village", "village_id", metavar="ID", help=_("Village id from the profile (default: the first)."))
@click.option("--var", "var_pairs", multiple=True, metavar="KEY=VALUE", help=_("Override a variable; repeatable."))
@click.option("--mode", type=vocabulary("outreach.render:Mode"), default="print", show_default=True,
              help=_("print: the text as cards show it; speech: as the voices say it (numbers as words)."))
@click.option("--segments", is_flag=True, help=_("Also list the language segments (what each voice will say)."))
@click.option("--pinyin", is_flag=True,
              help=_("Speech mode, with the pinyin each Mandarin segment's engine receives (implies --segments)."))
@root_option
@json_option
def preview(script_id: str, lang: str, village_id: str | None, var_pairs: tuple[str, ...], mode: str,
            segments: bool, pinyin: bool, root: str | None, as_json: bool) -> None:
    from outreach.render import Mode, render

    if pinyin:
        mode, segments = Mode.SPEECH, True
    deployment = open_deployment(root)
    profile = deployment.profile
    script = deployment.catalog.get(script_id)
    village = profile.village(village_id) if village_id else profile.villages[0]
    langs = script.languages if lang == "all" else [lang]
    overrides = parse_vars(var_pairs)
    rendered = [render(script, code, profile, village, overrides, Mode(mode)) for code in langs]
    if as_json:
        print_json({
            "script": script.id, "village": village.id, "mode": mode,
            "languages": {
                r.lang: {
                    "status": r.status, "approved": r.approved, "title": script.meta.title.get(r.lang),
                    "text": r.text, "segments": [_segment_json(s, pinyin) for s in r.segments],
                } for r in rendered
            },
        })
        return
    _print_preview(script, f"{village.name.cmn} ({village.id})", mode, rendered, segments, pinyin)


def _segment_json(segment: Segment, pinyin: bool) -> dict:
    data = dict(segment.__dict__)
    if pinyin:
        from outreach.languages.mandarin import pinyin_for

        data["pinyin"] = pinyin_for(segment.lang, segment.text)
    return data


def _banner(rendered: RenderedText, reviewer: str | None) -> Text:
    from rich.text import Text

    if rendered.approved:
        return Text(_("approved (reviewer: {reviewer})").format(reviewer=reviewer), style="green")
    return Text(
        _("DRAFT: {status}, not approved (reviewer: {reviewer}); do not print or air without review").format(
            status=word(STATUS_WORDS, rendered.status), reviewer=reviewer or _("none")),
        style="bold red",
    )


def _print_preview(script: Script, village: str, mode: str, rendered: list[RenderedText], segments: bool,
                   pinyin: bool) -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    out = console()
    out.print(Text(f"{script.id} · {village} · {word(MODE_WORDS, mode)}", style="bold"))
    table = Table(show_lines=False, expand=True)
    for r in rendered:
        header = Text(f"{word(LANGUAGE_WORDS, r.lang)}: {script.meta.title.get(r.lang, '')}\n")
        header.append_text(_banner(r, script.review(r.lang).reviewer))
        table.add_column(header, ratio=1)
    table.add_row(*[cell(r.text) for r in rendered])
    out.print(table)
    for r in rendered:
        if not r.approved:
            out.print(Panel(Text(
                _("{language} text is {status}: not approved. "
                  "Cards carry a DRAFT mark and need --allow-draft; it does not go on air.").format(
                    language=word(LANGUAGE_WORDS, r.lang), status=word(STATUS_WORDS, r.status).upper()),
            ), style="bold red"))
            gloss = script.review(r.lang).gloss_cmn
            if gloss:
                out.print(Text(_("meaning ({lang} → cmn, for the reviewer): {gloss}").format(lang=r.lang, gloss=gloss)))
    if segments:
        out.print(_segment_table(rendered, pinyin))


def _segment_table(rendered: list[RenderedText], pinyin: bool) -> Table:
    """One row a segment: what each voice says, and with --pinyin what a Mandarin engine receives."""
    from rich.table import Table

    from outreach.languages.mandarin import pinyin_for

    table = Table(_("lang"), _("origin"), _("text"), *([_("pinyin")] if pinyin else []), box=None)
    for r in rendered:
        for s in r.segments:
            row = [s.lang, word(ORIGIN_WORDS, s.origin), cell(s.text.replace("\n", "⏎"))]
            if pinyin:
                row.append(cell(pinyin_for(s.lang, s.text) or ""))
            table.add_row(*row)
    return table


@click.command(help=_("Lint the catalog and profile: syntax, variables, Bouyei spelling, translations, villages."))
@root_option
@json_option
def check(root: str | None, as_json: bool) -> None:
    from outreach.check import check_deployment

    from outreach.findings import Level, errors

    with use_locale(ENGLISH) if as_json else nullcontext():  # JSON is for tools: English whatever the locale
        findings = check_deployment(open_deployment(root))
    blocking = errors(findings)
    warnings = [f for f in findings if f.level == Level.WARNING]
    if as_json:
        print_json({"errors": len(blocking), "warnings": len(warnings),
                    "findings": [f.as_dict() for f in findings]})
    else:
        for finding in findings:
            click.echo(str(finding), err=finding.level == Level.ERROR)
        click.echo(_("check: {errors}, {warnings}").format(
            errors=ngettext("{n} error", "{n} errors", len(blocking)).format(n=len(blocking)),
            warnings=ngettext("{n} warning", "{n} warnings", len(warnings)).format(n=len(warnings))))
    if blocking:
        raise CheckFailed(ngettext("check found {errors} error", "check found {errors} errors",
                                   len(blocking)).format(errors=len(blocking)))


COMMANDS = [scripts, preview, check]
