"""The ledger family: `ledger` (print runs, stock, deliveries), `deliver`, `event`, `reverse`.

Nothing is ever deleted: a mistake is answered with `reverse`, or with a new
entry that names the one it corrects (`--corrects ID`).
"""

from __future__ import annotations

import getpass
import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.cli.common import (
    cell,
    console,
    json_option,
    open_deployment,
    parse_date,
    print_json,
    root_option,
    vocabulary,
)

if TYPE_CHECKING:
    from rich.table import Table

    from outreach.ledger import Delivery, Run, StockLine

BY_HELP = "Who records this (default: the login name)."


def _month(value: str | None) -> str | None:
    if value and not re.fullmatch(r"\d{4}-\d{2}", value):
        raise click.BadParameter("--month is YYYY-MM")
    return value


def _runs_tables(runs: list[Run], totals: dict[str, dict[str, int]], month: str | None) -> list[Table]:
    from rich.table import Table

    table = Table("#", "when", "layout", "scripts", "villages", "pieces", "by", box=None)
    for r in runs:
        table.add_row(str(r.id) + (" reversed" if r.reversed else ""), r.printed_at[:16],
                      r.layout + (" DRAFT" if r.draft else ""), cell(", ".join(r.scripts)),
                      cell(", ".join(r.villages)), str(r.cards), r.printed_by)
    layouts = sorted({layout for by_layout in totals.values() for layout in by_layout})
    summary = Table("village", *layouts, "total", box=None, title=f"printed {month or 'in all'}")
    for village, by_layout in totals.items():
        summary.add_row(village or "-", *(str(by_layout.get(k, 0)) for k in layouts), str(sum(by_layout.values())))
    return [table, summary]


def _stock_table(lines: list[StockLine]) -> Table:
    from rich.table import Table

    table = Table("item", "printed", "delivered", "handed out", "in stock", box=None, title="stock")
    for s in lines:
        table.add_row(cell(f"{s.kind}:{s.script}"), str(s.printed), str(s.delivered), str(s.handed_out),
                      str(s.in_stock))
    return table


def _deliveries_table(sent: list[Delivery], month: str | None) -> Table:
    from rich.table import Table

    table = Table("#", "date", "item", "qty", "to", "event", "by", "note", box=None,
                  title=f"deliveries {month or 'in all'}")
    for d in sent:
        table.add_row(str(d.id) + (" reversed" if d.reversed else ""), d.delivered_on, cell(d.item), str(d.quantity),
                      f"{d.recipient_type}:{d.recipient}", str(d.event_id or ""), d.recorded_by, cell(d.note))
    return table


def _handout(value: str) -> tuple[str, int]:
    item, sep, count = value.rpartition("=")
    if not sep or not item or not count.isdigit() or int(count) < 1:
        raise click.BadParameter(f"'{value}' is not ITEM=QUANTITY (e.g. card:fake-loan=200)", param_hint="--handout")
    return item, int(count)


@click.command()
@click.option("--month", metavar="YYYY-MM", help="Only this month.")
@click.option("--stock", is_flag=True, help="What is left of each item: printed minus delivered and handed out.")
@click.option("--deliveries", is_flag=True, help="Deliveries and event hand-outs, reversed ones marked.")
@root_option
@json_option
def ledger(month: str | None, stock: bool, deliveries: bool, root: str | None, as_json: bool) -> None:
    """Print runs and cards printed per village; with --stock or --deliveries, where the material went."""
    from outreach.ledger import PrintLedger
    from outreach.ledger import deliveries as read_deliveries
    from outreach.ledger import stock as read_stock

    month = _month(month)
    path = open_deployment(root).ledger_path
    if stock or deliveries:
        lines = read_stock(path) if stock else []
        sent = read_deliveries(path, month, with_handouts=True) if deliveries else []
        if as_json:
            print_json({**({"stock": [s.as_dict() for s in lines]} if stock else {}),
                        **({"deliveries": [d.as_dict() for d in sent]} if deliveries else {})})
            return
        out = console()
        for table in ([_stock_table(lines)] if stock else []) + ([_deliveries_table(sent, month)] if deliveries else []):
            out.print(table)
        return
    book = PrintLedger(path)
    runs, totals = book.runs(month), book.per_village(month)
    if as_json:
        print_json({"runs": [r.__dict__ for r in runs], "per_village": totals})
        return
    out = console()
    for table in _runs_tables(runs, totals, month):
        out.print(table)


@click.command()
@click.argument("item")
@click.argument("quantity", type=click.IntRange(1, 10_000_000))
@click.option("--to", "recipient", required=True, metavar="PLACE",
              help="A village, school, community, workplace or market of the profile (ID or TYPE:ID).")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="When it was delivered (default: today).")
@click.option("--by", default=None, help=BY_HELP)
@click.option("--note", default="", help="Anything worth keeping (who received it...).")
@click.option("--force", is_flag=True, help="Record it even if the ledger shows less in stock.")
@click.option("--corrects", type=int, metavar="ID", help="This entry replaces delivery ID (which is reversed).")
@root_option
@json_option
def deliver(item: str, quantity: int, recipient: str, day: str | None, by: str | None, note: str, force: bool,
            corrects: int | None, root: str | None, as_json: bool) -> None:
    """Record material delivered: ITEM is card:SCRIPT, booklet, run:N ... (see `ledger --stock`)."""
    from outreach.ledger import DeliveryRequest, stock
    from outreach.ledger import deliver as record

    deployment = open_deployment(root)
    request = DeliveryRequest(item=item, quantity=quantity, recipient=recipient,
                              on=parse_date(day, deployment.today()), by=by or getpass.getuser(), note=note,
                              force=force, corrects=corrects)
    delivery_id = record(deployment, request)
    left = {s.as_dict()["item"]: s.in_stock for s in stock(deployment.ledger_path)}
    if as_json:
        print_json({"delivery": delivery_id, "stock": left})
        return
    click.echo(f"delivery {delivery_id}: {quantity} x {item} to {recipient} on {request.on}"
               + (f" (corrects delivery {corrects})" if corrects else ""))


@click.group()
def event() -> None:
    """Outreach events: market-day stands, school lectures (法制进校园), community talks, loudspeaker tours."""


@event.command("add")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="When it was held (default: today).")
@click.option("--place", required=True, metavar="PLACE", help="Village, school, community, workplace or market (ID).")
@click.option("--kind", type=vocabulary("outreach.ledger.entries:EventKind"), required=True)
@click.option("--officer", "officers", multiple=True, required=True, help="An officer who ran it (repeat).")
@click.option("--reached", type=click.IntRange(0), required=True, help="People reached.")
@click.option("--consultations", type=click.IntRange(0), default=0, show_default=True,
              help="People who asked for advice.")
@click.option("--handout", "handouts", multiple=True, metavar="ITEM=N",
              help="Material handed out, drawn from stock (repeat): card:fake-loan=200.")
@click.option("--note", default="", help="Notes.")
@click.option("--photo", "photos", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A photo of the event (repeat).")
@click.option("--by", default=None, help=BY_HELP)
@click.option("--force", is_flag=True, help="Record hand-outs even if the ledger shows less in stock.")
@click.option("--corrects", type=int, metavar="ID", help="This entry replaces event ID (which is reversed).")
@root_option
def event_add(day: str | None, place: str, kind: str, officers: tuple[str, ...], reached: int, consultations: int,
              handouts: tuple[str, ...], note: str, photos: tuple[Path, ...], by: str | None, force: bool,
              corrects: int | None, root: str | None) -> None:
    """Record an outreach event and the material handed out there."""
    from outreach.ledger import EventRequest, Handout, add_event

    deployment = open_deployment(root)
    request = EventRequest(
        held_on=parse_date(day, deployment.today()), place=place, kind=kind, officers=officers, reached=reached,
        consultations=consultations, handouts=tuple(Handout(*_handout(h)) for h in handouts), notes=note,
        photos=photos, by=by or getpass.getuser(), force=force, corrects=corrects)
    event_id = add_event(deployment, request)
    given = sum(h.quantity for h in request.handouts)
    click.echo(f"event {event_id}: {kind} at {place} on {request.held_on}, {reached} reached, "
               f"{consultations} consultations, {given} handed out")


@event.command("list")
@click.option("--month", metavar="YYYY-MM", help="Only this month.")
@root_option
@json_option
def event_list(month: str | None, root: str | None, as_json: bool) -> None:
    """Events as recorded, reversed ones marked."""
    from rich.table import Table

    from outreach.ledger import events

    found = events(open_deployment(root).ledger_path, _month(month))
    if as_json:
        print_json([e.as_dict() for e in found])
        return
    table = Table("#", "date", "kind", "place", "officers", "reached", "consult.", "handed out", box=None,
                  title=f"events {month or 'in all'}")
    for e in found:
        given = ", ".join(f"{h['item']} {h['quantity']}" + (" reversed" if h["reversed"] else "") for h in e.handouts)
        table.add_row(str(e.id) + (" reversed" if e.reversed else ""), e.held_on, e.kind, f"{e.place_type}:{e.place}",
                      cell(", ".join(e.officers)), str(e.reached), str(e.consultations), cell(given))
    console().print(table)


@click.command()
@click.argument("entry", type=click.Choice(["run", "delivery", "event"]))
@click.argument("entry_id", type=int)
@click.option("--reason", required=True, help="Why (kept in the ledger for good).")
@click.option("--by", default=None, help=BY_HELP)
@click.option("--force", is_flag=True, help="Reverse a print run even though its pieces went out.")
@root_option
def reverse(entry: str, entry_id: int, reason: str, by: str | None, force: bool, root: str | None) -> None:
    """Take back a print run, delivery or event: a new entry that cancels it (nothing is deleted)."""
    from outreach.ledger import reverse as record_reversal

    reversal = record_reversal(open_deployment(root), entry, entry_id, reason, by or getpass.getuser(), force)
    click.echo(f"reversal {reversal}: {entry} {entry_id} no longer counts ({reason})")


COMMANDS = [ledger, deliver, event, reverse]
