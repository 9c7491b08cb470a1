"""The print family: `cards` (cards, wallet sheets, leaflets, booklets, banners, posters as PDF).

What was printed is listed by `ledger` (cli/ledger.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.cli.common import open_deployment, progress, root_option, vocabulary
from outreach.i18n import _, ngettext, show_number

if TYPE_CHECKING:
    from outreach.deployment import Deployment
    from outreach.print.run import PrintRequest


@click.command(help=_("Print cards, wallet cards (10-up with crop marks) or leaflets as one PDF; or a booklet (imposed "
                       "on A4, plus a reader's copy), a banner (plus A3 tiles) or posters as masters for the print "
                       "shop. Every run is logged."))
@click.argument("script_ids", nargs=-1, required=True, metavar="SCRIPT...")
@click.option("--village", "village_id", metavar="ID", help=_("One village."))
@click.option("--villages", "villages_all", type=click.Choice(["all"]), help=_("Every village of the profile."))
@click.option("--layout", type=vocabulary("outreach.print.layouts:Layout"), required=True, help=_("What to print."))
@click.option("--copies", type=click.IntRange(1, 100_000), default=1, show_default=True,
              help=_("Copies of each script for each village."))
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help=_("The PDF to write."))
@click.option("--png", "png_dir", type=click.Path(file_okay=False, path_type=Path),
              help=_("Write a PNG preview of each page here."))
@click.option("--allow-draft", is_flag=True,
              help=_("Print unapproved text (marked DRAFT), e.g. as a proof for reviewers."))
@click.option("--by", "printed_by", default=None,
              help=_("Who ran the print (for the ledger; default: the login name)."))
@click.option("--size", type=click.Choice(["A3", "A2"]), default="A3", show_default=True, help=_("Poster paper."))
@click.option("--slogan", type=click.IntRange(1), default=1, show_default=True,
              help=_("Banner: which of the script's slogans (templates/print/slogans.yaml)."))
@click.option("--lang", type=vocabulary("outreach.languages.codes:LANGUAGE_CODES"), default="cmn", show_default=True,
              help=_("Banner: the slogan's language."))
@root_option
def cards(script_ids: tuple[str, ...], village_id: str | None, villages_all: str | None, layout: str, copies: int,
          out: Path, png_dir: Path | None, allow_draft: bool, printed_by: str | None, size: str, slogan: int,
          lang: str, root: str | None) -> None:
    from outreach.media import user_output
    from outreach.print import PrintRequest, print_run
    from outreach.print.layouts import Layout

    if bool(village_id) == bool(villages_all):
        raise click.UsageError(_("give --village ID or --villages all"))
    deployment = open_deployment(root)
    user_output(deployment, out)
    if png_dir is not None:
        user_output(deployment, png_dir, folder=True)
    request = PrintRequest(scripts=script_ids, layout=layout, out=out, villages=None if villages_all else (village_id,),
                           copies=copies, png_dir=png_dir, allow_draft=allow_draft, printed_by=printed_by)
    if Layout(layout).master:
        _master(deployment, request, size, slogan, lang)
        return
    planned = len(script_ids) * (len(deployment.profile.villages) if villages_all else 1) * copies
    bar = progress(planned > 50)
    with bar:
        task = bar.add_task(_("{layout} PDF").format(layout=layout), total=None)
        result = print_run(deployment, request,
                           progress=lambda done, total: bar.update(task, completed=done, total=total))
    click.echo(_("{out}: {cards} on {pages}").format(
        out=out, cards=_cards(layout, result.cards),
        pages=ngettext("{n} page", "{n} pages", result.pages).format(n=show_number(result.pages))))
    _echo_draft_and_previews(result.draft, result.png)


def _cards(layout: str, count: int) -> str:
    """How many cards, wallet cards or leaflets a print run made (the layouts that are not masters)."""
    if layout == "wallet":
        text = ngettext("{n} wallet card", "{n} wallet cards", count)
    elif layout == "leaflet":
        text = ngettext("{n} leaflet", "{n} leaflets", count)
    else:
        text = ngettext("{n} card", "{n} cards", count)
    return text.format(n=show_number(count))


def _echo_draft_and_previews(draft: bool, pngs: list[Path]) -> None:
    if draft:
        click.echo("  " + _("DRAFT: contains unapproved text, marked on every page; for proofreading only"), err=True)
    for png in pngs:
        click.echo("  " + _("preview {file}").format(file=png), err=True)


def _master(deployment: Deployment, request: PrintRequest, size: str, slogan: int, lang: str) -> None:
    from outreach.print.products import ProductOptions, print_product

    result = print_product(deployment, request, ProductOptions(size=size, slogan=slogan, lang=lang))
    click.echo(ngettext("{path}: {layout} master, {pages} page, {copies} to print",
                        "{path}: {layout} master, {pages} pages, {copies} to print", result.pages).format(
        path=result.path, layout=result.layout, pages=show_number(result.pages), copies=show_number(result.copies)))
    for extra in result.files[1:]:
        click.echo("  " + _("also {file}").format(file=extra))
    if result.layout == "booklet":
        click.echo("  " + _("print duplex, flipping on the short edge; fold the stack and staple on the fold"),
                   err=True)
    _echo_draft_and_previews(result.draft, result.png)


COMMANDS = [cards]
