"""The fleet family, county side: `fleet add-node`, `fleet serve`, `fleet status`, `fleet export`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.cli.common import cell, console, json_option, open_deployment, print_json, root_option

if TYPE_CHECKING:
    from outreach.fleet.status import FleetStatus


@click.group()
def fleet() -> None:
    """Village nodes: provision them, serve them signed bundles, see how they are doing."""


@fleet.command("add-node")
@click.argument("node_id", metavar="ID")
@click.option("--renew", is_flag=True, help="Issue new credentials for a node already provisioned.")
@root_option
def add_node(node_id: str, renew: bool, root: str | None) -> None:
    """Credentials, the broker account and ACL, and the config file of the node the profile names."""
    from outreach.fleet.provision import add_node as provision

    deployment = open_deployment(root)
    done = provision(deployment, node_id, deployment.now(), renew)
    if done.new_key:
        click.echo("created the county's signing key (it never leaves this machine)")
    click.echo(f"node {done.node} (village {done.village}): config {done.config} (copy it to the node, mode 600)")
    click.echo(f"broker accounts and ACLs: {done.broker_security}; restart Mosquitto to apply them "
               "(its dynamic-security plugin reads the file at start; docs/fleet.md)")


@fleet.command()
@click.option("--exit-after", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="Stop after this many seconds (for demos and tests).")
@root_option
def serve(exit_after: float | None, root: str | None) -> None:
    """Plan, render and sign bundles for every node; publish the changed ones; keep node reports (SIGHUP re-plans)."""
    from outreach.daemon import configure_logging
    from outreach.fleet.serve import FleetService

    deployment = open_deployment(root)
    configure_logging(deployment.zone)
    click.get_current_context().exit(FleetService(deployment).run(exit_after))


@fleet.command()
@root_option
@json_option
def status(root: str | None, as_json: bool) -> None:
    """Per node: last seen, bundle held vs latest, next play, the last 24 h on air, clock, disk; flags."""
    from outreach.fleet.status import fleet_status

    summary = fleet_status(open_deployment(root))
    if as_json:
        print_json(summary.as_json())
    else:
        _print_status(summary)


def _print_status(summary: FleetStatus) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console()
    serve = summary.serve
    out.print(Text(f"fleet serve: {'running, pid ' + str(serve.pid) if serve.running else 'not running'}"
                   + (f"; last heartbeat {serve.heartbeat}" if serve.heartbeat else "")))
    table = Table("node", "village", "state", "last seen", "bundle held/latest", "next play", "24 h ok/missed/failed",
                  "clock", "disk free", box=None)
    for n in summary.nodes:
        day = n.last_day
        table.add_row(Text(n.node, style="red" if n.flags else "green"), n.village, n.state,
                      (n.last_seen or "never")[:19], f"{n.held or '-'}/{n.latest or '-'}", (n.next_play or "-")[:19],
                      f"{day['played']}/{day['missed']}/{day['failed']}",
                      "-" if n.clock_offset_s is None else f"{n.clock_offset_s:+.1f} s",
                      "-" if n.disk_free_bytes is None else f"{n.disk_free_bytes / 2**30:.1f} GiB")
    out.print(table)
    for n in summary.nodes:
        if n.flags:
            out.print(Text(f"{n.node}: {', '.join(n.flags)}", style="red"))
        for warning in n.warnings:
            out.print(Text(f"  {n.node}: ", style="yellow") + cell(warning))
        if n.last_refusal and "refused" in n.flags:
            out.print(Text(f"  {n.node}: refused bundle {n.last_refusal['sequence']}: ", style="red")
                      + cell(n.last_refusal["reason"]))


@fleet.command()
@click.option("--node", "node_id", required=True, metavar="ID")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@root_option
def export(node_id: str, folder: Path, root: str | None) -> None:
    """Write a node's signed bundle and its files to FOLDER (a USB stick) for `outreach node import`."""
    from outreach.fleet.export import export_bundle

    deployment = open_deployment(root)
    done = export_bundle(deployment, node_id, folder, deployment.now())
    click.echo(f"{folder}: bundle {done.sequence} for {done.node}: {done.plays} play(s) until "
               f"{done.until:%Y-%m-%d %H:%M}, {done.files} file(s), {done.bytes} bytes")


COMMANDS = [fleet]
