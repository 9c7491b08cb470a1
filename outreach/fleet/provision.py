"""``outreach fleet add-node``: everything a new node needs, and the broker's view of who may do what.

For a node the profile names (``node: ID`` on its village) it makes a broker
password and a content token (only their hashes stay here), rewrites the broker's
accounts and ACLs (``broker``: a node reads only its own ``bundle`` and ``ack``,
writes only its own ``status`` and ``plays``), and writes the node's config file,
with the county's public key, to copy onto the box. The county's key pair and
broker account are made on first use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

import yaml

from outreach.deployment import Deployment, OutputConfig
from outreach.fleet.broker import account, node_user, security_json
from outreach.fleet.build import node_villages
from outreach.fleet.db import FleetDB
from outreach.fleet.paths import FleetError, FleetPaths, write_private
from outreach.fleet.sign import ensure_key, public_key_hex
from outreach.i18n import _
from outreach.node.config import BrokerLink, NodeConfig
from outreach.node.protocol import COUNTY_USER


@dataclass(frozen=True)
class Provisioned:
    node: str
    village: str
    config: Path
    broker_security: Path
    new_key: bool


def node_output(deployment: Deployment, village_output: str) -> OutputConfig:
    """The village's output as the county knows it; a spool folder lives in the node's own state folder."""
    output = deployment.profile.outputs[village_output]
    return output.model_copy(update={"folder": "spool"}) if output.type == "spool" else output


def add_node(deployment: Deployment, node: str, now: dt.datetime, renew: bool = False) -> Provisioned:
    """Credentials, broker entries and the config file of one node; ``renew`` issues new credentials."""
    profile = deployment.profile
    village = node_villages(profile).get(node)
    if village is None:
        raise FleetError(_("no village has `node: {node}` in {profile}: add it to the village this node serves, "
                           "then run this again").format(node=node, profile=deployment.profile_path.name))
    paths = FleetPaths.of(deployment)
    db = FleetDB(paths.db)
    if not renew and any(n.id == node for n in db.nodes()):
        raise FleetError(_("node {node} is already provisioned; --renew issues new credentials (the old ones stop "
                           "working)").format(node=node))
    new_key = ensure_key(paths)
    if not paths.county_secret.exists():
        secret = secrets.token_urlsafe(24)
        db.save_account(account(COUNTY_USER, secret))
        write_private(paths.county_secret, secret + "\n")
    password, token = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
    db.save_account(account(node_user(node), password))
    db.add_node(node, village.id, hashlib.sha256(token.encode()).hexdigest(), now)
    write_private(paths.broker_security, security_json(profile.fleet.county, db.accounts()))
    fleet = profile.fleet
    config = NodeConfig(node=node, village=village.id, county=fleet.county, public_key=public_key_hex(paths),
                        broker=BrokerLink(host=fleet.broker_host, port=fleet.broker_port, username=node_user(node),
                                          password=password, ca_file=fleet.broker_ca_file,
                                          reconnect_max_seconds=fleet.reconnect_max_seconds),
                        content_url=fleet.content_url, token=token, timezone=profile.timezone,
                        output=node_output(deployment, village.output), grace_seconds=profile.daemon.grace_seconds,
                        heartbeat_seconds=fleet.heartbeat_seconds)
    header = (f"# Node {node} for village {village.id} ({village.name.cmn}), written by `outreach fleet add-node`.\n"
              "# Copy to the node (e.g. /etc/outreach/node.yaml, mode 600): it holds its broker password and token.\n")
    body = yaml.safe_dump(config.model_dump(mode="json", exclude_none=True), allow_unicode=True, sort_keys=False)
    write_private(paths.node_config(node), header + body)
    return Provisioned(node, village.id, paths.node_config(node), paths.broker_security, new_key)
