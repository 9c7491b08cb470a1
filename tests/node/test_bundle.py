"""Only the county's key makes a bundle: signature, node and shape are checked before anything else."""

from __future__ import annotations

import json

import pytest
from nacl.signing import SigningKey

from outreach.fleet.sign import seal
from outreach.node.bundle import BundleRefused, Envelope, open_envelope

from node.bundles import COUNTY, NODE, manifest

PROGRAMMES = {"tiny": b"ID3 tiny programme"}


def test_a_bundle_signed_by_the_county_for_this_node_opens(now):
    key = SigningKey.generate()
    m = manifest(now, 7, PROGRAMMES, [10, 20])
    opened = open_envelope(seal(m, key).to_bytes(), bytes(key.verify_key), COUNTY, NODE)
    assert opened == m
    assert opened.content_digest() == m.model_copy(update={"sequence": 8}).content_digest()


@pytest.mark.parametrize("case, expected", [
    ("other key", "signature does not verify"),
    ("edited", "signature does not verify"),
    ("other node", "not wangmo/n1"),
    ("not json", "not a signed bundle"),
    ("unsigned", "not a signed bundle"),
])
def test_anything_else_is_refused_with_its_reason(now, case, expected):
    key = SigningKey.generate()
    m = manifest(now, 7, PROGRAMMES, [10], node="n2" if case == "other node" else "n1")
    data = seal(m, SigningKey.generate() if case == "other key" else key).to_bytes()
    if case == "edited":
        envelope = json.loads(data)
        envelope["manifest"] = envelope["manifest"].replace('"sequence":7', '"sequence":9')
        data = Envelope(**envelope).to_bytes()
    elif case == "not json":
        data = b"\xff not json"
    elif case == "unsigned":
        data = json.dumps({"manifest": m.to_text()}).encode()
    with pytest.raises(BundleRefused) as refused:
        open_envelope(data, bytes(key.verify_key), COUNTY, NODE)
    assert expected in refused.value.reason


def test_a_manifest_naming_a_file_it_does_not_list_is_malformed(now):
    key = SigningKey.generate()
    m = manifest(now, 3, PROGRAMMES, [10])
    text = m.to_text().replace(f'"files":{{"{next(iter(m.files))}"', '"files":{"' + "0" * 64 + '"')
    data = Envelope(manifest=text, signature=key.sign(text.encode()).signature.hex()).to_bytes()
    with pytest.raises(BundleRefused, match="malformed manifest"):
        open_envelope(data, bytes(key.verify_key), COUNTY, NODE)
