"""Shared fixtures: the shipped deployment, a writable copy of it, and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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


@pytest.fixture
def deployment(tmp_path: Path) -> Deployment:
    """A writable copy of the shipped deployment, for tests that break things."""
    for part in ("templates", "schedules"):
        shutil.copytree(ROOT / part, tmp_path / part)
    return Deployment(tmp_path)


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
