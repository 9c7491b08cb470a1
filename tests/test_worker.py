"""The render worker: typed messages, real rendering (espeak-ng, ffmpeg) in-process and as
`python -m outreach.worker`, how a dead worker is reported, the limits it runs under (memory, CPU time,
wall-clock time per request), and that it dies with the process that started it."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pydantic
import pytest

from outreach.deployment import Deployment
from outreach.worker import RenderRequest, RenderResult, WorkerLimits, WorkerRenderer, serve

from daemon_helpers import gone, make_site, wait_for

TINY = RenderRequest(script="tiny", village="xiangle", programme="quick")


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Deployment:
    return make_site(tmp_path_factory.mktemp("worker"))


@pytest.fixture(scope="session")
def served(site) -> list[RenderResult]:
    """One in-process worker session: a good request, a blank line, a broken script, an unknown village."""
    lines = [TINY.to_json(), "", RenderRequest(script="broken", village="xiangle", programme="quick").to_json(),
             RenderRequest(script="tiny", village="atlantis", programme="quick", variables={"a": "b"}).to_json()]
    out = io.StringIO()
    assert serve(site, lines, lambda line: out.write(line + "\n")) == 3
    return [RenderResult.from_json(line) for line in out.getvalue().splitlines()]


def test_messages_round_trip_as_json_lines():
    request = RenderRequest(script="holiday-travel", village="wangmu", programme="standard",
                            variables={"holiday": "春节"})
    assert "\n" not in request.to_json() and RenderRequest.from_json(request.to_json()) == request
    done = RenderResult(key=request.key, path="/air/a.mp3", content_hash="ab", languages=["cmn"])
    failed = RenderResult.failure(request.key, "no voice")
    assert RenderResult.from_json(done.to_json()) == done and done.ok
    assert RenderResult.from_json(failed.to_json()) == failed and not failed.ok
    for wrong in ({"key": "k"}, {"key": "k", "path": "/a", "content_hash": "h", "error": "e"},
                  {"key": "k", "error": "e", "surprise": 1}):
        with pytest.raises(pydantic.ValidationError):
            RenderResult.model_validate(wrong)


def test_a_worker_session_answers_every_request_in_order(served, site):
    good, broken, unknown = served
    assert good.ok and good.key == TINY.key and good.languages == ["cmn"]
    path = Path(good.path)
    assert path.parent == site.state_dir / "air" and path.stat().st_size > 1000
    assert good.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not broken.ok and "broken/cmn.j2" in broken.error
    assert not unknown.ok and "atlantis" in unknown.error and unknown.key == RenderRequest(
        script="tiny", village="atlantis", programme="quick", variables={"a": "b"}).key


def test_the_worker_process_renders_and_is_replaced_after_close(served, site):
    renderer = WorkerRenderer(site.root)
    try:
        again = renderer.render(TINY)  # unchanged inputs: the worker confirms the file rendered above
        assert again == served[0]
        renderer.close()
        assert renderer.render(TINY) == served[0]
    finally:
        renderer.close()


def test_a_worker_that_cannot_start_is_a_failed_render_with_its_last_words(tmp_path):
    result = WorkerRenderer(tmp_path / "missing").render(TINY)
    assert not result.ok and result.key == TINY.key
    assert result.error.startswith("script 'tiny' for xiangle: render worker exited with 1: error: deployment folder")


# The real worker (its limits, protocol and restarts), with one test-only change: requests for these
# scripts run an expensive render instead of a programme. Everything else renders for real.
EXPENSIVE_WORKER = """
import sys, time
import outreach.worker as worker

real = worker.render_one

def render_one(deployment, catalog, chain, request):
    if request.script == "memory-hog":
        hoard = [bytes(64 * 2**20) for _ in range(10_000)]  # calloc: address space, not touched memory
    if request.script == "cpu-hog":
        while True:
            pass
    if request.script == "sleeper":
        time.sleep(3600)
    return real(deployment, catalog, chain, request)

worker.render_one = render_one
sys.exit(worker.main())
"""


def test_a_render_over_a_limit_fails_naming_its_script_and_the_next_one_renders(served, site, tmp_path):
    script = tmp_path / "expensive_worker.py"
    script.write_text(EXPENSIVE_WORKER, encoding="utf-8")
    limits = WorkerLimits(memory_mb=1536, cpu_seconds=1, wall_seconds=4)
    renderer = WorkerRenderer(site.root, limits=limits, command=[sys.executable, str(script)])
    errors = {}
    try:
        for hog in ("memory-hog", "cpu-hog", "sleeper"):
            result = renderer.render(RenderRequest(script=hog, village="xiangle", programme="quick"))
            assert not result.ok and result.over_limit
            errors[hog] = result.error
            assert renderer.pid is None  # the worker is gone: the next request starts another
        assert renderer.render(TINY) == served[0]
    finally:
        renderer.close()
    assert errors == {
        "memory-hog": "script 'memory-hog' for xiangle: template too expensive "
                      "(over the render worker's 1536 MB memory limit)",
        "cpu-hog": "script 'cpu-hog' for xiangle: template too expensive (over the render worker's 1 s CPU limit)",
        "sleeper": "script 'sleeper' for xiangle: render took longer than 4 s; the render worker was stopped",
    }


def test_the_worker_dies_with_the_process_that_started_it(site, served):
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from outreach.worker import RenderRequest, WorkerRenderer
        renderer = WorkerRenderer(Path({str(site.root)!r}))
        renderer.render(RenderRequest.from_json({TINY.to_json()!r}))
        print(renderer.pid, flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    assert not gone(worker)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    assert wait_for(lambda: gone(worker), 30)
