"""The bundle a node holds, its files, and the checks a new bundle passes before it replaces it.

A new bundle is taken only when it is signed for this node (``bundle``), its
sequence is newer than the one held (an old bundle replayed is refused), and
every file it names is on disk with the hash it names (a file that arrives with
another hash is refused). Only then is it written, atomically, and the play log
brought in line with it: from that moment the node plays it, whatever the network does.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from outreach.i18n import _
from outreach.media import file_sha256, write_atomic
from outreach.node.bundle import BundleRefused, FileRef, Manifest, open_envelope
from outreach.node.fetch import Source
from outreach.playlog import PlayLog

log = logging.getLogger("outreach.node")

BUNDLE_FILE = "bundle.json"
CONTENT_DIR = "content"
LOCK_FILE = "accept.lock"
REPLACE_WINDOW = dt.timedelta(days=400)
"""A new bundle replaces every scheduled play: whatever it no longer holds is cancelled, however far ahead."""


@dataclass(frozen=True)
class Taken:
    manifest: Manifest
    downloaded: int
    added: int
    changed: int
    cancelled: int


class Holdings:
    def __init__(self, state: Path, public_key: bytes, county: str, node: str, output: str,
                 zone: dt.tzinfo) -> None:
        self.state = state
        self.content = state / CONTENT_DIR
        self.key, self.county, self.node = public_key, county, node
        self.output, self.zone = output, zone
        self.content.mkdir(parents=True, exist_ok=True)
        self._seen: tuple[int, int, int] | None = None
        self._held: Manifest | None = None

    def held(self) -> Manifest | None:
        """The bundle on disk, verified again whenever the file changed (an altered file is not trusted either;
        another process, `outreach node import`, may have replaced it)."""
        path = self.state / BUNDLE_FILE
        try:
            info = path.stat()
        except FileNotFoundError:
            return None
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        if stamp != self._seen:
            try:
                self._held = open_envelope(path.read_bytes(), self.key, self.county, self.node)
            except BundleRefused as exc:
                log.error(_("the bundle held on disk no longer verifies: {error}").format(error=exc))
                self._held = None
            self._seen = stamp
        return self._held

    def path_of(self, ref: FileRef) -> Path:
        return self.content / ref.name

    def take(self, data: bytes, source: Source, playlog: PlayLog, now: dt.datetime) -> Taken | None:
        """Check, complete and install a bundle; None when it is the one already held.

        Raises BundleRefused (report it) or fetch.Unreachable (try again later)."""
        manifest = open_envelope(data, self.key, self.county, self.node)
        with self._locked():
            held = self.held()
            if held is not None and held.sequence == manifest.sequence \
                    and held.content_digest() == manifest.content_digest():
                return None
            if held is not None and manifest.sequence <= held.sequence:
                raise BundleRefused(_("sequence {sequence} is not newer than the {held} held").format(
                    sequence=manifest.sequence, held=held.sequence), manifest.sequence)
            downloaded = sum(self._complete(ref, source, manifest.sequence) for ref in manifest.files.values())
            write_atomic(self.state / BUNDLE_FILE, data)
            added, changed, cancelled = self._install(manifest, playlog, now)
            self._prune(manifest, playlog)
        return Taken(manifest, downloaded, added, changed, cancelled)

    def _complete(self, ref: FileRef, source: Source, sequence: int) -> int:
        """Make sure the file is on disk with its hash; returns the bytes fetched for it."""
        target = self.path_of(ref)
        if target.exists():
            if file_sha256(target) == ref.sha256:
                return 0
            log.warning(_("{file}: changed on disk, fetching it again").format(file=target.name))
            target.unlink()
        part = target.with_name(target.name + ".part")
        moved = source.fetch(ref, part)
        if file_sha256(part) != ref.sha256:
            part.unlink()
            raise BundleRefused(_("file {file}: what arrived does not have the hash the signed manifest names").format(
                file=ref.sha256[:12] + ref.suffix), sequence)
        os.replace(part, target)
        return moved

    def _install(self, manifest: Manifest, playlog: PlayLog, now: dt.datetime) -> tuple[int, int, int]:
        """Bring the play log in line: new plays scheduled (with their files), dropped ones cancelled."""
        grace = dt.timedelta(seconds=manifest.grace_seconds)
        items = [i for i in manifest.items if i.at >= now - grace]
        occurrences = [{"id": i.id, "at": i.at.astimezone(self.zone), "village": i.village, "rule": i.rule,
                        "script": i.script, "programme": i.programme, "variables": i.variables,
                        "reason": i.reason, "output": self.output} for i in items]
        added, changed, cancelled = playlog.sync(occurrences, (now - grace, now + REPLACE_WINDOW), now)
        for item in items:
            if item.file:
                playlog.set_rendered(item.id, str(self.path_of(manifest.files[item.file])), item.file,
                                     item.languages, now)
            else:
                playlog.set_render_error(item.id, item.error or _("the county could not render this programme"), now)
        return len(added), len(changed), len(cancelled)

    def _prune(self, manifest: Manifest, playlog: PlayLog) -> None:
        """Files neither the bundle nor a play still due or on air needs."""
        keep = {ref.name for ref in manifest.files.values()}
        keep |= {Path(p.programme_path).name for p in playlog.query(states=("scheduled", "playing"))
                 if p.programme_path}
        for path in self.content.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One taker at a time: the node process and `outreach node import` may both try."""
        with (self.state / LOCK_FILE).open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
