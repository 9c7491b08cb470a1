"""The real console in a subprocess on a free port, and a real Chromium (Debian's) driven by Playwright.

Both are session-scoped: starting them is the expensive part. Each test signs in as the user it
needs in a fresh browser context, so tests share the server but not cookies.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import copy_deployment
from outreach.deployment import Deployment

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "correct horse battery"
USERS = {"admin": "admin", "staff": "staff", "reviewer": "reviewer", "recorder": "recorder"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def outreach(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "outreach", *args], input=stdin, capture_output=True, text=True,
                          check=True)


@pytest.fixture(scope="session")
def web_root(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """A writable deployment with one user per role (the admin made by the real `outreach users add`)."""
    from outreach.web.accounts import add_user
    from outreach.web.store import Store

    deployment = copy_deployment(tmp_path_factory.mktemp("console"))
    outreach("users", "add", "admin", "--role", "admin", "--password-stdin", "--root", str(deployment.root),
             stdin=PASSWORD + "\n")
    for name, role in USERS.items():
        if name != "admin":
            add_user(Store.of(deployment), name, role, PASSWORD)
    return deployment


@pytest.fixture(scope="session")
def server(web_root: Deployment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path_factory.mktemp("console-log") / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "outreach", "web", "--root", str(web_root.root), "--port",
                             str(port)], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/login", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"the console did not start, see {log.name}")
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What Chromium's fake microphone says, made by espeak-ng."""
    path = tmp_path_factory.mktemp("mic") / "voice.wav"
    subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(path), "hello, good morning"], check=True)
    return path


@pytest.fixture(scope="session")
def browser(speech_wav: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={speech_wav}"])
        yield chromium
        chromium.close()


@pytest.fixture
def signed_in(browser, server: str):
    """``signed_in("reviewer")`` -> a page of a new browser context, signed in as that user."""
    contexts = []

    def sign_in(name: str, width: int = 1280, height: int = 800):
        context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True,
                                      locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.goto(server + "/login")
        page.fill("input[name=name]", name)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(server + "/")
        return page

    yield sign_in
    for context in contexts:
        context.close()

