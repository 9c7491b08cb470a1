"""Daemon benchmark: lateness of 50+ plays seconds apart, then idle RSS and idle CPU over 60 s.

A copy of the deployment with a short programme and a spool output; the real
daemon runs as a subprocess. Lateness = actual start of playback - planned time,
from the play log. RSS and CPU are read from /proc for the daemon process (the
render worker is a separate, short-lived process).

    .venv/bin/python benchmarks/daemon.py [--plays 50] [--idle 60]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from outreach.playlog import PlayLog  # noqa: E402

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
VILLAGES = ["wangmu", "pingrao", "xiangle", "hongxing", "baoshu"]


def proc_stat(pid: int) -> tuple[float, float]:
    """(RSS in MB, CPU seconds) of a process."""
    rss = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return rss, (int(fields[11]) + int(fields[12])) / ticks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plays", type=int, default=50)
    parser.add_argument("--idle", type=float, default=60)
    parser.add_argument("--lead", type=float, default=25, help="seconds before the first play (pre-render)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for part in ("templates", "schedules", "audio"):
            shutil.copytree(ROOT / part, root / part)
        profile = root / "schedules" / "deployment.yaml"
        profile.write_text(profile.read_text(encoding="utf-8").replace(
            "programmes:\n", "programmes:\n  quick:\n    languages: [cmn]\n    chime: null\n    closing_chime: null\n"
                             "    repeats: 1\n", 1), encoding="utf-8")
        (root / "schedules" / "plans" / "county.yaml").unlink()
        now = dt.datetime.now(ZONE)
        rules = []
        for i in range(args.plays):
            at = (now + dt.timedelta(seconds=args.lead + i)).replace(microsecond=0)
            rules.append({"id": f"b{i}", "villages": [VILLAGES[i % len(VILLAGES)]], "scripts": ["elderly"],
                          "programme": "quick", "times": [at.strftime("%H:%M:%S")],
                          "windows": [{"dates": [at.date().isoformat()] * 2}]})
        (root / "schedules" / "plans" / "bench.yaml").write_text(
            json.dumps({"quiet_hours": [], "collision_gap_minutes": 0, "rules": rules}), encoding="utf-8")
        env = {**os.environ, "OUTREACH_ROOT": str(root)}
        total = args.lead + args.plays + 3 + args.idle + 5
        proc = subprocess.Popen([sys.executable, "-m", "outreach", "daemon", "--exit-after", str(total)],
                                env=env, stderr=subprocess.DEVNULL)
        time.sleep(args.lead + args.plays + 3)
        rss0, cpu0 = proc_stat(proc.pid)
        time.sleep(args.idle)
        rss1, cpu1 = proc_stat(proc.pid)
        proc.wait(timeout=60)
        plays = PlayLog(root / "var" / "playlog.sqlite").query()
        late = sorted(p.lateness_ms for p in plays if p.state == "played" and p.lateness_ms is not None)
        states = {s: sum(p.state == s for p in plays) for s in {p.state for p in plays}}
    p99 = late[min(len(late) - 1, int(round(0.99 * (len(late) - 1))))] if late else float("nan")
    print(f"plays: {len(late)} played of {args.plays} planned; states {states}")
    print(f"lateness: median {statistics.median(late):.1f} ms, p99 {p99:.1f} ms, max {late[-1]:.1f} ms "
          f"(target p99 < 250 ms)")
    print(f"idle RSS: {rss1:.1f} MB (target < 80 MB)")
    print(f"idle CPU over {args.idle:.0f} s: {100 * (cpu1 - cpu0) / args.idle:.2f} % (target < 1 %)")


if __name__ == "__main__":
    main()
