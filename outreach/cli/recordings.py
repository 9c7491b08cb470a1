"""The recordings family: `clips sheet`, `clips import` and `clips status` (the Bouyei speaker's takes)."""

from __future__ import annotations

from pathlib import Path

import click

from outreach.errors import shown
from outreach.cli.common import cell, console, json_option, open_deployment, pick_scripts, print_json, root_option
from outreach.i18n import _, ngettext, show_number


@click.group(help=_("Bouyei recordings: the sheet for a speaker, importing the takes, coverage."))
def clips() -> None:
    pass


@clips.command("sheet", help=_("Every fixed sentence and every word a Bouyei programme needs, each with an id to say "
                               "before it."))
@click.argument("script_ids", nargs=-1, metavar="[SCRIPT...]")
@click.option("--all", "all_scripts", is_flag=True, help=_("Every script of the catalog."))
@click.option("--lang", default="pcc", type=click.Choice(["pcc"]), show_default=True,
              help=_("Language of the recordings."))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help=_("FILE.pdf (to print) or FILE.csv (for a spreadsheet, and for import --sheet)."))
@root_option
def clips_sheet(script_ids: tuple[str, ...], all_scripts: bool, lang: str, out: Path, root: str | None) -> None:
    from outreach.recordings import needed, write_sheet

    from outreach.media import user_output

    deployment = open_deployment(root)
    user_output(deployment, out)
    chosen = pick_scripts(deployment, script_ids, all_scripts)
    count = write_sheet(deployment, needed(deployment, chosen, lang), out)
    click.echo(ngettext("{out}: {count} item to record", "{out}: {count} items to record", count).format(
        out=out, count=show_number(count)))


@clips.command("import", help=_("Trim, resample, normalise and file recordings named by key (or by sheet id)."))
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--sheet", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help=_("The sheet's CSV, to accept files named by id (001.wav)."))
@root_option
@json_option
def clips_import(folder: Path, sheet: Path | None, root: str | None, as_json: bool) -> None:
    from outreach.recordings import import_folder

    results = import_folder(open_deployment(root), folder, sheet)
    if as_json:
        print_json([r.as_dict() for r in results])
        return
    for r in results:
        if r.status == "taken":
            click.echo(_("took    {file} -> {target} ({seconds:.2f} s)").format(
                file=r.file, target=r.target, seconds=r.duration))
            for kept in r.kept:
                click.echo("        " + _("earlier take kept as {file}").format(file=kept))
        else:
            click.echo(_("refused {file}: {reason}").format(file=r.file, reason=shown(r.reason)), err=True)
    taken = sum(r.status == "taken" for r in results)
    click.echo(_("{taken} taken, {refused} refused").format(taken=taken, refused=len(results) - taken))


@clips.command("status", help=_("Coverage per script and village: which sentences and words still lack a "
                                "recording."))
@click.option("--lang", default="pcc", type=click.Choice(["pcc"]), show_default=True,
              help=_("Language of the recordings."))
@root_option
@json_option
def clips_status(lang: str, root: str | None, as_json: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    from outreach.recordings import coverage

    data = coverage(open_deployment(root), lang)
    if as_json:
        print_json(data)
        return
    out = console()
    summary = (_("{recorded} of {needed} recordings present (complete); numbers 1-99: {numbers} of {numbers_needed}")
               if data["complete"] else
               _("{recorded} of {needed} recordings present; numbers 1-99: {numbers} of {numbers_needed}"))
    out.print(Text(summary.format(recorded=data["recorded"], needed=data["needed"],
                                  numbers=data["numbers"]["recorded"], numbers_needed=data["numbers"]["needed"])))
    for title, group in ((_("script"), data["scripts"]), (_("village"), data["villages"])):
        table = Table(title, _("recorded"), _("missing (first)"), box=None)
        for name, entry in sorted(group.items()):
            first = ", ".join(f"{m['key']} '{m['text']}'" for m in entry["missing"][:2])
            table.add_row(name, f"{entry['recorded']}/{entry['needed']}", cell(first))
        out.print(table)


COMMANDS = [clips]
