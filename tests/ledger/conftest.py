"""A writable deployment whose clock stands at the end of March 2027, so a whole month lies in the past.

The clock is the one fake here (the wall clock cannot be set); SQLite, the CLI and the PDFs are real.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zoneinfo
from pathlib import Path

import pytest

from conftest import copy_deployment
from outreach.deployment import Deployment

NOW = dt.datetime(2027, 3, 31, 18, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def march(tmp_path, monkeypatch) -> Deployment:
    monkeypatch.setattr(Deployment, "now", lambda self: NOW)
    return copy_deployment(tmp_path / "root")


@pytest.fixture(scope="module")
def recorded_month(tmp_path_factory, request) -> Path:
    """A deployment folder with a month recorded by the module's own ``record_month(root)`` (run once a module)."""
    root = tmp_path_factory.mktemp("month") / "root"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Deployment, "now", lambda self: NOW)
        copy_deployment(root)
        request.module.record_month(str(root))
    return root


@pytest.fixture
def month_copy(recorded_month, tmp_path, monkeypatch) -> Deployment:
    """A fresh copy of the recorded month (ledger included), with the clock at the end of March."""
    monkeypatch.setattr(Deployment, "now", lambda self: NOW)
    shutil.copytree(recorded_month, tmp_path / "root")
    return Deployment(tmp_path / "root")
