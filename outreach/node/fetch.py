"""Where a node's files come from: the county's content endpoint over HTTP, or a folder (USB stick).

Either source only fills a ``.part`` file; ``holdings`` checks its hash before
anything plays it. Over HTTP a download resumes where it stopped (``Range``), so
a 4G link that drops every few minutes still gets a large file through.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import ssl
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.node.bundle import BundleRefused, FileRef

CHUNK = 64 * 1024


class Unreachable(OutreachError):
    """The county (or the network) is not there now; try again later. Not a reason to refuse a bundle."""


class Source(Protocol):
    def fetch(self, ref: FileRef, part: Path) -> int:
        """Complete ``part`` with the file's bytes (resuming what is there); returns the bytes transferred."""


class HttpSource:
    """``GET /content/<sha256>`` with the node's token; ``GET /time`` for the clock offset."""

    def __init__(self, base_url: str, token: str, timeout: float = 30.0, ca_file: str | None = None) -> None:
        self.base = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.transferred = 0
        self.context = ssl.create_default_context(cafile=ca_file) if ca_file else None
        """An https endpoint signed by the county's own CA (the one the broker link trusts)."""

    def _open(self, path: str, headers: dict[str, str]) -> urllib.response.addinfourl:
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {self.token}",
                                                                     **headers})
        try:
            return urllib.request.urlopen(request, timeout=self.timeout, context=self.context)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise Unreachable(f"{self.base}{path}: HTTP {exc.code} {exc.reason}") from None  # i18n: URL, HTTP status
        except (urllib.error.URLError, OSError) as exc:
            raise Unreachable(f"{self.base}: {getattr(exc, 'reason', exc)}") from None

    def fetch(self, ref: FileRef, part: Path) -> int:
        have = part.stat().st_size if part.exists() else 0
        if have > ref.size:
            part.unlink()
            have = 0
        if have == ref.size:
            return 0
        response = self._open(f"/content/{ref.sha256}", {"Range": f"bytes={have}-"} if have else {})
        moved = 0
        with response, part.open("ab" if response.status == 206 else "wb") as out:
            try:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    moved += len(chunk)
                    self.transferred += len(chunk)
            except OSError as exc:
                raise Unreachable(_("download of {file} broke off after {moved} bytes: {error}").format(
                    file=ref.sha256[:12], moved=moved, error=exc)) from None
        return moved

    def clock_offset(self) -> float:
        """Seconds the county's clock is ahead of ours (NTP's midpoint estimate; good to a round trip)."""
        sent = time.time()
        with self._open("/time", {}) as response:
            body = json.loads(response.read().decode("utf-8"))
        received = time.time()
        county = dt.datetime.fromisoformat(body["now"]).timestamp()
        return county - (sent + received) / 2


class FolderSource:
    """An exported bundle's ``content/`` folder (``outreach fleet export``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "content"

    def fetch(self, ref: FileRef, part: Path) -> int:
        source = self.folder / ref.name
        if not source.is_file():
            raise BundleRefused(_("file {name} is not in {folder}").format(name=ref.name, folder=self.folder))
        shutil.copyfile(source, part)
        return ref.size
