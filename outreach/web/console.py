"""What every request of the console shares: the deployment folder, the store, jobs, memoised results.

Memoised results are kept per language too: domain code words its messages (check findings, render errors,
a broken script's reason) in the language of the request that computed them (``i18n.current()``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from outreach import i18n
from outreach.deployment import Deployment
from outreach.web.jobs import JobRunner
from outreach.web.memo import Memo, fingerprint
from outreach.web.store import Store


class Console:
    """What every request shares: the deployment folder, the console's store, jobs, memoised results."""

    def __init__(self, root: Path, secure_cookies: bool = False, workers: int = 2) -> None:
        self.root = Deployment.at(root).root
        self.store = Store.of(Deployment(self.root))
        self.memo = Memo()
        self.jobs = JobRunner(self.root, self.store, workers)
        self.secure_cookies = secure_cookies

    def inputs(self) -> list[Path]:
        return [self.root / "templates", self.root / "schedules"]

    def deployment(self) -> Deployment:
        """A Deployment as the files are now: a fresh one (catalog, profile) after any edit, else the same."""
        return self.memo.get(("deployment", i18n.current(), fingerprint(self.inputs())), lambda: Deployment(self.root))

    def cached(self, name: Hashable, compute: Callable[[], Any], audio: bool = False) -> Any:
        """``compute()`` once per state of the templates, schedules (and recordings, when they matter), per language."""
        folders = self.inputs() + ([self.root / "audio"] if audio else [])
        return self.memo.get((name, i18n.current(), fingerprint(folders)), compute)
