"""The recordings family: `clips sheet`, `clips import` and `clips status` (the Bouyei speaker's takes)."""

from __future__ import annotations

from pathlib import Path

import click

from outreach.cli.common import cell, console, json_option, open_deployment, pick_scripts, print_json, root_option


@click.group()
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
    from outreach.recordings import needed, write_sheet

    from outreach.media import user_output

    deployment = open_deployment(root)
    user_output(deployment, out)
    chosen = pick_scripts(deployment, script_ids, all_scripts)
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
    from outreach.recordings import import_folder

    results = import_folder(open_deployment(root), folder, sheet)
    if as_json:
        print_json([r.as_dict() for r in results])
        return
    for r in results:
        if r.status == "taken":
            click.echo(f"took    {r.file} -> {r.target} ({r.duration:.2f} s)")
            for kept in r.kept:
                click.echo(f"        earlier take kept as {kept}")
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
    from rich.table import Table
    from rich.text import Text

    from outreach.recordings import coverage

    data = coverage(open_deployment(root), lang)
    if as_json:
        print_json(data)
        return
    out = console()
    out.print(Text(f"{data['recorded']} of {data['needed']} recordings present"
                   f"{' (complete)' if data['complete'] else ''}; numbers 1-99: "
                   f"{data['numbers']['recorded']} of {data['numbers']['needed']}"))
    for title, group in (("script", data["scripts"]), ("village", data["villages"])):
        table = Table(title, "recorded", "missing (first)", box=None)
        for name, entry in sorted(group.items()):
            first = ", ".join(f"{m['key']} '{m['text']}'" for m in entry["missing"][:2])
            table.add_row(name, f"{entry['recorded']}/{entry['needed']}", cell(first))
        out.print(table)


COMMANDS = [clips]
