"""The gettext domain ``outreach``, shared by the command line and the web console.

Catalogs live in ``outreach/locale/<lang>/LC_MESSAGES/outreach.po`` and are managed with
``pybabel extract/update/compile`` (``babel.cfg``). A compiled ``.mo`` is used only when it is
at least as new as its ``.po``; otherwise the ``.po`` is compiled in memory at first use, so a
stale ``.mo`` can never hide a translation. The language comes from ``OUTREACH_LANG``, else the
POSIX variables; anything we do not ship falls back to English, never to an error.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import io
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

DOMAIN = "outreach"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SHIPPED = ("zh_CN", "en")
ENGLISH = "en"
ENV_ORDER = ("OUTREACH_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def normalise(value: str | None) -> str | None:
    """A shipped locale for a POSIX-style name (``zh_CN.UTF-8``, ``zh``, ``en_US``), or None."""
    if not value:
        return None
    name = value.split(".")[0].split("@")[0].replace("-", "_").strip()
    if not name or name in ("C", "POSIX"):
        return ENGLISH if name else None
    lowered = {code.lower(): code for code in SHIPPED}
    if name.lower() in lowered:
        return lowered[name.lower()]
    language = name.split("_")[0].lower()
    return next((code for code in SHIPPED if code.split("_")[0].lower() == language), ENGLISH)


def choose_locale(environ: Mapping[str, str] | None = None) -> str:
    """The first of OUTREACH_LANG, LC_ALL, LC_MESSAGES, LANG that is set wins; unknown means English."""
    env = os.environ if environ is None else environ
    for key in ENV_ORDER:
        if env.get(key):
            return normalise(env[key]) or ENGLISH
    return ENGLISH


def _po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalog(po_path: Path) -> bytes:
    """The .mo bytes of a .po file, fuzzy entries left out (as ``pybabel compile`` does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


@lru_cache(maxsize=8)
def translations(locale: str) -> _gettext.NullTranslations:
    """The catalog of a shipped locale (English: the source strings themselves)."""
    po = _po_path(locale)
    if locale not in SHIPPED or not po.exists():
        return _gettext.NullTranslations()
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    return _gettext.GNUTranslations(io.BytesIO(compile_catalog(po)))


def active() -> _gettext.NullTranslations:
    """The translations the environment asks for (the command line's language)."""
    return translations(choose_locale())


def gettext(message: str) -> str:
    return active().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Plural forms come from the catalog: Chinese has one form, English two."""
    return active().ngettext(singular, plural, n)


_ = gettext


def babel_locale(locale: str) -> str:
    """Babel's name for a shipped locale."""
    return "zh_Hans_CN" if locale == "zh_CN" else locale


def format_day(day: dt.date, locale: str) -> str:
    """A date with its weekday: ``2027年2月18日 星期四`` / ``Thursday, February 18, 2027``."""
    from babel.dates import format_date

    if locale.startswith("zh"):
        return f"{format_date(day, 'long', locale=babel_locale(locale))} {format_date(day, 'EEEE', locale=babel_locale(locale))}"
    return format_date(day, "full", locale=babel_locale(locale))


def format_short_date(day: dt.date, locale: str) -> str:
    from babel.dates import format_date

    return format_date(day, "medium", locale=babel_locale(locale))


def format_moment(moment: dt.datetime, locale: str) -> str:
    """Date and time to the minute, in the moment's own zone."""
    from babel.dates import format_datetime

    return format_datetime(moment, "short" if locale == ENGLISH else "yyyy-MM-dd HH:mm", locale=babel_locale(locale),
                           tzinfo=moment.tzinfo)


def format_weekday(day: dt.date, locale: str, width: str = "abbreviated") -> str:
    from babel.dates import format_date

    return format_date(day, {"abbreviated": "EEE", "wide": "EEEE", "short": "EEEEEE"}[width],
                       locale=babel_locale(locale))


def format_number(value: float, locale: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale(locale))
