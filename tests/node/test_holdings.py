"""A node takes a bundle only when it is newer and every file arrives with its hash; files it holds are not
fetched again; a broken download resumes. Real HTTP (the county's content endpoint), real SQLite."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from outreach.node.bundle import BundleRefused
from outreach.node.config import BrokerLink, NodeConfig
from outreach.node.fetch import HttpSource, Unreachable
from outreach.node.service import NodeState

from node.bundles import COUNTY, NODE, TOKEN, VILLAGE, manifest

ONE = {"tiny": b"ID3 first programme " * 40}
TWO = {"tiny": ONE["tiny"], "other": b"ID3 second programme " * 50}


def node_state(county, tmp_path) -> NodeState:
    config = NodeConfig(node=NODE, village=VILLAGE, county=COUNTY, public_key=county.public.hex(),
                        broker=BrokerLink(host="127.0.0.1", port=1, username="node-n1", password="unused"),
                        content_url=county.url, token=TOKEN, state_dir=str(tmp_path / "node"))
    return NodeState(config, tmp_path / "node")


def refusals(disk: NodeState) -> list[str]:
    return [r["body"]["reason"] for r in disk.outbox.due(dt.datetime.now(dt.timezone.utc), dt.timedelta(0))
            if r["kind"] == "refusal"]


def test_a_newer_bundle_fetches_only_the_files_not_held_and_replaces_the_plays(county, tmp_path, now):
    disk = node_state(county, tmp_path)
    first = county.issue(manifest(now, 1, ONE, [60, 120]), ONE, now)
    source = HttpSource(county.url, TOKEN)
    taken = disk.take(first, source, now)
    assert (taken.added, taken.downloaded) == (2, len(ONE["tiny"]))
    plays = disk.playlog.query(states=("scheduled",))
    assert [p.ready for p in plays] == [True, True]
    assert all(p.programme_hash == hashlib.sha256(ONE["tiny"]).hexdigest() for p in plays)
    second = county.issue(manifest(now, 2, TWO, [90, 180, 240]), TWO, now)
    taken = disk.take(second, source, now)
    assert (taken.added, taken.cancelled, taken.downloaded) == (3, 2, len(TWO["other"]))
    assert source.transferred == len(ONE["tiny"]) + len(TWO["other"])
    assert disk.take(second, source, now) is None  # the same bundle again: already held
    assert sorted(p.name for p in disk.holdings.content.iterdir()) == sorted(
        f"{hashlib.sha256(c).hexdigest()}.mp3" for c in TWO.values())


def test_an_older_sequence_is_refused_and_reported(county, tmp_path, now):
    disk = node_state(county, tmp_path)
    source = HttpSource(county.url, TOKEN)
    old = county.issue(manifest(now, 4, ONE, [60]), ONE, now)
    disk.take(county.issue(manifest(now, 5, TWO, [60, 70]), TWO, now), source, now)
    with pytest.raises(BundleRefused, match="sequence 4 is not newer than the 5 held"):
        disk.take(old, source, now)
    assert disk.holdings.held().sequence == 5
    assert refusals(disk) == ["sequence 4 is not newer than the 5 held"]


def test_a_file_whose_hash_does_not_match_is_refused_and_nothing_changes(county, tmp_path, now):
    disk = node_state(county, tmp_path)
    source = HttpSource(county.url, TOKEN)
    disk.take(county.issue(manifest(now, 1, ONE, [60]), ONE, now), source, now)
    envelope = county.issue(manifest(now, 2, TWO, [60, 90]), TWO, now)
    stored = county.store.find(hashlib.sha256(TWO["other"]).hexdigest())
    stored.write_bytes(b"X" * stored.stat().st_size)  # the county's copy altered after it was signed
    with pytest.raises(BundleRefused, match="does not have the hash the signed manifest names"):
        disk.take(envelope, source, now)
    assert disk.holdings.held().sequence == 1
    assert len(disk.playlog.query(states=("scheduled",))) == 1
    assert not list(disk.holdings.content.glob("*.part"))
    assert len(refusals(disk)) == 1


def test_a_broken_download_resumes_where_it_stopped(county, tmp_path, now):
    disk = node_state(county, tmp_path)
    envelope = county.issue(manifest(now, 1, ONE, [60]), ONE, now)
    sha = hashlib.sha256(ONE["tiny"]).hexdigest()
    half = len(ONE["tiny"]) // 2
    (disk.holdings.content / f"{sha}.mp3.part").write_bytes(ONE["tiny"][:half])
    source = HttpSource(county.url, TOKEN)
    taken = disk.take(envelope, source, now)
    assert taken.downloaded == source.transferred == len(ONE["tiny"]) - half
    assert (disk.holdings.content / f"{sha}.mp3").read_bytes() == ONE["tiny"]


def test_an_unreachable_county_is_not_a_refusal(county, tmp_path, now):
    disk = node_state(county, tmp_path)
    envelope = county.issue(manifest(now, 1, ONE, [60]), ONE, now)
    county.server.stop()
    with pytest.raises(Unreachable):
        disk.take(envelope, HttpSource(county.url, TOKEN, timeout=2), now)
    assert disk.holdings.held() is None and refusals(disk) == []


def test_a_token_only_opens_the_nodes_own_files(county, tmp_path, now):
    county.issue(manifest(now, 1, ONE, [60]), ONE, now)
    part = tmp_path / "x.part"
    ref = next(iter(manifest(now, 1, ONE, [60]).files.values()))
    with pytest.raises(Unreachable, match="401"):
        HttpSource(county.url, "not-a-token-of-any-node").fetch(ref, part)
    foreign = next(iter(manifest(now, 1, {"x": b"a file no bundle names"}, [60]).files.values()))
    with pytest.raises(Unreachable, match="404"):
        HttpSource(county.url, TOKEN).fetch(foreign, part)
