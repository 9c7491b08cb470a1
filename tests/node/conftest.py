from __future__ import annotations

import datetime as dt

import pytest

from node.bundles import ZONE, County


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime.now(ZONE).replace(microsecond=0)


@pytest.fixture
def county(tmp_path, now):
    running = County(tmp_path / "county", now)
    running.server.start()
    yield running
    running.server.stop()
