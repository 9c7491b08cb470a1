"""What county and nodes say to each other over MQTT: topics and message bodies, in one place.

Topics live under ``outreach/v1/<county>/nodes/<id>/``: ``bundle`` (the signed manifest, retained,
QoS 1, county -> node), ``status`` (retained heartbeat, last will ``offline``, node -> county),
``plays`` (play reports and refusals, QoS 1, node -> county) and ``ack`` (the county's receipt
for reports it has stored, QoS 1, county -> node). Files never travel over the broker.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import metadata
from typing import Any, Literal

PREFIX = "outreach/v1"
Leaf = Literal["bundle", "status", "plays", "ack"]
LEAVES: tuple[Leaf, ...] = ("bundle", "status", "plays", "ack")
NODE_READS: tuple[Leaf, ...] = ("bundle", "ack")
NODE_WRITES: tuple[Leaf, ...] = ("status", "plays")
COUNTY_USER = "county"
CLOCK_LIMIT_S = 30.0
"""A node clock further off the county's than this is reported loudly."""
RUNS_OUT_WARNING = dt.timedelta(hours=24)


def topic(county: str, node: str, leaf: Leaf) -> str:
    return f"{PREFIX}/{county}/nodes/{node}/{leaf}"


def every_node(county: str, leaf: Leaf) -> str:
    """The county's subscription to one leaf of every node."""
    return f"{PREFIX}/{county}/nodes/+/{leaf}"


def parse_topic(county: str, name: str) -> tuple[str, str] | None:
    """(node, leaf) of a topic under this county, or None for anything else."""
    head = f"{PREFIX}/{county}/nodes/"
    if not name.startswith(head):
        return None
    node, _, leaf = name[len(head):].partition("/")
    return (node, leaf) if node and leaf in LEAVES else None


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def decode(payload: bytes) -> dict[str, Any] | None:
    """A JSON object, or None for anything else (a message is never trusted to be well formed)."""
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def offline(node: str) -> bytes:
    """The last will: what the broker says for a node that vanished without saying goodbye."""
    return encode({"state": "offline", "node": node})


def software_version() -> str:
    try:
        return metadata.version("outreach")
    except metadata.PackageNotFoundError:
        return "unknown"


def iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat(timespec="milliseconds") if moment else None
