"""The gettext domain ``outreach``, shared by the command line and the web console.

Catalogs live in ``outreach/locale/<lang>/LC_MESSAGES/outreach.po`` and are managed with
``pybabel extract/update/compile`` (``babel.cfg``). A compiled ``.mo`` is used only when it is
at least as new as its ``.po``; otherwise the ``.po`` is compiled in memory at first use, so a
stale ``.mo`` can never hide a translation. The language comes from ``OUTREACH_LANG``, else the
POSIX variables; anything we do not ship falls back to English, never to an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext as _gettext
import hashlib
import io
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
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
    if locale == ENGLISH or locale not in SHIPPED or not po.exists():
        return _gettext.NullTranslations()  # the msgids are the English
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    return _gettext.GNUTranslations(io.BytesIO(compile_catalog(po)))


_CHOSEN: ContextVar[str | None] = ContextVar("outreach_locale", default=None)


def current() -> str:
    """The language of what is being said now: a web request's, else the environment's."""
    return _CHOSEN.get() or choose_locale()


@contextlib.contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Speak ``locale`` inside the block (a web request in its user's language), whatever the environment says."""
    token = _CHOSEN.set(normalise(locale) or ENGLISH)
    try:
        yield
    finally:
        _CHOSEN.reset(token)


def active() -> _gettext.NullTranslations:
    """The translations of the current language."""
    return translations(current())


def gettext(message: str) -> str:
    return active().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Plural forms come from the catalog: Chinese has one form, English two."""
    return active().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A word that needs a different translation in one place (``event``: a calendar entry, or an outreach event)."""
    return active().pgettext(context, message)


_ = gettext


def N_(message: str) -> str:
    """Marks a string for the catalog where it is defined; it is translated where it is shown."""
    return message


def _fresh_mo(locale: str) -> Path | None:
    """A folder holding an up-to-date compiled catalog of ``locale``: the package's own when fresh, else a cache."""
    po = _po_path(locale)
    if not po.exists():
        return None
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return LOCALE_DIR
    data = compile_catalog(po)
    digest = hashlib.sha256(data).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"outreach-locale-{os.getuid()}-{digest}"
    target = cache / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.replace(target)
    return cache


def install_for_click() -> None:
    """Click's own words (Usage, Options, its usage errors) come from the stdlib's global gettext domain,
    which reads compiled catalogs from disk: point that domain at ours, in the language chosen here."""
    locale = current()
    try:
        folder = _fresh_mo(locale) if locale != ENGLISH else None
    except OSError:
        folder = None
    if folder is None:
        _gettext.textdomain("messages")
        return
    _gettext.bindtextdomain(DOMAIN, str(folder))
    _gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = locale


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


def show_date(day: dt.date) -> str:
    """A date for the command line: ``2027年2月18日`` / ``2027-02-18``."""
    from babel.dates import format_date

    locale = current()
    return format_date(day, "yyyy年M月d日" if locale.startswith("zh") else "yyyy-MM-dd", locale=babel_locale(locale))


def show_day(day: dt.date) -> str:
    """A date with its weekday: ``2027年2月18日 星期四`` / ``Thu 2027-02-18``."""
    from babel.dates import format_date

    locale = current()
    pattern = "yyyy年M月d日 EEEE" if locale.startswith("zh") else "EEE yyyy-MM-dd"
    return format_date(day, pattern, locale=babel_locale(locale))


def show_moment(moment: dt.datetime, seconds: bool = False) -> str:
    """Date and time in the moment's own zone: ``2027年2月18日 08:30`` / ``2027-02-18 08:30``."""
    from babel.dates import format_datetime

    locale = current()
    clock = "HH:mm:ss" if seconds else "HH:mm"
    pattern = f"yyyy年M月d日 {clock}" if locale.startswith("zh") else f"yyyy-MM-dd {clock}"
    return format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=babel_locale(locale))


def show_weekday(day: dt.date, width: str = "abbreviated") -> str:
    return format_weekday(day, current(), width)


def show_number(value: float) -> str:
    """A number with the locale's grouping: ``16,635``."""
    return format_number(value, current())
