"""The node's own settings: who it is, where the county is, its credentials, and its output.

``outreach fleet add-node`` writes this file at the county; it is copied onto the
node box and is the only thing a node needs besides the package. It holds
secrets (broker password, content token), so it is written readable by its owner only.
"""

from __future__ import annotations

import zoneinfo
from pathlib import Path

from pydantic import Field

from outreach.datafile import StrictModel, load_yaml, validate
from outreach.deployment import OutputConfig
from outreach.errors import ConfigError
from outreach.i18n import _

NAME = r"^[a-z0-9][a-z0-9-]*$"


class BrokerLink(StrictModel):
    host: str
    port: int = Field(1883, ge=1, le=65535)
    username: str
    password: str
    ca_file: str | None = None
    """With a CA file the link is TLS (brokers outside the station); without, plain TCP on a trusted network."""
    reconnect_max_seconds: int = Field(30, ge=1, le=600)
    """Reconnect attempts start 1 s apart and double up to this."""


class NodeConfig(StrictModel):
    node: str = Field(pattern=NAME)
    village: str = Field(pattern=NAME)
    county: str = Field(pattern=NAME)
    public_key: str = Field(pattern=r"^[0-9a-f]{64}$")
    broker: BrokerLink
    content_url: str = Field(pattern=r"^https?://\S+$")
    token: str = Field(min_length=16)
    state_dir: str = "/var/lib/outreach-node"
    timezone: str = "Asia/Shanghai"
    output: OutputConfig = OutputConfig(type="spool", folder="spool")
    grace_seconds: float = Field(300, ge=0, le=3600)
    """Used until the first bundle arrives; then the bundle's grace (the county's policy) applies."""
    replay_interrupted: bool = False
    heartbeat_seconds: float = Field(60, ge=1, le=3600)
    resend_seconds: float = Field(30, ge=1)
    """How long a sent report may wait for the county's receipt before it is sent again."""

    def state_path(self, base: Path) -> Path:
        """The state folder; a relative one is taken from the config file's folder."""
        path = Path(self.state_dir)
        return path if path.is_absolute() else base / path


def load_node_config(path: Path) -> tuple[NodeConfig, Path]:
    """The validated config and its state folder."""
    config = validate(NodeConfig, load_yaml(path), path)
    try:
        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        message = _("{path}: timezone: unknown time zone '{zone}'").format(path=path, zone=config.timezone)
        raise ConfigError(message) from None
    return config, config.state_path(path.resolve().parent)
