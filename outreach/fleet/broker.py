"""Mosquitto's view of the fleet: one account and one role per node, for the dynamic-security plugin.

Why the plugin and not ``password_file`` + ``acl_file``: with an ACL file,
Mosquitto 2.0 grants every SUBSCRIBE (SUBACK 0) and only filters what it then
delivers; the dynamic-security plugin checks subscriptions against the client's
role and answers one outside it with a SUBACK failure (0x80), so a node asking
for another node's bundle is told no, not silently ignored (measured on Debian's
2.0.11). A node's role: subscribe to and receive its own ``bundle`` and ``ack``,
publish its own ``status`` (the last will too) and ``plays``; nothing else.

Passwords are stored as the plugin stores them (PBKDF2-SHA512, 12-byte salt,
base64), so this file is written here, without the broker; the plugin reads it
when Mosquitto starts (a reload does not re-read it: restart to apply).
"""

from __future__ import annotations

import base64
import glob
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.node.protocol import COUNTY_USER, NODE_READS, NODE_WRITES, PREFIX, topic

ITERATIONS = 101
"""The plugin's own default; the passwords are random tokens, so more rounds would add nothing."""


@dataclass(frozen=True)
class Account:
    username: str
    salt: str
    password_hash: str
    iterations: int = ITERATIONS


def account(username: str, password: str) -> Account:
    salt = os.urandom(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, ITERATIONS)
    return Account(username, base64.b64encode(salt).decode(), base64.b64encode(digest).decode())


def node_user(node: str) -> str:
    """The node's broker account: prefixed, so no node id can be the county's account."""
    return f"node-{node}"


def _acl(kind: str, name: str) -> dict[str, Any]:
    return {"acltype": kind, "topic": name, "allow": True}


def node_role(county: str, node: str) -> dict[str, Any]:
    reads = [topic(county, node, leaf) for leaf in NODE_READS]
    acls = [_acl("subscribeLiteral", t) for t in reads] + [_acl("publishClientReceive", t) for t in reads]
    acls += [_acl("publishClientSend", topic(county, node, leaf)) for leaf in NODE_WRITES]
    return {"rolename": node_user(node), "acls": acls}


def county_role(county: str) -> dict[str, Any]:
    everything = f"{PREFIX}/{county}/nodes/#"
    return {"rolename": COUNTY_USER, "acls": [_acl(kind, everything) for kind in (
        "subscribePattern", "publishClientReceive", "publishClientSend", "unsubscribePattern")]}


def security_json(county: str, accounts: list[Account]) -> str:
    """The plugin's whole file: the county account, then one account and role per node account."""
    clients, roles = [], [county_role(county)]
    for acc in accounts:
        if acc.username != COUNTY_USER:
            roles.append(node_role(county, acc.username.removeprefix("node-")))
        clients.append({"username": acc.username, "password": acc.password_hash, "salt": acc.salt,
                        "iterations": acc.iterations, "roles": [{"rolename": acc.username}]})
    return json.dumps({
        "defaultACLAccess": {"publishClientSend": False, "publishClientReceive": False, "subscribe": False,
                             "unsubscribe": True},
        "clients": clients, "groups": [], "roles": roles,
    }, indent=1) + "\n"


def plugin_path() -> str | None:
    """Where Debian installs the plugin (the folder is the machine's multiarch triplet)."""
    found = sorted(glob.glob("/usr/lib/*/mosquitto_dynamic_security.so"))
    return found[0] if found else None


def mosquitto_conf(security: Path, persistence: Path, port: int, listen: str = "127.0.0.1",
                   tls: tuple[str, str, str] | None = None) -> str:
    """A broker config for the fleet: one listener, no anonymous clients, the plugin, persistence on.
    ``tls`` is (cafile, certfile, keyfile) for a listener reached from outside the station."""
    lines = [f"listener {port} {listen}", "allow_anonymous false",
             f"plugin {plugin_path() or '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so'}",
             f"plugin_opt_config_file {security}", "persistence true", f"persistence_location {persistence}/",
             "autosave_interval 60", "max_queued_messages 10000"]
    if tls:
        lines += [f"cafile {tls[0]}", f"certfile {tls[1]}", f"keyfile {tls[2]}", "tls_version tlsv1.2"]
    return "\n".join(lines) + "\n"
