"""A village with no network: `outreach fleet export` writes the signed bundle to a folder, `outreach node
import` takes it with the same checks as over the network (the render worker is the thin fake of the
daemon tests: rendering has its own tests, and this is about the bundle)."""

from __future__ import annotations

import datetime as dt
import shutil

from outreach.fleet.export import export_bundle
from outreach.playlog import PlayLog

from daemon_fakes import FakeRenderer
from daemon_helpers import write_plan
from fleet.helpers import fleet_site, node_config


def test_export_then_import_with_the_same_checks(tmp_path, run):
    site = fleet_site(tmp_path, {"xiangle": "xiangle"})
    renders = tmp_path / "renders"
    renders.mkdir()
    write_plan(site, site.now(), [(3600, "xiangle", "tiny"), (3700, "xiangle", "tiny")], name="first")
    first = export_bundle(site, "xiangle", tmp_path / "usb1", site.now(), renderer=FakeRenderer(renders))
    assert (first.plays, first.files) == (2, 1)
    config = node_config(site, "xiangle", tmp_path / "node")

    tampered = tmp_path / "tampered"
    shutil.copytree(tmp_path / "usb1", tampered)
    for path in (tampered / "content").iterdir():
        path.write_bytes(path.read_bytes()[::-1])
    code, _, err = run("node", "import", str(tampered), "--config", str(config))
    assert code == 1 and "does not have the hash the signed manifest names" in err

    code, out, _ = run("node", "import", str(tmp_path / "usb1"), "--config", str(config))
    assert code == 0 and f"took bundle {first.sequence}" in out and "2 new" in out
    assert run("node", "import", str(tmp_path / "usb1"), "--config", str(config))[1].endswith("already held\n")

    write_plan(site, site.now(), [(3800, "xiangle", "tiny")], name="first")
    second = export_bundle(site, "xiangle", tmp_path / "usb2", site.now() + dt.timedelta(seconds=1),
                           renderer=FakeRenderer(renders))
    assert second.sequence > first.sequence
    code, out, _ = run("node", "--config", str(config), "import", str(tmp_path / "usb2"))
    assert code == 0 and "1 new, 0 changed, 2 cancelled" in out and "0 bytes copied" in out
    code, _, err = run("node", "import", str(tmp_path / "usb1"), "--config", str(config))
    assert code == 1 and f"sequence {first.sequence} is not newer than the {second.sequence} held" in err
    plays = PlayLog(tmp_path / "node" / "playlog.sqlite").query()
    assert sorted(p.state for p in plays) == ["cancelled", "cancelled", "scheduled"]
