"""The fleet family, county side: `fleet add-node`, `fleet serve`, `fleet status`, `fleet export`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.cli.common import cell, console, json_option, open_deployment, print_json, root_option
from outreach.i18n import N_, _, ngettext, pgettext, show_moment

if TYPE_CHECKING:
    from outreach.fleet.status import FleetStatus

WORDS = {
    "online": N_("online"), "offline": N_("offline"), "never seen": N_("never seen"),
    "behind": N_("behind"), "clock": N_("clock"), "runs-out": N_("runs-out"), "refused": N_("refused"),
    "not provisioned": N_("not provisioned"),
}
"""Node states and flags as ``fleet status`` shows them (``--json`` keeps the English values)."""


def word(value: str) -> str:
    if value == "silent":
        return pgettext("node flag", "silent")  # a node not heard from; a silent recording is another word
    return _(WORDS[value]) if value in WORDS else value


def when(text: str | None) -> str:
    """An ISO time from the fleet database, as a person reads it (to the minute, in its own zone)."""
    if not text:
        return _("never")
    try:
        return show_moment(dt.datetime.fromisoformat(text))
    except ValueError:
        return text


@click.group(help=_("Village nodes: provision them, serve them signed bundles, see how they are doing."))
def fleet() -> None:
    pass


@fleet.command("add-node", help=_("Credentials, the broker account and ACL, and the config file of the node the "
                                  "profile names."))
@click.argument("node_id", metavar="ID")
@click.option("--renew", is_flag=True, help=_("Issue new credentials for a node already provisioned."))
@root_option
def add_node(node_id: str, renew: bool, root: str | None) -> None:
    from outreach.fleet.provision import add_node as provision

    deployment = open_deployment(root)
    done = provision(deployment, node_id, deployment.now(), renew)
    if done.new_key:
        click.echo(_("created the county's signing key (it never leaves this machine)"))
    click.echo(_("node {node} (village {village}): config {config} (copy it to the node, mode 600)").format(
        node=done.node, village=done.village, config=done.config))
    click.echo(_("broker accounts and ACLs: {path}; restart Mosquitto to apply them "
                 "(its dynamic-security plugin reads the file at start; docs/fleet.md)").format(
        path=done.broker_security))


@fleet.command(help=_("Plan, render and sign bundles for every node; publish the changed ones; keep node reports "
                      "(SIGHUP re-plans)."))
@click.option("--exit-after", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help=_("Stop after this many seconds (for demos and tests)."))
@root_option
def serve(exit_after: float | None, root: str | None) -> None:
    from outreach.daemon import configure_logging
    from outreach.fleet.serve import FleetService

    deployment = open_deployment(root)
    configure_logging(deployment.zone)
    click.get_current_context().exit(FleetService(deployment).run(exit_after))


@fleet.command(help=_("Per node: last seen, bundle held vs latest, next play, the last 24 h on air, clock, disk; "
                      "flags."))
@root_option
@json_option
def status(root: str | None, as_json: bool) -> None:
    from outreach.fleet.status import fleet_status

    summary = fleet_status(open_deployment(root))
    if as_json:
        print_json(summary.as_json())
    else:
        _print_status(summary)


def _serve_line(summary: FleetStatus) -> str:
    serve = summary.serve
    if serve.running and serve.heartbeat:
        return _("fleet serve: running, pid {pid}; last heartbeat {moment}").format(pid=serve.pid,
                                                                                  moment=when(serve.heartbeat))
    if serve.running:
        return _("fleet serve: running, pid {pid}").format(pid=serve.pid)
    if serve.heartbeat:
        return _("fleet serve: not running; last heartbeat {moment}").format(moment=when(serve.heartbeat))
    return _("fleet serve: not running")


def _print_status(summary: FleetStatus) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console()
    out.print(Text(_serve_line(summary)))
    table = Table(_("node"), _("village"), _("state"), _("last seen"), _("bundle held/latest"), _("next play"),
                  _("24 h ok/missed/failed"), _("clock"), _("disk free"), box=None)
    for n in summary.nodes:
        day = n.last_day
        table.add_row(Text(n.node, style="red" if n.flags else "green"), n.village, word(n.state),
                      when(n.last_seen), f"{n.held or '-'}/{n.latest or '-'}",
                      when(n.next_play) if n.next_play else "-",
                      f"{day['played']}/{day['missed']}/{day['failed']}",
                      "-" if n.clock_offset_s is None else _("{seconds:+.1f} s").format(seconds=n.clock_offset_s),
                      "-" if n.disk_free_bytes is None else _("{size:.1f} GiB").format(
                          size=n.disk_free_bytes / 2**30))
    out.print(table)
    for n in summary.nodes:
        if n.flags:
            out.print(Text(f"{n.node}: {', '.join(word(f) for f in n.flags)}", style="red"))
        for warning in n.warnings:
            out.print(Text(f"  {n.node}: ", style="yellow") + cell(warning))
        if n.last_refusal and "refused" in n.flags:
            out.print(Text("  " + _("{node}: refused bundle {sequence}: ").format(
                node=n.node, sequence=n.last_refusal["sequence"]), style="red") + cell(n.last_refusal["reason"]))


@fleet.command(help=_("Write a node's signed bundle and its files to FOLDER (a USB stick) for "
                      "`outreach node import`."))
@click.option("--node", "node_id", required=True, metavar="ID", help=_("The node whose bundle to write."))
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@root_option
def export(node_id: str, folder: Path, root: str | None) -> None:
    from outreach.fleet.export import export_bundle

    deployment = open_deployment(root)
    done = export_bundle(deployment, node_id, folder, deployment.now())
    click.echo(_("{folder}: bundle {sequence} for {node}: {plays} until {until}, {files}, {bytes}").format(
        folder=folder, sequence=done.sequence, node=done.node, until=show_moment(done.until),
        plays=ngettext("{n} play", "{n} plays", done.plays).format(n=done.plays),
        files=ngettext("{n} file", "{n} files", done.files).format(n=done.files),
        bytes=ngettext("{n} byte", "{n} bytes", done.bytes).format(n=done.bytes)))


COMMANDS = [fleet]
