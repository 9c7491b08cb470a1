"""What a lint (``outreach check``, ``plan check``) reports: located findings with a level.

Kept apart from the checks themselves so that every checker (catalog, plan,
recordings) can produce findings without importing the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from outreach.i18n import N_, _


class Level(StrEnum):
    """How much a finding matters: errors block, warnings need a person, info is for the curious."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


LEVEL_WORDS = {Level.ERROR: N_("error"), Level.WARNING: N_("warning"), Level.INFO: N_("info")}
"""How a level reads on the command line (the values themselves stay English in JSON)."""


@dataclass(frozen=True)
class Finding:
    level: Level
    where: str
    message: str

    def __str__(self) -> str:
        level = _(LEVEL_WORDS.get(self.level, str(self.level)))
        if self.where:
            return _("{where}: {level}: {message}").format(where=self.where, level=level, message=self.message)
        return _("{level}: {message}").format(level=level, message=self.message)

    def as_dict(self) -> dict[str, str]:
        return {"level": str(self.level), "where": self.where, "message": self.message}


def errors(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that block (``outreach check`` exits 1 when there is any)."""
    return [f for f in findings if f.level == Level.ERROR]
