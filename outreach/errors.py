"""The one error hierarchy of outreach.

Every mistake a user can make (a broken template, a missing variable, a bad
profile key) raises an ``OutreachError`` whose message is a complete sentence
naming the file, key or word at fault; ``cli.main`` prints it without a
traceback and exits 1.

Messages are in the user's language (``outreach.i18n``). A message that is also
kept (a manifest's reasons, the play log, JSON output) is made with ``said``: its
value is the English, as records have always held it, and ``shown`` gives the
same in the user's language; an error made with ``OutreachError.said`` keeps its
English in ``english``.
"""

from __future__ import annotations

from typing import Self

from outreach.i18n import _


class Said(str):
    """English text, as files, JSON and records keep it, that also knows how it reads to the user (``shown``)."""

    shown: str

    def __new__(cls, english: str, shown: str | None = None) -> Said:
        text = super().__new__(cls, english)
        text.shown = english if shown is None else shown
        return text


def english(value: object) -> object:
    """A value as English records keep it: a ``Said``'s or an error's English; anything else unchanged."""
    if isinstance(value, Said):
        return str.__str__(value)
    if isinstance(value, OutreachError):
        return value.english
    return value


def shown(value: object) -> object:
    """A value as the user reads it: a ``Said``'s translation; anything else (an error: its message) unchanged."""
    return value.shown if isinstance(value, Said) else value


def said(message: str, /, **fields: object) -> Said:
    """``message`` (a msgid, marked ``N_`` where it is written) with ``fields`` filled in, in English and as shown."""
    return Said(message.format(**{k: english(v) for k, v in fields.items()}),
                _(message).format(**{k: shown(v) for k, v in fields.items()}))


def message_of(exc: BaseException) -> Said:
    """An error's message in English, as shown: what a record keeps of a failure."""
    return Said(str(english(exc)), str(exc))


class OutreachError(Exception):
    """A user-facing problem: the message alone tells the user what to fix."""

    _english: str | None = None

    @property
    def english(self) -> str:
        """The message in English (the message itself, unless the error was made with ``said``)."""
        return self._english or str(self)

    @classmethod
    def saying(cls, text: Said) -> Self:
        """The error whose message is ``text`` as shown, its English kept in ``english``."""
        error = cls(text.shown)
        error._english = str.__str__(text)
        return error

    @classmethod
    def said(cls, message: str, /, **fields: object) -> Self:
        """The error saying ``message`` (marked ``N_``) in the user's language, its English kept in ``english``."""
        return cls.saying(said(message, **fields))


class ConfigError(OutreachError):
    """The deployment profile, a script.yaml or another data file is invalid."""


class CatalogError(OutreachError):
    """A script is missing, incomplete or inconsistent."""


class TemplateError(OutreachError):
    """A template cannot be parsed or rendered."""


class TemplateSyntaxError(TemplateError):
    """Jinja syntax error, located as file:line."""

    def __init__(self, where: str, detail: str) -> None:
        self.where, self.detail = where, detail
        super().__init__(f"{where}: {detail}")  # i18n: a location and a message made elsewhere


class TemplateSecurityError(TemplateError):
    """A template tried to reach outside the sandbox."""


class MissingVariableError(TemplateError):
    """A template uses a variable nobody provided."""

    def __init__(self, script: str, lang: str, names: list[str], where: str = "") -> None:
        self.script, self.lang, self.names = script, lang, names
        listed = ", ".join(f"'{n}'" for n in names)
        message = _("script '{script}' ({lang}) needs variable {names}, which has no default, "
                    "is not given by the profile or village, and was not passed with --var").format(
            script=script, lang=lang, names=listed)
        super().__init__(f"{where}: {message}" if where else message)


class TemplateTooExpensive(TemplateSecurityError):
    """A template would run too long or build too much (a loop, padding, recursion): stopped before it did."""

    def __init__(self, reason: str, where: str = "") -> None:
        self.reason = reason
        super().__init__(_("{where}: the sandbox refused: template too expensive: {reason}").format(
            where=where, reason=reason) if where else _("template too expensive: {reason}").format(reason=reason))


class VariableValueError(TemplateError):
    """A --var value does not fit the declared type."""


class OrthographyError(OutreachError):
    """Bouyei text that does not follow the 1985 orthography."""


class CheckFailed(OutreachError):
    """``outreach check`` found errors (they were printed above)."""


class OutputError(OutreachError):
    """An output file cannot be written where the user asked (a deployment file, a folder, a device...)."""


class PrintError(OutreachError):
    """A print run cannot be made (draft text without --allow-draft, an unknown layout, a broken layout...)."""


class LedgerError(OutreachError):
    """The ledger file cannot be read or written (``damaged``: SQLite found the file itself broken)."""

    def __init__(self, message: str, damaged: bool = False) -> None:
        super().__init__(message)
        self.damaged = damaged
