"""The deployment folder and its profile: county, station, hotlines, villages.

A county keeps its own copy of ``templates/``, ``schedules/`` and ``audio/``
(the deployment root); runtime state goes to the profile's state folder,
``var/`` by default. Nothing county-specific is hard-coded in the package.
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from outreach.datafile import StrictModel, load_yaml, validate
from outreach.errors import ConfigError
from outreach.languages.codes import LANGUAGE_CODES, Lang
from outreach.speech.registry import known_engine

if TYPE_CHECKING:
    from outreach.catalog import Catalog
    from outreach.playlog import PlayLog


class Names(StrictModel):
    cmn: str = Field(min_length=1)
    pcc: str | None = None


class Contact(StrictModel):
    name: str = Field(min_length=1)
    phone: str = Field(min_length=3)
    example: bool = False


class Station(StrictModel):
    name: str = Field(min_length=1)
    phone: str | None = None


class Hotlines(StrictModel):
    antifraud: str = Field(pattern=r"^\d{3,12}$")
    police: str = Field(pattern=r"^\d{3,12}$")


class Village(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: Names
    town: str | None = None
    contact: Contact
    languages: list[Lang] = Field(min_length=1)
    tags: list[str] = []
    output: str = "spool"
    note: str | None = None


class OutputConfig(StrictModel):
    """Where a village's programmes go: a command (aplay, ffplay), a spool folder, or nowhere."""

    type: Literal["command", "spool", "null"]
    folder: str | None = None
    argv: list[str] | None = None
    device: str | None = None
    timeout: float = Field(900, gt=0)

    @model_validator(mode="after")
    def _complete(self) -> "OutputConfig":
        if self.type == "spool" and not self.folder:
            raise ValueError("a spool output needs a folder")
        if self.type == "command" and (not self.argv or not any("{file}" in a for a in self.argv)):
            raise ValueError("a command output needs argv with a {file} placeholder")
        return self


class DaemonConfig(StrictModel):
    horizon_hours: float = Field(48, gt=0, le=24 * 14)
    grace_seconds: float = Field(300, ge=0, le=3600)
    replay_interrupted: bool = False
    replan_minutes: float = Field(30, gt=0)
    watch_seconds: float = Field(15, gt=0)


EngineName = Annotated[str, AfterValidator(known_engine)]


class EspeakConfig(StrictModel):
    voice: str = "cmn-latn-pinyin"
    rate: int = Field(150, ge=80, le=450)
    pitch: int = Field(50, ge=0, le=99)
    pitch_range: tuple[int, int] | None = (82, 150)
    pinyin: bool = True


class GttsConfig(StrictModel):
    lang: str = "zh-CN"
    tld: str = "com"
    timeout: float = Field(10.0, gt=0, le=120)
    retries: int = Field(2, ge=0, le=10)
    backoff: float = Field(1.0, ge=0, le=60)
    rest_after_failure: float = Field(300.0, ge=0)


class SpeechConfig(StrictModel):
    """Which engines voice each language, in order of preference, and their settings."""

    chains: dict[Lang, list[EngineName]] = {"cmn": ["clips", "espeak"], "pcc": ["clips"]}
    espeak: EspeakConfig = EspeakConfig()
    gtts: GttsConfig = GttsConfig()
    allow_synthetic_bouyei: bool = False


class ProgrammeConfig(StrictModel):
    """How a script sounds on air: chimes, language order, pauses, repeats, level."""

    languages: list[Lang] = Field(list(LANGUAGE_CODES), min_length=1)
    chime: str | None = "audio/chimes/standard.wav"
    closing_chime: str | None = "audio/chimes/standard.wav"
    pause_after_chime: float = Field(0.6, ge=0, le=10)
    sentence_pause: float = Field(0.4, ge=0, le=10)
    language_pause: float = Field(1.2, ge=0, le=30)
    repeats: int = Field(2, ge=1, le=10)
    repeat_pause: float = Field(2.5, ge=0, le=60)
    sample_rate: Literal[16000, 22050, 24000, 32000, 44100, 48000] = 22050
    format: Literal["mp3", "wav"] = "mp3"
    bitrate: str = Field("64k", pattern=r"^\d{2,3}k$")
    loudness: float = Field(-16.0, ge=-40, le=-5)
    true_peak: float = Field(-1.0, ge=-12, le=0)
    allow_draft: bool = False


class Profile(StrictModel):
    county: Names
    station: Station
    hotlines: Hotlines
    qr_link: str = Field(pattern=r"^https?://\S+$")
    timezone: str = "Asia/Shanghai"
    state_dir: str = "var"
    speech: SpeechConfig = SpeechConfig()
    programmes: dict[str, ProgrammeConfig] = Field(default_factory=lambda: {"standard": ProgrammeConfig()})
    outputs: dict[str, OutputConfig] = Field(
        default_factory=lambda: {"spool": OutputConfig(type="spool", folder="var/spool")})
    daemon: DaemonConfig = DaemonConfig()
    villages: list[Village] = Field(min_length=1)

    @model_validator(mode="after")
    def _outputs_known(self) -> "Profile":
        for i, village in enumerate(self.villages):
            if village.output not in self.outputs:
                raise ValueError(f"villages[{i}].output: unknown output '{village.output}' "
                                 f"(outputs: {', '.join(self.outputs)})")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{name}'") from None
        return name

    @field_validator("villages")
    @classmethod
    def _unique_ids(cls, villages: list[Village]) -> list[Village]:
        seen: set[str] = set()
        for v in villages:
            if v.id in seen:
                raise ValueError(f"village id '{v.id}' appears twice")
            seen.add(v.id)
        return villages

    def village(self, village_id: str) -> Village:
        for v in self.villages:
            if v.id == village_id:
                return v
        known = ", ".join(v.id for v in self.villages)
        raise ConfigError(f"unknown village '{village_id}' (known: {known})")

    def programme(self, name: str) -> ProgrammeConfig:
        try:
            return self.programmes[name]
        except KeyError:
            raise ConfigError(f"unknown programme '{name}' (known: {', '.join(self.programmes)})") from None

    def phone_numbers(self) -> list[str]:
        """Every number a voice should read digit by digit."""
        numbers = [self.hotlines.antifraud, self.hotlines.police]
        if self.station.phone:
            numbers.append(self.station.phone)
        numbers += [v.contact.phone for v in self.villages]
        return numbers


@dataclass(frozen=True)
class Deployment:
    """Paths of one deployment folder; the profile is read on first use."""

    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike[str] | None = None) -> "Deployment":
        chosen = Path(root or os.environ.get("OUTREACH_ROOT") or ".").resolve()
        if not chosen.is_dir():
            raise ConfigError(f"deployment folder {chosen} does not exist")
        return cls(chosen)

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def scripts_dir(self) -> Path:
        return self.templates / "scripts"

    @property
    def lexicon_path(self) -> Path:
        return self.templates / "lexicon" / "pcc.csv"

    @property
    def profile_path(self) -> Path:
        return self.root / "schedules" / "deployment.yaml"

    @cached_property
    def profile(self) -> Profile:
        return load_profile(self.profile_path)

    @property
    def state_dir(self) -> Path:
        return self.root / self.profile.state_dir

    @property
    def audio_dir(self) -> Path:
        return self.root / "audio"

    @property
    def plans_dir(self) -> Path:
        return self.root / "schedules" / "plans"

    @property
    def calendar_dir(self) -> Path:
        return self.root / "schedules" / "calendar"

    @property
    def playlog_path(self) -> Path:
        return self.state_dir / "playlog.sqlite"

    @property
    def ledger_path(self) -> Path:
        return self.state_dir / "ledger.sqlite"

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The county's time zone: every plan time and log line is local time."""
        return zoneinfo.ZoneInfo(self.profile.timezone)

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.zone)

    def today(self) -> dt.date:
        return self.now().date()

    @cached_property
    def catalog(self) -> "Catalog":
        """The script catalog, loaded once per Deployment (a re-plan builds a new Deployment to see edits)."""
        from outreach.catalog import Catalog

        return Catalog.load(self.scripts_dir)

    def playlog(self) -> "PlayLog":
        from outreach.playlog import open_playlog

        return open_playlog(self.state_dir)


def load_profile(path: Path) -> Profile:
    """Read and validate the deployment profile."""
    return validate(Profile, load_yaml(path), path)
