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
from outreach.i18n import _
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
    node: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]*$")
    """The village node beside its amplifier (``outreach fleet add-node``), if it has one."""


PLACE_KINDS = ("schools", "communities", "workplaces", "markets")
"""The profile's lists of places besides villages (each a list of ``Place``)."""


class Place(StrictModel):
    """A school, community, workplace or market: it receives material and hosts events, listed like a village."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: Names
    town: str | None = None
    village: str | None = None
    contact: Contact | None = None
    languages: list[Lang] = Field(default_factory=lambda: ["cmn"], min_length=1)
    example: bool = False
    note: str | None = None


class BannerConfig(StrictModel):
    """The print shop's banner (横幅) size and colours: the banner PDF is drawn at this size."""

    width_mm: float = Field(5000, ge=300, le=50000)
    height_mm: float = Field(700, ge=100, le=5000)
    text_colour: Literal["white", "yellow"] = "yellow"
    tile_overlap_mm: float = Field(10, ge=0, le=50)
    example: bool = False


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
            raise ValueError(_("a spool output needs a folder"))
        if self.type == "command" and (not self.argv or not any("{file}" in a for a in self.argv)):
            raise ValueError(_("a command output needs argv with a {file} placeholder"))
        return self


class DaemonConfig(StrictModel):
    horizon_hours: float = Field(48, gt=0, le=24 * 14)
    grace_seconds: float = Field(300, ge=0, le=3600)
    replay_interrupted: bool = False
    replan_minutes: float = Field(30, gt=0)
    watch_seconds: float = Field(15, gt=0)


class FleetConfig(StrictModel):
    """Village nodes: the county publishes signed bundles over MQTT, files over HTTP (docs/fleet.md)."""

    enabled: bool = False
    county: str = Field("county", pattern=r"^[a-z0-9][a-z0-9-]*$")
    broker_host: str = "127.0.0.1"
    broker_port: int = Field(1883, ge=1, le=65535)
    broker_ca_file: str | None = None
    reconnect_max_seconds: int = Field(30, ge=1, le=600)
    listen: str = "127.0.0.1"
    content_port: int = Field(8765, ge=1, le=65535)
    content_url: str = Field("http://127.0.0.1:8765", pattern=r"^https?://\S+$")
    bundle_days: float = Field(7, gt=0, le=31)
    play_locally: bool = False
    heartbeat_seconds: float = Field(60, ge=1, le=3600)
    silent_minutes: float = Field(15, gt=0)


EngineName = Annotated[str, AfterValidator(known_engine)]


class NeuralConfig(StrictModel):
    """Settings of the offline neural Mandarin voice; every one is part of its cache key (None: the packaged model)."""

    model_dir: Path | None = None
    speed: float = Field(1.15, ge=0.5, le=2.0, description="duration scale: above 1 is slower")
    threads: int = Field(2, ge=1, le=16, description="onnxruntime intra-op threads")
    clause_pause: float = Field(0.15, ge=0, le=3, description="seconds of silence at , ; :")
    sentence_pause: float = Field(0.35, ge=0, le=3, description="seconds of silence at . ! ?")
    number_pace: float = Field(1.0, ge=0.5, le=2.0, description="duration scale of 九六幺幺零-like numbers, "
                               "on top of speed")


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

    chains: dict[Lang, list[EngineName]] = {"cmn": ["clips", "neural", "espeak"], "pcc": ["clips"]}
    neural: NeuralConfig = NeuralConfig()
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
    fleet: FleetConfig = FleetConfig()
    villages: list[Village] = Field(min_length=1)
    schools: list[Place] = []
    communities: list[Place] = []
    workplaces: list[Place] = []
    markets: list[Place] = []
    banner: BannerConfig = BannerConfig()

    @model_validator(mode="after")
    def _places_known(self) -> "Profile":
        """Places share one id space with villages (a delivery names its recipient by id) and lie in known villages."""
        seen = {v.id for v in self.villages}
        for kind in PLACE_KINDS:
            for i, place in enumerate(getattr(self, kind)):
                if place.id in seen:
                    raise ValueError(_("{key}.id: '{id}' is already the id of a village or another place").format(
                        key=f"{kind}[{i}]", id=place.id))
                seen.add(place.id)
                if place.village is not None and place.village not in {v.id for v in self.villages}:
                    raise ValueError(_("{key}.village: unknown village '{village}'").format(
                        key=f"{kind}[{i}]", village=place.village))
        return self

    @model_validator(mode="after")
    def _outputs_known(self) -> "Profile":
        for i, village in enumerate(self.villages):
            if village.output not in self.outputs:
                raise ValueError(_("villages[{i}].output: unknown output '{output}' (outputs: {known})").format(
                    i=i, output=village.output, known=", ".join(self.outputs)))
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(_("unknown time zone '{name}'").format(name=name)) from None
        return name

    @field_validator("villages")
    @classmethod
    def _unique_ids(cls, villages: list[Village]) -> list[Village]:
        seen: set[str] = set()
        for v in villages:
            if v.id in seen:
                raise ValueError(_("village id '{id}' appears twice").format(id=v.id))
            seen.add(v.id)
        return villages

    @field_validator("villages")
    @classmethod
    def _one_village_a_node(cls, villages: list[Village]) -> list[Village]:
        nodes = [v.node for v in villages if v.node]
        if len(nodes) != len(set(nodes)):
            raise ValueError(_("a node serves one village: {nodes}").format(
                nodes=sorted({n for n in nodes if nodes.count(n) > 1})))
        return villages

    def plays_locally(self, village_id: str) -> bool:
        """False for a village whose node plays it (fleet mode), so the county's own daemon leaves it alone."""
        node = next((v.node for v in self.villages if v.id == village_id), None)
        return not (self.fleet.enabled and node) or self.fleet.play_locally

    def village(self, village_id: str) -> Village:
        for v in self.villages:
            if v.id == village_id:
                return v
        known = ", ".join(v.id for v in self.villages)
        raise ConfigError(_("unknown village '{village}' (known: {known})").format(village=village_id, known=known))

    def programme(self, name: str) -> ProgrammeConfig:
        try:
            return self.programmes[name]
        except KeyError:
            raise ConfigError(_("unknown programme '{name}' (known: {known})").format(
                name=name, known=", ".join(self.programmes))) from None

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
        if chosen.exists() and not chosen.is_dir():
            raise ConfigError(_("deployment folder {folder} is a file, not a folder").format(folder=chosen))
        if not chosen.is_dir():
            raise ConfigError(_("deployment folder {folder} does not exist").format(folder=chosen))
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
