"""Slogans (标语): the short lines a script declares for banners and posters, per language.

They live in ``templates/print/slogans.yaml``, keyed by script id, each with its
own review status like a script's text: a Bouyei slogan carries a Mandarin
gloss for the reviewer, and a draft is refused for print unless the run is a
marked proof. ``slogan_texts`` lists them for ``outreach check`` (spelling and
attestation of every Bouyei word, like the templates).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from pydantic import Field, model_validator

from outreach.catalog import Review, Status
from outreach.datafile import StrictModel, display_path, load_yaml, validate
from outreach.deployment import Deployment
from outreach.errors import PrintError
from outreach.i18n import _, ngettext
from outreach.languages.codes import Lang
from outreach.print.cards import STATUS

SLOGANS = "print/slogans.yaml"


class Slogan(Review):
    """A slogan carries its own review, like a script's text (a draft unless said otherwise)."""

    text: str = Field(min_length=1, max_length=40)
    status: Status = "draft"


class SloganBook(StrictModel):
    slogans: dict[str, dict[Lang, list[Slogan]]] = {}

    @model_validator(mode="after")
    def _bouyei_has_gloss(self) -> "SloganBook":
        for script, by_lang in self.slogans.items():
            for i, slogan in enumerate(by_lang.get("pcc", [])):
                if not slogan.gloss_cmn:
                    raise ValueError(_("slogans.{script}.pcc[{i}]: a Bouyei slogan needs gloss_cmn for its reviewer")
                                     .format(script=script, i=i))
        return self


@dataclass(frozen=True)
class Chosen:
    """The slogan a banner prints, and whether it is a proof (not approved)."""

    script: str
    lang: str
    text: str
    status: str

    @property
    def draft(self) -> bool:
        return self.status != "approved"


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> SloganBook:
    return validate(SloganBook, load_yaml(path), path)


def slogan_book(deployment: Deployment) -> SloganBook:
    """The deployment's slogans (none when the file is absent)."""
    path = deployment.templates / SLOGANS
    if not path.exists():
        return SloganBook()
    return _load(path, path.stat().st_mtime)


def slogan_texts(deployment: Deployment) -> list[tuple[str, str, str]]:
    """(where, language, text) of every slogan, for the lint: ``where`` names file and key path."""
    where = display_path(deployment.templates / SLOGANS)
    return [(f"{where}: slogans.{script}.{lang}[{i}]", lang, slogan.text)
            for script, by_lang in slogan_book(deployment).slogans.items()
            for lang, listed in by_lang.items() for i, slogan in enumerate(listed)]


def choose(deployment: Deployment, script: str, lang: str, number: int, allow_draft: bool) -> Chosen:
    """Slogan ``number`` (from 1) of a script in a language; a draft needs ``allow_draft`` (it prints marked)."""
    listed = slogan_book(deployment).slogans.get(script, {}).get(lang, [])  # type: ignore[call-overload]
    if not listed:
        raise PrintError(_("script '{script}' has no {lang} slogan in {path}").format(
            script=script, lang=lang, path=display_path(deployment.templates / SLOGANS)))
    if not 1 <= number <= len(listed):
        raise PrintError(ngettext("script '{script}' has {count} {lang} slogan; --slogan {number} is not one",
                                  "script '{script}' has {count} {lang} slogans; --slogan {number} is not one",
                                  len(listed)).format(
            script=script, count=len(listed), lang=lang, number=number))
    slogan = listed[number - 1]
    if slogan.status != "approved" and not allow_draft:
        raise PrintError(_("the {lang} slogan '{text}' of '{script}' is not approved ({status}): "
                           "get it reviewed, or print a marked proof with --allow-draft").format(
            lang=lang, text=slogan.text, script=script, status=_(STATUS.get(slogan.status, slogan.status))))
    return Chosen(script, lang, slogan.text, slogan.status)
