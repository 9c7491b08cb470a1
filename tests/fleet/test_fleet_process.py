"""The fleet for real: Mosquitto on 127.0.0.1, `outreach fleet serve` (render worker, espeak-ng, ffmpeg),
two `outreach node` processes with their own state folders and spools. Wall-clock plays seconds apart;
"on time" is what each node's play log records (started within the grace), never a timer in the test.
The tests share one running fleet and go in order: plan change, broker outage, refusals, ACL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from outreach.fleet.db import FleetDB
from outreach.fleet.paths import FleetPaths
from outreach.fleet.sign import load_key, seal
from outreach.node.bundle import Envelope, Manifest
from outreach.node.config import load_node_config
from outreach.node.link import Endpoint, Link
from outreach.node.outbox import Outbox
from outreach.node.protocol import COUNTY_USER, topic
from outreach.playlog import Play, PlayLog

from daemon_helpers import wait_for, write_plan
from fleet.helpers import SLOW, Broker, fleet_site, node_config, spawn, terminate

NODES = {"xiangle": "xiangle", "hongxing": "hongxing"}
GRACE = 5


class Fleet:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.site = fleet_site(tmp, NODES, grace=GRACE)
        self.paths = FleetPaths.of(self.site)
        self.db = FleetDB(self.paths.db)
        self.broker = Broker(self.site, tmp / "broker")
        self.states = {n: tmp / "nodes" / n for n in NODES.values()}
        self.procs: dict[str, object] = {}

    def start(self) -> None:
        self.broker.start()
        self.procs["serve"] = spawn("fleet", "serve", "--root", str(self.site.root), log=self.tmp / "serve.log")
        for node, state in self.states.items():
            state.mkdir(parents=True)
            self.procs[node] = spawn("node", "--config", str(node_config(self.site, node, state)),
                                     log=self.tmp / f"{node}.log")

    def stop(self) -> dict[str, int]:
        codes = {name: terminate(proc) for name, proc in self.procs.items()}
        self.broker.stop()
        return codes

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.tmp.glob("*.log"))

    def node_plays(self, node: str) -> dict[str, Play]:
        return {p.rule: p for p in PlayLog(self.states[node] / "playlog.sqlite").query()}

    def county_plays(self) -> dict[str, Play]:
        return {p.id: p for p, _ in self.db.plays()}

    def spool(self, node: str) -> list[Path]:
        return sorted((self.states[node] / "spool").glob("*.mp3"))

    def final(self, rules: list[str]) -> bool:
        plays = {**self.node_plays("xiangle"), **self.node_plays("hongxing")}
        return all(r in plays and plays[r].state not in ("scheduled", "playing") for r in rules)

    def held(self, node: str) -> int:
        status = self.db.statuses().get(node)
        return status[0].get("sequence", 0) if status else 0

    def holds_latest(self) -> bool:
        latest = {b.node: b.sequence for b in self.db.bundles()}
        return all(node in latest and self.held(node) == latest[node] for node in NODES.values())

    def county_link(self, name: str, subscriptions: list[str]) -> Link:
        secret = self.paths.county_secret.read_text().strip()
        link = Link(Endpoint("127.0.0.1", self.broker.port, COUNTY_USER, secret), name, subscriptions,
                    lambda *_: None)
        link.start()
        assert link.connected.wait(SLOW)
        return link


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    running = Fleet(tmp_path_factory.mktemp("fleet"))
    running.start()
    yield running
    codes = running.stop()
    assert set(codes.values()) == {0}, running.logs()


def _rules(times: dict[str, dt.datetime]) -> list[str]:
    return sorted(times)


def test_a_plan_change_reaches_the_nodes_and_each_plays_exactly_once_into_its_spool(fleet):
    site = fleet.site
    first = write_plan(site, site.now(), [(20, "xiangle", "tiny"), (21, "hongxing", "tiny")], name="first")
    assert wait_for(fleet.holds_latest, SLOW), fleet.logs()
    before = {n: fleet.db.statuses()[n][0]["downloaded_bytes"] for n in NODES.values()}
    second = write_plan(site, site.now(), [(9, "xiangle", "tiny"), (10, "hongxing", "tiny")], name="second")
    assert wait_for(lambda: fleet.final(_rules(first) + _rules(second)), SLOW), fleet.logs()
    assert wait_for(lambda: len(fleet.county_plays()) == 4, SLOW), fleet.logs()
    for node in NODES.values():
        plays = fleet.node_plays(node)
        assert {p.state for p in plays.values()} == {"played"}, fleet.logs()
        assert all(0 <= p.lateness_ms <= GRACE * 1000 for p in plays.values())
        assert sorted(Path(p.detail) for p in plays.values()) == fleet.spool(node)
        county = fleet.county_plays()
        assert {pid: (c.state, c.output) for pid, c in county.items() if c.village == node} == \
               {p.id: ("played", f"node:{node}") for p in plays.values()}
    # the second bundle named the same programme files: nothing more was downloaded for it
    assert wait_for(fleet.holds_latest, SLOW)
    assert {n: fleet.db.statuses()[n][0]["downloaded_bytes"] for n in NODES.values()} == before


def test_nodes_play_on_time_through_a_broker_outage_and_every_report_arrives_once_after(fleet):
    site = fleet.site
    times = write_plan(site, site.now(), [(8, "xiangle", "tiny"), (8, "hongxing", "tiny"), (10, "xiangle", "tiny"),
                                          (11, "hongxing", "tiny")], name="outage")
    sequences = {n: fleet.held(n) for n in NODES.values()}
    assert wait_for(lambda: all(fleet.held(n) > sequences[n] for n in NODES.values()), SLOW), fleet.logs()
    fleet.broker.stop()
    assert wait_for(lambda: fleet.final(_rules(times)), SLOW), fleet.logs()
    county_before = set(fleet.county_plays())
    fleet.broker.start()
    node_plays = {p.id: p for node in NODES.values() for p in fleet.node_plays(node).values()}
    assert wait_for(lambda: set(fleet.county_plays()) == set(node_plays), SLOW), fleet.logs()
    outage = [p for p in node_plays.values() if p.rule in times]
    assert len(outage) == 4 and not {p.id for p in outage} & county_before
    assert all(p.state == "played" and 0 <= p.lateness_ms <= GRACE * 1000 for p in outage), fleet.logs()
    county = fleet.county_plays()
    assert {pid: county[pid].state for pid in node_plays} == {pid: p.state for pid, p in node_plays.items()}
    for node, state in fleet.states.items():
        assert wait_for(lambda: Outbox(state / "outbox.sqlite").pending() == 0, SLOW), fleet.logs()
        assert len(fleet.spool(node)) == len(fleet.node_plays(node))


def _tampered(envelope: bytes) -> bytes:
    data = json.loads(envelope)
    manifest = json.loads(data["manifest"])
    manifest["items"] = manifest["items"][:-1]
    return Envelope(manifest=json.dumps(manifest), signature=data["signature"]).to_bytes()


def test_a_tampered_an_unsigned_key_and_a_replayed_bundle_are_refused_and_reported(fleet):
    node = "xiangle"
    latest = fleet.db.latest_bundle(node)
    held = Manifest.model_validate_json(json.loads(latest.envelope)["manifest"])
    older = held.model_copy(update={"sequence": held.sequence - 1})
    forged = seal(held.model_copy(update={"sequence": held.sequence + 1}), SigningKey.generate())
    county = fleet.county_link("test-county", [])
    bundle_topic = topic("wangmo", node, "bundle")
    payloads = (_tampered(latest.envelope), forged.to_bytes(), seal(older, load_key(fleet.paths)).to_bytes())
    for count, payload in enumerate(payloads, 1):  # one at a time: a node takes only the newest of a burst
        assert county.publish(bundle_topic, payload, retain=True)
        assert wait_for(lambda: len(fleet.db.refusals(node)) == count, SLOW), fleet.logs()
    reasons = [r["reason"] for r in fleet.db.refusals(node)]
    assert sum("signature does not verify" in r for r in reasons) == 2
    assert any(f"sequence {older.sequence} is not newer" in r for r in reasons)
    assert fleet.held(node) == held.sequence
    assert county.publish(bundle_topic, latest.envelope, retain=True)  # the county's own bundle back on the topic
    county.stop()


def test_a_node_may_not_subscribe_to_another_nodes_bundle(fleet):
    broker = load_node_config(fleet.paths.node_config("xiangle"))[0].broker
    mine, theirs = topic("wangmo", "xiangle", "bundle"), topic("wangmo", "hongxing", "bundle")
    probe = Link(Endpoint("127.0.0.1", broker.port, broker.username, broker.password), "probe-xiangle",
                 [mine, theirs], lambda *_: None)
    probe.start()
    assert wait_for(lambda: probe.refused, SLOW)
    probe.stop()
    assert probe.refused == [theirs]
