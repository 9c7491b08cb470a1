"""Shared fixtures: the shipped deployment, a writable copy of it, and a CLI runner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ["OUTREACH_LANG"] = "en"  # tests read English unless they ask for Chinese; set before the CLI's help is built

from outreach.catalog import Catalog
from outreach.cli import main
from outreach.deployment import Deployment

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shipped() -> Deployment:
    """The deployment folder shipped in this repository (read-only use)."""
    return Deployment(ROOT)


@pytest.fixture(scope="session")
def catalog(shipped: Deployment) -> Catalog:
    return Catalog.load(shipped.scripts_dir)


def copy_deployment(dst: Path, profile_edits: dict[str, str] | None = None) -> Deployment:
    """A writable copy of the shipped deployment; each edit replaces text in deployment.yaml (which must be there)."""
    for part in ("templates", "schedules", "audio"):
        shutil.copytree(ROOT / part, dst / part)
    profile = dst / "schedules" / "deployment.yaml"
    text = profile.read_text(encoding="utf-8")
    for old, new in (profile_edits or {}).items():
        assert old in text, old
        text = text.replace(old, new, 1)
    profile.write_text(text, encoding="utf-8")
    return Deployment(dst)


@pytest.fixture
def deployment(tmp_path: Path) -> Deployment:
    """A writable copy of the shipped deployment, for tests that break things."""
    return copy_deployment(tmp_path)


@pytest.fixture
def run(capsys):
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def write_script(deployment: Deployment, script_id: str, templates: dict[str, str], extra_yaml: str = "") -> None:
    """Add a small script to a writable deployment: one template per language given."""
    folder = deployment.scripts_dir / script_id
    folder.mkdir(parents=True, exist_ok=True)
    titles = "\n".join(f"  {lang}: {'Mengz ndil' if lang == 'pcc' else '标题'}" for lang in templates)
    reviews = "\n".join(
        f"  {lang}: {{status: {'approved' if lang == 'cmn' else 'draft'}, reviewer: {'R' if lang == 'cmn' else 'null'}}}"
        for lang in templates
    )
    (folder / "script.yaml").write_text(
        f"title:\n{titles}\ntopic: test\naudiences: [villagers]\nlanguages:\n{reviews}\n{extra_yaml}",
        encoding="utf-8",
    )
    for lang, text in templates.items():
        (folder / f"{lang}.j2").write_text(text, encoding="utf-8")
