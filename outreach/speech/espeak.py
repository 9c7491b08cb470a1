"""espeak-ng: the offline Mandarin voice.

The ``cmn-latn-pinyin`` voice is fed tone-numbered pinyin (pypinyin, with tone
sandhi), because the plain ``cmn`` voice reads many characters with English
rules and espeak's own character readings get polyphones wrong. The very flat
default pitch range is widened by a voice variant kept in a private copy of
espeak-ng's data folder (links to the system data plus our variant file).
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Self

from outreach.deployment import Deployment, EspeakConfig
from outreach.i18n import N_
from outreach.languages import mandarin
from outreach.media import atomic_path
from outreach.speech import EngineError, EngineUnavailable
from outreach.speech.engine import Engine

VARIANT_NAME = "outreach"


@functools.lru_cache(maxsize=1)
def espeak_version() -> str:
    exe = shutil.which("espeak-ng")
    if not exe:
        return ""
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False).stdout
    return out.split(":")[1].split()[0].strip() if ":" in out else out.strip()


def system_data_dir() -> Path:
    exe = shutil.which("espeak-ng")
    out = subprocess.run([exe or "espeak-ng", "--version"], capture_output=True, text=True, check=False).stdout
    return Path(out.rsplit("Data at:", 1)[1].strip())


def _link(link: Path, target: Path) -> None:
    try:
        link.symlink_to(target)
    except FileExistsError:
        pass


def installed_version() -> str:
    """espeak-ng's version; EngineUnavailable when it is not installed (the chain then tries the next engine)."""
    version = espeak_version()
    if not version:
        raise EngineUnavailable.said(N_("espeak-ng is not installed"))
    return version


class EspeakEngine(Engine):
    """Mandarin through espeak-ng, in a private data folder that holds our pitch variant."""

    name = "espeak"

    def __init__(self, settings: EspeakConfig, work_dir: Path, timeout: float = 60) -> None:
        self.settings = settings
        self.work_dir = work_dir
        self.timeout = timeout

    @classmethod
    def from_deployment(cls, deployment: Deployment) -> Self:
        return cls(deployment.profile.speech.espeak, deployment.state_dir / "espeak")

    def identity(self, text: str, lang: str) -> str:
        self.check_language(lang)
        s = self.settings
        return json.dumps([installed_version(), s.voice, s.rate, s.pitch, s.pitch_range, s.pinyin])

    def _data_path(self) -> Path | None:
        """A data folder whose voices/!v holds our variant; None when no range is set."""
        if not self.settings.pitch_range:
            return None
        low, high = self.settings.pitch_range
        root = self.work_dir / f"espeak-{espeak_version()}-{low}-{high}"
        data = root / "espeak-ng-data"
        variant = data / "voices" / "!v" / VARIANT_NAME
        if variant.exists():
            return root
        system = system_data_dir()
        (data / "voices" / "!v").mkdir(parents=True, exist_ok=True)
        for folder, skip in ((data, "voices"), (data / "voices", "!v"), (data / "voices" / "!v", None)):
            source = system / folder.relative_to(data)
            for entry in source.iterdir():
                if entry.name != skip:
                    _link(folder / entry.name, entry)
        with atomic_path(variant) as tmp:
            tmp.write_text(f"language variant\nname {VARIANT_NAME}\ngender male\npitch {low} {high}\n")
        return root

    def argv(self, out: Path) -> list[str]:
        s = self.settings
        data = self._data_path()
        voice = f"{s.voice}+{VARIANT_NAME}" if data else s.voice
        path = [f"--path={data}"] if data else []
        return ["espeak-ng", *path, "-v", voice, "-s", str(s.rate), "-p", str(s.pitch), "-w", str(out), "--stdin"]

    def speakable(self, text: str) -> str:
        return mandarin.to_pinyin(text) if self.settings.pinyin else text

    def synthesize(self, text: str, lang: str, out: Path) -> None:
        self.identity(text, lang)
        with atomic_path(out) as tmp:
            argv = self.argv(tmp)
            try:
                result = subprocess.run(
                    argv, input=self.speakable(text).encode("utf-8"), capture_output=True,
                    timeout=self.timeout, check=False,
                )
            except subprocess.TimeoutExpired:
                raise EngineError.said(N_("espeak-ng took longer than {seconds:.0f} s"), seconds=self.timeout) from None
            if result.returncode != 0 or tmp.stat().st_size <= 44:
                raise EngineError.said(N_("espeak-ng failed: {error}"),
                                       error=result.stderr.decode("utf-8", "replace").strip()[:200])
