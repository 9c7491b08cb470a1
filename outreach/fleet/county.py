"""The county's MQTT side: publishes each node's bundle (retained), keeps what nodes say, sends receipts.

On every (re)connect it publishes every node's current bundle again: a broker
that lost its retained messages (restarted without persistence) gets them back,
and a node that already holds that sequence ignores it. Reports are stored
before their receipt is sent, so a receipt always means "kept".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from outreach.deployment import FleetConfig
from outreach.fleet.db import FleetDB
from outreach.i18n import _
from outreach.node.link import Endpoint, Link
from outreach.node.protocol import COUNTY_USER, decode, encode, every_node, parse_topic, topic

log = logging.getLogger("outreach.fleet")


class CountyLink:
    def __init__(self, county: str, endpoint: Endpoint, db: FleetDB, now: Callable[[], dt.datetime]) -> None:
        self.county, self.db, self.now = county, db, now
        self.link = Link(endpoint, f"outreach-county-{county}", [every_node(county, "status"),
                                                                  every_node(county, "plays")], self._message)
        self.link.on_connect = self.republish
        self.villages: dict[str, str] = {}

    def start(self) -> None:
        self.villages = {n.id: n.village for n in self.db.nodes()}
        self.link.start()

    def stop(self) -> None:
        self.link.stop()

    def publish(self, node: str, sequence: int, envelope: bytes) -> bool:
        """Retained, QoS 1; False while the broker is away (``republish`` sends it on reconnect)."""
        if self.link.publish(topic(self.county, node, "bundle"), envelope, retain=True):
            self.db.mark_published(node, sequence, self.now())
            return True
        return False

    def republish(self) -> None:
        for bundle in self.db.bundles():
            self.publish(bundle.node, bundle.sequence, bundle.envelope)

    def _message(self, name: str, payload: bytes) -> None:
        where = parse_topic(self.county, name)
        if where is None:
            return
        node, leaf = where
        if node not in self.villages:
            self.villages = {n.id: n.village for n in self.db.nodes()}
        if node not in self.villages:
            log.warning(_("message from unknown node {node} on {leaf}").format(node=node, leaf=leaf))
            return
        body = decode(payload)
        if body is None:
            log.warning(_("{node} sent a {leaf} message that is not a JSON object").format(node=node, leaf=leaf))
        elif leaf == "status":
            self.db.save_status(node, body, self.now())
        elif leaf == "plays":
            self._reports(node, body)

    def _reports(self, node: str, body: dict) -> None:
        reports = body.get("reports")
        if not isinstance(reports, list):
            return
        now = self.now()
        receipts = self.db.record_reports(node, self.villages[node], reports, now)
        self.db.seen(node, now)
        refused = [r for r in reports if isinstance(r, dict) and r.get("kind") == "refusal"]
        for report in refused:
            log.error(_("node {node} refused a bundle: {reason}").format(
                node=node, reason=(report.get("body") or {}).get("reason")))
        if receipts:
            self.link.publish(topic(self.county, node, "ack"), encode({"receipts": receipts}))


def county_endpoint(fleet: FleetConfig, password: str) -> Endpoint:
    return Endpoint(fleet.broker_host, fleet.broker_port, COUNTY_USER, password, fleet.broker_ca_file,
                    fleet.reconnect_max_seconds)
