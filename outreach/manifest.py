"""The manifest beside every programme file: what it says, in which voice, at what level, made from what.

It is written last, atomically, so a finished manifest means a finished
programme; ``inputs_hash`` (everything the audio was made from) and
``content_hash`` (the file) let a re-render reuse an unchanged programme and
let the daemon log exactly which audio went on air.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, computed_field

from outreach.datafile import display_path
from outreach.errors import OutreachError
from outreach.i18n import _, ngettext
from outreach.media import write_atomic


class ManifestError(OutreachError):
    """A programme's manifest is missing or is not one."""


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Fallback(_Record):
    """An engine passed over for a segment, and why (offline, no recording...)."""

    engine: str
    reason: str


class SegmentRecord(_Record):
    """One sentence of the programme and the voice that said it."""

    lang: str
    text: str
    key: str
    engine: str
    voice: str
    cache_key: str
    fallbacks: list[Fallback] = []
    synthetic_approximation: bool = False
    offsets_s: list[float] = []


class Target(_Record):
    loudness_lufs: float
    true_peak_dbtp: float


class Manifest(_Record):
    """The programme's manifest; ``approved``, ``unapproved_languages`` and
    ``synthetic_approximation`` follow from the reviews and segments, and are written for readers of the JSON."""

    script: str
    village: str
    programme: str
    languages: list[str]
    omitted: dict[str, str] = {}
    review: dict[str, str]
    segments: list[SegmentRecord]
    duration_s: float
    sample_rate: int
    channels: int = 1
    format: str
    target: Target
    loudness_lufs: float
    true_peak_dbtp: float
    inputs_hash: str
    content_hash: str
    created: dt.datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def approved(self) -> bool:
        return all(status == "approved" for status in self.review.values())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unapproved_languages(self) -> list[str]:
        return [lang for lang, status in self.review.items() if status != "approved"]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def synthetic_approximation(self) -> list[str]:
        """Languages a machine approximation spoke: rehearsal only, never aired unless the profile allows it."""
        return sorted({s.lang for s in self.segments if s.synthetic_approximation})

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            return cls.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            raise ManifestError(_("{path}: no such programme manifest").format(path=display_path(path))) from None
        except ValidationError as exc:
            count = exc.error_count()
            raise ManifestError(ngettext("{path}: not a programme manifest ({count} problem, first: {problem})",
                                         "{path}: not a programme manifest ({count} problems, first: {problem})",
                                         count).format(path=display_path(path), count=count,
                                                       problem=exc.errors()[0]["msg"])) from None

    def write(self, path: Path) -> None:
        write_atomic(path, self.model_dump_json(indent=2).encode("utf-8"))
