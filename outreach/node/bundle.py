"""The bundle: a manifest of one node's plays and files, signed with the county's Ed25519 key.

A loudspeaker is a public channel: only the county may put sound on it. The
manifest travels as the exact JSON text that was signed (so no re-encoding can
change what was verified); a node takes it only when the signature verifies
against the public key it was provisioned with and the manifest names this
county and this node. Sequence and file checks follow in ``holdings``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Literal

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from pydantic import Field, ValidationError, model_validator

from outreach.datafile import StrictModel
from outreach.errors import OutreachError
from outreach.i18n import _, ngettext

SHA256 = r"^[0-9a-f]{64}$"


class BundleRefused(OutreachError):
    """A bundle that must not be played: unsigned, tampered, replayed, for another node, or with a bad file."""

    def __init__(self, reason: str, sequence: int | None = None) -> None:
        self.reason, self.sequence = reason, sequence
        if sequence is None:
            super().__init__(_("bundle refused: {reason}").format(reason=reason))
        else:
            super().__init__(_("bundle refused (sequence {sequence}): {reason}").format(sequence=sequence,
                                                                                       reason=reason))


class FileRef(StrictModel):
    sha256: str = Field(pattern=SHA256)
    size: int = Field(ge=0)
    suffix: str = Field(pattern=r"^\.[a-z0-9]{1,5}$")

    @property
    def name(self) -> str:
        """Its name in a content folder: the hash says what it is, the suffix how to play it."""
        return self.sha256 + self.suffix


class Item(StrictModel):
    """One occurrence as the node plays it: the county's plan line plus the file (or why there is none)."""

    id: str = Field(min_length=1)
    at: dt.datetime
    village: str
    rule: str
    script: str
    programme: str
    variables: dict[str, str] = {}
    reason: str = ""
    languages: list[str] = []
    file: str | None = Field(None, pattern=SHA256)
    error: str | None = None


class Manifest(StrictModel):
    format: Literal[1] = 1
    county: str
    node: str
    village: str
    sequence: int = Field(ge=1)
    issued_at: dt.datetime
    until: dt.datetime
    """The end of what this bundle covers: the node plays on its own until then."""
    grace_seconds: float = Field(ge=0)
    items: list[Item]
    files: dict[str, FileRef]

    @model_validator(mode="after")
    def _files_listed(self) -> "Manifest":
        for item in self.items:
            if item.file and item.file not in self.files:
                raise ValueError(f"item {item.id} names file {item.file} that the manifest does not list")
        for sha, ref in self.files.items():
            if ref.sha256 != sha:
                raise ValueError(f"file {sha} is listed under another hash")
        if self.until.tzinfo is None or any(i.at.tzinfo is None for i in self.items):
            raise ValueError("times must carry their UTC offset")
        return self

    def content_digest(self) -> str:
        """What the nodes play (not when it was issued or its number): equal digests need no new bundle."""
        body = self.model_dump(mode="json", include={"county", "node", "village", "until", "grace_seconds",
                                                      "items", "files"})
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()

    def to_text(self) -> str:
        return self.model_dump_json()


class Envelope(StrictModel):
    """What is published, exported and held: the manifest text and its signature over those bytes."""

    manifest: str
    signature: str = Field(pattern=r"^[0-9a-f]{128}$")

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode("utf-8")


def open_envelope(data: bytes, public_key: bytes, county: str, node: str) -> Manifest:
    """The manifest inside, if the county signed it for this node; BundleRefused otherwise."""
    try:
        envelope = Envelope.model_validate_json(data)
    except ValidationError:
        raise BundleRefused(_("not a signed bundle")) from None
    try:
        VerifyKey(public_key).verify(envelope.manifest.encode("utf-8"), bytes.fromhex(envelope.signature))
    except (BadSignatureError, ValueError):
        raise BundleRefused(_("the signature does not verify against the county's key")) from None
    try:
        manifest = Manifest.model_validate_json(envelope.manifest)
    except ValidationError as exc:
        count = exc.error_count()
        raise BundleRefused(ngettext("malformed manifest ({count} problem)", "malformed manifest ({count} problems)",
                                     count).format(count=count)) from None
    if manifest.county != county or manifest.node != node:
        raise BundleRefused(_("made for {county}/{node}, not {ours}").format(
            county=manifest.county, node=manifest.node, ours=f"{county}/{node}"), manifest.sequence)
    return manifest
