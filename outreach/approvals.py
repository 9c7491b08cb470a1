"""Review decisions bound to the text they were made on.

A reviewer approves (or returns) one language of one script; the decision records the
SHA-256 of that language's template as it was read. The effective status is ``approved``
only while the template still has that hash: any later edit, by the console or by hand,
returns the language to ``draft`` without anyone having to remember to reset it.

Decisions live beside the script (``templates/scripts/<id>/approvals.json``), so they travel
with the templates; a script without one keeps the status its script.yaml declares.
Standard library only: the catalog, check, the daemon and the console can all read it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

FILE = "approvals.json"
APPROVED, RETURNED = "approved", "returned"


@dataclass(frozen=True)
class Decision:
    """The latest word of a reviewer on one language's text."""

    status: str
    sha256: str
    reviewer: str
    at: str
    comment: str = ""


def text_hash(path: Path) -> str:
    """Hash of the template's bytes; a missing or unreadable template hashes to the empty string (never approved)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def load(folder: Path) -> dict[str, Decision]:
    """Every language's latest decision; an unreadable file counts as no decision at all."""
    try:
        raw = json.loads((folder / FILE).read_text(encoding="utf-8"))
        return {lang: Decision(**entry) for lang, entry in raw.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def record(folder: Path, lang: str, decision: Decision) -> None:
    """Replace one language's decision atomically (write a temporary file, then rename)."""
    decisions = load(folder)
    decisions[lang] = decision
    data = json.dumps({k: asdict(v) for k, v in sorted(decisions.items())}, ensure_ascii=False, indent=2)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".approvals.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data + "\n")
        os.replace(tmp, folder / FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def decide(folder: Path, lang: str, status: str, reviewer: str, comment: str = "",
           when: dt.datetime | None = None) -> Decision:
    """Record a decision on the template as it is now on disk."""
    moment = (when or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    decision = Decision(status, text_hash(folder / f"{lang}.j2"), reviewer, moment, comment)
    record(folder, lang, decision)
    return decision


def effective_status(folder: Path, lang: str, declared: str) -> str:
    """``approved`` only while the approved text is unchanged; a returned or edited text is a ``draft``.

    With no decision on file, the status declared in script.yaml stands.
    """
    decision = load(folder).get(lang)
    if decision is None:
        return declared
    if decision.status == APPROVED and decision.sha256 == text_hash(folder / f"{lang}.j2"):
        return APPROVED
    return "draft"
