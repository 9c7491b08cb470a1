"""The ledger family: `ledger` (print runs, stock, deliveries), `deliver`, `event`, `reverse`.

Nothing is ever deleted: a mistake is answered with `reverse`, or with a new
entry that names the one it corrects (`--corrects ID`).
"""

from __future__ import annotations

import datetime as dt
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
from outreach.i18n import N_, _, pgettext, show_date, show_moment, show_number

if TYPE_CHECKING:
    from rich.table import Table

    from outreach.ledger import Delivery, Run, StockLine

BY_HELP = N_("Who records this (default: the login name).")
REVERSED = {
    "run": N_("reversal {reversal}: run {id} no longer counts ({reason})"),
    "delivery": N_("reversal {reversal}: delivery {id} no longer counts ({reason})"),
    "event": N_("reversal {reversal}: event {id} no longer counts ({reason})"),
}


def _month(value: str | None) -> str | None:
    if value and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise click.BadParameter(_("--month is YYYY-MM"))
    return value


def _marked(text: str, reversed_: bool) -> str:
    """An id or hand-out, marked when a later entry took it back."""
    return _("{entry} reversed").format(entry=text) if reversed_ else text


def _moment(stamp: str) -> str:
    """When a run was printed (a stored ISO stamp), as staff read it; an odd stamp is shown as it is."""
    try:
        return show_moment(dt.datetime.fromisoformat(stamp))
    except ValueError:
        return stamp[:16]


def _day(iso: str) -> str:
    try:
        return show_date(dt.date.fromisoformat(iso))
    except ValueError:
        return iso


def _runs_tables(runs: list[Run], totals: dict[str, dict[str, int]], month: str | None) -> list[Table]:
    from rich.table import Table

    table = Table("#", _("when"), _("layout"), _("scripts"), _("villages"), _("pieces"), _("by"), box=None)
    for r in runs:
        table.add_row(_marked(str(r.id), r.reversed), _moment(r.printed_at),
                      r.layout + (" " + _("DRAFT") if r.draft else ""), cell(", ".join(r.scripts)),
                      cell(", ".join(r.villages)), show_number(r.cards), r.printed_by)
    layouts = sorted({layout for by_layout in totals.values() for layout in by_layout})
    title = _("printed {month}").format(month=month) if month else _("printed in all")
    summary = Table(_("village"), *layouts, _("total"), box=None, title=title)  # i18n: layouts are ids, as typed
    for village, by_layout in totals.items():
        summary.add_row(village or "-", *(show_number(by_layout.get(k, 0)) for k in layouts),
                        show_number(sum(by_layout.values())))
    return [table, summary]


def _stock_table(lines: list[StockLine]) -> Table:
    from rich.table import Table

    table = Table(_("item"), _("printed"), _("delivered"), _("handed out"), _("in stock"), box=None,
                  title=_("stock"))
    for s in lines:
        table.add_row(cell(f"{s.kind}:{s.script}"), show_number(s.printed), show_number(s.delivered),
                      show_number(s.handed_out), show_number(s.in_stock))
    return table


def _deliveries_table(sent: list[Delivery], month: str | None) -> Table:
    from rich.table import Table

    title = _("deliveries {month}").format(month=month) if month else _("deliveries in all")
    table = Table("#", _("date"), _("item"), _("qty"), _("to"), pgettext("outreach event", "event"), _("by"), _("note"), box=None, title=title)
    for d in sent:
        table.add_row(_marked(str(d.id), d.reversed), _day(d.delivered_on), cell(d.item), show_number(d.quantity),
                      f"{d.recipient_type}:{d.recipient}", str(d.event_id or ""), d.recorded_by, cell(d.note))
    return table


def _handout(value: str) -> tuple[str, int]:
    item, sep, count = value.rpartition("=")
    if not sep or not item or not count.isdigit() or int(count) < 1:
        raise click.BadParameter(_("'{value}' is not ITEM=QUANTITY (e.g. card:fake-loan=200)").format(value=value),
                                 param_hint="--handout")
    return item, int(count)


@click.command(help=_("Print runs and cards printed per village; with --stock or --deliveries, where the material "
                      "went."))
@click.option("--month", metavar="YYYY-MM", help=_("Only this month."))
@click.option("--stock", is_flag=True, help=_("What is left of each item: printed minus delivered and handed out."))
@click.option("--deliveries", is_flag=True, help=_("Deliveries and event hand-outs, reversed ones marked."))
@root_option
@json_option
def ledger(month: str | None, stock: bool, deliveries: bool, root: str | None, as_json: bool) -> None:
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


@click.command(help=_("Record material delivered: ITEM is card:SCRIPT, booklet, run:N ... (see `ledger --stock`)."))
@click.argument("item")
@click.argument("quantity", type=click.IntRange(1, 10_000_000))
@click.option("--to", "recipient", required=True, metavar="PLACE",
              help=_("A village, school, community, workplace or market of the profile (ID or TYPE:ID)."))
@click.option("--date", "day", metavar="YYYY-MM-DD", help=_("When it was delivered (default: today)."))
@click.option("--by", default=None, help=_(BY_HELP))
@click.option("--note", default="", help=_("Anything worth keeping (who received it...)."))
@click.option("--force", is_flag=True, help=_("Record it even if the ledger shows less in stock."))
@click.option("--corrects", type=int, metavar="ID", help=_("This entry replaces delivery ID (which is reversed)."))
@root_option
@json_option
def deliver(item: str, quantity: int, recipient: str, day: str | None, by: str | None, note: str, force: bool,
            corrects: int | None, root: str | None, as_json: bool) -> None:
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
    fields = dict(id=delivery_id, quantity=show_number(quantity), item=item, recipient=recipient,
                  date=show_date(request.on), corrects=corrects)
    if corrects:
        click.echo(_("delivery {id}: {quantity} x {item} to {recipient} on {date} (corrects delivery {corrects})")
                   .format(**fields))
    else:
        click.echo(_("delivery {id}: {quantity} x {item} to {recipient} on {date}").format(**fields))


@click.group(help=_("Outreach events: market-day stands, school lectures (法制进校园), community talks, loudspeaker "
                    "tours."))
def event() -> None:
    pass


@event.command("add", help=_("Record an outreach event and the material handed out there."))
@click.option("--date", "day", metavar="YYYY-MM-DD", help=_("When it was held (default: today)."))
@click.option("--place", required=True, metavar="PLACE",
              help=_("Village, school, community, workplace or market (ID)."))
@click.option("--kind", type=vocabulary("outreach.ledger.entries:EventKind"), required=True,
              help=_("What sort of event it was."))
@click.option("--officer", "officers", multiple=True, required=True, help=_("An officer who ran it (repeat)."))
@click.option("--reached", type=click.IntRange(0), required=True, help=_("People reached."))
@click.option("--consultations", type=click.IntRange(0), default=0, show_default=True,
              help=_("People who asked for advice."))
@click.option("--handout", "handouts", multiple=True, metavar="ITEM=N",
              help=_("Material handed out, drawn from stock (repeat): card:fake-loan=200."))
@click.option("--note", default="", help=_("Notes."))
@click.option("--photo", "photos", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help=_("A photo of the event (repeat)."))
@click.option("--by", default=None, help=_(BY_HELP))
@click.option("--force", is_flag=True, help=_("Record hand-outs even if the ledger shows less in stock."))
@click.option("--corrects", type=int, metavar="ID", help=_("This entry replaces event ID (which is reversed)."))
@root_option
def event_add(day: str | None, place: str, kind: str, officers: tuple[str, ...], reached: int, consultations: int,
              handouts: tuple[str, ...], note: str, photos: tuple[Path, ...], by: str | None, force: bool,
              corrects: int | None, root: str | None) -> None:
    from outreach.ledger import EventRequest, Handout, add_event

    deployment = open_deployment(root)
    request = EventRequest(
        held_on=parse_date(day, deployment.today()), place=place, kind=kind, officers=officers, reached=reached,
        consultations=consultations, handouts=tuple(Handout(*_handout(h)) for h in handouts), notes=note,
        photos=photos, by=by or getpass.getuser(), force=force, corrects=corrects)
    event_id = add_event(deployment, request)
    given = sum(h.quantity for h in request.handouts)
    click.echo(_("event {id}: {kind} at {place} on {date}, {reached} reached, {consultations} consultations, "
                 "{given} handed out").format(id=event_id, kind=kind, place=place, date=show_date(request.held_on),
                                              reached=show_number(reached), consultations=show_number(consultations),
                                              given=show_number(given)))


@event.command("list", help=_("Events as recorded, reversed ones marked."))
@click.option("--month", metavar="YYYY-MM", help=_("Only this month."))
@root_option
@json_option
def event_list(month: str | None, root: str | None, as_json: bool) -> None:
    from rich.table import Table

    from outreach.ledger import events

    found = events(open_deployment(root).ledger_path, _month(month))
    if as_json:
        print_json([e.as_dict() for e in found])
        return
    title = _("events {month}").format(month=month) if month else _("events in all")
    table = Table("#", _("date"), _("kind"), _("place"), _("officers"), _("reached"), _("consult."), _("handed out"),
                  box=None, title=title)
    for e in found:
        given = ", ".join(_marked(f"{h['item']} {show_number(h['quantity'])}", h["reversed"]) for h in e.handouts)
        table.add_row(_marked(str(e.id), e.reversed), _day(e.held_on), e.kind, f"{e.place_type}:{e.place}",
                      cell(", ".join(e.officers)), show_number(e.reached), show_number(e.consultations), cell(given))
    console().print(table)


@click.command(help=_("Take back a print run, delivery or event: a new entry that cancels it (nothing is deleted)."))
@click.argument("entry", type=click.Choice(["run", "delivery", "event"]))
@click.argument("entry_id", type=int)
@click.option("--reason", required=True, help=_("Why (kept in the ledger for good)."))
@click.option("--by", default=None, help=_(BY_HELP))
@click.option("--force", is_flag=True, help=_("Reverse a print run even though its pieces went out."))
@root_option
def reverse(entry: str, entry_id: int, reason: str, by: str | None, force: bool, root: str | None) -> None:
    from outreach.ledger import reverse as record_reversal

    reversal = record_reversal(open_deployment(root), entry, entry_id, reason, by or getpass.getuser(), force)
    click.echo(_(REVERSED[entry]).format(reversal=reversal, id=entry_id, reason=reason))


COMMANDS = [ledger, deliver, event, reverse]
