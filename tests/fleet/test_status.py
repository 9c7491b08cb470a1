"""`outreach fleet status`: what the county last heard from each node, and the flags that need a person."""

from __future__ import annotations

import datetime as dt
import json

from outreach.deployment import Deployment
from outreach.fleet.db import FleetDB
from outreach.fleet.paths import FleetPaths
from outreach.fleet.records import node_plays
from outreach.fleet.status import fleet_status

from fleet.helpers import fleet_site
from node.bundles import manifest

PROGRAMMES = {"tiny": b"ID3"}


def test_status_flags_silent_offline_behind_clock_runout_refused_and_unprovisioned(tmp_path, run):
    site = fleet_site(tmp_path, {"xiangle": "xiangle", "hongxing": "hongxing"})
    profile = site.profile_path
    profile.write_text(profile.read_text().replace("  - id: baoshu\n", "  - id: baoshu\n    node: bs\n"))
    db = FleetDB(FleetPaths.of(site).db)
    now = site.now()
    for node, sequence in (("xiangle", 5), ("hongxing", 7)):
        db.save_bundle(manifest(now, sequence, PROGRAMMES, [60], node=node), "d", b"{}", now)
    soon = (now + dt.timedelta(hours=3)).isoformat()
    db.save_status("xiangle", {"state": "online", "sequence": 4, "clock_ok": False, "clock_offset_s": -42.0,
                               "bundle_until": soon, "warnings": ["clock is 42 s ahead"]}, now)
    db.save_status("hongxing", {"state": "online", "sequence": 7, "clock_ok": True, "clock_offset_s": 0.1,
                                "bundle_until": (now + dt.timedelta(days=6)).isoformat()}, now - dt.timedelta(hours=1))
    db.save_status("hongxing", {"state": "offline", "node": "hongxing"}, now)  # the broker's last will
    db.record_reports("xiangle", "xiangle", [{"id": "refusal:5:x", "kind": "refusal", "rev": 1,
                                               "body": {"sequence": 5, "reason": "bad signature"}}], now)
    for i, state in enumerate(("played", "played", "missed", "failed")):
        body = {"id": f"p{i}", "village": "hongxing", "rule": "r", "script": "tiny", "programme": "quick",
                "planned_at": (now - dt.timedelta(hours=i + 1)).isoformat(), "state": state}
        db.record_reports("hongxing", "hongxing", [{"id": f"p{i}", "kind": "play", "rev": 1, "body": body}], now)
    views = {v.node: v for v in fleet_status(Deployment(site.root), now + dt.timedelta(seconds=30)).nodes}
    reported = node_plays(site, village="hongxing", states=("played", "missed"))
    assert sorted((p.id, p.state, p.output) for p in reported) == [
        ("p0", "played", "node:hongxing"), ("p1", "played", "node:hongxing"), ("p2", "missed", "node:hongxing")]
    assert node_plays(site, village="xiangle") == []
    assert views["xiangle"].flags == ["behind", "clock", "runs-out", "refused"]
    assert views["hongxing"].flags == ["silent", "offline"]
    assert views["hongxing"].last_day == {"played": 2, "missed": 1, "failed": 1}
    assert views["bs"].flags == ["not provisioned"] and views["bs"].state == "never seen"
    code, out, _ = run("fleet", "status", "--json", "--root", str(site.root))
    data = json.loads(out)
    assert code == 0 and data["serve"]["running"] is False
    assert {n["node"]: (n["held"], n["latest"]) for n in data["nodes"]} == {
        "xiangle": (4, 5), "hongxing": (7, 7), "bs": (None, None)}
    code, out, _ = run("fleet", "status", "--root", str(site.root))
    assert code == 0 and "behind, clock, runs-out, refused" in out and "bad signature" in out
