"""The node's own loop, in-process on a fake clock: each play starts once at its time through the configured
output, whatever the loop does meanwhile; what ends goes to the outbox; receipts close it."""

from __future__ import annotations

import datetime as dt

from outreach.node.config import BrokerLink, NodeConfig
from outreach.node.fetch import HttpSource
from outreach.node.protocol import encode, topic
from outreach.node.service import Node

from daemon_fakes import FakeClock
from daemon_helpers import wait_for
from node.bundles import COUNTY, NODE, TOKEN, VILLAGE, manifest

PROGRAMMES = {"tiny": b"ID3 a programme " * 30}


def make_node(county, tmp_path, clock) -> Node:
    config = NodeConfig(node=NODE, village=VILLAGE, county=COUNTY, public_key=county.public.hex(),
                        broker=BrokerLink(host="127.0.0.1", port=1, username="node-n1", password="unused"),
                        content_url=county.url, token=TOKEN, state_dir=str(tmp_path / "node"))
    return Node(config, tmp_path / "node", clock=clock)


def test_each_play_starts_once_at_its_time_and_its_report_waits_for_the_receipt(county, tmp_path, now):
    clock = FakeClock(now)
    node = make_node(county, tmp_path, clock)
    envelope = county.issue(manifest(now, 1, PROGRAMMES, [10, 20]), PROGRAMMES, now)
    node.disk.take(envelope, HttpSource(county.url, TOKEN), now)
    for seconds in (5, 10.5, 10.6, 20.2, 20.3, 40):
        clock.set(now + dt.timedelta(seconds=seconds))
        node.dispatch()
        node.dispatch()
        assert wait_for(lambda: not node.on_air, 10)
    plays = node.disk.playlog.query()
    assert [(p.state, p.lateness_ms) for p in plays] == [("played", 500.0), ("played", 200.0)]
    spool = sorted((tmp_path / "node" / "spool").iterdir())
    assert [f.name for f in spool] == [f"{p.planned_at:%Y%m%d-%H%M%S}_{VILLAGE}_tiny.mp3" for p in plays]
    assert all(f.read_bytes() == PROGRAMMES["tiny"] for f in spool)
    outbox = node.disk.outbox
    assert outbox.collect(node.disk.playlog, clock.now()) == 2
    due = outbox.due(clock.now(), dt.timedelta(seconds=30))
    assert {r["id"] for r in due} == {p.id for p in plays}
    outbox.mark_sent(due, clock.now())
    assert outbox.due(clock.now(), dt.timedelta(seconds=30)) == []
    node._message(topic(COUNTY, NODE, "ack"), encode({"receipts": [[due[0]["id"], due[0]["rev"]]]}))
    assert outbox.pending() == 1
    later = clock.now() + dt.timedelta(seconds=31)
    assert [r["id"] for r in outbox.due(later, dt.timedelta(seconds=30))] == [due[1]["id"]]  # sent again


def test_a_play_whose_time_passed_while_the_node_was_off_is_missed(county, tmp_path, now):
    clock = FakeClock(now)
    node = make_node(county, tmp_path, clock)
    node.disk.take(county.issue(manifest(now, 1, PROGRAMMES, [10]), PROGRAMMES, now), HttpSource(county.url, TOKEN),
                   now)
    clock.set(now + dt.timedelta(seconds=30))
    node.dispatch()
    assert wait_for(lambda: not node.on_air, 10)
    [play] = node.disk.playlog.query()
    assert play.state == "missed" and "grace 5 s" in play.reason
    assert not (tmp_path / "node" / "spool").exists()
