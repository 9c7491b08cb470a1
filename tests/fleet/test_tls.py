"""The link for villages outside the station: Mosquitto's TLS listener as docs/fleet.md configures it
(a county CA, the broker's certificate for its name), the node's link trusting only that CA."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from outreach.fleet.broker import account, mosquitto_conf, security_json
from outreach.node.link import Endpoint, Link

from daemon_helpers import wait_for
from fleet.helpers import SLOW, free_port, listening

MINE, THEIRS = "outreach/v1/c/nodes/a/bundle", "outreach/v1/c/nodes/b/bundle"


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def certificates(folder: Path) -> tuple[str, str, str]:
    """A county CA and a broker certificate it signed for 127.0.0.1 (tiny keys: this is about the wiring)."""
    ca, key, csr, cert = (str(folder / n) for n in ("ca.crt", "broker.key", "broker.csr", "broker.crt"))
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(folder / "ca.key"), "-out", ca,
            "-days", "2", "-subj", "/CN=county-ca")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    (folder / "ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", str(folder / "ca.key"), "-CAcreateserial", "-out", cert,
            "-days", "2", "-extfile", str(folder / "ext"))
    return ca, cert, key


def test_nodes_reach_a_tls_only_listener_with_the_county_ca_and_nothing_else(tmp_path):
    tls = certificates(tmp_path)
    (tmp_path / "security.json").write_text(security_json("c", [account("county", "pw"), account("node-a", "pa")]))
    port = free_port()
    conf = mosquitto_conf(tmp_path / "security.json", tmp_path, port, tls=tls)
    (tmp_path / "mosquitto.conf").write_text(conf + ("user root\n" if os.geteuid() == 0 else ""))
    broker = subprocess.Popen(["mosquitto", "-c", str(tmp_path / "mosquitto.conf")],
                              stderr=(tmp_path / "mosquitto.log").open("w"))
    try:
        assert wait_for(lambda: listening(port), SLOW), (tmp_path / "mosquitto.log").read_text()
        node = Link(Endpoint("127.0.0.1", port, "node-a", "pa", ca_file=tls[0]), "node-a", [MINE, THEIRS],
                    lambda *_: None)
        node.start()
        assert wait_for(lambda: node.refused, SLOW), (tmp_path / "mosquitto.log").read_text()
        node.stop()
        assert node.refused == [THEIRS]
        plain = Link(Endpoint("127.0.0.1", port, "node-a", "pa"), "plain", [], lambda *_: None)
        plain.start()  # without TLS the broker refuses the handshake (and says so in its log)
        assert wait_for(lambda: "SSL routines" in (tmp_path / "mosquitto.log").read_text(), SLOW)
        plain.stop()
        assert not plain.connected.is_set()
    finally:
        broker.terminate()
        broker.wait(SLOW)
