"""Mandarin (cmn) text for the ear: numbers as words, and the one pinyin every engine receives.

A loudspeaker cannot show a digit: it must say 九六幺幺零 for a hotline,
十一万元 for an amount, 百分之三点五 for a rate, 二零二七年二月六日 for a date.
``speak`` rewrites numbers by context (``cmn_numbers``); ``pinyin_tokens`` turns
the result into tone-numbered pinyin with polyphones chosen by phrase
(``cmn_pinyin``). Where the reading rules come from: docs/reading.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from babel.dates import format_skeleton
from babel.numbers import format_decimal

from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.languages import cmn_numbers, cmn_pinyin
from outreach.languages.cmn_numbers import read_digits, read_number

__all__ = [
    "NumberError", "finite", "format_money", "pinyin_for", "pinyin_tokens", "read_date", "read_digits",
    "read_money", "read_number", "speak", "speak_segments", "to_pinyin",
]


def speak(text: str, phone_numbers: Iterable[str] = (), before: str = "", after: str = "") -> str:
    """Every number in the text as a broadcaster reads it; known phone numbers always digit by digit.

    ``before``/``after``: neighbouring text that decides readings but is not rewritten.
    """
    return cmn_numbers.speak(text, phone_numbers, before, after)


def speak_segments(texts: list[str | None], phone_numbers: Iterable[str] = ()) -> list[str | None]:
    """Speech text for consecutive segments (None: not Mandarin), each read with its neighbours as context.

    A variable is its own segment (拨打 | 110 | 报警, 电话卡 | 2 | 张), so reading
    it alone would lose the words that choose 幺幺零 or 两.
    """
    return cmn_numbers.speak_runs(texts, phone_numbers)


class NumberError(OutreachError, ValueError):
    """A value that must be a finite number is not one; a ValueError too, so a template's filter reports it
    like any bad value, and a one-line error wherever else it is met."""


def finite(value: int | float | str) -> int | float | str:
    """The value itself, if it is a finite number: NaN or infinity must never reach a card as NaN元 or ∞元."""
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        raise NumberError(_("not a number: {value!r}").format(value=value)) from None
    if not math.isfinite(number):
        raise NumberError(_("{value!r} is not a finite number").format(value=value))
    return value


def read_money(value: int | float | str) -> str:
    """An amount of yuan as spoken: 2000 -> 两千元, 2 -> 两元, 0.5 -> 零点五元."""
    return cmn_numbers.cardinal(str(finite(value)), liang=True) + "元"


def read_date(value: dt.date, with_year: bool = False) -> str:
    """A date as spoken: 二零二七年二月六日 reads the year digit by digit."""
    skeleton = "yMMMd" if with_year else "MMMd"
    return speak(format_skeleton(skeleton, value, locale="zh_CN"))


def format_money(value: int | float, locale: str = "zh_CN") -> str:
    """Printed amount with digit grouping, e.g. 110,000元."""
    return f"{format_decimal(finite(value), locale=locale)}元"


def pinyin_tokens(text: str) -> list[str]:
    """Every Mandarin engine's pinyin: tone-numbered syllables (ü as v, neutral tone 5) and pause marks.

    Numbers left in the text are read first (as ``speak`` would), polyphones
    come from pypinyin's phrases plus the project's list, 一/不 and third-tone
    sandhi are applied, Chinese punctuation becomes one of ``, . ! ? ; :``,
    Latin letters are spelt, and quotes and brackets are dropped.
    """
    return cmn_pinyin.tokens(speak(text))


def to_pinyin(text: str) -> str:
    """Pinyin as one string for espeak's cmn-latn-pinyin voice: 'yin2 hang2, ni2 hao3.'."""
    return cmn_pinyin.join(pinyin_tokens(text))


def pinyin_for(lang: str, text: str) -> str | None:
    """What a Mandarin engine receives for a segment, for previews; None for other languages."""
    return to_pinyin(text) if lang == "cmn" else None
