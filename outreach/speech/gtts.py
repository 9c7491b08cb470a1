"""Google Translate TTS (gTTS), for machines that are online.

gTTS waits forever by default and leaves a 0-byte file when a request fails;
here every request has a timeout, failures are retried with back-off, nothing
half-written is left behind, and after a failed segment the engine rests for a
while so an offline machine falls back to the next engine at once instead of
timing out on every sentence.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from outreach.deployment import Deployment, GttsConfig
from outreach.i18n import N_
from outreach.media import to_wav
from outreach.speech import EngineError, EngineUnavailable
from outreach.speech.engine import Engine


class GttsEngine(Engine):
    """Google's Mandarin voice, for machines that are online; an offline machine falls back quickly."""

    name = "gtts"

    def __init__(
        self,
        settings: GttsConfig,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.sleep = sleep
        self.clock = clock
        self._resting_until = 0.0
        self._last_failure = ""

    @classmethod
    def from_deployment(cls, deployment: Deployment) -> GttsEngine:
        return cls(deployment.profile.speech.gtts)

    def identity(self, text: str, lang: str) -> str:
        self.check_language(lang)
        if self.clock() < self._resting_until:
            raise EngineUnavailable.said(N_("gTTS failed recently ({error}); not retried for a while"),
                                         error=self._last_failure)
        from gtts import __version__

        return f"gtts-{__version__}:{self.settings.lang}:{self.settings.tld}"

    def synthesize(self, text: str, lang: str, out: Path) -> None:
        from gtts import gTTS

        self.identity(text, lang)
        s = self.settings
        last: Exception | None = None
        for attempt in range(s.retries + 1):
            if attempt:
                self.sleep(s.backoff * 2 ** (attempt - 1))
            try:
                with tempfile.TemporaryDirectory() as tmpdir:
                    mp3 = Path(tmpdir) / "gtts.mp3"
                    with mp3.open("wb") as fh:
                        gTTS(text, lang=s.lang, tld=s.tld, timeout=s.timeout, lang_check=False).write_to_fp(fh)
                    if mp3.stat().st_size == 0:
                        raise EngineError.said(N_("gTTS returned no audio"))
                    to_wav(mp3, out)
                return
            except Exception as exc:  # a third-party network client: any failure means "fall back"
                last = exc
        self._last_failure = _describe(last)[:300]
        self._resting_until = self.clock() + s.rest_after_failure
        raise EngineError.said(N_("gTTS failed after {tries} tries: {error}"), tries=s.retries + 1,
                               error=self._last_failure)


def _describe(exc: BaseException | None) -> str:
    """The error and what caused it (gTTS hides the network error behind 'Probable cause: Unknown')."""
    text = f"{type(exc).__name__}: {exc}"
    cause = exc.__cause__ or exc.__context__ if exc else None
    return f"{text} ({type(cause).__name__}: {cause})" if cause else text
