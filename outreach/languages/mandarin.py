"""Mandarin (cmn) text for the ear: numbers, money, phone numbers and dates as words.

A loudspeaker voice must say 九六幺幺零, not "ninety-six thousand..."; amounts
as 十一万元; dates as 二月六日. Cardinals come from cn2an, date formatting from
Babel; this module only decides which reading a number needs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import cn2an
from babel.dates import format_skeleton
from babel.numbers import format_decimal

_DIGITS = "零一二三四五六七八九"

# Characters after a number that make it a quantity (read as a cardinal).
QUANTITY_SUFFIXES = frozenset(
    "元块角分万亿千百岁月日号天次张个人名位户件笔条份倍年周小时点秒米斤亩辆台部起种项"
)


def read_digits(digits: str, yao: bool = True) -> str:
    """Read a digit string one digit at a time; 1 is 幺 on the phone, as Chinese speakers say it."""
    out = []
    for ch in digits:
        if ch.isdigit():
            out.append("幺" if (ch == "1" and yao) else _DIGITS[int(ch)])
        elif ch in "-— ":
            continue
        else:
            out.append(ch)
    return "".join(out)


def read_number(value: int | float | str) -> str:
    """Cardinal reading: 110000 -> 十一万, 3.5 -> 三点五."""
    text = str(value).replace(",", "").strip()
    try:
        return cn2an.an2cn(text, "low")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def read_date(value: dt.date, with_year: bool = False) -> str:
    """A date as spoken: 二〇二七年二月六日 reads the year digit by digit."""
    skeleton = "yMMMd" if with_year else "MMMd"
    written = format_skeleton(skeleton, value, locale="zh_CN")
    return speak(written)


def format_money(value: int | float, locale: str = "zh_CN") -> str:
    """Printed amount with digit grouping, e.g. 110,000元."""
    return f"{format_decimal(value, locale=locale)}元"


_NUMBER_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def speak(text: str, phone_numbers: Iterable[str] = ()) -> str:
    """Rewrite every number in Mandarin text the way a speaker reads it aloud.

    Known phone numbers (hotlines, contacts), numbers of five or more digits
    with no unit after them, and numbers starting with 0 are read digit by
    digit with 幺; a four-digit year before 年 digit by digit with 一; anything
    followed by a unit (元, 万, 岁, 月, 日 ...) as a cardinal.
    """
    phones = {re.sub(r"\D", "", p) for p in phone_numbers if p}

    def replace(m: re.Match[str]) -> str:
        number = m.group(0)
        plain = number.replace(",", "")
        after = text[m.end():m.end() + 1]
        if after == "年" and len(plain) == 4:
            return read_digits(plain, yao=False)
        if plain in phones:
            return read_digits(plain)
        if after in QUANTITY_SUFFIXES or "." in plain:
            return read_number(plain)
        if len(plain) >= 5 or plain.startswith("0"):
            return read_digits(plain)
        return read_number(plain)

    text = re.sub(r"(?<!\d)(0\d{2,3})-(\d{7,8})(?!\d)", r"\1\2", text)
    return _NUMBER_RE.sub(replace, text)


_PUNCT_FOR_SPEECH = {
    "，": ", ", "、": ", ", "。": ". ", "！": "! ", "？": "? ", "；": "; ", "：": ": ",
    "…": ". ", "—": ", ", "（": ", ", "）": ", ",
}


def to_pinyin(text: str) -> str:
    """Tone-numbered pinyin for a speech engine, with 一/不 and third-tone sandhi.

    pypinyin picks the reading of polyphones from context (银行 háng, 不要 bú);
    Chinese punctuation becomes Latin punctuation so the engine still pauses;
    quotation marks are dropped.
    """
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True, errors="default")
    out: list[str] = []
    for syl in syllables:
        for ch, repl in _PUNCT_FOR_SPEECH.items():
            syl = syl.replace(ch, repl)
        syl = re.sub(r"[“”‘’\"《》【】]", " ", syl)
        out.append(syl)
    return re.sub(r"\s+([,.!?;:])", r"\1", re.sub(r"\s+", " ", " ".join(out))).strip()
