"""The one error hierarchy of outreach.

Every mistake a user can make (a broken template, a missing variable, a bad
profile key) raises an ``OutreachError`` whose message is a complete sentence
naming the file, key or word at fault; ``cli.main`` prints it without a
traceback and exits 1.
"""

from __future__ import annotations


class OutreachError(Exception):
    """A user-facing problem: the message alone tells the user what to fix."""


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
        super().__init__(f"{where}: {detail}")


class TemplateSecurityError(TemplateError):
    """A template tried to reach outside the sandbox."""


class MissingVariableError(TemplateError):
    """A template uses a variable nobody provided."""

    def __init__(self, script: str, lang: str, names: list[str], where: str = "") -> None:
        self.script, self.lang, self.names = script, lang, names
        listed = ", ".join(f"'{n}'" for n in names)
        prefix = f"{where}: " if where else ""
        super().__init__(
            f"{prefix}script '{script}' ({lang}) needs variable {listed}, which has no default, "
            "is not given by the profile or village, and was not passed with --var"
        )


class TemplateTooExpensive(TemplateSecurityError):
    """A template would run too long or build too much (a loop, padding, recursion): stopped before it did."""

    def __init__(self, reason: str, where: str = "") -> None:
        self.reason = reason
        lead = f"{where}: the sandbox refused: " if where else ""
        super().__init__(f"{lead}template too expensive: {reason}")


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
