"""The render worker: typed messages, real rendering (espeak-ng, ffmpeg) in-process and as
`python -m outreach.worker`, and how a dead worker is reported."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pydantic
import pytest

from outreach.deployment import Deployment
from outreach.worker import RenderRequest, RenderResult, WorkerRenderer, serve

from daemon_helpers import make_site

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
    assert result.error.startswith("render worker exited with 1: error: deployment folder")
