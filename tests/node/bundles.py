"""Small signed bundles for in-process node tests: a key pair, programme files of a few bytes, and a
county content endpoint (the real HTTP server over a real fleet database) to fetch them from."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from pathlib import Path

from nacl.signing import SigningKey

from outreach.fleet.content import ContentServer, ContentStore
from outreach.fleet.db import FleetDB
from outreach.fleet.sign import seal
from outreach.node.bundle import FileRef, Item, Manifest

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
COUNTY, NODE, VILLAGE = "wangmo", "n1", "xiangle"
TOKEN = "token-of-node-n1-for-tests"
ONE_NODE_FILES = {"tiny": b"ID3 a small programme " * 20}


def manifest(now: dt.datetime, sequence: int, programmes: dict[str, bytes], in_seconds: list[float],
             node: str = NODE) -> Manifest:
    """One play per offset, cycling through the programmes (named by their content)."""
    files = {}
    for content in programmes.values():
        sha = hashlib.sha256(content).hexdigest()
        files[sha] = FileRef(sha256=sha, size=len(content), suffix=".mp3")
    shas = list(files)
    items = [Item(id=f"occ-{sequence}-{i}", at=now + dt.timedelta(seconds=s), village=VILLAGE, rule=f"r{i}",
                  script=list(programmes)[i % len(shas)], programme="quick", file=shas[i % len(shas)],
                  languages=["cmn"]) for i, s in enumerate(in_seconds)]
    return Manifest(county=COUNTY, node=node, village=VILLAGE, sequence=sequence, issued_at=now,
                    until=now + dt.timedelta(days=7), grace_seconds=5, items=items, files=files)


class County:
    """The county's side of a test: its key, content store and endpoint, and what it has issued."""

    def __init__(self, folder: Path, now: dt.datetime) -> None:
        self.key = SigningKey.generate()
        self.public = bytes(self.key.verify_key)
        self.db = FleetDB(folder / "fleet.sqlite")
        self.db.add_node(NODE, VILLAGE, hashlib.sha256(TOKEN.encode()).hexdigest(), now)
        self.store = ContentStore(folder / "content")
        self.server = ContentServer(self.store, self.db, ("127.0.0.1", 0), lambda: dt.datetime.now(ZONE))
        self.folder = folder

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def issue(self, m: Manifest, programmes: dict[str, bytes], now: dt.datetime) -> bytes:
        """Store the files, record the bundle (so the node may fetch them) and sign it."""
        for name, content in programmes.items():
            path = self.folder / f"{name}.mp3"
            path.write_bytes(content)
            self.store.add(path)
        envelope = seal(m, self.key).to_bytes()
        self.db.save_bundle(m, m.content_digest(), envelope, now)
        return envelope
