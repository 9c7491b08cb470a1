"""The node process: takes bundles as they come, plays its plays on time, reports until acknowledged.

Three threads, so that nothing on the network can hold up air time: the main
loop starts each due play (the daemon's ``Player`` decides and records it, with
the same play-log states and the same exactly-once step), a bundle thread
verifies and downloads (retrying with back-off while the county is away), and
an upkeep thread sends reports and heartbeats. Everything a node knows is on
disk (bundle, files, play log, outbox), so a SIGKILL or a power cut loses nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import queue
import shutil
import signal
import sqlite3
import threading
import time
import zoneinfo
from collections.abc import Callable
from pathlib import Path

from outreach.daemon.clock import Clock, SystemClock
from outreach.daemon.health import Health
from outreach.daemon.instance import InstanceLock
from outreach.daemon.player import Player
from outreach.daemon.render_queue import RenderQueue
from outreach.i18n import N_, _, ngettext, show_moment
from outreach.node.bundle import BundleRefused
from outreach.node.config import NodeConfig
from outreach.node.fetch import HttpSource, Source, Unreachable
from outreach.node.health import Facts, Observed, clock_warning, runs_out_warning, status_body
from outreach.node.holdings import Holdings, Taken
from outreach.node.link import Endpoint, Link
from outreach.node.outbox import Outbox
from outreach.node.protocol import decode, encode, offline, parse_topic, topic
from outreach.outputs import build_output
from outreach.playlog import PlayLog

log = logging.getLogger("outreach.node")

OUTPUT = "node"
TICK = 0.2
REPORT_SECONDS = 2.0
COLLECT_SECONDS = 60.0
CLOCK_SECONDS = 600.0
RETRY = (5.0, 300.0)
WARN_EVERY = dt.timedelta(hours=1)
AFTER_RESTART = {"interrupted": N_("interrupted"), "scheduled": N_("scheduled"), "missed": N_("missed")}
"""What a restart made of a play, as its log line says it."""


class NodeState:
    """A node's state folder: the held bundle and files, the play log, the outbox."""

    def __init__(self, config: NodeConfig, state: Path) -> None:
        state.mkdir(parents=True, exist_ok=True)
        self.config, self.state = config, state
        self.zone = zoneinfo.ZoneInfo(config.timezone)
        self.playlog = PlayLog(state / "playlog.sqlite")
        self.outbox = Outbox(state / "outbox.sqlite")
        self.holdings = Holdings(state, bytes.fromhex(config.public_key), config.county, config.node, OUTPUT,
                                 self.zone)

    def grace(self) -> dt.timedelta:
        held = self.holdings.held()
        return dt.timedelta(seconds=held.grace_seconds if held else self.config.grace_seconds)

    def take(self, data: bytes, source: Source, now: dt.datetime) -> Taken | None:
        """Check and install a bundle; a refusal goes to the outbox (for the county) before it is raised."""
        try:
            return self.holdings.take(data, source, self.playlog, now)
        except BundleRefused as exc:
            self.outbox.refusal(exc.sequence, exc.reason, hashlib.sha256(data).hexdigest(), now)
            raise


class Node:
    def __init__(self, config: NodeConfig, state: Path, clock: Clock | None = None) -> None:
        self.config = config
        self.disk = NodeState(config, state)
        self.clock: Clock = clock or SystemClock(self.disk.zone)
        self.stopping = threading.Event()
        self.problems = Health()
        self.player = Player(self.disk.playlog, self.clock, RenderQueue(), self.stopping, self.problems)
        self.outputs = {OUTPUT: build_output(OUTPUT, config.output, state)}
        self.player.configure(self.outputs, self.disk.grace())
        self.source = HttpSource(config.content_url, config.token, ca_file=config.broker.ca_file)
        self.health = Observed()
        self.inbox: queue.Queue[bytes] = queue.Queue()
        self.on_air: set[str] = set()
        self._lock = threading.Lock()
        self._collect = threading.Event()
        self._beat_now = threading.Event()
        self._warned: dict[str, dt.datetime] = {}
        c, n = config.county, config.node
        broker = config.broker
        self.link = Link(Endpoint(broker.host, broker.port, broker.username, broker.password, broker.ca_file,
                                  broker.reconnect_max_seconds),
                         f"outreach-node-{c}-{n}", [topic(c, n, "bundle"), topic(c, n, "ack")], self._message,
                         will=(topic(c, n, "status"), offline(n)))
        self.threads: list[threading.Thread] = []

    # -- air time -------------------------------------------------------------------

    def dispatch(self) -> None:
        """Start every play whose time has come (a late one is recorded missed by the Player)."""
        grace = self.disk.grace()
        if grace != self.player.grace:  # a new bundle (from the network or an import) may bring another
            self.player.configure(self.outputs, grace)
        now = self.clock.now()
        for play in self.disk.playlog.query(states=("scheduled",), until=now + dt.timedelta(milliseconds=1)):
            with self._lock:
                if play.id in self.on_air:
                    continue
                self.on_air.add(play.id)
            threading.Thread(target=self._play, args=(play.id,), name=f"play-{play.id}", daemon=True).start()

    def _play(self, pid: str) -> None:
        try:
            self.player.play(pid)
        finally:
            with self._lock:
                self.on_air.discard(pid)
            self._collect.set()

    # -- bundles --------------------------------------------------------------------

    def _message(self, name: str, payload: bytes) -> None:
        where = parse_topic(self.config.county, name)
        if where and where[1] == "bundle":
            self.inbox.put(payload)
        elif where and where[1] == "ack":
            body = decode(payload) or {}
            receipts = [(str(r[0]), int(r[1])) for r in body.get("receipts", []) if isinstance(r, list) and len(r) == 2]
            self.disk.outbox.acknowledge(receipts, self.clock.now())

    def bundle_loop(self) -> None:
        """Take the newest bundle that came in; while the county's files are out of reach, retry with back-off."""
        pending: bytes | None = None
        delay, retry_at = RETRY[0], 0.0
        while not self.stopping.is_set():
            try:
                pending = self.inbox.get(timeout=1.0)
                while not self.inbox.empty():
                    pending = self.inbox.get_nowait()
                delay, retry_at = RETRY[0], 0.0
            except queue.Empty:
                pass
            if pending is None or time.monotonic() < retry_at:
                continue
            if self._try(pending):
                pending = None
            else:
                retry_at, delay = time.monotonic() + delay, min(delay * 2, RETRY[1])

    def _try(self, data: bytes) -> bool:
        """True when the bundle is settled (taken, already held, or refused); False to try again later."""
        now = self.clock.now()
        try:
            taken = self.disk.take(data, self.source, now)
        except BundleRefused as exc:
            log.error("%s", exc)  # the refusal, translated where it was raised
            self.health.last_refusal = {"sequence": exc.sequence, "reason": exc.reason, "at": now.isoformat()}
            self._collect.set()
            return True
        except Unreachable as exc:
            log.warning(_("cannot fetch the bundle's files yet ({error}); keeping the current bundle").format(error=exc))
            return False
        except (OSError, sqlite3.Error) as exc:  # a full disk, say: keep the current bundle, try again later
            self.problems.report("bundle", _("cannot install the new bundle: {kind}: {error}").format(
                kind=type(exc).__name__, error=exc))
            return False
        self.problems.clear("bundle")
        if taken is not None:
            self.health.taken_at = self.clock.now()
            self._beat_now.set()  # the county sees the new sequence now, not a heartbeat later
            plays = ngettext("{added} new, {changed} changed, {cancelled} cancelled play",
                             "{added} new, {changed} changed, {cancelled} cancelled plays", taken.cancelled).format(
                added=taken.added, changed=taken.changed, cancelled=taken.cancelled)
            log.info(_("took bundle {sequence} until {until}: {plays}, {bytes} fetched").format(
                sequence=taken.manifest.sequence, until=show_moment(taken.manifest.until), plays=plays,
                bytes=ngettext("{n} byte", "{n} bytes", taken.downloaded).format(n=taken.downloaded)))
        return True

    # -- reports and heartbeat ------------------------------------------------------------

    def upkeep_loop(self) -> None:
        """Reports every couple of seconds (when connected), the heartbeat and clock check on their interval."""
        next_beat = 0.0
        while not self.stopping.wait(REPORT_SECONDS):
            self._guarded("reports", self.send_reports)
            due = time.monotonic() >= next_beat or self._beat_now.is_set()
            if due and self.link.connected.is_set():
                self._beat_now.clear()
                next_beat = time.monotonic() + self.config.heartbeat_seconds
                self._guarded("heartbeat", self.beat)

    def send_reports(self) -> int:
        if not self.link.connected.is_set():
            return 0
        outbox, sent = self.disk.outbox, 0
        due = outbox.due(self.clock.now(), dt.timedelta(seconds=self.config.resend_seconds))
        if due and self.link.publish(topic(self.config.county, self.config.node, "plays"),
                                     encode({"node": self.config.node, "reports": due})):
            outbox.mark_sent(due, self.clock.now())
            sent = len(due)
        return sent

    def beat(self) -> None:
        """The retained status; the clock is measured against the county's every CLOCK_SECONDS."""
        checked = self.health.clock_checked
        if checked is None or (self.clock.now() - checked).total_seconds() >= CLOCK_SECONDS:
            try:
                self.health.clock_offset_s = self.source.clock_offset()
                self.health.clock_checked = self.clock.now()
            except (Unreachable, ValueError, KeyError, OSError) as exc:
                log.info(_("clock check skipped: {error}").format(error=exc))
        body = status_body(self.facts(), self.health)
        self._say_loudly()
        self.link.publish(topic(self.config.county, self.config.node, "status"), encode(body), retain=True)

    def facts(self) -> Facts:
        now = self.clock.now()
        upcoming = self.disk.playlog.query(states=("scheduled",), since=now, limit=1)
        return Facts(self.config.node, self.config.village, now, self.disk.holdings.held(),
                     upcoming[0].planned_at if upcoming else None, shutil.disk_usage(self.disk.state).free,
                     self.disk.outbox.pending(), self.source.transferred, tuple(self.link.refused),
                     tuple(p.message for p in self.problems.problems()))

    def _say_loudly(self) -> None:
        """A bad clock on every heartbeat; a bundle running out once an hour."""
        now = self.clock.now()
        if problem := clock_warning(self.health.clock_offset_s):
            log.error(_("CLOCK: {problem}").format(problem=problem))
        problem = runs_out_warning(self.disk.holdings.held(), now)
        if problem and now - self._warned.get("runs-out", now - WARN_EVERY) >= WARN_EVERY:
            self._warned["runs-out"] = now
            log.warning("%s", problem)

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> None:
        now = self.clock.now()
        for pid, new_state in self.disk.playlog.recover(now, self.disk.grace(), self.config.replay_interrupted):
            state = _(AFTER_RESTART[new_state]) if new_state in AFTER_RESTART else new_state
            log.warning(_("{play}: {state} after restart").format(play=pid, state=state))
        self.disk.outbox.collect(self.disk.playlog, now)
        self.link.start()
        for target, name in ((self.bundle_loop, "bundles"), (self.upkeep_loop, "upkeep")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self.threads.append(thread)

    def loop(self, exit_after: float | None = None) -> None:
        """Until stopped: due plays start, finished ones go to the outbox. A play log or outbox that fails
        (a full disk) is reported and tried again on the next turn; the loop itself never ends on it."""
        started = next_collect = time.monotonic()
        while not self.stopping.wait(TICK):
            self._guarded("dispatch", self.dispatch)
            if self._collect.is_set() or time.monotonic() >= next_collect:
                self._collect.clear()
                next_collect = time.monotonic() + COLLECT_SECONDS
                self._guarded("outbox", self._collect_reports)
            if exit_after is not None and time.monotonic() - started >= exit_after:
                return

    def _collect_reports(self) -> None:
        self.player.flush()
        self.disk.outbox.collect(self.disk.playlog, self.clock.now())

    def _guarded(self, kind: str, call: Callable[[], object]) -> None:
        try:
            call()
        except (sqlite3.Error, OSError) as exc:
            self.problems.report(kind, f"{kind}: {type(exc).__name__}: {exc}", blocks_air=kind == "dispatch")
        else:
            self.problems.clear(kind)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=10)
        self.disk.outbox.collect(self.disk.playlog, self.clock.now())
        self.send_reports()
        self.link.stop(farewell=(topic(self.config.county, self.config.node, "status"),
                                 encode({"state": "offline", "node": self.config.node, "reason": "stopped"})))

    def run(self, exit_after: float | None = None) -> int:
        """Serve until SIGTERM/SIGINT (or exit_after seconds); one node process per state folder."""
        with InstanceLock(self.disk.state):
            signal.signal(signal.SIGTERM, lambda *_: self.stopping.set())
            signal.signal(signal.SIGINT, lambda *_: self.stopping.set())
            try:
                self.start()
                held = self.disk.holdings.held()
                log.info(_("node {node} (village {village}) started, state in {state}, bundle {sequence}").format(
                    node=self.config.node, village=self.config.village, state=self.disk.state,
                    sequence=held.sequence if held else 0))
                self.loop(exit_after)
            finally:
                self.stop()
                log.info(_("node stopped"))
        return 0
