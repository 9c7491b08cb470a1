"""The outreach ledger: print runs, deliveries and events in one append-only SQLite file (``var/ledger.sqlite``).

- ``store``: the file, its schema, the triggers that make it append-only
- ``prints``: print runs (written by every print run, read by ``outreach ledger`` and the report)
- ``places``: recipients and event places from the profile (villages, schools, communities, workplaces, markets)
- ``items``: items of stock (``card:fake-loan``, ``run:12``) and what is left of each
- ``entries``: recording deliveries and events, reversing and correcting entries
- ``queries``: reading entries back; ``totals``: month-by-month figures for the report upwards

Nothing here imports the print, speech or daemon code: the console and the CLI both call these functions.
"""

from __future__ import annotations

from outreach.ledger.entries import DeliveryRequest, EventKind, EventRequest, Handout, add_event, deliver, reverse
from outreach.ledger.items import Item, StockLine, stock
from outreach.ledger.places import PLACE_TYPES, Place, places, resolve_place
from outreach.ledger.prints import PrintLedger, Run
from outreach.ledger.queries import Delivery, Event, Reversal, deliveries, events, reversals
from outreach.ledger.totals import MonthFigures, year_figures

__all__ = [
    "PLACE_TYPES", "Delivery", "DeliveryRequest", "Event", "EventKind", "EventRequest", "Handout", "Item",
    "MonthFigures", "Place", "PrintLedger", "Reversal", "Run", "StockLine", "add_event", "deliver", "deliveries",
    "events", "places", "resolve_place", "reverse", "reversals", "stock", "year_figures",
]
