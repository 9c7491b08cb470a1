"""``outreach fleet serve``: the county's fleet process, re-planning like the daemon and publishing bundles.

Why its own process and not a hook in the daemon: a bundle covers days (the
daemon's horizon is hours), must wait until all its programmes are rendered
(the daemon plays whatever is ready), and needs an HTTP endpoint and a broker
connection that the on-air process should not carry. It re-plans on the same
triggers as the daemon (SIGHUP, a changed plan, script or profile, and every
``daemon.replan_minutes``); each re-plan issues a new bundle only for nodes
whose plays or files changed, and the daemon leaves node villages alone
(``Profile.plays_locally``) unless ``fleet.play_locally`` is set.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
from pathlib import Path

from outreach.daemon.health import Heartbeat
from outreach.daemon.instance import InstanceLock
from outreach.deployment import Deployment
from outreach.fleet.build import Builder, plan_stamp
from outreach.fleet.content import ContentServer, ContentStore
from outreach.fleet.county import CountyLink, county_endpoint
from outreach.fleet.db import FleetDB
from outreach.fleet.paths import FleetError, FleetPaths
from outreach.fleet.sign import Issued, issue, load_key
from outreach.i18n import _, ngettext
from outreach.worker import Renderer, WorkerRenderer

log = logging.getLogger("outreach.fleet")


class FleetService:
    def __init__(self, deployment: Deployment, plans_dir: Path | None = None, renderer: Renderer | None = None
                 ) -> None:
        fleet = deployment.profile.fleet
        if not fleet.enabled:
            raise FleetError(_("fleet.enabled is false in schedules/deployment.yaml: no node gets bundles"))
        self.deployment = deployment
        self.plans_dir = plans_dir or deployment.plans_dir
        self.paths = FleetPaths.of(deployment)
        self.key = load_key(self.paths)
        self.db = FleetDB(self.paths.db)
        if not self.db.nodes():
            raise FleetError(_("no node is provisioned yet: outreach fleet add-node ID"))
        try:
            secret = self.paths.county_secret.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise FleetError(_("{path} is missing: run outreach fleet add-node again").format(
                path=self.paths.county_secret)) from None
        self.store = ContentStore(self.paths.content)
        self.builder = Builder(renderer or WorkerRenderer(deployment.root), self.store)
        self.content = ContentServer(self.store, self.db, (fleet.listen, fleet.content_port), self.now)
        self.county = CountyLink(fleet.county, county_endpoint(fleet, secret), self.db, self.now)
        self.stopping = threading.Event()
        self.replan_requested = threading.Event()
        self._fingerprint = ""
        self.heartbeat = Heartbeat(self.paths.heartbeat, deployment.profile.daemon.watch_seconds)

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.deployment.zone)

    def replan(self) -> list[Issued]:
        """Plan, render and issue every node's bundle; publish the ones that changed (or never went out)."""
        now = self.now()
        self.deployment = Deployment(self.deployment.root)
        self._fingerprint = plan_stamp(self.deployment, self.plans_dir)
        issued: list[Issued] = []
        try:
            for draft in self.builder.drafts(self.deployment, now, self.plans_dir):
                result = issue(self.db, self.key, draft, now)
                record = self.db.latest_bundle(draft.node)
                if result.new or (record is not None and record.published_at is None):
                    self.county.publish(draft.node, result.sequence, result.envelope)
                    self.db.forget_files(draft.node, set(draft.files))
                if result.new:
                    issued.append(result)
        except Exception as exc:  # a broken plan or profile must not stop the bundles already out
            log.error(_("re-plan failed, the nodes keep the bundles they hold: {error}").format(error=exc))
            return issued
        self.store.prune(self.db.files_in_use() | self.builder.files())
        log.info(ngettext("fleet re-planned: {count} new bundle{bundles}",
                          "fleet re-planned: {count} new bundles{bundles}", len(issued)).format(
            count=len(issued), bundles="".join(f"; {i.node} -> {i.sequence}" for i in issued)))
        return issued

    def start(self) -> None:
        self.content.start()
        self.county.start()
        host, port = self.content.httpd.server_address[:2]
        log.info(_("content endpoint on {host}:{port}").format(host=host, port=port))
        self.replan()

    def stop(self) -> None:
        self.stopping.set()
        self.county.stop()
        self.content.stop()
        self.builder.renderer.close()

    def run(self, exit_after: float | None = None) -> int:
        """Serve until SIGTERM/SIGINT (or exit_after seconds); SIGHUP re-plans. One per deployment."""
        for signum, event in ((signal.SIGHUP, self.replan_requested), (signal.SIGTERM, self.stopping),
                              (signal.SIGINT, self.stopping)):
            signal.signal(signum, lambda *_, event=event: event.set())
        with InstanceLock(self.paths.root):
            try:
                self.start()
                self._watch(exit_after)
            finally:
                self.stop()
                self.heartbeat.close()
                log.info(_("fleet stopped"))
        return 0

    def _watch(self, exit_after: float | None) -> None:
        """Every watch interval: beat, and re-plan when asked, when inputs changed, or when it is time."""
        config = self.deployment.profile.daemon
        started = replanned = time.monotonic()
        while not self.stopping.wait(config.watch_seconds):
            self.heartbeat.beat(self.now(), [])
            if exit_after is not None and time.monotonic() - started >= exit_after:
                return
            due = time.monotonic() - replanned >= config.replan_minutes * 60
            changed = plan_stamp(self.deployment, self.plans_dir) != self._fingerprint
            if due or changed or self.replan_requested.is_set():
                self.replan_requested.clear()
                replanned = time.monotonic()
                self.replan()
