"""The report family: `report`, the monthly summary for the team's superiors."""

from __future__ import annotations

from pathlib import Path

import click

from outreach.cli.common import open_deployment, root_option, vocabulary
from outreach.errors import OutreachError
from outreach.i18n import _, show_number


@click.command(help=_("The monthly report, the month and the year to date: broadcasts (by the county or a village "
                      "node), missed and failed; print runs, deliveries and events from the ledger."))
@click.option("--month", required=True, metavar="YYYY-MM", help=_("The month to report."))
@click.option("--format", "fmt", type=vocabulary("outreach.report:ReportFormat"), default=None,
              help=_("Default: from the file name's extension."))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help=_("The file to write: .pdf, .html or .csv."))
@root_option
def report(month: str, fmt: str | None, out: Path, root: str | None) -> None:
    from outreach.report import ReportFormat, write_report

    try:
        chosen = ReportFormat.choose(fmt, out)
    except OutreachError as exc:
        raise click.BadParameter(str(exc)) from None
    from outreach.media import user_output

    deployment = open_deployment(root)
    summary = write_report(deployment, month, chosen, user_output(deployment, out))
    t = summary.totals
    click.echo(_("{out}: {played} played, {missed} missed, {failed} failed, {printed} printed").format(
        out=out, played=show_number(t["played"]), missed=show_number(t["missed"]), failed=show_number(t["failed"]),
        printed=show_number(t["cards"])))


COMMANDS = [report]
