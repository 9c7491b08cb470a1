"""Console benchmark: median and p95 latency of the overview, a script page and the agenda, 20 clients at once.

Runs the real server (`outreach web`) on a copy of the shipped deployment on 127.0.0.1 and a free port,
signs one user in, then has 20 client threads fetch each page a bounded number of times. Pages that
render audio or PDFs are not measured (they run as background jobs). Also prints the server's RSS.

    .venv/bin/python benchmarks/web.py [--clients 20] [--requests 10]
"""

from __future__ import annotations

import argparse
import os
import http.cookiejar
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ["OUTREACH_LANG"] = "en"  # the figures are read from English log lines and pages
PAGES = {"overview": "/", "script page": "/scripts/fake-loan?village=wangmu",
         "agenda": "/agenda?month=2027-02&village=wangmu"}
PASSWORD = "benchmark password"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    for part in ("templates", "schedules", "audio"):
        shutil.copytree(ROOT / part, root / part)
    subprocess.run([sys.executable, "-m", "outreach", "users", "add", "bench", "--role", "staff", "--password-stdin",
                    "--root", str(root)], input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "outreach", "web", "--root", str(root), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/login", timeout=1)
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the console did not start")


def _session(base: str) -> str:
    """Sign in once; the clients share the session cookie (as tabs of one browser would)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = re.search(r'name="csrf" value="([^"]+)"', opener.open(base + "/login").read().decode()).group(1)
    opener.open(base + "/login", urllib.parse.urlencode({"csrf": token, "name": "bench", "password": PASSWORD}).encode())
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _fetch(url: str, cookie: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=60) as answer:
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{url}: {answer.status}")
    return time.perf_counter() - start


def _rss_mb(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=10, help="Requests per client and page.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="outreach-bench-web-") as tmp:
        proc, base = _start(Path(tmp))
        try:
            cookie = _session(base)
            for path in PAGES.values():
                _fetch(base + path, cookie)
            print(f"{args.clients} concurrent clients, {args.requests} requests each per page")
            for name, path in PAGES.items():
                with ThreadPoolExecutor(args.clients) as pool:
                    times = sorted(pool.map(lambda _: _fetch(base + path, cookie), range(args.clients * args.requests)))
                p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
                print(f"  {name:12} median {statistics.median(times) * 1000:6.0f} ms   p95 {p95 * 1000:6.0f} ms"
                      f"   ({len(times)} requests)")
            rss, peak = _rss_mb(proc.pid)
            print(f"server RSS {rss:.0f} MB (peak {peak:.0f} MB)")
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
