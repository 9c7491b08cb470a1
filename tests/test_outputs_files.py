"""Every file written safely: through devices and symlinks, with the umask's mode, never over the deployment."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from outreach.errors import OutputError
from outreach.media import MediaError, atomic_path, user_output, write_atomic


@pytest.fixture
def umask() -> Iterator[Callable[[int], int]]:
    """Set the process umask for one test (restored after)."""
    old = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_get_the_mode_the_umask_gives(tmp_path, umask):
    umask(0o022)
    write_atomic(tmp_path / "shared.pdf", b"%PDF")
    umask(0o027)
    write_atomic(tmp_path / "group.pdf", b"%PDF")
    assert _mode(tmp_path / "shared.pdf") == 0o644 and _mode(tmp_path / "group.pdf") == 0o640


def test_a_replaced_file_keeps_its_own_mode(tmp_path, umask):
    target = tmp_path / "private.pdf"
    target.write_bytes(b"old")
    target.chmod(0o600)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new" and _mode(target) == 0o600


def test_a_symlink_is_followed_and_kept(tmp_path):
    real = tmp_path / "shared" / "report.pdf"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "latest.pdf"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    dangling = tmp_path / "to-be.pdf"
    dangling.symlink_to(tmp_path / "made" / "here.pdf")
    write_atomic(dangling, b"made")
    assert dangling.is_symlink() and (tmp_path / "made" / "here.pdf").read_bytes() == b"made"


def test_dev_null_is_written_through_not_replaced():
    write_atomic(Path("/dev/null"), b"x" * 1000)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, b"through the pipe")
    reader.join(timeout=60)
    assert got == [b"through the pipe"] and stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_folder_is_refused_and_a_failed_write_leaves_the_old_file(tmp_path):
    with pytest.raises(OutputError, match="is a folder"):
        write_atomic(tmp_path, b"x")
    target = tmp_path / "kept.csv"
    target.write_bytes(b"old")
    with pytest.raises(MediaError, match="nothing was written"), atomic_path(target):
        pass
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["kept.csv"]


def test_a_full_device_is_one_line():
    with pytest.raises(OutputError, match="cannot write /dev/full: No space left on device"):
        write_atomic(Path("/dev/full"), b"x")


@pytest.mark.parametrize("relative", [
    "schedules/deployment.yaml", "templates/scripts/fake-loan/cmn.j2", "templates/print/new.pdf",
    "audio/chimes/chime.wav", "schedules/plans/x.ics", "var/playlog.sqlite", "var/ledger.sqlite",
])
def test_the_deployments_own_files_are_refused(deployment, relative):
    with pytest.raises(OutputError, match="refusing to"):
        user_output(deployment, deployment.root / relative)


def test_a_symlink_into_the_deployment_is_refused(deployment, tmp_path):
    link = tmp_path / "elsewhere.yaml"
    link.symlink_to(deployment.root / "schedules" / "deployment.yaml")
    with pytest.raises(OutputError, match="schedules/"):
        user_output(deployment, link)
    assert user_output(deployment, tmp_path / "fine.pdf") == tmp_path / "fine.pdf"


def test_every_command_that_takes_an_output_refuses_the_deployment(deployment, run, tmp_path):
    root = ("--root", str(deployment.root))
    profile = deployment.root / "schedules" / "deployment.yaml"
    before = profile.read_bytes()
    plans = sorted(p.name for p in (deployment.root / "schedules" / "plans").iterdir())
    commands = [
        ("report", "--month", "2026-11", "--format", "csv", "-o", str(profile)),
        ("cards", "general-warning", "--village", "wangmu", "--layout", "card", "--allow-draft", "-o", str(profile)),
        ("cards", "general-warning", "--village", "wangmu", "--layout", "card", "--allow-draft",
         "-o", str(tmp_path / "c.pdf"), "--png", str(deployment.templates / "previews")),
        ("agenda", "--from", "2027-02-01", "--to", "2027-02-02", "--ics", str(deployment.audio_dir / "feb.ics")),
        ("clips", "sheet", "--all", "-o", str(deployment.templates / "sheet.csv")),
        ("plan", "demo", "-o", str(deployment.root / "schedules" / "plans")),
        ("audio", "general-warning", "--village", "wangmu", "-o", str(deployment.audio_dir)),
    ]
    for argv in commands:
        code, _, err = run(*argv, *root)
        assert code == 1 and "refusing to" in err and "Traceback" not in err, (argv, err)
    assert profile.read_bytes() == before
    assert sorted(p.name for p in (deployment.root / "schedules" / "plans").iterdir()) == plans
    assert not (deployment.templates / "previews").exists() and not (tmp_path / "c.pdf").exists()


def test_report_to_dev_null_and_through_a_symlink_with_the_umask(deployment, run, tmp_path, umask):
    root = ("--root", str(deployment.root))
    code, _, err = run("report", "--month", "2026-11", "-o", "/dev/null", "--format", "csv", *root)
    assert code == 0, err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    real = tmp_path / "share" / "november.csv"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "report.csv"
    link.symlink_to(real)
    umask(0o027)
    code, _, err = run("report", "--month", "2026-11", "-o", str(link), *root)
    assert code == 0, err
    assert link.is_symlink() and real.read_text(encoding="utf-8-sig") != "old" and "," in real.read_text()
    fresh = tmp_path / "fresh.csv"
    code, _, err = run("report", "--month", "2026-11", "-o", str(fresh), *root)
    assert code == 0 and _mode(fresh) == 0o640


def test_a_report_can_be_piped_through_dev_stdout(deployment):
    argv = [sys.executable, "-m", "outreach", "report", "--month", "2026-11", "--format", "csv", "-o", "/dev/stdout",
            "--root", str(deployment.root)]
    done = subprocess.run(argv, capture_output=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"\xef\xbb\xbf") and b"/dev/stdout:" in done.stdout
