"""Print layouts cannot reach outside: only data: URLs and files under templates/ are ever loaded.

A local HTTP server on 127.0.0.1 records every request it gets, so "refused"
means "never asked for", not just "not shown"; attachments are checked with
poppler's pdfdetach, what any reader of a shared PDF could run.
"""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from outreach.print import PrintError
from outreach.print.pdf import pdf_from_html

ONE_PIXEL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGA"
             "WjR9awAAAABJRU5ErkJggg==")


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 (the kind a layout must never reach): its base URL, and the paths it was asked."""
    hits: list[str] = []
    handler = type("Recorder", (_Recorder,), {"hits": hits})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def site(tmp_path) -> tuple[Path, Path]:
    """A templates/ folder with a stylesheet in it, and a secret file beside it (and a symlink to the secret)."""
    templates = tmp_path / "templates"
    (templates / "print").mkdir(parents=True)
    (templates / "print" / "own.css").write_text("p { color: #333 }", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    (templates / "print" / "innocent.css").symlink_to(secret)
    return templates, secret


def _pdf(templates: Path, body: str) -> bytes:
    return pdf_from_html(f"<!doctype html><html><body><p>x</p>{body}</body></html>", templates / "print", [templates])


def attachments(pdf: Path) -> str:
    return subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout


def test_data_urls_and_files_under_templates_are_served(site, tmp_path):
    templates, _ = site
    pdf = tmp_path / "ok.pdf"
    pdf.write_bytes(_pdf(templates, f'<link rel="stylesheet" href="own.css"><img src="{ONE_PIXEL}">'
                                    '<a rel="attachment" href="own.css">the stylesheet</a>'))
    assert "own.css" in attachments(pdf)  # pdfdetach sees what a layout may attach: the check below is real


@pytest.mark.parametrize("body", [
    '<a rel="attachment" href="file://{secret}">x</a>',
    '<link rel="attachment" href="file://{secret}">',
    '<a rel="attachment" href="../../secret.txt">x</a>',
    '<a rel="attachment" href="innocent.css">x</a>',
    '<base href="file:///etc/"><a rel="attachment" href="passwd">x</a>',
    '<img src="file://{secret}">',
    '<link rel="stylesheet" href="file:///etc/passwd">',
])
def test_local_files_outside_templates_are_refused_and_never_embedded(site, body, tmp_path):
    templates, secret = site
    with pytest.raises(PrintError, match=r"the layout refers to file://\S+: outside the deployment's templates/"):
        _pdf(templates, body.replace("{secret}", str(secret)))


@pytest.mark.parametrize("body", [
    '<img src="{base}/img.png">',
    '<link rel="stylesheet" href="{base}/s.css">',
    '<style>@import url("{base}/i.css");</style>',
    '<div style="background: url({base}/bg.png)">x</div>',
    '<style>@font-face {{ font-family: X; src: url({base}/f.woff) }} p {{ font-family: X }}</style>',
    '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><image href="{base}/svg.png" width="9" '
    'height="9"/></svg>',
    '<object data="{base}/o.png"></object>',
    '<a rel="attachment" href="{base}/a.bin">x</a>',
])
def test_network_urls_are_refused_without_a_request(site, server, body):
    templates, _ = site
    base, hits = server
    hits.clear()
    with pytest.raises(PrintError, match=r"refers to http://127\.0\.0\.1:\d+/\S+: only data: URLs"):
        _pdf(templates, body.format(base=base))
    assert hits == []


def test_a_layout_that_attaches_a_local_file_prints_nothing(deployment, run, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    layout = deployment.templates / "print" / "card.html.j2"
    layout.write_text(layout.read_text(encoding="utf-8").replace(
        "</body>", f'<a rel="attachment" href="file://{secret}">x</a></body>'), encoding="utf-8")
    out = tmp_path / "cards.pdf"
    code, _, err = run("cards", "general-warning", "--village", "wangmu", "--layout", "card", "--allow-draft",
                       "-o", str(out), "--root", str(deployment.root))
    assert code == 1 and f"the layout refers to file://{secret}" in err
    assert not out.exists()


def test_the_shared_css_and_the_report_layout_cannot_reach_out(deployment, run, server, tmp_path):
    base, hits = server
    hits.clear()
    root = ("--root", str(deployment.root))
    css = deployment.templates / "print" / "base.css"
    css.write_text(css.read_text(encoding="utf-8") + f"\nbody {{ background: url({base}/base.png) }}\n",
                   encoding="utf-8")
    cards = tmp_path / "c.pdf"
    code, _, err = run("cards", "general-warning", "--village", "wangmu", "--layout", "card", "--allow-draft",
                       "-o", str(cards), *root)
    assert code == 1 and f"refers to {base}/base.png: only data: URLs" in err
    report = deployment.templates / "reports" / "monthly.html.j2"
    report.write_text(report.read_text(encoding="utf-8").replace("</body>", f'<img src="{base}/r.png"></body>'),
                      encoding="utf-8")
    out = tmp_path / "r.pdf"
    code, _, err = run("report", "--month", "2026-11", "-o", str(out), *root)
    assert code == 1 and f"refers to {base}/r.png" in err
    assert hits == [] and not out.exists() and not cards.exists()
