"""Programme files by SHA-256, and the small HTTP endpoint nodes fetch them from.

The broker carries only small messages; files come from here: ``GET
/content/<sha256>`` with the node's token (``Authorization: Bearer``), only for
files the node's own bundles name, resumable with ``Range``. ``GET /time`` gives
the county's clock, so a node can measure its offset. Files are stored under
their hash, so two villages' identical programmes are one file, and a file once
stored never changes under a node that is still fetching it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from outreach.fleet.db import FleetDB
from outreach.media import atomic_path, file_sha256
from outreach.node.bundle import FileRef

log = logging.getLogger("outreach.fleet")

CONTENT_PATH = re.compile(r"^/content/([0-9a-f]{64})$")
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


class ContentStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def add(self, path: Path) -> FileRef:
        """Store a rendered file under its hash (a hard link when it can be, else a copy)."""
        sha = file_sha256(path)
        ref = FileRef(sha256=sha, size=path.stat().st_size, suffix=path.suffix.lower() or ".bin")
        target = self.folder / ref.name
        if not target.exists():
            with atomic_path(target) as tmp:
                tmp.unlink()
                try:
                    os.link(path, tmp)
                except OSError:
                    shutil.copyfile(path, tmp)
        return ref

    def find(self, sha256: str) -> Path | None:
        return next(iter(sorted(self.folder.glob(sha256 + ".*"))), None)

    def prune(self, keep: set[str]) -> int:
        """Remove files no current bundle names; returns how many."""
        gone = 0
        for path in self.folder.iterdir():
            if path.is_file() and path.name.split(".")[0] not in keep:
                path.unlink(missing_ok=True)
                gone += 1
        return gone


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single ``Range: bytes=`` request, None for the whole file; ValueError if unsatisfiable."""
    if not header:
        return None
    match = RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None  # a range we do not understand: the whole file (RFC 9110 allows ignoring it)
    first, last = match.groups()
    if first == "":
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise ValueError(f"bytes {header} of {size}")
    return start, end


class ContentServer:
    """A threaded HTTP server in its own thread; counts the bytes it sends to each node."""

    def __init__(self, store: ContentStore, db: FleetDB, address: tuple[str, int],
                 now: Callable[[], dt.datetime]) -> None:
        self.store, self.db, self.now = store, db, now
        self.sent: Counter[str] = Counter()
        self.httpd = ThreadingHTTPServer(address, _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="content",
                                       daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.thread.join()
        self.httpd.server_close()

    def node_of(self, authorization: str | None) -> str | None:
        if not authorization or not authorization.startswith("Bearer "):
            return None
        return self.db.node_for_token(hashlib.sha256(authorization[7:].strip().encode()).hexdigest())


def _handler(server: ContentServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            node = server.node_of(self.headers.get("Authorization"))
            if node is None:
                self._plain(401, "a node token is needed")
            elif self.path == "/time":
                self._body(200, json.dumps({"now": server.now().isoformat(timespec="milliseconds")}).encode(),
                           "application/json")
            elif (match := CONTENT_PATH.match(self.path)) is None:
                self._plain(404, "not found")
            else:
                self._file(node, match.group(1))

        def _file(self, node: str, sha: str) -> None:
            path = server.store.find(sha) if server.db.may_fetch(node, sha) else None
            if path is None:
                self._plain(404, "no such file for this node")
                return
            size = path.stat().st_size
            try:
                wanted = byte_range(self.headers.get("Range"), size)
            except ValueError:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            start, end = wanted or (0, size - 1)
            self.send_response(206 if wanted else 200)
            if wanted:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(end - start + 1))
            self.end_headers()
            with path.open("rb") as handle:
                handle.seek(start)
                left = end - start + 1
                while left > 0 and (chunk := handle.read(min(CHUNK, left))):
                    self.wfile.write(chunk)
                    left -= len(chunk)
                    server.sent[node] += len(chunk)

        def _plain(self, code: int, text: str) -> None:
            self._body(code, text.encode(), "text/plain; charset=utf-8")

        def _body(self, code: int, data: bytes, kind: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            log.debug("content: " + format, *args)

    return Handler
