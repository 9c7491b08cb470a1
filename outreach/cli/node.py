"""The node family, village side: `node --config FILE` runs a node, `node import DIR` takes a bundle from a folder.

These commands import nothing of rendering, speech or print: a node only plays what the county signed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from outreach.cli.common import Decorator


def config_option(func: Decorator) -> Decorator:
    return click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
                        envvar="OUTREACH_NODE_CONFIG", default=None, metavar="FILE",
                        help="The node's config file (written by `outreach fleet add-node`).")(func)


@click.group(invoke_without_command=True)
@config_option
@click.option("--exit-after", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="Stop after this many seconds (for demos and tests).")
@click.pass_context
def node(ctx: click.Context, config: Path | None, exit_after: float | None) -> None:
    """Run a village node: hold the county's bundle, play it on time, report back (SIGTERM stops)."""
    ctx.obj = config
    if ctx.invoked_subcommand is not None:
        return
    if config is None:
        raise click.UsageError("give the node's config file: --config FILE")
    from outreach.daemon import configure_logging
    from outreach.node.config import load_node_config
    from outreach.node.service import Node

    settings, state = load_node_config(config)
    node_runner = Node(settings, state)
    configure_logging(node_runner.disk.zone)
    ctx.exit(node_runner.run(exit_after))


@node.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@config_option
@click.pass_context
def import_bundle(ctx: click.Context, folder: Path, config: Path | None) -> None:
    """Take a bundle exported with `outreach fleet export` (the same checks as over the network)."""
    from outreach.errors import OutreachError
    from outreach.node.config import load_node_config
    from outreach.node.fetch import FolderSource
    from outreach.node.holdings import BUNDLE_FILE
    from outreach.node.service import NodeState

    config = config or ctx.obj
    if config is None:
        raise click.UsageError("give the node's config file: --config FILE")
    settings, state = load_node_config(config)
    if not (folder / BUNDLE_FILE).is_file():
        raise OutreachError(f"{folder} holds no {BUNDLE_FILE}: is it a folder written by `outreach fleet export`?")
    disk = NodeState(settings, state)
    taken = disk.take((folder / BUNDLE_FILE).read_bytes(), FolderSource(folder), dt.datetime.now(disk.zone))
    if taken is None:
        click.echo(f"{folder}: this bundle is already held")
        return
    m = taken.manifest
    click.echo(f"took bundle {m.sequence} until {m.until:%Y-%m-%d %H:%M}: {taken.added} new, {taken.changed} "
               f"changed, {taken.cancelled} cancelled play(s); {taken.downloaded} bytes copied")


COMMANDS = [node]
