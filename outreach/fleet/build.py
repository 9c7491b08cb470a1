"""A draft bundle per node: the plan over the bundle horizon for its village, every programme rendered.

Rendering goes through the same render worker as the daemon's (``outreach.worker``),
once per distinct programme; a result is kept until scripts, profile or recordings
change, so the rolling re-plan renders nothing again. A programme that cannot be
rendered still goes into the bundle, with the reason: the node then logs that play
as failed at its time, as the daemon would.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

from outreach.daemon.planning import stamp
from outreach.deployment import Deployment, Profile, Village
from outreach.fleet.content import ContentStore
from outreach.i18n import _
from outreach.node.bundle import FileRef, Item, Manifest
from outreach.worker import Renderer, RenderRequest, RenderResult

log = logging.getLogger("outreach.fleet")


def node_villages(profile: Profile) -> dict[str, Village]:
    """Node id -> the village it serves, as the profile says."""
    return {v.node: v for v in profile.villages if v.node}


def horizon(now: dt.datetime, days: float) -> tuple[dt.datetime, dt.datetime]:
    """From this midnight, ``days`` ahead: the bounds move once a day, so a rolling re-plan changes nothing
    in between and republishes nothing."""
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=days)


def plan_stamp(deployment: Deployment, plans_dir: Path) -> str:
    """What the fleet's plan depends on: a change means re-plan (as the daemon watches it)."""
    return stamp([deployment.templates, deployment.profile_path.parent, plans_dir])


def render_stamp(deployment: Deployment) -> str:
    return stamp([deployment.templates, deployment.profile_path, deployment.audio_dir])


class Builder:
    def __init__(self, renderer: Renderer, store: ContentStore) -> None:
        self.renderer = renderer
        self.store = store
        self._results: dict[str, tuple[RenderResult, FileRef | None]] = {}
        self._inputs = ""

    def drafts(self, deployment: Deployment, now: dt.datetime, plans_dir: Path | None = None,
               only: str | None = None) -> Iterator[Manifest]:
        """One unsigned manifest per node (or the ``only`` one), each as soon as its programmes are ready;
        sequence 1 until it is issued."""
        from outreach.plan import plan_for

        profile, zone = deployment.profile, deployment.zone
        nodes = node_villages(profile)
        start, end = horizon(now.astimezone(zone), profile.fleet.bundle_days)
        _plans, _events, expansion = plan_for(deployment, start.date(), end.date(), plans_dir=plans_dir)
        inputs = render_stamp(deployment)
        if inputs != self._inputs:  # scripts, profile or recordings changed: render afresh, in a fresh worker
            self._results.clear()
            self.renderer.close()
            self._inputs = inputs
        for node, village in sorted(nodes.items()):
            if only is not None and node != only:
                continue
            items, files = [], {}
            for occ in expansion.occurrences:
                at = occ.at.replace(tzinfo=zone)
                if occ.village != village.id or not start <= at < end:
                    continue
                request = RenderRequest(script=occ.script, village=occ.village, programme=occ.programme,
                                        variables=dict(occ.variables))
                result, ref = self._render(request)
                if ref is not None:
                    files[ref.sha256] = ref
                items.append(Item(id=occ.id, at=at, village=occ.village, rule=occ.rule, script=occ.script,
                                  programme=occ.programme, variables=dict(occ.variables), reason=occ.reason,
                                  languages=list(result.languages), file=ref.sha256 if ref else None,
                                  error=result.error))
            yield Manifest(county=profile.fleet.county, node=node, village=village.id, sequence=1, issued_at=now,
                           until=end, grace_seconds=profile.daemon.grace_seconds, items=items, files=files)

    def files(self) -> set[str]:
        """Hashes of every file a cached result names (the content store keeps them)."""
        return {ref.sha256 for _, ref in self._results.values() if ref is not None}

    def _render(self, request: RenderRequest) -> tuple[RenderResult, FileRef | None]:
        if request.key not in self._results:
            try:
                result = self.renderer.render(request)
            except Exception as exc:  # a broken renderer must not stop the other nodes' bundles
                result = RenderResult.failure(request.key, _("renderer: {kind}: {error}").format(
                    kind=type(exc).__name__, error=exc))
            if not result.ok:
                log.warning(_("cannot render {script} for {village}: {error}").format(
                    script=request.script, village=request.village, error=result.error))
            ref = self.store.add(Path(result.path)) if result.ok and result.path else None
            self._results[request.key] = (result, ref)
        return self._results[request.key]
