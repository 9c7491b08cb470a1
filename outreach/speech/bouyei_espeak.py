"""A synthetic approximation of Bouyei for previews and rehearsal (never the real voice).

Bouyei text -> syllables (the orthography module) -> espeak-ng phoneme input
``[[...]]`` for the Vietnamese voice, whose phoneme set is closest to Bouyei's:
implosives ɓ ɗ, the unrounded ɯ, long and short a, unreleased final stops.
Its tones are chosen by the digit after the vowel; measured here (start -> end
F0 of an isolated syllable): 1 104->114, 2 98->96, 3 99->135 (low-start rise),
4 110->111 (level), 5 127->140 (high rise), 6 112->104 (fall). So Bouyei tone 1
(24) -> 3, tone 5 (35) -> 5: both rise, 5 higher, which keeps them apart; the
levels 2 (11) -> 2 and 6 (33) -> 4; the falls 3 (53) and 4 (31) -> 6, the
voice's only fall (their heights cannot be told apart: see
benchmarks/bouyei_tones.py). The cmn-latn-pinyin voice was tried first and
dropped: it applies Mandarin third-tone sandhi to 214, its only low rise.
Everything this engine says is labelled a synthetic approximation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from outreach.deployment import EspeakConfig
from outreach.i18n import N_
from outreach.languages import bouyei
from outreach.speech import EngineError
from outreach.speech.espeak import EspeakEngine, installed_version

VOICE = "vi"
TONES: dict[int | str, str] = {0: "4", 1: "3", 2: "2", 3: "6", 4: "6", 5: "5", 6: "4", 7: "3", 8: "6",
                               "y": "4", "f": "6", "j": "6", "q": "3"}
INITIALS = {
    "": "", "b": "p", "mb": "_b", "m": "m", "f": "f", "w": "w", "d": "t[", "nd": "d_", "n": "n", "l": "l",
    "g": "k", "ng": "N", "h": "x", "j": "tS", "ny": "n^", "x": "s", "y": "j", "s": "s", "r": "z",
    "by": "pj", "my": "mj", "qy": "j", "gv": "kw", "ngv": "Nw", "qv": "w",
    "p": "p", "t": "t", "k": "k", "q": "tS", "z": "tS", "c": "tS", "v": "v",
}
# final without its coda -> (vowel that carries the tone, glide after it); open syllables use the long a
OPEN_VOWELS = {"a": "a:", "o": "o"}
NUCLEI: dict[str, tuple[str, str]] = {
    "a": ("a", ""), "aa": ("a:", ""), "e": ("y", ""), "ee": ("e", ""), "i": ("i", ""), "u": ("u", ""),
    "o": ("O", ""), "oo": ("o", ""), "ie": ("iE", ""), "ia": ("iE", ""), "ue": ("u@", ""), "ua": ("u@", ""),
    "ea": ("y@", ""), "ai": ("a", "j"), "aai": ("a:", "j"), "au": ("a", "w"), "aau": ("a:", "w"),
    "ae": ("a", "j"), "ei": ("y", "j"), "eeu": ("e", "w"), "iu": ("i", "w"), "oi": ("o", "j"),
    "ui": ("u", "j"), "io": ("i@", ""), "iao": ("iE", "w"), "uai": ("a:", "j"), "ao": ("a:", "w"),
    "ou": ("o", "w"), "er": ("@:", ""),
}
CODAS = {"ng": "N", "m": "m", "n": "n", "b": "p", "d": "t", "g": "k"}


def syllable_phonemes(syl: bouyei.Syllable) -> str:
    final, coda = syl.final, ""
    for spelling, phoneme in CODAS.items():
        if final.endswith(spelling) and final[: -len(spelling)] in NUCLEI:
            final, coda = final[: -len(spelling)], phoneme
            break
    if final not in NUCLEI:
        raise EngineError.said(N_("no espeak phonemes for the final '{final}' of '{syllable}'"), final=syl.final,
                               syllable=syl.text)
    vowel, glide = NUCLEI[final]
    if not coda and not glide:
        vowel = OPEN_VOWELS.get(final, vowel)
    return f"{INITIALS[syl.initial]}'{vowel}{TONES[syl.tone]}{glide}{coda}"


def to_phonemes(text: str) -> str:
    """Bouyei text as espeak-ng input: each word in [[...]], punctuation kept for the pauses."""
    out: list[str] = []
    for token in re.findall(r"[A-Za-z]+|[,.;:!?]", text):
        if token[0].isalpha():
            try:
                syllables = bouyei.syllables(token)
            except Exception as exc:
                raise EngineError.said(N_("cannot pronounce '{word}': {error}"), word=token, error=exc) from None
            out.append("[[" + "".join(syllable_phonemes(s) for s in syllables) + "]]")
        elif out:
            out[-1] += token
    return " ".join(out)


class BouyeiEspeakEngine(EspeakEngine):
    """Opt-in rehearsal voice for Bouyei; manifests mark its audio as a synthetic approximation."""

    name = "bouyei-espeak"

    def __init__(self, settings: EspeakConfig, work_dir: Path, timeout: float = 60) -> None:
        super().__init__(settings.model_copy(update={"voice": VOICE, "pinyin": False}), work_dir, timeout)

    def identity(self, text: str, lang: str) -> str:
        self.check_language(lang)
        s = self.settings
        return json.dumps(["bouyei-espeak-2", installed_version(), VOICE, s.rate, s.pitch, s.pitch_range, TONES])

    def speakable(self, text: str) -> str:
        return to_phonemes(text)
