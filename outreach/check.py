"""Lint the whole deployment before anything is printed or aired.

Every finding names where it is (file:line:col, or file and key path) and what
to do. Errors block (``outreach check`` exits 1); warnings are things a person
should look at (an example contact, a Bouyei word resting on one source).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from outreach.catalog import Catalog, Script
from outreach.deployment import Deployment, Profile
from outreach.errors import OutreachError, TemplateSyntaxError
from outreach.languages import bouyei
from outreach.languages.lexicon import Lexicon
from outreach.render import PROFILE_VARIABLES, Mode, display_path, environment, render, used_variables

_JINJA_CONSTRUCT = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


@dataclass(frozen=True)
class Finding:
    level: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.level}: {self.message}" if self.where else f"{self.level}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def literal_text(source: str) -> str:
    """Template source with every Jinja construct blanked out, positions and newlines kept."""
    return _JINJA_CONSTRUCT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source)


def check_bouyei(text: str, where: str, lexicon: Lexicon, line_based: bool = True) -> list[Finding]:
    """Spelling and attestation of every Latin word in Bouyei text."""
    findings = []
    lines = text.split("\n") if line_based else [text]
    for lineno, line in enumerate(lines, start=1):
        def loc(col: int, lineno: int = lineno) -> str:
            return f"{where}:{lineno}:{col}" if line_based else f"{where} (column {col})"

        issues = bouyei.check_text(line)
        for issue in issues:
            findings.append(Finding("error", loc(issue.offset + 1), f"Bouyei spelling: '{issue.word}': {issue.reason}"))
        broken = {i.offset for i in issues}
        for offset, word in bouyei.words(line):
            if offset in broken:
                continue
            entry = lexicon.lookup(word)
            if not lexicon.knows(word):
                findings.append(Finding(
                    "error", loc(offset + 1),
                    f"Bouyei word '{word}' is not attested (not in {display_path(lexicon.path or 'the lexicon')}): "
                    "add it there with its source, or say it as a Mandarin span",
                ))
            elif entry is not None and entry.weak:
                findings.append(Finding(
                    "warning", loc(offset + 1),
                    f"Bouyei word '{word}' ({entry.gloss_zh}) rests on a weak source "
                    f"(confidence {entry.confidence}): keep this text under review",
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
                "warning", f"{where}: villages[{i}].contact",
                f"the contact of '{village.id}' is an example: replace it before printing cards",
            ))
    return findings


def check_script(script: Script, profile: Profile | None, lexicon: Lexicon) -> list[Finding]:
    findings: list[Finding] = []
    meta_file = display_path(script.folder / "script.yaml")
    used: dict[str, set[str]] = {}
    for lang in script.languages:
        path = script.template_path(lang)
        try:
            used[lang] = used_variables(script, lang)
        except TemplateSyntaxError as exc:
            findings.append(Finding("error", exc.where, f"template syntax: {exc.detail}"))
            continue
        except OutreachError as exc:
            findings.append(Finding("error", "", str(exc)))
            continue
        if lang == "pcc":
            source = path.read_text(encoding="utf-8")
            findings += check_bouyei(literal_text(source), display_path(path), lexicon)
            title = script.meta.title.get("pcc")
            if title:
                findings += check_bouyei(title, f"{meta_file}: title.pcc", lexicon, line_based=False)

    known = set(script.meta.variables) | PROFILE_VARIABLES | set(environment(script.folder.parent).globals)
    for lang, names in used.items():
        for name in sorted(names - known):
            findings.append(Finding(
                "error", display_path(script.template_path(lang)),
                f"uses variable '{name}', which is neither declared in script.yaml nor given by the profile",
            ))
    if len(used) > 1:
        everywhere = set.intersection(*used.values())
        for lang, names in used.items():
            for name in sorted(names - everywhere):
                others = ", ".join(sorted(set(used) - {lang}))
                findings.append(Finding(
                    "warning", display_path(script.template_path(lang)),
                    f"variable '{name}' is used in {lang} but not in {others}",
                ))
    all_used = set().union(*used.values()) if used else set()
    for name in sorted(set(script.meta.variables) - all_used):
        findings.append(Finding("warning", meta_file, f"variables.{name} is declared but no template uses it"))

    if profile is None:
        return findings
    village_ids = {v.id for v in profile.villages}
    for i, vid in enumerate(script.meta.villages or []):
        if vid not in village_ids:
            findings.append(Finding("error", f"{meta_file}: villages[{i}]", f"unknown village '{vid}'"))
    heard = {lang for v in profile.villages for lang in v.languages}
    for lang in sorted(heard - set(script.languages)):
        findings.append(Finding("warning", meta_file, f"no {lang} translation, though some villages hear {lang}"))
    if any(f.level == "error" for f in findings):
        return findings
    for lang in script.languages:
        village = next((v for v in profile.villages if lang in v.languages), profile.villages[0])
        for mode in Mode:
            try:
                render(script, lang, profile, village, mode=mode)
            except OutreachError as exc:
                findings.append(Finding("error", display_path(script.template_path(lang)), f"{mode.value} mode: {exc}"))
                break
    return findings


def check_recordings(deployment: Deployment, catalog: Catalog, profile: Profile) -> list[Finding]:
    """Planned Bouyei programmes that would air with holes: every missing recording, named."""
    from outreach.calendar import parse_villages
    from outreach.clips import missing_for
    from outreach.plan import load_plan, select_scripts

    plan = load_plan(deployment.root / "schedules" / "plans")
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
                        "error", plan.sources.get(rule.id, rule.id),
                        f"'{script.id}' is planned in {village.id} in Bouyei but {len(holes)} recording(s) are "
                        f"missing: {'; '.join(holes[:3])}{' ...' if len(holes) > 3 else ''} "
                        "(outreach clips sheet / clips import)",
                    ))
    return findings


def check_deployment(deployment: Deployment) -> list[Finding]:
    """All findings for a deployment folder, errors and warnings, in a stable order."""
    findings: list[Finding] = []
    try:
        lexicon = Lexicon.load(deployment.lexicon_path)
    except OutreachError as exc:
        findings.append(Finding("error", "", str(exc)))
        lexicon = Lexicon({})
    profile: Profile | None
    try:
        profile = deployment.profile
        findings += check_profile(profile, deployment.profile_path, lexicon)
    except OutreachError as exc:
        findings.append(Finding("error", "", str(exc)))
        profile = None
    try:
        catalog = Catalog.load(deployment.scripts_dir)
    except OutreachError as exc:
        return findings + [Finding("error", "", str(exc))]
    for exc in catalog.broken.values():
        findings.append(Finding("error", "", str(exc)))
    for script in catalog:
        findings += check_script(script, profile, lexicon)
    if profile is not None and not any(f.level == "error" for f in findings):
        try:
            findings += check_recordings(deployment, catalog, profile)
        except OutreachError as exc:
            findings.append(Finding("error", "", str(exc)))
    return findings
