"""What rendering says to staff: the words for its modes and segment origins, and the one-line error of a
template that failed while running. Kept apart from ``render.py`` so that module stays about rendering,
and light, so the command line can import the words without loading Jinja."""

from __future__ import annotations

import re
import traceback
from typing import TYPE_CHECKING

from outreach.errors import MissingVariableError, TemplateError, TemplateSecurityError, TemplateTooExpensive
from outreach.i18n import N_, _

if TYPE_CHECKING:
    from outreach.catalog import Script

MODE_WORDS = {"print": N_("print mode"), "speech": N_("speech mode")}
"""How each ``render.Mode`` reads on the command line (the values stay English: users type them)."""
ORIGIN_WORDS = {"fixed": N_("fixed"), "variable": N_("variable")}
"""How each ``render.Origin`` of a segment reads in a table."""


def word(words: dict[str, str], value: str) -> str:
    """A vocabulary value (a mode, an origin, a review status) as staff read it; an unknown one as it is."""
    return _(words[value]) if value in words else str(value)


def render_error(exc: Exception, script: Script, lang: str, filename: str) -> TemplateError:
    """The one-line error for a template that failed while running, located at its line when known."""
    import jinja2
    from jinja2.sandbox import SecurityError

    from outreach.datafile import display_path

    where = display_path(script.template_path(lang))
    line = next((f.lineno for f in reversed(traceback.extract_tb(exc.__traceback__)) if f.filename == filename), None)
    at = f"{where}:{line}" if line else where
    if isinstance(exc, TemplateTooExpensive | RecursionError | MemoryError):
        reason = exc.reason if isinstance(exc, TemplateTooExpensive) else (
            _("nested too deeply (a template including itself?)") if isinstance(exc, RecursionError)
            else _("out of memory"))
        return TemplateTooExpensive(_("script '{script}' ({lang}): {reason}").format(
            script=script.id, lang=lang, reason=reason), at)
    if isinstance(exc, SecurityError):
        return TemplateSecurityError(_("{where}: the sandbox refused: {reason}; nothing was run").format(
            where=at, reason=str(exc).rstrip(".")))
    undefined = re.fullmatch(r"'(\w+)' is undefined", str(exc)) if isinstance(exc, jinja2.UndefinedError) else None
    if undefined:
        return MissingVariableError(script.id, lang, [undefined.group(1)], at)
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateError(_("{where}: script '{script}' ({lang}) includes {name}, which does not exist").format(
            where=at, script=script.id, lang=lang, name=exc.name))
    return TemplateError(_("{where}: script '{script}' ({lang}): {error}").format(
        where=at, script=script.id, lang=lang, error=exc))
