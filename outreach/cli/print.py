"""The print family: `cards` (PDF cards, wallet sheets, leaflets) and `ledger` (what was printed)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from outreach.cli.common import (
    cell,
    console,
    json_option,
    open_deployment,
    print_json,
    progress,
    root_option,
    vocabulary,
)


@click.command()
@click.argument("script_ids", nargs=-1, required=True, metavar="SCRIPT...")
@click.option("--village", "village_id", metavar="ID", help="One village.")
@click.option("--villages", "villages_all", type=click.Choice(["all"]), help="Every village of the profile.")
@click.option("--layout", type=vocabulary("outreach.print.layouts:Layout"), required=True)
@click.option("--copies", type=click.IntRange(1, 100_000), default=1, show_default=True,
              help="Copies of each script for each village.")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--png", "png_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write a PNG preview of each page here.")
@click.option("--allow-draft", is_flag=True,
              help="Print unapproved text (marked DRAFT), e.g. as a proof for reviewers.")
@click.option("--by", "printed_by", default=None, help="Who ran the print (for the ledger; default: the login name).")
@root_option
def cards(script_ids: tuple[str, ...], village_id: str | None, villages_all: str | None, layout: str, copies: int,
          out: Path, png_dir: Path | None, allow_draft: bool, printed_by: str | None, root: str | None) -> None:
    """Print cards, wallet cards (10-up with crop marks) or leaflets as one PDF, and log the run."""
    from outreach.print import PrintRequest, print_run

    if bool(village_id) == bool(villages_all):
        raise click.UsageError("give --village ID or --villages all")
    deployment = open_deployment(root)
    request = PrintRequest(scripts=script_ids, layout=layout, out=out, villages=None if villages_all else (village_id,),
                           copies=copies, png_dir=png_dir, allow_draft=allow_draft, printed_by=printed_by)
    planned = len(script_ids) * (len(deployment.profile.villages) if villages_all else 1) * copies
    bar = progress(planned > 50)
    with bar:
        task = bar.add_task(f"{layout} PDF", total=None)
        result = print_run(deployment, request,
                           progress=lambda done, total: bar.update(task, completed=done, total=total))
    click.echo(f"{out}: {result.cards} {layout}(s) on {result.pages} page(s)")
    if result.draft:
        click.echo("  DRAFT: contains unapproved text, marked on every page; for proofreading only", err=True)
    for png in result.png:
        click.echo(f"  preview {png}", err=True)


@click.command()
@click.option("--month", metavar="YYYY-MM", help="Only this month.")
@root_option
@json_option
def ledger(month: str | None, root: str | None, as_json: bool) -> None:
    """Print runs, and cards printed per village."""
    from rich.table import Table

    from outreach.print.layouts import Layout
    from outreach.print.ledger import Ledger

    if month and not re.fullmatch(r"\d{4}-\d{2}", month):
        raise click.BadParameter("--month is YYYY-MM")
    book = Ledger(open_deployment(root).ledger_path)
    runs, totals = book.runs(month), book.per_village(month)
    if as_json:
        print_json({"runs": [r.__dict__ for r in runs], "per_village": totals})
        return
    table = Table("#", "when", "layout", "scripts", "villages", "cards", "by", box=None)
    for r in runs:
        table.add_row(str(r.id), r.printed_at[:16], r.layout + (" DRAFT" if r.draft else ""),
                      cell(", ".join(r.scripts)), cell(", ".join(r.villages)), str(r.cards), r.printed_by)
    out = console()
    out.print(table)
    summary = Table("village", *(kind.value for kind in Layout), "total", box=None, title=f"printed {month or 'in all'}")
    for village, by_layout in totals.items():
        summary.add_row(village, *(str(by_layout.get(k, 0)) for k in Layout), str(sum(by_layout.values())))
    out.print(summary)


COMMANDS = [cards, ledger]
