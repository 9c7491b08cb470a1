"""A county with village nodes for tests: a small deployment with fleet mode on,
a real Mosquitto on 127.0.0.1 (a free port, the dynamic-security file `fleet add-node` wrote,
persistence in the test's folder), and real `outreach fleet serve` / `outreach node` processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import yaml

from outreach.deployment import Deployment
from outreach.fleet.broker import mosquitto_conf
from outreach.fleet.paths import FleetPaths
from outreach.fleet.provision import add_node

from conftest import copy_deployment, write_script
from daemon_helpers import wait_for

SLOW = 60  # seconds any wait may take on a busy machine before a test gives up


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def fleet_site(tmp_path: Path, nodes: dict[str, str], grace: int = 3) -> Deployment:
    """The shipped deployment without its county plan, with a one-language programme, a tiny script,
    fleet mode on (fresh ports, 1 s heartbeats), and these village -> node ids, provisioned."""
    broker, content = free_port(), free_port()
    edits = {
        "programmes:\n": "programmes:\n  quick:\n    languages: [cmn]\n    chime: null\n    closing_chime: null\n"
                         "    repeats: 1\n",
        "  grace_seconds: 300 ": f"  grace_seconds: {grace} ",
        "  watch_seconds: 15 ": "  watch_seconds: 1 ",
        "  enabled: false\n  county: wangmo": "  enabled: true\n  county: wangmo",
        "  broker_port: 1883": f"  broker_port: {broker}",
        "  content_port: 8765\n  content_url: http://127.0.0.1:8765":
            f"  content_port: {content}\n  content_url: http://127.0.0.1:{content}",
        "  heartbeat_seconds: 60 ": "  heartbeat_seconds: 1 ",
        "  reconnect_max_seconds: 30 ": "  reconnect_max_seconds: 2 ",
        "  silent_minutes: 15 ": "  silent_minutes: 1 ",
    }
    edits.update({f"  - id: {village}\n": f"  - id: {village}\n    node: {node}\n" for village, node in nodes.items()})
    site = copy_deployment(tmp_path / "county", edits)
    (site.plans_dir / "county.yaml").unlink()
    write_script(site, "tiny", {"cmn": "{{ village.name }}的乡亲们，请拨打{{ hotline | phone }}。"})
    for node in nodes.values():
        add_node(site, node, site.now())
    return site


def node_config(site: Deployment, node: str, state: Path) -> Path:
    """The config `fleet add-node` wrote, with the node's state folder in the test's folder."""
    source = FleetPaths.of(site).node_config(node)
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["state_dir"] = str(state)
    data["resend_seconds"] = 3
    target = state.parent / f"{node}.yaml"
    target.write_text(yaml.safe_dump(data), encoding="utf-8")
    return target


class Broker:
    """Mosquitto as a child process; stop() and start() again keep its port, accounts and persistence."""

    def __init__(self, site: Deployment, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.port = site.profile.fleet.broker_port
        conf = mosquitto_conf(FleetPaths.of(site).broker_security, folder, self.port)
        if os.geteuid() == 0:
            conf += "user root\n"  # as root Mosquitto would switch to its own user, who cannot read tmp_path
        self.conf = folder / "mosquitto.conf"
        self.conf.write_text(conf, encoding="utf-8")
        self.log = folder / "mosquitto.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(["mosquitto", "-c", str(self.conf)], stdout=log, stderr=subprocess.STDOUT)
        if not wait_for(self._listening, SLOW):
            raise RuntimeError("mosquitto did not open its port: " + self.log.read_text())

    def _listening(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError("mosquitto exited: " + self.log.read_text())
        return listening(self.port)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(SLOW)


def spawn(*args: str, log: Path) -> subprocess.Popen:
    """`python -m outreach ARGS` with its log in a file (a pipe nobody reads could fill and block it)."""
    handle = log.open("ab")
    return subprocess.Popen([sys.executable, "-m", "outreach", *args], stdout=handle, stderr=subprocess.STDOUT)


def terminate(proc: subprocess.Popen) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(SLOW)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()
    return proc.returncode
