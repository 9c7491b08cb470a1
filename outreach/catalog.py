"""The script catalog: ``templates/scripts/<id>/`` holds script.yaml and one template per language.

A script is written once per language; its metadata says what it is about,
who it is for, which variables it takes and, per language, how far its text
has been reviewed. Only ``approved`` text goes to print or air unmarked.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from outreach import approvals
from outreach.datafile import StrictModel, display_path, load_yaml, validate
from outreach.errors import CatalogError, ConfigError, OutreachError, VariableValueError
from outreach.i18n import _, ngettext
from outreach.languages.codes import LANGUAGES, Lang

Status = Literal["draft", "reviewed", "approved"]
VarType = Literal["text", "int", "money", "phone", "date"]
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class Variable(StrictModel):
    type: VarType = "text"
    default: Any = None
    description: str = ""


class Review(StrictModel):
    status: Status
    translator: str | None = None
    reviewer: str | None = None
    reviewed_on: dt.date | None = None
    gloss_cmn: str | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _reviewed_needs_reviewer(self) -> "Review":
        if self.status != "draft" and not self.reviewer:
            raise ValueError(_("status '{status}' needs a reviewer").format(status=self.status))
        return self


class ScriptMeta(StrictModel):
    title: dict[Lang, str]
    topic: str = Field(min_length=1)
    audiences: list[str] = Field(min_length=1)
    tags: list[str] = []
    villages: list[str] | None = None
    variables: dict[str, Variable] = {}
    languages: dict[Lang, Review] = Field(min_length=1)
    sources: list[str] = []

    @model_validator(mode="after")
    def _titles_cover_languages(self) -> "ScriptMeta":
        missing = [lang for lang in self.languages if lang not in self.title]
        if missing:
            raise ValueError(ngettext("no title for language {languages}", "no title for languages {languages}",
                                      len(missing)).format(languages=", ".join(missing)))
        return self


@dataclass(frozen=True)
class Script:
    """One catalog entry: metadata plus the path of each language's template."""

    id: str
    folder: Path
    meta: ScriptMeta

    @property
    def languages(self) -> list[str]:
        return list(self.meta.languages)

    def template_path(self, lang: str) -> Path:
        return self.folder / f"{lang}.j2"

    def declared(self, lang: str) -> Review:
        """What script.yaml says of a language, before any console decision (the base of ``review``)."""
        try:
            return self.meta.languages[lang]  # type: ignore[index]
        except KeyError:
            raise CatalogError(_("script '{script}' has no {lang} text").format(script=self.id, lang=lang)) from None

    def review(self, lang: str) -> Review:
        """The review in force, by the one rule the console also follows (``approvals.effective_status``).

        A decision bound to the template's hash overrules script.yaml: approved while the text is
        unchanged, a draft once it is edited or returned. Render, print, audio and check all read this.
        """
        declared = self.declared(lang)
        decision = approvals.load(self.folder).get(lang)
        status = approvals.effective_status(self.folder, lang, declared.status)
        if decision is None or (status == declared.status and status != approvals.APPROVED):
            return declared
        if status != approvals.APPROVED:
            return declared.model_copy(update={"status": status})
        return declared.model_copy(update={"status": status, "reviewer": decision.reviewer,
                                           "reviewed_on": _day(decision.at) or declared.reviewed_on})

    def approved(self, lang: str) -> bool:
        return self.review(lang).status == "approved"

    def defaults(self) -> dict[str, Any]:
        """Declared variables with their defaults, converted to their types."""
        return {
            name: coerce(self.id, name, var, var.default)
            for name, var in self.meta.variables.items()
            if var.default is not None
        }

    def summary(self) -> dict[str, Any]:
        """What a listing shows of a script (``outreach scripts``, its JSON): no template text."""
        meta = self.meta
        return {
            "id": self.id, "topic": meta.topic, "audiences": meta.audiences, "tags": meta.tags,
            "title": dict(meta.title), "languages": {lang: self.review(lang).status for lang in meta.languages},
        }


def _day(moment: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(moment).date()
    except (TypeError, ValueError):
        return None


def to_number(value: Any) -> int | float:
    """A number as staff write it (``110,000``, ``1.5``, 20000); whole ones stay ints, printed without ``.0``.

    ``nan``, ``inf`` and ``1e400`` are refused (ValueError): they would print as NaN元 or ∞元.
    """
    number = float(str(value).replace(",", ""))
    if not math.isfinite(number):
        raise ValueError(_("{value!r} is not a finite number").format(value=value))
    return int(number) if number.is_integer() else number


def coerce(script_id: str, name: str, var: Variable, value: Any) -> Any:
    """Convert a value (from YAML or --var) to the variable's declared type."""
    try:
        if var.type in ("int", "money"):
            return to_number(value)
        if var.type == "date":
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if var.type == "phone":
            text = str(value)
            if not re.fullmatch(r"[\d -]{3,20}", text):
                raise ValueError
            return text
        return str(value)
    except ValueError:
        raise VariableValueError(_("script '{script}': variable '{name}' is a {type}, and {value!r} is not one").format(
            script=script_id, name=name, type=var.type, value=value)) from None


class Catalog:
    """All scripts of a deployment, found by folder.

    A script whose metadata is broken is kept aside in ``broken`` with its
    error, so one bad script never hides the others (``check`` lists it,
    ``get`` raises it).
    """

    def __init__(self, scripts: dict[str, Script], broken: dict[str, OutreachError] | None = None) -> None:
        self.scripts = scripts
        self.broken = broken or {}

    @classmethod
    def load(cls, scripts_dir: Path) -> "Catalog":
        if not scripts_dir.is_dir():
            raise ConfigError(_("{path}: no scripts folder").format(path=display_path(scripts_dir)))
        scripts: dict[str, Script] = {}
        broken: dict[str, OutreachError] = {}
        try:
            folders = sorted(p for p in scripts_dir.iterdir() if p.is_dir())
        except OSError as exc:
            raise ConfigError(_("{where}: cannot be read ({reason})").format(
                where=display_path(scripts_dir), reason=exc.strerror or exc)) from None
        for folder in folders:
            try:
                scripts[folder.name] = load_script(folder)
            except OutreachError as exc:
                broken[folder.name] = exc
        return cls(scripts, broken)

    def get(self, script_id: str) -> Script:
        if script_id in self.broken:
            raise self.broken[script_id]
        try:
            return self.scripts[script_id]
        except KeyError:
            known = ", ".join(self.scripts) or _("none")
            raise CatalogError(_("unknown script '{script}' (known: {known})").format(script=script_id, known=known)) \
                from None

    def __iter__(self):
        return iter(self.scripts.values())

    def __len__(self) -> int:
        return len(self.scripts)


def load_script(folder: Path) -> Script:
    """Read one script folder; its id is the folder name."""
    if not ID_RE.match(folder.name):
        raise CatalogError(_("{path}: script ids are lower-case letters, digits and hyphens").format(
            path=display_path(folder)))
    meta_path = folder / "script.yaml"
    meta = validate(ScriptMeta, load_yaml(meta_path), meta_path)
    unknown = [lang for lang in meta.languages if lang not in LANGUAGES]
    if unknown:
        raise CatalogError(ngettext("{path}: unknown language {languages}", "{path}: unknown languages {languages}",
                                    len(unknown)).format(path=display_path(meta_path), languages=", ".join(unknown)))
    return Script(folder.name, folder, meta)
