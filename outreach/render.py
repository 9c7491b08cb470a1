"""Sandboxed rendering of script templates into language-tagged segments.

Templates are untrusted (staff and translators edit them), so they run in
the budgeted sandbox (``sandbox.py``) with ``StrictUndefined``: a template that
reaches for ``__class__``, a variable nobody gave, or more time and memory than
a script can need fails with a clear error.

Two modes: ``print`` is what a card shows (110,000元, 96110); ``speech`` is what
a voice says (十一万元, 九六幺幺零). A Bouyei text may carry Mandarin spans:
Han characters and digits are Mandarin by nature (Bouyei is written in Latin
letters), and ``{{ x | cmn }}`` marks any other span explicitly. The result is a
list of segments, each with its language and whether it came from fixed text
or a variable, so the audio stage can voice each with its own engine.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes, pass_context
from babel.dates import format_skeleton
from babel.numbers import format_decimal

from outreach.catalog import Script, coerce, to_number
from outreach.datafile import display_path
from outreach.deployment import Profile, Village
from outreach.errors import MissingVariableError, OutreachError, TemplateError, TemplateSyntaxError, TemplateTooExpensive
from outreach.i18n import _
from outreach.languages import bouyei, mandarin
from outreach.render_messages import render_error
from outreach.sandbox import BudgetedSandbox


class Mode(StrEnum):
    """What a text is rendered for: a card shows ``110,000元``, a voice says ``十一万元``."""

    PRINT = "print"
    SPEECH = "speech"


class Origin(StrEnum):
    """Where a segment's text came from: the template itself, or a variable (names, amounts, dates)."""

    FIXED = "fixed"
    VARIABLE = "variable"


# Private-use characters delimit variables and language spans in the raw output.
VAR_OPEN, VAR_CLOSE = "\ue000", "\ue001"
LANG_OPEN, LANG_SEP, LANG_CLOSE = "\ue002", "\ue003", "\ue004"
_MARKERS = re.compile("[\ue000-\ue004]")
_MODE_KEY = "outreach_mode"

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "，。！？、；：“”‘’（）《》【】％…—"
MANDARIN_RUN = re.compile(
    rf"[{_HAN}0-9](?:[{_HAN}0-9{_CJK_PUNCT}%]|[.,:](?=[0-9])|\s+(?=[{_HAN}0-9]))*"
)


@dataclass(frozen=True)
class Segment:
    """A run of text in one language, and where it came from (recordings of fixed text can be reused)."""

    lang: str
    text: str
    origin: Origin = Origin.FIXED


@dataclass(frozen=True)
class RenderedText:
    script: str
    lang: str
    mode: Mode
    status: str
    segments: tuple[Segment, ...]
    village: str | None = None

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def approved(self) -> bool:
        return self.status == "approved"


def span(text: Any, lang: str) -> str:
    """Mark text as being in a language (code-switching inside a template)."""
    return f"{LANG_OPEN}{lang}{LANG_SEP}{text}{LANG_CLOSE}"


def _mode(ctx: jinja2.runtime.Context) -> Mode:
    return Mode(ctx.get(_MODE_KEY, Mode.PRINT))


@pass_context
def _phone(ctx, value: Any) -> str:
    text = str(value)
    return mandarin.read_digits(re.sub(r"\D", "", text)) if _mode(ctx) is Mode.SPEECH else text


@pass_context
def _money(ctx, value: Any) -> str:
    if _mode(ctx) is Mode.SPEECH:
        return mandarin.read_money(value)
    return mandarin.format_money(to_number(value))


@pass_context
def _number(ctx, value: Any) -> str:
    if _mode(ctx) is Mode.SPEECH:
        return mandarin.read_number(value)
    return format_decimal(to_number(value), locale="zh_CN")


@pass_context
def _date(ctx, value: Any, with_year: bool = False) -> str:
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if _mode(ctx) is Mode.SPEECH:
        return mandarin.read_date(day, with_year=with_year)
    return format_skeleton("yMMMd" if with_year else "MMMd", day, locale="zh_CN")


def _bouyei_number(value: Any) -> str:
    return bouyei.numeral(int(value))


def _finalize(value: Any) -> Any:
    return f"{VAR_OPEN}{value}{VAR_CLOSE}"


@lru_cache(maxsize=16)
def environment(scripts_dir: Path) -> jinja2.Environment:
    """One sandboxed environment per scripts folder (templates are cached and reloaded on change)."""
    env = BudgetedSandbox(
        loader=jinja2.FileSystemLoader(str(scripts_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=True,
    )
    env.filters.update(
        phone=_phone, money=_money, number=_number, date=_date, bouyei_number=_bouyei_number,
        cmn=lambda v: span(v, "cmn"), pcc=lambda v: span(v, "pcc"),
    )
    return env


def template_name(script: Script, lang: str) -> str:
    return f"{script.id}/{lang}.j2"


def load_template(script: Script, lang: str) -> jinja2.Template:
    """Compile a script's template; syntax errors name file and line."""
    path = script.template_path(lang)
    if not path.exists():
        raise TemplateError(_("script '{script}' declares {lang} but {path} is missing").format(
            script=script.id, lang=lang, path=display_path(path)))
    env = environment(script.folder.parent)
    try:
        template = env.get_template(template_name(script, lang))
        source = path.read_text(encoding="utf-8")
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateSyntaxError(f"{display_path(exc.filename or path)}:{exc.lineno}",
                                  exc.message or _("syntax error")) from None
    except UnicodeDecodeError as exc:
        raise TemplateError(_("{where}: not UTF-8 text (byte {byte}); save it as UTF-8").format(
            where=display_path(path), byte=exc.start)) from None
    except OSError as exc:
        raise TemplateError(_("{where}: cannot be read ({reason})").format(
            where=display_path(path), reason=exc.strerror or exc)) from None
    except RecursionError:
        raise TemplateTooExpensive(_("script '{script}' ({lang}): nested too deeply to compile").format(
            script=script.id, lang=lang), display_path(path)) from None
    if _MARKERS.search(source):
        raise TemplateError(_("{where}: contains reserved private-use characters U+E000-U+E004").format(
            where=display_path(path)))
    return template


def parse(script: Script, lang: str) -> nodes.Template:
    """The template's syntax tree (for linting)."""
    load_template(script, lang)
    env = environment(script.folder.parent)
    path = script.template_path(lang)
    return env.parse(path.read_text(encoding="utf-8"), template_name(script, lang), str(path))


def used_variables(script: Script, lang: str) -> set[str]:
    """Top-level variables a template reads."""
    return meta.find_undeclared_variables(parse(script, lang))


def _clean(value: Any) -> Any:
    """Strip marker characters from data values so they cannot fake spans."""
    if isinstance(value, str):
        return _MARKERS.sub("", value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _name_in(names: Any, lang: str) -> str:
    """A name in the template's language; a missing Bouyei name falls back to a Mandarin span."""
    own = getattr(names, lang, None)
    if own:
        return _clean(own)
    return span(_clean(names.cmn), "cmn") if lang != "cmn" else _clean(names.cmn)


def village_context(village: Village, lang: str) -> dict[str, Any]:
    return {
        "id": village.id,
        "name": _name_in(village.name, lang),
        **_clean({
            "name_cmn": village.name.cmn,
            "name_pcc": village.name.pcc or "",
            "town": village.town or "",
            "contact": {"name": village.contact.name, "phone": village.contact.phone},
        }),
    }


def profile_context(profile: Profile, lang: str) -> dict[str, Any]:
    """Variables every script may use, from the deployment profile."""
    return {
        "county": _name_in(profile.county, lang),
        **_clean({
            "county_cmn": profile.county.cmn,
            "county_pcc": profile.county.pcc or "",
            "station": profile.station.name,
            "station_phone": profile.station.phone or "",
            "hotline": profile.hotlines.antifraud,
            "police": profile.hotlines.police,
            "qr_link": profile.qr_link,
        }),
    }


PROFILE_VARIABLES = frozenset({
    "county", "county_cmn", "county_pcc", "station", "station_phone", "hotline", "police", "qr_link", "village",
})


def build_context(
    script: Script,
    lang: str,
    profile: Profile,
    village: Village | None,
    overrides: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Profile, village, script defaults, then --var overrides, in that order of precedence."""
    context = profile_context(profile, lang)
    if village is not None:
        context["village"] = village_context(village, lang)
    context.update(script.defaults())
    for name, raw in (overrides or {}).items():
        declared = script.meta.variables.get(name)
        if declared is None and name not in PROFILE_VARIABLES:
            known = ", ".join(sorted(set(script.meta.variables) | PROFILE_VARIABLES))
            raise TemplateError(_("script '{script}' has no variable '{name}' (known: {known})").format(
                script=script.id, name=name, known=known))
        if name == "village":
            raise TemplateError(_("choose the village with --village, not --var village="))
        value = coerce(script.id, name, declared, raw) if declared else str(raw)
        context[name] = _clean(value)
    return context


def render(
    script: Script,
    lang: str,
    profile: Profile,
    village: Village | None = None,
    overrides: dict[str, str] | None = None,
    mode: Mode = Mode.PRINT,
) -> RenderedText:
    """Render one language of one script for one village."""
    review = script.review(lang)
    template = load_template(script, lang)
    context = build_context(script, lang, profile, village, overrides)
    env_globals = set(environment(script.folder.parent).globals)
    missing = sorted(
        used_variables(script, lang) - set(context) - env_globals - set(script.meta.variables) - {_MODE_KEY}
    )
    if missing:
        raise MissingVariableError(script.id, lang, missing)
    context[_MODE_KEY] = mode.value
    try:
        raw = template.render(context)
    except Exception as exc:  # a template is untrusted: whatever it raises is its author's to fix, said in one line
        if isinstance(exc, OutreachError) and not isinstance(exc, TemplateTooExpensive):
            raise
        raise render_error(exc, script, lang, template.filename or "") from None
    segments = segment(raw.strip(), lang)
    if mode is Mode.SPEECH:
        segments = _speech(segments, profile.phone_numbers())
    return RenderedText(
        script=script.id, lang=lang, mode=mode, status=review.status,
        segments=tuple(segments), village=village.id if village else None,
    )


def segment(raw: str, lang: str) -> list[Segment]:
    """Split marked-up output into language runs, merging neighbours of the same kind."""
    runs: list[Segment] = []
    origin_depth = 0
    lang_stack: list[str] = []
    pos = 0
    for m in re.finditer(f"{VAR_OPEN}|{VAR_CLOSE}|{LANG_OPEN}([a-z]+){LANG_SEP}|{LANG_CLOSE}", raw):
        _emit(runs, raw[pos:m.start()], lang, lang_stack, origin_depth)
        token = m.group(0)
        if token == VAR_OPEN:
            origin_depth += 1
        elif token == VAR_CLOSE:
            origin_depth = max(0, origin_depth - 1)
        elif token == LANG_CLOSE:
            if lang_stack:
                lang_stack.pop()
        else:
            lang_stack.append(m.group(1))
        pos = m.end()
    _emit(runs, raw[pos:], lang, lang_stack, origin_depth)
    return _merge(runs)


def _emit(runs: list[Segment], text: str, base: str, stack: list[str], depth: int) -> None:
    if not text:
        return
    origin = Origin.VARIABLE if depth else Origin.FIXED
    lang = stack[-1] if stack else base
    if stack or lang == "cmn":
        runs.append(Segment(lang, text, origin))
        return
    pos = 0
    for m in MANDARIN_RUN.finditer(text):
        if m.start() > pos:
            runs.append(Segment(lang, text[pos:m.start()], origin))
        runs.append(Segment("cmn", m.group(0), origin))
        pos = m.end()
    if pos < len(text):
        runs.append(Segment(lang, text[pos:], origin))


def _merge(runs: list[Segment]) -> list[Segment]:
    """Join neighbours of one language and origin; text without letters takes its neighbour's language."""
    merged: list[Segment] = []
    for run in runs:
        if merged and not has_words(run.text):
            run = Segment(merged[-1].lang, run.text, run.origin)
        if merged and merged[-1].lang == run.lang and merged[-1].origin == run.origin:
            merged[-1] = Segment(run.lang, merged[-1].text + run.text, run.origin)
        else:
            merged.append(run)
    return merged


def has_words(text: str) -> bool:
    """Whether a text has anything to say or show (a letter or digit), not just spaces and punctuation."""
    return any(ch.isalnum() for ch in text)


def _speech(segments: list[Segment], phones: list[str]) -> list[Segment]:
    """Numbers as a voice reads them, each Mandarin segment read with its neighbours (拨打 | 110 | 报警)."""
    spoken = mandarin.speak_segments([s.text if s.lang == "cmn" else None for s in segments], phones)
    return [s if said is None else Segment(s.lang, said, s.origin) for s, said in zip(segments, spoken)]
