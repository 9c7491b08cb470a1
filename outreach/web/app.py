"""The console application: one ``Console`` per deployment folder, and the Starlette app around it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from outreach.web.console import Console

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 64 * 1024 * 1024
CSP = ("default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
       "script-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'")


class SecurityHeaders:
    """Every response: a strict CSP (nothing but this console's own files), no sniffing, no framing by others."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"SAMEORIGIN")]
                headers += [(k, v) for k, v in extra if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def routes() -> list[Any]:
    from outreach.web.pages import account, agenda, edit, jobs, log, overview, printing, record, review, scripts

    found: list[Any] = []
    for module in (account, overview, scripts, edit, review, record, printing, agenda, log, jobs):
        found += module.ROUTES
    return found + [Mount("/static", StaticFiles(directory=STATIC), name="static")]


def create_app(root: Path | str, secure_cookies: bool = False, workers: int = 2) -> Starlette:
    """The console for one deployment folder; jobs left unfinished by an earlier run are marked failed."""
    console = Console(Path(root), secure_cookies, workers)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        console.jobs.shutdown()

    app = Starlette(routes=routes(), lifespan=lifespan, max_body_size=MAX_BODY)
    app.state.console = console
    app.add_middleware(SecurityHeaders)
    return app

