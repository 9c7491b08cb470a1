"""Tone-numbered pinyin tokens for Mandarin speech engines.

pypinyin chooses polyphone readings from its phrase dictionary; the project's
own anti-fraud phrases (``cmn_phrases.yaml``, package data) are added to that
dictionary so words such as 还款 huánkuǎn or 发卡 fākǎ come out right in every
engine. Latin letters are spelt with the pinyin syllables Mandarin speakers use
for letter names, because engines fed pinyin cannot read English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib import resources

import yaml

from outreach.errors import ConfigError
from outreach.i18n import _

HAN = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
SYLLABLE = re.compile(r"^[a-z]+[1-5]$")
PUNCTUATION: dict[str, str] = {
    "，": ",", "、": ",", "。": ".", "！": "!", "？": "?", "；": ";", "：": ":",
    "…": ".", "—": ",", "～": ",", ",": ",", ".": ".", "!": "!", "?": "?", ";": ";", ":": ":",
}


@cache
def phrase_data() -> dict:
    """The project's reading data: polyphone phrases and letter names."""
    text = resources.files("outreach.languages").joinpath("cmn_phrases.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    for word, reading in (data.get("phrases") or {}).items():
        syllables = str(reading).split()
        if len(syllables) != len(word) or not all(SYLLABLE.match(s) for s in syllables):
            raise ConfigError(_("cmn_phrases.yaml: '{word}' needs one tone-numbered syllable per character").format(
                word=word))
    return data


@cache
def _pinyin_engine() -> Callable[[str], list[str]]:
    """pypinyin with the project's phrases loaded (once per process)."""
    from pypinyin import Style, lazy_pinyin, load_phrases_dict
    from pypinyin.contrib.tone_convert import tone3_to_tone

    phrases = phrase_data().get("phrases") or {}
    load_phrases_dict({w: [[tone3_to_tone(s)] for s in r.split()] for w, r in phrases.items()})

    def convert(han: str) -> list[str]:
        syllables = lazy_pinyin(han, style=Style.TONE3, neutral_tone_with_five=True)
        return sandhi(han, syllables) if len(syllables) == len(han) else syllables

    return convert


NUMERALS = frozenset("零〇一二三四五六七八九十幺")
# 一 closes these words and keeps its own tone: ordinals (第一, 初一, 周一) and 统一, 唯一, 之一 ...
YI_FINAL_AFTER = frozenset("第初统唯万划专单同之其逐周期")


def _yi_tone(han: str, i: int, syllables: list[str]) -> str | None:
    """The reading of the 一 at han[i], or None to keep pypinyin's."""
    before, after, after2 = han[i - 1:i], han[i + 1:i + 2], han[i + 2:i + 3]
    if before in NUMERALS or after in ("月", "日", "号") or (after in NUMERALS and after != "一"):
        return "yi1"
    if after == "一":
        return "yi1" if before in NUMERALS or after2 in NUMERALS | {""} else None
    if after == "点" and after2 in NUMERALS:
        return "yi1"
    if after in ("百", "千"):
        return "yi4"
    if after in ("万", "亿"):
        return "yi2"
    if before in YI_FINAL_AFTER or not after:
        return "yi1"
    if before == after:
        return "yi5"
    tone = syllables[i + 1][-1]
    return {"4": "yi2", "1": "yi4", "2": "yi4", "3": "yi4"}.get(tone)


def _bu_tone(han: str, i: int, syllables: list[str]) -> str:
    if i + 1 >= len(han):
        return "bu4"
    if i > 0 and han[i - 1] == han[i + 1]:
        return "bu5"
    return "bu2" if syllables[i + 1].endswith("4") else "bu4"


def sandhi(han: str, syllables: list[str]) -> list[str]:
    """一, 不 and third-tone sandhi over one run of Han characters (one syllable each).

    Done here rather than by pypinyin, whose sandhi misses many words (一次 and
    一样 stay yī, 管理 keeps two third tones) and is not meant for the numbers
    ``speak`` writes out (一月 became yí, 一万 yī). A run of third tones
    keeps the last one and raises the others to second tone.
    """
    out = list(syllables)
    for i, ch in enumerate(han):
        if ch == "一":
            out[i] = _yi_tone(han, i, syllables) or out[i]
        elif ch == "不":
            out[i] = _bu_tone(han, i, syllables)
    for i in range(len(out) - 1):
        if out[i].endswith("3") and out[i + 1].endswith("3"):
            out[i] = out[i][:-1] + "2"
    return out


def _letters(chunk: str) -> list[str]:
    names = phrase_data().get("letters") or {}
    out: list[str] = []
    for ch in chunk.upper():
        out.extend(str(names.get(ch, "")).split())
    return out


def _other_tokens(chunk: str) -> list[str]:
    """Tokens for a run of non-Han text: punctuation kept as a pause, letters spelt, the rest dropped."""
    out: list[str] = []
    for ch in chunk:
        if ch in PUNCTUATION:
            out.append(PUNCTUATION[ch])
        elif ch.isascii() and ch.isalpha():
            out.extend(_letters(ch))
    return out


def tokens(text: str) -> list[str]:
    """Pinyin syllables and pause marks for text whose numbers are already words."""
    convert = _pinyin_engine()
    out: list[str] = []
    position = 0
    for m in HAN.finditer(text):
        out.extend(_other_tokens(text[position:m.start()]))
        out.extend(convert(m.group(0)))
        position = m.end()
    out.extend(_other_tokens(text[position:]))
    return _collapse_pauses(out)


def _collapse_pauses(items: list[str]) -> list[str]:
    """One pause mark between words: '。”' or '？！' is one stop, and no text starts with a pause."""
    out: list[str] = []
    for item in items:
        if item in PUNCTUATION.values() and (not out or out[-1] in PUNCTUATION.values()):
            continue
        out.append(item)
    return out


def join(items: list[str]) -> str:
    """Space-separated syllables with pause marks attached, as espeak's pinyin voice reads them."""
    return re.sub(r" ([,.!?;:])", r"\1", " ".join(items))
