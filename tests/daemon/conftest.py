"""The in-process daemon's fixtures: the test site, a fake clock at today's time, a fake renderer that fails
the broken script, and a daemon on them that is stopped after the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from outreach.daemon import Daemon
from outreach.deployment import Deployment

from daemon_fakes import FakeClock, FakeRenderer
from daemon_helpers import BROKEN, make_site, start_clock


@pytest.fixture
def site(tmp_path: Path) -> Deployment:
    return make_site(tmp_path)


@pytest.fixture
def clock(site: Deployment) -> FakeClock:
    return start_clock(site)


@pytest.fixture
def renderer(tmp_path: Path) -> FakeRenderer:
    (tmp_path / "rendered").mkdir()
    return FakeRenderer(tmp_path / "rendered", failures={"broken": BROKEN})


@pytest.fixture
def daemon(site: Deployment, clock: FakeClock, renderer: FakeRenderer) -> Iterator[Daemon]:
    daemon = Daemon(site, clock=clock, renderer=renderer)
    yield daemon
    daemon.stop()
