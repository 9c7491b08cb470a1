"""The county's Ed25519 key, and issuing a bundle: a new sequence only when what the node plays changed.

Sequences are the larger of (last + 1) and the time in milliseconds, so they keep
rising even if the fleet database were lost and rebuilt: nodes would otherwise
refuse every bundle as an old one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nacl.signing import SigningKey

from outreach.fleet.db import FleetDB
from outreach.fleet.paths import FleetError, FleetPaths, write_private
from outreach.i18n import _
from outreach.node.bundle import Envelope, Manifest


def ensure_key(paths: FleetPaths) -> bool:
    """Create the county's key pair on first use; True when it was created now."""
    if paths.key.exists():
        return False
    key = SigningKey.generate()
    write_private(paths.key, key.encode().hex() + "\n")
    paths.public_key.write_text(key.verify_key.encode().hex() + "\n", encoding="utf-8")
    return True


def load_key(paths: FleetPaths) -> SigningKey:
    try:
        return SigningKey(bytes.fromhex(paths.key.read_text(encoding="utf-8").strip()))
    except FileNotFoundError:
        raise FleetError(_("no county key at {path}: provision a node first (outreach fleet add-node ID)").format(
            path=paths.key)) from None
    except ValueError:
        raise FleetError(_("{path} is not an Ed25519 key").format(path=paths.key)) from None


def public_key_hex(paths: FleetPaths) -> str:
    return load_key(paths).verify_key.encode().hex()


def seal(manifest: Manifest, key: SigningKey) -> Envelope:
    text = manifest.to_text()
    return Envelope(manifest=text, signature=key.sign(text.encode("utf-8")).signature.hex())


@dataclass(frozen=True)
class Issued:
    node: str
    sequence: int
    envelope: bytes
    new: bool


def issue(db: FleetDB, key: SigningKey, draft: Manifest, now: dt.datetime) -> Issued:
    """The node's current bundle: the stored one if the draft plays the same, else a newly signed one."""
    digest = draft.content_digest()
    latest = db.latest_bundle(draft.node)
    if latest is not None and latest.digest == digest:
        return Issued(draft.node, latest.sequence, latest.envelope, False)
    sequence = max((latest.sequence + 1) if latest else 1, int(now.timestamp() * 1000))
    manifest = draft.model_copy(update={"sequence": sequence, "issued_at": now})
    envelope = seal(manifest, key).to_bytes()
    db.save_bundle(manifest, digest, envelope, now)
    return Issued(draft.node, sequence, envelope, True)
