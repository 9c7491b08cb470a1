"""Starting the console: the address is tried before uvicorn starts.

uvicorn reports a host it cannot resolve or a port already taken by logging a
traceback-like message and exiting with status 3; staff should get one line
naming the address instead, and the exit status every other mistake has.
"""

from __future__ import annotations

import socket
from pathlib import Path

from outreach.errors import OutreachError
from outreach.i18n import _

STARTUP_FAILURE = 3
"""The status uvicorn exits with when the server cannot start (its ``STARTUP_FAILURE``)."""


def check_address(host: str, port: int) -> None:
    """Resolve ``host`` and bind ``port`` on it once, as uvicorn will, so a bad address is an OutreachError."""
    try:
        found = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _name, address = found[0]
    except (OSError, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OutreachError(_("--host {host!r} is not an address of this machine ({reason})").format(
            host=host, reason=reason)) from None
    try:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise OutreachError(_("cannot listen on {host} port {port} ({reason}): is the console already running, or "
                              "is --host another machine's address?").format(
            host=host, port=port, reason=exc.strerror or exc)) from None


def serve(root: Path, host: str, port: int, workers: int, secure_cookies: bool) -> None:
    """Run the console until stopped; an address taken between the check and the start is still one line."""
    import uvicorn

    from outreach.web.app import create_app

    check_address(host, port)
    app = create_app(root, secure_cookies=secure_cookies, workers=workers)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, proxy_headers=True,
                    server_header=False)
    except SystemExit as exc:
        if exc.code == STARTUP_FAILURE:
            raise OutreachError(_("the console could not start on {host} port {port} (see the message above)").format(
                host=host, port=port)) from None
        raise
