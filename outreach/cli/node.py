"""The node family, village side: `node --config FILE` runs a node, `node import DIR` takes a bundle from a folder.

These commands import nothing of rendering, speech or print: a node only plays what the county signed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from outreach.cli.common import Decorator
from outreach.i18n import _, ngettext, show_moment


def config_option(func: Decorator) -> Decorator:
    return click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
                        envvar="OUTREACH_NODE_CONFIG", default=None, metavar="FILE",
                        help=_("The node's config file (written by `outreach fleet add-node`)."))(func)


@click.group(invoke_without_command=True,
             help=_("Run a village node: hold the county's bundle, play it on time, report back (SIGTERM stops)."))
@config_option
@click.option("--exit-after", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help=_("Stop after this many seconds (for demos and tests)."))
@click.pass_context
def node(ctx: click.Context, config: Path | None, exit_after: float | None) -> None:
    ctx.obj = config
    if ctx.invoked_subcommand is not None:
        return
    if config is None:
        raise click.UsageError(_("give the node's config file: --config FILE"))
    from outreach.daemon import configure_logging
    from outreach.node.config import load_node_config
    from outreach.node.service import Node

    settings, state = load_node_config(config)
    node_runner = Node(settings, state)
    configure_logging(node_runner.disk.zone)
    ctx.exit(node_runner.run(exit_after))


@node.command("import", help=_("Take a bundle exported with `outreach fleet export` (the same checks as over the "
                                "network)."))
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@config_option
@click.pass_context
def import_bundle(ctx: click.Context, folder: Path, config: Path | None) -> None:
    from outreach.errors import OutreachError
    from outreach.node.config import load_node_config
    from outreach.node.fetch import FolderSource
    from outreach.node.holdings import BUNDLE_FILE
    from outreach.node.service import NodeState

    config = config or ctx.obj
    if config is None:
        raise click.UsageError(_("give the node's config file: --config FILE"))
    settings, state = load_node_config(config)
    if not (folder / BUNDLE_FILE).is_file():
        raise OutreachError(_("{folder} holds no {file}: is it a folder written by `outreach fleet export`?").format(
            folder=folder, file=BUNDLE_FILE))
    disk = NodeState(settings, state)
    taken = disk.take((folder / BUNDLE_FILE).read_bytes(), FolderSource(folder), dt.datetime.now(disk.zone))
    if taken is None:
        click.echo(_("{folder}: this bundle is already held").format(folder=folder))
        return
    m = taken.manifest
    plays = ngettext("{added} new, {changed} changed, {cancelled} cancelled play",
                     "{added} new, {changed} changed, {cancelled} cancelled plays", taken.cancelled).format(
        added=taken.added, changed=taken.changed, cancelled=taken.cancelled)
    click.echo(_("took bundle {sequence} until {until}: {plays}; {bytes} copied").format(
        sequence=m.sequence, until=show_moment(m.until), plays=plays,
        bytes=ngettext("{n} byte", "{n} bytes", taken.downloaded).format(n=taken.downloaded)))


COMMANDS = [node]
