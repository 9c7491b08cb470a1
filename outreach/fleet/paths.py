"""Where the fleet's files live: under the deployment's state folder, in ``fleet/``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from outreach.deployment import Deployment
from outreach.errors import OutreachError
from outreach.status import HEARTBEAT_FILE


class FleetError(OutreachError):
    """The fleet cannot do what was asked (not provisioned, unknown node, broker tools missing...)."""


@dataclass(frozen=True)
class FleetPaths:
    root: Path

    @classmethod
    def of(cls, deployment: Deployment) -> "FleetPaths":
        return cls(deployment.state_dir / "fleet")

    @property
    def key(self) -> Path:
        """The county's signing key: it never leaves this folder."""
        return self.root / "county.key"

    @property
    def public_key(self) -> Path:
        return self.root / "county.pub"

    @property
    def county_secret(self) -> Path:
        return self.root / "county.secret"

    @property
    def db(self) -> Path:
        return self.root / "fleet.sqlite"

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def broker_security(self) -> Path:
        """Accounts and ACLs for Mosquitto's dynamic-security plugin (``plugin_opt_config_file``)."""
        return self.root / "mosquitto" / "dynamic-security.json"

    def node_config(self, node: str) -> Path:
        return self.root / "nodes" / node / "node.yaml"

    @property
    def heartbeat(self) -> Path:
        """``fleet serve`` keeps the daemon's lock, pid and heartbeat files here: ``status.daemon_state`` reads them."""
        return self.root / HEARTBEAT_FILE


def write_private(path: Path, text: str) -> None:
    """A secret: readable by its owner only, written whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
