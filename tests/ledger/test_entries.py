"""Bad input is refused with one line and leaves the ledger as it was; nothing can be changed or deleted."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from outreach.errors import OutreachError
from outreach.ledger import (
    DeliveryRequest,
    EventRequest,
    Handout,
    PrintLedger,
    add_event,
    deliver,
    deliveries,
    events,
    resolve_place,
    reverse,
    stock,
)
from outreach.ledger.items import resolve_item
from outreach.ledger.store import connect

DAY = dt.date(2027, 3, 10)


def _print(deployment, layout="card", items=(("fake-loan", "xiangle"),), copies=100) -> int:
    return PrintLedger(deployment.ledger_path).record(
        layout=layout, items=list(items), copies=copies, pages=1, output=deployment.root / "x.pdf", printed_by="t",
        draft=False, when=dt.datetime(2027, 3, 1, 9, 0, tzinfo=deployment.zone))


def _deliver(deployment, item="card:fake-loan", quantity=10, to="hedong", on=DAY, **kw) -> int:
    return deliver(deployment, DeliveryRequest(item=item, quantity=quantity, recipient=to, on=on, by="岑勤", **kw))


def _count(deployment) -> tuple[int, int]:
    return len(deliveries(deployment.ledger_path, with_handouts=True)), len(events(deployment.ledger_path))


def test_unknown_places_over_stock_and_future_dates_are_refused_and_nothing_is_written(run, march):
    _print(march)
    root = str(march.root)
    before = _count(march)
    code, _, err = run("deliver", "card:fake-loan", "5", "--to", "nowhere", "--date", "2027-03-10", "--root", root)
    assert code == 1 and "unknown village, school, community, workplace or market 'nowhere'" in err
    assert "school:school-wangmu" in err  # the message lists what the profile knows
    code, _, err = run("deliver", "card:fake-loan", "5", "--to", "school:wangmu", "--root", root)
    assert code == 1 and "unknown school 'wangmu'" in err
    code, _, err = run("deliver", "card:fake-loan", "101", "--to", "hedong", "--date", "2027-03-10", "--root", root)
    assert code == 1 and "only 100 of card:fake-loan in stock, not 101" in err and "--force" in err
    code, _, err = run("deliver", "card:fake-loan", "5", "--to", "hedong", "--date", "2027-04-01", "--root", root)
    assert code == 1 and "in the future" in err
    code, _, err = run("event", "add", "--date", "2027-04-02", "--place", "hedong", "--kind", "community-talk",
                       "--officer", "岑勤", "--reached", "10", "--root", root)
    assert code == 1 and "in the future" in err
    code, _, err = run("event", "add", "--date", "2027-03-02", "--place", "hedong", "--kind", "community-talk",
                       "--officer", "岑勤", "--reached", "10", "--handout", "card:fake-loan=500", "--root", root)
    assert code == 1 and "in stock" in err
    code, _, err = run("deliver", "booklet", "5", "--to", "hedong", "--date", "2027-03-10", "--root", root)
    assert code == 1 and "nothing printed as 'booklet' (printed: card:fake-loan)" in err
    assert _count(march) == before  # the refused event left no half-written entry behind


def test_force_records_more_than_the_ledger_shows_and_stock_goes_negative(march):
    _print(march, copies=5)
    delivery = _deliver(march, quantity=8, force=True)
    [line] = stock(march.ledger_path)
    assert line.in_stock == -3
    assert [d.forced for d in deliveries(march.ledger_path) if d.id == delivery] == [True]


def test_items_resolve_by_kind_script_or_run_and_ambiguity_is_an_error(march):
    run_id = _print(march, items=(("fake-loan", "xiangle"), ("elderly", "xiangle")))
    _print(march, layout="booklet", items=(("general-warning+fake-loan", "wangmu"),))
    with connect(march.ledger_path) as conn:
        assert str(resolve_item(conn, "booklet")) == "booklet:general-warning+fake-loan"
        assert str(resolve_item(conn, f"run:{run_id}:elderly")) == f"run:{run_id}:elderly"
        with pytest.raises(OutreachError, match="could be any of card:elderly, card:fake-loan"):
            resolve_item(conn, "card")
        with pytest.raises(OutreachError, match=f"run {run_id} printed several scripts; name one: run:{run_id}:"):
            resolve_item(conn, f"run:{run_id}")
        with pytest.raises(OutreachError, match="there is no print run 99"):
            resolve_item(conn, "run:99")


def test_a_run_drawn_item_cannot_give_more_than_its_run_printed(march):
    first = _print(march, copies=10)
    _print(march, copies=50)
    _deliver(march, item=f"run:{first}", quantity=10)
    with pytest.raises(OutreachError, match=f"only 0 of run:{first}:fake-loan in stock"):
        _deliver(march, item=f"run:{first}", quantity=1)
    _deliver(march, item="card:fake-loan", quantity=50)  # the pool still has the second run's 50


def test_events_need_officers_known_kinds_and_existing_photos(march, tmp_path):
    base = dict(held_on=DAY, place="hedong", kind="community-talk", officers=("岑勤",), reached=30, by="t")
    with pytest.raises(OutreachError, match="name at least one officer"):
        add_event(march, EventRequest(**{**base, "officers": (" ",)}))
    with pytest.raises(OutreachError, match="unknown event kind 'party'"):
        add_event(march, EventRequest(**{**base, "kind": "party"}))
    with pytest.raises(OutreachError, match="photo not found"):
        add_event(march, EventRequest(**base, photos=(tmp_path / "missing.jpg",)))
    photo = tmp_path / "stand.jpg"
    photo.write_bytes(b"\xff\xd8\xff")
    event_id = add_event(march, EventRequest(**base, photos=(photo,), notes="河东社区活动室"))
    [event] = events(march.ledger_path, "2027-03")
    assert (event.id, event.photos, event.place_type, event.notes) == (event_id, [str(photo)], "community", "河东社区活动室")


def test_the_ledger_is_append_only_even_to_sql(march):
    _print(march)
    _deliver(march)
    with connect(march.ledger_path) as conn:
        count = conn.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
    raw = sqlite3.connect(march.ledger_path)
    for statement in ("UPDATE deliveries SET quantity = 1", "DELETE FROM deliveries", "DELETE FROM print_runs",
                      "UPDATE print_items SET copies = 0"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(statement)
    raw.close()
    with connect(march.ledger_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == count


def test_reversals_need_a_reason_and_a_run_whose_pieces_went_out_needs_force(march):
    run_id = _print(march, copies=20)
    delivery = _deliver(march, quantity=15)
    with pytest.raises(OutreachError, match="say why"):
        reverse(march, "delivery", delivery, " ", by="t")
    with pytest.raises(OutreachError, match="there is no event 7"):
        reverse(march, "event", 7, "typo", by="t")
    with pytest.raises(OutreachError, match=f"reversing run {run_id} leaves less than nothing in stock"):
        reverse(march, "run", run_id, "misprint", by="t")
    reverse(march, "run", run_id, "misprint, pulped", by="t", force=True)
    assert [r.reversed for r in PrintLedger(march.ledger_path).runs()] == [True]
    assert PrintLedger(march.ledger_path).per_village() == {}


def test_a_ledger_written_before_deliveries_existed_is_read_and_extended(run, march):
    march.ledger_path.parent.mkdir(parents=True)
    old = sqlite3.connect(march.ledger_path)
    old.executescript("""
        CREATE TABLE print_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, printed_at TEXT NOT NULL, layout TEXT NOT NULL,
            scripts TEXT NOT NULL, villages TEXT NOT NULL, copies INTEGER NOT NULL, cards INTEGER NOT NULL,
            pages INTEGER NOT NULL, output TEXT NOT NULL, printed_by TEXT NOT NULL, draft INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE print_items (run_id INTEGER NOT NULL REFERENCES print_runs(id), script TEXT NOT NULL,
            village TEXT NOT NULL, copies INTEGER NOT NULL);
        INSERT INTO print_runs VALUES (1, '2026-11-20T10:00:00+08:00', 'wallet', '["fake-loan"]', '["wangmu"]',
            30, 30, 3, '/tmp/w.pdf', '岑勤', 0);
        INSERT INTO print_items VALUES (1, 'fake-loan', 'wangmu', 30);
    """)
    old.commit()
    old.close()
    code, out, _ = run("ledger", "--json", "--root", str(march.root))
    data = json.loads(out)
    assert data["per_village"] == {"wangmu": {"wallet": 30}} and data["runs"][0]["printed_by"] == "岑勤"
    code, out, err = run("deliver", "run:1", "12", "--to", "school-wangmu", "--date", "2027-03-01",
                         "--root", str(march.root))
    assert code == 0, err
    assert [s.in_stock for s in stock(march.ledger_path)] == [18]


def test_a_damaged_ledger_is_an_error_for_readers_and_moved_aside_by_a_print_run(run, march):
    march.ledger_path.parent.mkdir(parents=True)
    march.ledger_path.write_bytes(b"this is not a database" * 100)
    code, _, err = run("ledger", "--stock", "--root", str(march.root))
    assert code == 1 and "cannot be read as a ledger" in err and "damaged" in err
    code, _, err = run("deliver", "card", "1", "--to", "hedong", "--root", str(march.root))
    assert code == 1 and "cannot be read as a ledger" in err
    run_id = _print(march)
    assert run_id == 1 and len(list(march.ledger_path.parent.glob("ledger.sqlite.damaged-*"))) == 1


def test_places_cover_villages_schools_communities_workplaces_and_markets(shipped):
    profile = shipped.profile
    assert resolve_place(profile, "hongxing").type == "village"
    assert resolve_place(profile, "community:hedong").name == "河东社区"
    assert resolve_place(profile, "market-shitun").type == "market"
    with pytest.raises(OutreachError, match="unknown place type 'town'"):
        resolve_place(profile, "town:wangmu")


def test_place_ids_share_one_space_with_villages(tmp_path):
    from conftest import copy_deployment

    broken = copy_deployment(tmp_path, {"  - id: hedong\n": "  - id: wangmu\n"})
    with pytest.raises(OutreachError, match="'wangmu' is already the id of a village or another place"):
        broken.profile


def test_handouts_of_several_items_are_checked_together(march):
    _print(march, copies=10)
    request = EventRequest(held_on=DAY, place="market-wangmu", kind="market-stand", officers=("岑勤",), reached=50,
                           handouts=(Handout("card:fake-loan", 6), Handout("card:fake-loan", 6)), by="t")
    with pytest.raises(OutreachError, match="only 4 of card:fake-loan in stock, not 6"):
        add_event(march, request)
    assert events(march.ledger_path) == []
