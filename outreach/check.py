"""Lint the whole deployment before anything is printed or aired.

Every finding names where it is (file:line:col, or file and key path) and what
to do. Errors block (``outreach check`` exits 1); warnings are things a person
should look at (an example contact, a Bouyei word resting on one source). A
broken file is a finding about that file: every other script is still checked.
"""

from __future__ import annotations

import re
from pathlib import Path

from outreach.calendar import parse_villages
from outreach.catalog import Catalog, Script
from outreach.datafile import FILE_FAULTS, describe_fault, display_path, read_text
from outreach.deployment import PLACE_KINDS, Deployment, Profile
from outreach.errors import ConfigError, OutreachError, TemplateSyntaxError, shown
from outreach.findings import Finding, Level, errors
from outreach.i18n import _, ngettext
from outreach.languages import bouyei
from outreach.languages.lexicon import Lexicon
from outreach.plan import load_plan, select_scripts
from outreach.print.slogans import slogan_texts
from outreach.recordings import missing_for
from outreach.render import PROFILE_VARIABLES, Mode, environment, render, used_variables
from outreach.render_messages import MODE_WORDS

_JINJA_CONSTRUCT = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_FAULTS = (OutreachError, RecursionError, *FILE_FAULTS)
"""What a damaged file can raise while it is read or rendered: a finding, not the end of the check."""


def _fault(path: Path, exc: BaseException, mode: Mode | None = None) -> Finding:
    """A damaged file as an error finding, located at the file unless the message already names it;
    with the mode it failed in when only a render found the fault."""
    message = describe_fault(exc)
    where = display_path(path)
    shown = f"{_(MODE_WORDS[mode.value])}: {message}" if mode is not None else message
    return Finding(Level.ERROR, "" if message.startswith(where) else where, shown)


def literal_text(source: str) -> str:
    """Template source with every Jinja construct blanked out, positions and newlines kept."""
    return _JINJA_CONSTRUCT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source)


def check_bouyei(text: str, where: str, lexicon: Lexicon, line_based: bool = True) -> list[Finding]:
    """Spelling and attestation of every Latin word in Bouyei text."""
    findings = []
    lines = text.split("\n") if line_based else [text]
    for lineno, line in enumerate(lines, start=1):
        def loc(col: int, lineno: int = lineno) -> str:
            return f"{where}:{lineno}:{col}" if line_based else _("{where} (column {column})").format(
                where=where, column=col)

        issues = bouyei.check_text(line)
        for issue in issues:
            findings.append(Finding(Level.ERROR, loc(issue.offset + 1),
                                    _("Bouyei spelling: '{word}': {reason}").format(word=issue.word,
                                                                                    reason=shown(issue.reason))))
        broken = {i.offset for i in issues}
        for offset, word in bouyei.words(line):
            if offset in broken:
                continue
            entry = lexicon.lookup(word)
            if not lexicon.knows(word):
                findings.append(Finding(
                    Level.ERROR, loc(offset + 1),
                    _("Bouyei word '{word}' is not attested (not in {lexicon}): "
                      "add it there with its source, or say it as a Mandarin span").format(
                        word=word, lexicon=display_path(lexicon.path) if lexicon.path else _("the lexicon")),
                ))
            elif entry is not None and entry.weak:
                findings.append(Finding(
                    Level.WARNING, loc(offset + 1),
                    _("Bouyei word '{word}' ({gloss}) rests on a weak source "
                      "(confidence {confidence}): keep this text under review").format(
                        word=word, gloss=entry.gloss_zh, confidence=entry.confidence),
                ))
    return findings


def check_profile(profile: Profile, path: Path, lexicon: Lexicon) -> list[Finding]:
    where = display_path(path)
    findings = []
    if profile.county.pcc:
        findings += check_bouyei(profile.county.pcc, f"{where}: county.pcc", lexicon, line_based=False)
    for i, village in enumerate(profile.villages):
        if village.name.pcc:
            findings += check_bouyei(village.name.pcc, f"{where}: villages[{i}].name.pcc", lexicon, line_based=False)
        if village.contact.example:
            findings.append(Finding(
                Level.WARNING, f"{where}: villages[{i}].contact",  # i18n: a key path
                _("the contact of '{village}' is an example: replace it before printing cards").format(
                    village=village.id),
            ))
    for kind in PLACE_KINDS:
        findings += [Finding(Level.WARNING, f"{where}: {kind}[{i}]",
                             _("'{place}' is an example place: replace it with a real one before printing for "
                               "it").format(place=place.id))
                     for i, place in enumerate(getattr(profile, kind)) if place.example]
    if profile.banner.example:
        findings.append(Finding(Level.WARNING, f"{where}: banner",  # i18n: a key path
                                _("the banner size is an example: set the print shop's size before printing "
                                  "banners")))
    return findings


def check_slogans(deployment: Deployment, lexicon: Lexicon) -> list[Finding]:
    """Every Bouyei slogan, spelt and attested like the templates; a broken slogans file is a finding."""
    try:
        texts = slogan_texts(deployment)
    except ConfigError as exc:
        return [Finding(Level.ERROR, "", str(exc))]
    findings: list[Finding] = []
    for where, lang, text in texts:
        if lang == "pcc":
            findings += check_bouyei(text, where, lexicon, line_based=False)
    return findings


def _template_findings(script: Script, lexicon: Lexicon) -> tuple[dict[str, set[str]], list[Finding]]:
    """The variables each template uses, and what is wrong in the templates themselves (syntax, Bouyei)."""
    findings: list[Finding] = []
    used: dict[str, set[str]] = {}
    for lang in script.languages:
        path = script.template_path(lang)
        try:
            source = read_text(path) if path.exists() else ""
            used[lang] = used_variables(script, lang)
        except TemplateSyntaxError as exc:
            findings.append(Finding(Level.ERROR, exc.where, _("template syntax: {detail}").format(detail=exc.detail)))
            continue
        except _FAULTS as exc:
            findings.append(_fault(path, exc))
            continue
        if lang == "pcc":
            findings += check_bouyei(literal_text(source), display_path(path), lexicon)
            title = script.meta.title.get("pcc")
            if title:
                meta_file = display_path(script.folder / "script.yaml")
                findings += check_bouyei(title, f"{meta_file}: title.pcc", lexicon, line_based=False)
    return used, findings


def _variable_findings(script: Script, used: dict[str, set[str]]) -> list[Finding]:
    """Undeclared variables, variables one language uses and another not, declared ones nobody uses."""
    findings = []
    known = set(script.meta.variables) | PROFILE_VARIABLES | set(environment(script.folder.parent).globals)
    for lang, names in used.items():
        findings += [Finding(Level.ERROR, display_path(script.template_path(lang)),
                             _("uses variable '{name}', which is neither declared in script.yaml "
                               "nor given by the profile").format(name=name))
                     for name in sorted(names - known)]
    if len(used) > 1:
        everywhere = set.intersection(*used.values())
        for lang, names in used.items():
            others = ", ".join(sorted(set(used) - {lang}))
            findings += [Finding(Level.WARNING, display_path(script.template_path(lang)),
                                 _("variable '{name}' is used in {lang} but not in {others}").format(
                                     name=name, lang=lang, others=others))
                         for name in sorted(names - everywhere)]
    all_used = set().union(*used.values()) if used else set()
    meta_file = display_path(script.folder / "script.yaml")
    findings += [Finding(Level.WARNING, meta_file,
                         _("variables.{name} is declared but no template uses it").format(name=name))
                 for name in sorted(set(script.meta.variables) - all_used)]
    return findings


def _audience_findings(script: Script, profile: Profile) -> list[Finding]:
    """The script against the profile: villages it names, languages the villages hear."""
    meta_file = display_path(script.folder / "script.yaml")
    village_ids = {v.id for v in profile.villages}
    findings = [Finding(Level.ERROR, f"{meta_file}: villages[{i}]",  # i18n: a key path
                        _("unknown village '{village}'").format(village=vid))
                for i, vid in enumerate(script.meta.villages or []) if vid not in village_ids]
    heard = {lang for v in profile.villages for lang in v.languages}
    findings += [Finding(Level.WARNING, meta_file,
                         _("no {lang} translation, though some villages hear {lang}").format(lang=lang))
                 for lang in sorted(heard - set(script.languages))]
    return findings


def _render_findings(script: Script, profile: Profile) -> list[Finding]:
    """Render every language in every mode for a village that hears it: what a real run would hit."""
    findings = []
    for lang in script.languages:
        village = next((v for v in profile.villages if lang in v.languages), profile.villages[0])
        for mode in Mode:
            try:
                render(script, lang, profile, village, mode=mode)
            except _FAULTS as exc:
                findings.append(_fault(script.template_path(lang), exc, mode))
                break
    return findings


def check_script(script: Script, profile: Profile | None, lexicon: Lexicon) -> list[Finding]:
    """Templates, variables and, given a profile, villages, translations and a trial render."""
    used, findings = _template_findings(script, lexicon)
    findings += _variable_findings(script, used)
    if profile is None:
        return findings
    findings += _audience_findings(script, profile)
    if errors(findings):
        return findings
    return findings + _render_findings(script, profile)


def check_recordings(deployment: Deployment, catalog: Catalog, profile: Profile) -> list[Finding]:
    """Planned Bouyei programmes that would air with holes: every missing recording, named."""
    plan = load_plan(deployment.plans_dir)
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for rule in plan.rules:
        programme = profile.programmes.get(rule.programme)
        if programme is None or "pcc" not in programme.languages:
            continue
        for script in select_scripts(rule, list(catalog)):
            if "pcc" not in script.languages or (not script.approved("pcc") and not programme.allow_draft):
                continue  # a draft is not aired, so it needs no recording yet
            for village in parse_villages(rule.villages).select(profile.villages):
                if "pcc" not in village.languages or (script.id, village.id) in seen:
                    continue
                seen.add((script.id, village.id))
                holes = missing_for(deployment, script, village)
                if holes:
                    findings.append(Finding(
                        Level.ERROR, plan.source(rule.id),
                        ngettext("'{script}' is planned in {village} in Bouyei but {count} recording is missing: "
                                 "{missing} (outreach clips sheet / clips import)",
                                 "'{script}' is planned in {village} in Bouyei but {count} recordings are missing: "
                                 "{missing} (outreach clips sheet / clips import)", len(holes)).format(
                            script=script.id, village=village.id, count=len(holes),
                            missing="; ".join(holes[:3]) + (" ..." if len(holes) > 3 else "")),
                    ))
    return findings


def voices_in_use(profile: Profile, where: str) -> list[Finding]:
    """Which voices speak each language, in the order tried: staff should know what villagers will hear,
    and that the neural voice's weights come with non-commercial terms."""
    found = [Finding(Level.INFO, where, _("speech.chains.{lang}: voiced by {voices}").format(
                 lang=lang, voices=" -> ".join(chain) or _("nothing")))
             for lang, chain in profile.speech.chains.items()]
    if any("neural" in chain for chain in profile.speech.chains.values()):
        found.append(Finding(Level.INFO, where, _("the neural voice is trained on the CSMSC corpus, whose terms allow "
                                                  "non-commercial use only (outreach/voices/csmsc/NOTICE.md)")))
    return found


def check_deployment(deployment: Deployment) -> list[Finding]:
    """All findings for a deployment folder, errors and warnings, in a stable order."""
    findings: list[Finding] = []
    try:
        lexicon = Lexicon.load(deployment.lexicon_path)
    except _FAULTS as exc:
        findings.append(_fault(deployment.lexicon_path, exc))
        lexicon = Lexicon({})
    profile: Profile | None
    try:
        profile = deployment.profile
        findings += check_profile(profile, deployment.profile_path, lexicon)
        findings += voices_in_use(profile, display_path(deployment.profile_path))
    except OutreachError as exc:
        findings.append(Finding(Level.ERROR, "", str(exc)))
        profile = None
    findings += check_slogans(deployment, lexicon)
    try:
        catalog = deployment.catalog
    except OutreachError as exc:
        return findings + [Finding(Level.ERROR, "", str(exc))]
    for exc in catalog.broken.values():
        findings.append(Finding(Level.ERROR, "", str(exc)))
    for script in catalog:
        findings += check_script(script, profile, lexicon)
    if profile is not None and not errors(findings):
        try:
            findings += check_recordings(deployment, catalog, profile)
        except _FAULTS as exc:
            findings.append(Finding(Level.ERROR, "", describe_fault(exc)))
    return findings
