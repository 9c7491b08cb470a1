"""Fleet benchmark: 50+ village nodes on this machine, a real Mosquitto, the real `outreach fleet serve`.

Prints: the time from publishing a changed bundle to every node holding it; the bytes each node downloads
when one script changes (target: that script's new files only); the county process's RSS and CPU, idle and
while re-planning and publishing; the share of air times met during a broker outage (target 100 %).

The nodes are real ``outreach.node.service.Node`` objects, several to a process (``--hosts`` processes),
each with its own state folder, play log, outbox, MQTT session and spool output. Rendering runs in the
county's render worker (espeak-ng, ffmpeg), one programme per village and script.

    .venv/bin/python benchmarks/fleet.py [--nodes 50] [--outage 60] [--hosts 2] [--idle 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import copy_deployment, write_script  # noqa: E402  (the tests' deployment copy)
from daemon_helpers import wait_for  # noqa: E402
from fleet.helpers import free_port  # noqa: E402

from outreach.deployment import Deployment  # noqa: E402
from outreach.fleet.broker import mosquitto_conf  # noqa: E402
from outreach.fleet.db import FleetDB  # noqa: E402
from outreach.fleet.paths import FleetPaths  # noqa: E402
from outreach.fleet.provision import add_node  # noqa: E402
from outreach.node.bundle import Manifest  # noqa: E402
from outreach.playlog import PlayLog  # noqa: E402

GRACE = 10
TICKS = os.sysconf("SC_CLK_TCK")


def proc_stat(pid: int) -> tuple[float, float]:
    """(resident MB, CPU seconds so far) of a process, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    utime, stime = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13]
    return rss_kb / 1024, (int(utime) + int(stime)) / TICKS


def village(i: int) -> str:
    return (f"  - id: v{i:03d}\n    name: {{cmn: 测试{i}村}}\n    contact: {{name: 示例, phone: \"0859-1{i:06d}\", "
            f"example: true}}\n    languages: [cmn]\n    node: n{i:03d}\n")


def make_county(root: Path, nodes: int) -> Deployment:
    """The shipped deployment, one-language programmes, fleet mode on, ``nodes`` villages each with a node."""
    content = free_port()
    site = copy_deployment(root, {
        "programmes:\n": "programmes:\n  quick:\n    languages: [cmn]\n    chime: null\n    closing_chime: null\n"
                         "    repeats: 1\n",
        "  grace_seconds: 300 ": f"  grace_seconds: {GRACE} ", "  watch_seconds: 15 ": "  watch_seconds: 1 ",
        "  enabled: false\n": "  enabled: true\n", "  broker_port: 1883": f"  broker_port: {free_port()}",
        "  content_port: 8765\n  content_url: http://127.0.0.1:8765":
            f"  content_port: {content}\n  content_url: http://127.0.0.1:{content}",
        "  heartbeat_seconds: 60 ": "  heartbeat_seconds: 10 ", "  reconnect_max_seconds: 30 ": "  reconnect_max_seconds: 4 ",
        "\nvillages:\n": "\nvillages:\n" + "".join(village(i) for i in range(1, nodes + 1)),
    })
    (site.plans_dir / "county.yaml").unlink()
    for script in ("alpha", "beta"):
        write_script(site, script, {"cmn": f"{{{{ village.name }}}}的乡亲们，{script}，请拨打{{{{ hotline | phone }}}}。"})
    now = site.now()
    write_plan(site, "base", {f"v{i:03d}": [now + dt.timedelta(hours=2)] for i in range(1, nodes + 1)}, "alpha")
    write_plan(site, "base2", {f"v{i:03d}": [now + dt.timedelta(hours=3)] for i in range(1, nodes + 1)}, "beta")
    for i in range(1, nodes + 1):
        add_node(site, f"n{i:03d}", now)
    return site


def write_plan(site: Deployment, name: str, times: dict[str, list[dt.datetime]], script: str) -> None:
    rules = [{"id": f"{name}-{v}", "villages": [v], "scripts": [script], "programme": "quick",
              "times": sorted({t.strftime("%H:%M:%S") for t in ts}),
              "windows": [{"dates": [ts[0].date().isoformat()] * 2}]} for v, ts in times.items()]
    (site.plans_dir / f"{name}.yaml").write_text(json.dumps({"quiet_hours": [], "collision_gap_minutes": 0,
                                                             "rules": rules}), encoding="utf-8")


def host(configs: list[str]) -> None:
    """Run several nodes in this process until SIGTERM (the `--host` mode the benchmark starts)."""
    from outreach.node.config import load_node_config
    from outreach.node.service import Node

    nodes = [Node(*load_node_config(Path(c))) for c in configs]
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    for node in nodes:
        node.start()
        threading.Thread(target=node.loop, daemon=True).start()
    done.wait()
    for node in nodes:
        node.stopping.set()
    for node in nodes:
        node.stop()


class Bench:
    def __init__(self, tmp: Path, nodes: int, hosts: int) -> None:
        self.tmp, self.count = tmp, nodes
        self.site = make_county(tmp / "county", nodes)
        self.paths = FleetPaths.of(self.site)
        self.db = FleetDB(self.paths.db)
        conf = mosquitto_conf(self.paths.broker_security, tmp, self.site.profile.fleet.broker_port)
        (tmp / "mosquitto.conf").write_text(conf + ("user root\n" if os.geteuid() == 0 else ""), encoding="utf-8")
        self.broker = self._broker()
        self.serve = subprocess.Popen([sys.executable, "-m", "outreach", "fleet", "serve", "--root", str(self.site.root)],
                                      stdout=subprocess.DEVNULL, stderr=(tmp / "serve.log").open("wb"))
        configs = [self._node_config(f"n{i:03d}") for i in range(1, nodes + 1)]
        self.hosts = [subprocess.Popen([sys.executable, __file__, "--host", *configs[k::hosts]],
                                       stderr=(tmp / f"host{k}.log").open("wb")) for k in range(hosts)]

    def _broker(self) -> subprocess.Popen:
        proc = subprocess.Popen(["mosquitto", "-c", str(self.tmp / "mosquitto.conf")], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        return proc

    def _node_config(self, node: str) -> str:
        import yaml

        data = yaml.safe_load(self.paths.node_config(node).read_text(encoding="utf-8"))
        data["state_dir"] = str(self.tmp / "nodes" / node)
        target = self.tmp / f"{node}.yaml"
        target.write_text(yaml.safe_dump(data), encoding="utf-8")
        return str(target)

    def statuses(self) -> dict[str, dict]:
        return {node: body for node, (body, _) in self.db.statuses().items()}

    def holding(self, newer_than: dict[str, int] | None = None) -> bool:
        latest = {b.node: b.sequence for b in self.db.bundles()}
        held = {n: b.get("sequence", 0) for n, b in self.statuses().items()}
        return len(latest) == self.count and all(
            held.get(n) == s and s > (newer_than or {}).get(n, 0) for n, s in latest.items())

    def manifests(self) -> dict[str, Manifest]:
        return {b.node: Manifest.model_validate_json(json.loads(b.envelope)["manifest"]) for b in self.db.bundles()}

    def close(self) -> None:
        for proc in [*self.hosts, self.serve, self.broker]:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(60)


def county_usage(pid: int, seconds: float, until=None) -> tuple[float, float, float]:
    """(peak RSS MB, CPU % of one core, seconds) of a process over a fixed time or until a condition."""
    rss, cpu0 = proc_stat(pid)
    start = time.monotonic()
    while time.monotonic() - start < seconds and not (until and until()):
        rss = max(rss, proc_stat(pid)[0])
        time.sleep(0.25)
    elapsed = time.monotonic() - start
    rss_now, cpu1 = proc_stat(pid)
    return max(rss, rss_now), 100 * (cpu1 - cpu0) / elapsed, elapsed


def one_script_change(bench: Bench) -> None:
    """Edit one script; time the publish-to-holding; count bytes each node fetched against its new files."""
    before, sequences = bench.manifests(), {n: b.get("sequence", 0) for n, b in bench.statuses().items()}
    fetched0 = {n: b.get("downloaded_bytes", 0) for n, b in bench.statuses().items()}
    template = bench.site.scripts_dir / "alpha" / "cmn.j2"
    template.write_text(template.read_text(encoding="utf-8").replace("的乡亲们", "的各位乡亲们"), encoding="utf-8")
    rss, cpu, seconds = county_usage(bench.serve.pid, 900, until=lambda: bench.holding(sequences))
    if not bench.holding(sequences):
        raise SystemExit("not every node took the changed bundle within 15 minutes")
    time.sleep(3)  # a node beats right after taking a bundle: its byte count arrives with it
    after, statuses = bench.manifests(), bench.statuses()
    published = {b.node: dt.datetime.fromisoformat(b.published_at).timestamp() for b in bench.db.bundles()}
    taken = {n: dt.datetime.fromisoformat(s["taken_at"]).timestamp() for n, s in statuses.items()}
    lag = sorted(taken[n] - published[n] for n in published)
    new_bytes = {n: sum(r.size for sha, r in after[n].files.items() if sha not in before[n].files) for n in after}
    fetched = {n: statuses[n]["downloaded_bytes"] - fetched0[n] for n in after}
    alpha = {n: sum(after[n].files[i.file].size for i in after[n].items if i.script == "alpha" and i.file)
             for n in after}
    exact = sum(fetched[n] == new_bytes[n] == alpha[n] for n in after)
    print(f"one-script change: publish -> node holding the new bundle (files fetched, hashes checked): median "
          f"{lag[len(lag) // 2]:.2f} s, slowest node {lag[-1]:.2f} s (target < 15 s)")
    print(f"  first publish -> all {len(after)} nodes holding: {max(taken.values()) - min(published.values()):.1f} s "
          "(each node's bundle goes out as soon as its village's programmes are rendered)")
    print(f"  edit -> every node holding: {seconds:.1f} s (file watch, re-plan, {len(after)} programmes re-rendered)")
    print(f"  bytes downloaded per node: mean {sum(fetched.values()) / len(fetched):.0f}, max {max(fetched.values())};"
          f" {exact}/{len(after)} nodes fetched exactly the changed script's file (target: all)")
    print(f"  county while re-planning and publishing: peak RSS {rss:.1f} MB, CPU {cpu:.1f} % of a core "
          "(the render worker is a separate process)")


def outage(bench: Bench, seconds: float) -> None:
    """Two plays per node inside a broker outage; then every report must reach the county."""
    sequences = {n: b.get("sequence", 0) for n, b in bench.statuses().items()}
    start = bench.site.now() + dt.timedelta(seconds=20)
    span = max(10.0, seconds - 15)
    times = {f"v{i:03d}": [start + dt.timedelta(seconds=5 + (i * 7 + k * 13) % span) for k in range(2)]
             for i in range(1, bench.count + 1)}
    write_plan(bench.site, "outage", times, "beta")
    if not wait_for(lambda: bench.holding(sequences), 120):
        raise SystemExit("the outage plan did not reach every node")
    time.sleep(max(0.0, (start - bench.site.now()).total_seconds()))
    bench.broker.send_signal(signal.SIGTERM)
    bench.broker.wait(60)
    time.sleep(seconds)
    bench.broker = bench._broker()
    rules = {f"outage-v{i:03d}" for i in range(1, bench.count + 1)}
    plays = [p for i in range(1, bench.count + 1) for p in PlayLog(bench.tmp / "nodes" / f"n{i:03d}" /
                                                                    "playlog.sqlite").query() if p.rule in rules]
    met = [p for p in plays if p.state == "played" and p.lateness_ms is not None and p.lateness_ms <= GRACE * 1000]
    arrived = wait_for(lambda: {p.id for p in plays} <= {p.id for p, _ in bench.db.plays()}, 180)
    late = sorted(p.lateness_ms for p in met)
    print(f"broker outage of {seconds:.0f} s: {len(met)}/{len(plays)} air times met ({100 * len(met) / len(plays):.0f} %,"
          f" target 100 %), lateness median {late[len(late) // 2]:.0f} ms, max {late[-1]:.0f} ms")
    print(f"  after the broker returned: {'every' if arrived else 'NOT every'} report reached the county")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=2, help="processes the nodes are spread over")
    parser.add_argument("--outage", type=float, default=60)
    parser.add_argument("--idle", type=float, default=20)
    parser.add_argument("--host", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.host:
        host(args.host)
        return
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        bench = Bench(Path(tmp), args.nodes, args.hosts)
        try:
            if not wait_for(bench.holding, 1800):
                raise SystemExit("the first bundles did not reach every node")
            print(f"{args.nodes} nodes: first bundles held by all {time.monotonic() - started:.0f} s after start "
                  f"({2 * args.nodes} programmes rendered)")
            rss, cpu, seconds = county_usage(bench.serve.pid, args.idle)
            print(f"county idle: RSS {rss:.1f} MB, CPU {cpu:.2f} % of a core over {seconds:.0f} s, taking "
                  f"{args.nodes / 10:.0f} heartbeats/s (as {args.nodes * 6} nodes beating every 60 s)")
            one_script_change(bench)
            outage(bench, args.outage)
        finally:
            bench.close()


if __name__ == "__main__":
    main()
