"""Bouyei (pcc) in the 1985 Latin orthography: syllables, IPA, spelling checks, numerals.

The tables follow ``shared/bouyei/README.md`` (Wangmo standard). A syllable is
initial + final + tone letter; tone 8 (a stop-final syllable) carries no letter.
Mandarin loans use the loan initials p t k q z c v, Mandarin-like finals and the
loan tone letters y f j q. A few particles carry the neutral tone and are
written with no tone letter (``bea`` in *Byagbas bea buxgvaangl!*, transcribed
pɯə0 in 《布依民歌荟萃》); they parse only as listed whole words, so a
forgotten tone letter elsewhere is still caught. The parser is exhaustive (every split of a word is
tried), so compounds written together such as ``xibrogt`` parse without a
dictionary; a dictionary check is separate (see ``outreach.lexicon``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from outreach.errors import OrthographyError, Said, said
from outreach.i18n import N_, _

NATIVE_INITIALS: dict[str, str] = {
    "b": "p", "mb": "ɓ", "m": "m", "f": "f", "w": "w",
    "d": "t", "nd": "ɗ", "n": "n", "l": "l",
    "g": "k", "ng": "ŋ", "h": "x",
    "j": "t͡ɕ", "ny": "ɲ", "x": "ɕ", "y": "j", "s": "s", "r": "z",
    "by": "pʲ", "my": "mʲ", "qy": "ʔj",
    "gv": "kʷ", "ngv": "ŋʷ", "qv": "ʔw",
}
LOAN_INITIALS: dict[str, str] = {
    "p": "pʰ", "t": "tʰ", "k": "kʰ", "q": "t͡ɕʰ", "z": "t͡s", "c": "t͡sʰ", "v": "v",
}

# Nuclei: IPA when the syllable is open, and when a consonant follows.
OPEN_NUCLEI: dict[str, str] = {
    "a": "a", "aa": "aː", "e": "ɯ", "ee": "e", "i": "i", "u": "u",
    "o": "o", "oo": "oː", "ie": "iə", "ue": "uə", "ea": "ɯə",
}
VOWEL_ENDINGS: dict[str, str] = {
    "ai": "ɐi", "aai": "aːi", "au": "ɐu", "aau": "aːu", "ae": "ɐɯ",
    "ei": "ɯi", "eeu": "eːu", "iu": "iu", "oi": "oːi", "ui": "ui",
}
CLOSED_NUCLEI: dict[str, str] = {
    "a": "ɐ", "aa": "aː", "e": "ɯ", "ee": "eː", "i": "i", "u": "u",
    "o": "ɔ", "oo": "oː", "ia": "iə", "ua": "uə", "ea": "ɯə",
}
NASAL_CODAS: dict[str, str] = {"m": "m", "n": "n", "ng": "ŋ"}
STOP_CODAS: dict[str, str] = {"b": "p̚", "d": "t̚", "g": "k̚"}

# Finals heard only in Mandarin loans (spelled as Southwestern Mandarin); loans
# whose final also exists natively take the native value (WikiPron agrees:
# dianq [tiən˨˦], feiy [fɯi˧]).
LOAN_FINALS: dict[str, str] = {
    "ia": "ia", "io": "io", "iao": "iaːu", "ua": "ua", "uai": "uai",
    "ao": "aːu", "ou": "əu", "er": "ɚ", "iong": "ioŋ",
}

NATIVE_TONES: dict[str, int] = {"l": 1, "z": 2, "c": 3, "x": 4, "s": 5, "h": 6}
LOAN_TONES: dict[str, str] = {"y": "y", "f": "f", "j": "j", "q": "q"}
# Chao tone values of the Wangmo standard (README table).
TONE_CONTOURS: dict[int | str, str] = {
    0: "", 1: "24", 2: "11", 3: "53", 4: "31", 5: "35", 6: "33", 7: "35", 8: "33",
    "y": "33", "f": "31", "j": "53", "q": "24",
}
TONE_LETTERS = {0: "", 1: "l", 2: "z", 3: "c", 4: "x", 5: "s", 6: "h", 7: "t", 8: ""}
NEUTRAL = 0
# Particles attested with the neutral tone and no tone letter (《布依民歌荟萃》2015, 序歌: bea pɯə0).
NEUTRAL_PARTICLES = frozenset({"bea"})
_CHAO = dict(zip("12345", "˩˨˧˦˥"))
VOWELS = frozenset("aeiou")


def _native_finals() -> dict[str, tuple[str, str]]:
    """Every native final -> (IPA, kind) where kind is open, nasal or stop."""
    finals: dict[str, tuple[str, str]] = {}
    for spelling, ipa in {**OPEN_NUCLEI, **VOWEL_ENDINGS}.items():
        finals[spelling] = (ipa, "open")
    for nucleus, ipa in CLOSED_NUCLEI.items():
        for coda, coda_ipa in NASAL_CODAS.items():
            finals[nucleus + coda] = (ipa + coda_ipa, "nasal")
        for coda, coda_ipa in STOP_CODAS.items():
            finals[nucleus + coda] = (ipa + coda_ipa, "stop")
    return finals


NATIVE_FINALS = _native_finals()
ALL_INITIALS = sorted({**NATIVE_INITIALS, **LOAN_INITIALS}, key=len, reverse=True)
ALL_FINALS = frozenset(NATIVE_FINALS) | frozenset(LOAN_FINALS)


def chao(contour: str) -> str:
    """Chao tone letters for a contour such as '24'; level tones use one letter."""
    if len(set(contour)) == 1:
        contour = contour[0]
    return "".join(_CHAO[d] for d in contour)


@dataclass(frozen=True)
class Syllable:
    """One written syllable, split into its parts."""

    text: str
    initial: str
    final: str
    tone: int | str
    loan: bool

    @property
    def tone_letter(self) -> str:
        return self.tone if isinstance(self.tone, str) else TONE_LETTERS[self.tone]

    @property
    def contour(self) -> str:
        return TONE_CONTOURS[self.tone]

    def ipa(self) -> str:
        initial = (
            "ʔ" if not self.initial
            else LOAN_INITIALS.get(self.initial) if self.loan and self.initial in LOAN_INITIALS
            else NATIVE_INITIALS.get(self.initial) or LOAN_INITIALS[self.initial]
        )
        final = NATIVE_FINALS[self.final][0] if self.final in NATIVE_FINALS else LOAN_FINALS[self.final]
        return initial + final + chao(self.contour)


@dataclass(frozen=True)
class SpellingIssue:
    """Why a word does not parse: the word, where it starts, where it breaks, and why (``reason`` is English, as
    JSON keeps it; ``errors.shown`` of it, and ``str`` of the issue, are in the user's language)."""

    word: str
    offset: int
    position: int
    reason: str

    def said(self) -> Said:
        return said(N_("'{word}' (column {column}): {reason}"), word=self.word, column=self.offset + 1,
                    reason=self.reason)

    def __str__(self) -> str:
        return self.said().shown


def _candidates(word: str, start: int) -> list[Syllable]:
    """All syllables that can be read at word[start:]."""
    found: list[Syllable] = []
    initials = [i for i in ALL_INITIALS if word.startswith(i, start)] + [""]
    for initial in initials:
        pos = start + len(initial)
        for end in range(pos + 1, min(len(word), pos + 5) + 1):
            final = word[pos:end]
            native = NATIVE_FINALS.get(final)
            tone_char = word[end] if end < len(word) else ""
            if native and initial not in LOAN_INITIALS:
                kind = native[1]
                if kind == "stop":
                    if tone_char == "t":
                        found.append(Syllable(word[start:end + 1], initial, final, 7, False))
                    found.append(Syllable(word[start:end], initial, final, 8, False))
                elif tone_char in NATIVE_TONES:
                    found.append(Syllable(word[start:end + 1], initial, final, NATIVE_TONES[tone_char], False))
            if tone_char in LOAN_TONES and (final in LOAN_FINALS or (native and native[1] != "stop")):
                found.append(Syllable(word[start:end + 1], initial, final, LOAN_TONES[tone_char], True))
    return found


def _particle(lower: str) -> Syllable | None:
    """A listed neutral-tone particle as one toneless syllable (initial + open final)."""
    if lower not in NEUTRAL_PARTICLES:
        return None
    for initial in [i for i in ALL_INITIALS if lower.startswith(i)] + [""]:
        final = lower[len(initial):]
        if initial in NATIVE_INITIALS | {"": ""} and NATIVE_FINALS.get(final, ("", ""))[1] == "open":
            return Syllable(lower, initial, final, NEUTRAL, False)
    return None


@lru_cache(maxsize=4096)
def _parse(lower: str) -> tuple[tuple[Syllable, ...] | None, int]:
    """Best parse of a lower-case word, or None and the furthest position reached."""
    particle = _particle(lower)
    if particle:
        return (particle,), len(lower)
    best: dict[int, tuple[Syllable, ...]] = {0: ()}
    for pos in range(len(lower)):
        if pos not in best:
            continue
        for syl in _candidates(lower, pos):
            end = pos + len(syl.text)
            path = best[pos] + (syl,)
            if end not in best or _rank(path) < _rank(best[end]):
                best[end] = path
    if len(lower) in best and lower:
        return best[len(lower)], len(lower)
    return None, max(best)


def _rank(path: tuple[Syllable, ...]) -> tuple[int, int]:
    return len(path), sum(s.loan for s in path)


def _diagnose(word: str, lower: str, reached: int, offset: int) -> SpellingIssue:
    if not re.fullmatch(r"[a-z]+", lower):
        return SpellingIssue(word, offset, 0, said(N_("'{word}' is not a word in Latin letters a-z"), word=word))
    rest = lower[reached:]
    after = said(N_(" after '{start}'"), start=word[:reached]) if reached else Said("")
    m = re.match(r"[^aeiou]*", rest)
    cons = m.group(0) if m else ""
    if cons == rest:
        hint = said(N_("; the 1981 draft wrote [ɯ] as 'w', the 1985 orthography writes 'e'")) \
            if "w" in rest[1:] else Said("")
        return SpellingIssue(word, offset, reached, said(N_("'{rest}'{after} has no vowel{hint}"),
                                                         rest=word[reached:], after=after, hint=hint))
    if cons and cons not in NATIVE_INITIALS and cons not in LOAN_INITIALS:
        return SpellingIssue(word, offset, reached, said(N_("unknown initial '{initial}'{after}"), initial=cons,
                                                         after=after))
    body = rest[len(cons):]
    final = re.match(r"[aeiou]+(?:ng|[mnbdg])?", body).group(0)  # type: ignore[union-attr]
    syllable = cons + final
    if final not in ALL_FINALS:
        return SpellingIssue(word, offset, reached, said(N_("impossible final '{final}' in '{syllable}'{after}"),
                                                         final=final, syllable=syllable, after=after))
    tone_char = body[len(final):len(final) + 1]
    if cons == "v" and final in NATIVE_FINALS and tone_char in NATIVE_TONES:
        reason = N_("'v' is written only in Mandarin loans; the native [v]~[w] initial is written 'w' "
                    "('{native}', not '{written}'){after}")
    elif final not in NATIVE_FINALS or cons in LOAN_INITIALS:
        reason = N_("'{syllable}' is a loan syllable and needs a loan tone letter (y f j q){after}")
    elif NATIVE_FINALS[final][1] == "stop":
        reason = N_("'{syllable}' ends in a stop and takes 't' (tone 7) or nothing (tone 8){after}")
    else:
        reason = N_("missing tone letter after '{syllable}' (one of l z c x s h, or y f j q in loans){after}")
    return SpellingIssue(word, offset, reached, said(reason, syllable=syllable, after=after,
                                                     native=f"w{final}{tone_char}", written=syllable + tone_char))


def syllables(word: str) -> list[Syllable]:
    """Split one written word into syllables; raises OrthographyError when it does not parse."""
    parsed, reached = _parse(word.lower())
    if parsed is None:
        raise OrthographyError.saying(_diagnose(word, word.lower(), reached, 0).said())
    return _restore_case(word, parsed)


def _restore_case(word: str, parsed: tuple[Syllable, ...]) -> list[Syllable]:
    out, pos = [], 0
    for s in parsed:
        out.append(Syllable(word[pos:pos + len(s.text)], s.initial, s.final, s.tone, s.loan))
        pos += len(s.text)
    return out


def ipa(word: str) -> str:
    """IPA with Chao tone letters for one written word."""
    return "".join(s.ipa() for s in syllables(word))


WORD_RE = re.compile(r"[A-Za-z]+")


def words(text: str) -> list[tuple[int, str]]:
    """Latin words of a text with their offsets; Han characters and digits are Mandarin and skipped."""
    return [(m.start(), m.group(0)) for m in WORD_RE.finditer(text)]


def check_text(text: str) -> list[SpellingIssue]:
    """Every Latin word of the text that does not parse, in order."""
    issues = []
    for offset, word in words(text):
        parsed, reached = _parse(word.lower())
        if parsed is None:
            issues.append(_diagnose(word, word.lower(), reached, offset))
    return issues


def syllable_record(s: Syllable) -> dict:
    """One syllable as JSON: its parts, tone, Chao contour and IPA."""
    return {"text": s.text, "initial": s.initial, "final": s.final, "tone": s.tone,
            "contour": s.contour, "loan": s.loan, "ipa": s.ipa()}


def ipa_records(words: list[str] | tuple[str, ...]) -> list[dict]:
    """One record per word: its IPA and syllables, or the reason it does not parse.

    A batch is never stopped by one bad word: a translator checking a word
    list wants every other word's IPA and the exact fault of the bad one.
    """
    records = []
    for word in words:
        parsed, reached = _parse(word.lower())
        if parsed is None:
            reason = _diagnose(word, word.lower(), reached, 0).reason
            records.append({"word": word, "ok": False, "ipa": _respelt_ipa(word), "syllables": [], "error": reason})
            continue
        syls = _restore_case(word, parsed)
        records.append({"word": word, "ok": True, "ipa": "".join(s.ipa() for s in syls),
                        "syllables": [syllable_record(s) for s in syls], "error": None})
    return records


def _respelt_ipa(word: str) -> str | None:
    """The IPA of a native word misspelt with the loan letter 'v' (veac), read as its 'w' spelling (weac):
    the 1985 orthography writes the native [v]~[w] initial 'w', so the word stays an error, but a
    translator still learns how it sounds."""
    if "v" not in word.lower():
        return None
    parsed, _ = _parse(word.lower().replace("v", "w"))
    return "".join(s.ipa() for s in parsed) if parsed else None


def check_records(text: str) -> list[dict]:
    """One record per Latin word of the text (column counted from 1), with its spelling error if any."""
    issues = {issue.offset: issue for issue in check_text(text)}
    return [
        {"word": word, "column": offset + 1, "ok": offset not in issues,
         "error": issues[offset].reason if offset in issues else None}
        for offset, word in words(text)
    ]


UNITS = {1: "ndeeul", 2: "soongl", 3: "saaml", 4: "sis", 5: "hac",
         6: "rogt", 7: "xadt", 8: "beedt", 9: "guc"}
_COMPOUND_UNITS = {**UNITS, 1: "idt", 2: "nyih"}
_TENS = {**UNITS, 1: "", 2: "nyih"}


def numeral(n: int) -> str:
    """Bouyei numeral for 1-99, written as one word.

    1-10 are attested; 11-99 follow the pattern of Sun Hongkai's 1995 Wangmo data
    (Chan's numeral database): tens-digit + xib + unit, with the Sino-Bouyei
    forms idt (1) and nyih (2) inside compounds (xibidt 11, nyihxib 20, xibrogt 16).
    """
    if not 1 <= n <= 99:
        raise ValueError(_("Bouyei numerals are known for 1-99, not {n}").format(n=n))
    if n < 10:
        return UNITS[n]
    tens, unit = divmod(n, 10)
    return _TENS[tens] + "xib" + (_COMPOUND_UNITS[unit] if unit else "")
