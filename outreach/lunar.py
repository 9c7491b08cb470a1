"""Dates the Chinese calendar fixes: lunar dates and solar terms as solar dates, and the day's earthly branch.

lunar-python does the astronomy; it is imported inside each function because
it is slow to import and only planning needs it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


@lru_cache(maxsize=1)
def _branch_reference() -> tuple[dt.date, int]:
    from lunar_python import Solar

    ref = dt.date(2000, 1, 1)
    return ref, EARTHLY_BRANCHES.index(Solar.fromYmd(ref.year, ref.month, ref.day).getLunar().getDayZhi())


def day_branch(day: dt.date) -> str:
    """The earthly branch (子丑寅…) of a day in the sexagenary day cycle, which runs unbroken every 12 days."""
    ref, index = _branch_reference()
    return EARTHLY_BRANCHES[(index + (day - ref).days) % 12]


def lunar_day(day: dt.date) -> int:
    """The day of the lunar month (1-30) a solar date falls on: lunar market days are counted so."""
    from lunar_python import Solar

    return Solar.fromYmd(day.year, day.month, day.day).getLunar().getDay()


def lunar_to_solar(year: int, month: int, day: int) -> dt.date:
    """The solar date of a lunar date in the (non-leap) lunar month; a leap month never repeats a festival."""
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def qingming(year: int) -> dt.date:
    """The day of the Qingming solar term (清明), the only festival set by the sun."""
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())
