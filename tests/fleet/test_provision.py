"""`outreach fleet add-node`: a node the profile names gets credentials, a broker account and role of its
own, and a config file a node can load; the county's key and account are made once."""

from __future__ import annotations

import base64
import hashlib
import json
import stat

from outreach.fleet.db import FleetDB
from outreach.fleet.paths import FleetPaths
from outreach.node.config import load_node_config

from fleet.helpers import fleet_site


def test_add_node_writes_a_loadable_config_and_the_brokers_accounts_and_roles(tmp_path, run):
    site = fleet_site(tmp_path, {"xiangle": "xiangle"})
    profile = site.profile_path
    profile.write_text(profile.read_text().replace("  - id: hongxing\n", "  - id: hongxing\n    node: hx\n"))
    code, out, _ = run("fleet", "add-node", "hx", "--root", str(site.root))
    assert code == 0 and "node hx (village hongxing)" in out and "restart Mosquitto" in out
    paths = FleetPaths.of(site)
    config, state = load_node_config(paths.node_config("hx"))
    assert (config.node, config.village, config.county, config.broker.username) == ("hx", "hongxing", "wangmo",
                                                                                   "node-hx")
    assert config.public_key == paths.public_key.read_text().strip()
    assert config.output.type == "spool" and config.output.folder == "spool"
    assert stat.S_IMODE(paths.node_config("hx").stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.key.stat().st_mode) == 0o600
    assert FleetDB(paths.db).node_for_token(hashlib.sha256(config.token.encode()).hexdigest()) == "hx"
    security = json.loads(paths.broker_security.read_text())
    clients = {c["username"]: c for c in security["clients"]}
    assert set(clients) == {"county", "node-xiangle", "node-hx"}
    hx = clients["node-hx"]
    digest = hashlib.pbkdf2_hmac("sha512", config.broker.password.encode(), base64.b64decode(hx["salt"]),
                                 hx["iterations"])
    assert base64.b64encode(digest).decode() == hx["password"]
    role = next(r for r in security["roles"] if r["rolename"] == "node-hx")
    mine = "outreach/v1/wangmo/nodes/hx/"
    assert {(a["acltype"], a["topic"]) for a in role["acls"]} == {
        ("subscribeLiteral", mine + "bundle"), ("subscribeLiteral", mine + "ack"),
        ("publishClientReceive", mine + "bundle"), ("publishClientReceive", mine + "ack"),
        ("publishClientSend", mine + "status"), ("publishClientSend", mine + "plays")}
    assert security["defaultACLAccess"]["subscribe"] is False


def test_add_node_refuses_a_node_the_profile_does_not_name_or_one_already_made(tmp_path, run):
    site = fleet_site(tmp_path, {"xiangle": "xiangle"})
    code, _, err = run("fleet", "add-node", "nowhere", "--root", str(site.root))
    assert code == 1 and "no village has `node: nowhere`" in err
    token = load_node_config(FleetPaths.of(site).node_config("xiangle"))[0].token
    code, _, err = run("fleet", "add-node", "xiangle", "--root", str(site.root))
    assert code == 1 and "--renew" in err
    assert run("fleet", "add-node", "xiangle", "--renew", "--root", str(site.root))[0] == 0
    renewed = load_node_config(FleetPaths.of(site).node_config("xiangle"))[0].token
    db = FleetDB(FleetPaths.of(site).db)
    assert renewed != token and db.node_for_token(hashlib.sha256(token.encode()).hexdigest()) is None


def test_a_profile_giving_one_node_two_villages_is_refused(tmp_path, run):
    from conftest import copy_deployment

    site = copy_deployment(tmp_path, {"  - id: xiangle\n": "  - id: xiangle\n    node: n1\n",
                                      "  - id: hongxing\n": "  - id: hongxing\n    node: n1\n"})
    code, _, err = run("fleet", "status", "--root", str(site.root))
    assert code == 1 and "a node serves one village" in err
