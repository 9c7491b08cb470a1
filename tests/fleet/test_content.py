"""The content endpoint's byte ranges (RFC 9110 single ranges), as a node resuming a download asks them."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from outreach.fleet.content import byte_range

from node.bundles import ONE_NODE_FILES, TOKEN, manifest


def test_byte_ranges():
    assert byte_range(None, 100) is None
    assert byte_range("bytes=10-", 100) == (10, 99)
    assert byte_range("bytes=10-19", 100) == (10, 19)
    assert byte_range("bytes=90-500", 100) == (90, 99)
    assert byte_range("bytes=-30", 100) == (70, 99)
    assert byte_range("items=1-2", 100) is None
    for unsatisfiable in ("bytes=100-", "bytes=20-10"):
        with pytest.raises(ValueError):
            byte_range(unsatisfiable, 100)


def get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_the_endpoint_serves_ranges_to_the_node_whose_bundle_names_the_file(county, now):
    content = ONE_NODE_FILES["tiny"]
    m = manifest(now, 1, ONE_NODE_FILES, [60])
    county.issue(m, ONE_NODE_FILES, now)
    url = f"{county.url}/content/{next(iter(m.files))}"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    status, headers, body = get(url, {**auth, "Range": "bytes=5-"})
    assert (status, headers["Content-Range"], body) == (206, f"bytes 5-{len(content) - 1}/{len(content)}",
                                                        content[5:])
    assert get(url, auth)[::2] == (200, content)
    status, headers, _ = get(url, {**auth, "Range": f"bytes={len(content)}-"})
    assert (status, headers["Content-Range"]) == (416, f"bytes */{len(content)}")
    assert get(url, {})[0] == 401
    assert get(f"{county.url}/time", auth)[0] == 200
