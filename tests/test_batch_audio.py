"""The batch pool's workers live no longer than the process that started them.

A county officer who kills `outreach audio --all --villages all` (or whose
session drops) must not leave two processes rendering on, or sleeping forever,
holding the cores the daemon needs. Real processes, real espeak-ng and ffmpeg.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import copy_deployment

CALLER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from outreach.batch_audio import jobs_for, make_all
    from outreach.deployment import Deployment

    if __name__ == "__main__":
        d = Deployment(Path(sys.argv[1]))
        make_all(d.root, jobs_for([s.id for s in d.catalog], [v.id for v in d.profile.villages]), workers=2)
""")


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc (Linux)")
def test_workers_stop_when_their_caller_is_killed(tmp_path: Path) -> None:
    d = copy_deployment(tmp_path / "d", {"cmn: [clips, neural, espeak]": "cmn: [clips, espeak]"})
    script = tmp_path / "caller.py"
    script.write_text(CALLER, encoding="utf-8")
    caller = subprocess.Popen([sys.executable, str(script), str(d.root)], env={**os.environ, "OUTREACH_LANG": "en"})
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (d.state_dir / "cache").exists():
            assert caller.poll() is None, "the batch ended before it could be interrupted"
            time.sleep(0.2)
        workers = children(caller.pid)
        assert len(workers) >= 2, workers
        caller.send_signal(signal.SIGKILL)
        caller.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(alive(w) for w in workers):
            time.sleep(0.2)
        assert not [w for w in workers if alive(w)], "workers outlived the process that started them"
    finally:
        if caller.poll() is None:
            caller.kill()
