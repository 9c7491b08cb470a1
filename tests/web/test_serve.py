"""Starting the console on an address it cannot have: one line and exit 1, before uvicorn starts."""

import socket

import pytest

from outreach.errors import OutreachError
from outreach.web.serve import check_address


@pytest.mark.parametrize("host", ["ǎ", "no-such-host.invalid"])
def test_a_host_that_does_not_resolve_is_one_line(run, deployment, host):
    code, _, err = run("web", "--host", host, "--port", "8080", "--root", str(deployment.root))
    assert code == 1 and err.startswith(f"error: --host '{host}' is not an address of this machine")
    assert "Traceback" not in err


def test_a_port_already_taken_is_one_line(run, deployment):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run("web", "--host", "127.0.0.1", "--port", str(port), "--root", str(deployment.root))
    assert code == 1 and f"cannot listen on 127.0.0.1 port {port}" in err and "already running" in err


def test_a_free_local_address_passes_and_stays_free():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    check_address("127.0.0.1", port)
    check_address("localhost", port)
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))
    with pytest.raises(OutreachError, match="Cannot assign requested address"):
        check_address("192.0.2.1", port)
