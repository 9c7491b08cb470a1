"""``outreach fleet export --node ID DIR``: the node's signed bundle and its files, for a USB stick.

The folder holds ``bundle.json`` (the same signed envelope the broker carries)
and ``content/<sha256>.<ext>``; ``outreach node import DIR`` on the node applies
the same checks as for a bundle that came over the network. The bundle is
issued like any other (same sequence numbering), and ``fleet serve`` publishes
it too when the node is also reachable.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from outreach.deployment import Deployment
from outreach.fleet.build import Builder, node_villages
from outreach.fleet.content import ContentStore
from outreach.fleet.db import FleetDB
from outreach.fleet.paths import FleetError, FleetPaths
from outreach.fleet.sign import issue, load_key
from outreach.i18n import _
from outreach.media import write_atomic
from outreach.node.holdings import BUNDLE_FILE, CONTENT_DIR
from outreach.worker import Renderer, WorkerRenderer


@dataclass(frozen=True)
class Exported:
    node: str
    sequence: int
    plays: int
    files: int
    bytes: int
    until: dt.datetime


def export_bundle(deployment: Deployment, node: str, folder: Path, now: dt.datetime,
                  renderer: Renderer | None = None) -> Exported:
    if node not in node_villages(deployment.profile):
        raise FleetError(_("no village has `node: {node}` in {profile}").format(
            node=node, profile=deployment.profile_path.name))
    paths = FleetPaths.of(deployment)
    db = FleetDB(paths.db)
    if node not in {n.id for n in db.nodes()}:
        raise FleetError(_("node {node} is not provisioned: outreach fleet add-node {node}").format(node=node))
    key = load_key(paths)
    store = ContentStore(paths.content)
    builder = Builder(renderer or WorkerRenderer(deployment.root), store)
    try:
        draft = next(builder.drafts(deployment, now, only=node))
    finally:
        builder.renderer.close()
    issued = issue(db, key, draft, now)
    content = folder / CONTENT_DIR
    content.mkdir(parents=True, exist_ok=True)
    for ref in draft.files.values():
        source = store.find(ref.sha256)
        if source is None:
            raise FleetError(_("file {name} is missing from {folder}").format(name=ref.name, folder=store.folder))
        shutil.copyfile(source, content / ref.name)
    write_atomic(folder / BUNDLE_FILE, issued.envelope)
    return Exported(node, issued.sequence, len(draft.items), len(draft.files),
                    sum(ref.size for ref in draft.files.values()), draft.until)
