"""The Bouyei word list staff may use: attested words with their sources.

``outreach check`` refuses a Bouyei word that is not in
``templates/lexicon/pcc.csv`` (numerals 1-99 built by the documented pattern
aside), so no invented vocabulary reaches a card or a loudspeaker. A translator
adds a word by adding a row with its source.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.datafile import display_path, read_text
from outreach.errors import ConfigError
from outreach.i18n import _, ngettext
from outreach.languages import bouyei

LOW_CONFIDENCE = ("low", "medium-low", "unknown")
COLUMNS = ("form", "gloss_zh", "gloss_en", "kind", "confidence", "ipa", "ipa_source", "source")


@dataclass(frozen=True)
class Entry:
    form: str
    gloss_zh: str
    gloss_en: str
    kind: str
    confidence: str
    ipa: str
    ipa_source: str
    source: str

    @property
    def weak(self) -> bool:
        """True for words resting on a single or uncertain source: usable only with review."""
        return self.confidence.startswith(LOW_CONFIDENCE)


def _entry(row: dict[str | Any, Any], where: str, line: int) -> Entry:
    form = str(row["form"] or "").strip()
    if not form:
        raise ConfigError(_("{where}:{line}: empty form").format(where=where, line=line))
    if not row["source"]:
        raise ConfigError(_("{where}:{line}: '{form}' has no source; every word needs one").format(
            where=where, line=line, form=form))
    return Entry(**{c: str(row[c] or "").strip() for c in COLUMNS})


class Lexicon:
    """Case-insensitive lookup of attested Bouyei words."""

    def __init__(self, entries: dict[str, Entry], path: Path | None = None) -> None:
        self.entries = entries
        self.path = path
        self._numerals = {bouyei.numeral(n): n for n in range(1, 100)}

    @classmethod
    def load(cls, path: Path) -> "Lexicon":
        """Read pcc.csv; every fault (encoding, CSV syntax, missing column or source) names the file and line."""
        if not path.exists():
            return cls({}, path)
        where = display_path(path)
        reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
        try:
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(ngettext("{where}: missing column {columns}", "{where}: missing columns {columns}",
                                           len(missing)).format(where=where, columns=", ".join(missing)))
            entries = {entry.form.lower(): entry for entry in (_entry(row, where, reader.line_num) for row in reader)}
        except csv.Error as exc:
            raise ConfigError(_("{where}:{line}: not a CSV row ({error})").format(
                where=where, line=reader.reader.line_num, error=exc)) from None
        return cls(entries, path)

    def lookup(self, word: str) -> Entry | None:
        return self.entries.get(word.lower())

    def numeral_value(self, word: str) -> int | None:
        return self._numerals.get(word.lower())

    def knows(self, word: str) -> bool:
        return self.lookup(word) is not None or self.numeral_value(word) is not None
