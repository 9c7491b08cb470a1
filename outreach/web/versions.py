"""Editing a script in the console: trial, check, atomic save, and every earlier version kept.

A candidate text is first tried in a scratch copy of the script's folder with the same
``check_script`` and ``render`` the command line uses. Text that passes replaces the file
atomically; text that fails is kept as a draft version and never touches the file on air.
Before a file is first replaced, its text on disk is stored as a version too, so nothing is lost.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach import approvals
from outreach.catalog import Script, load_script
from outreach.check import check_script
from outreach.datafile import display_path
from outreach.deployment import Deployment
from outreach.errors import OutreachError
from outreach.findings import Finding, Level, errors
from outreach.i18n import N_, _
from outreach.languages.lexicon import Lexicon
from outreach.render import Mode, render
from outreach.web.store import Store, now_iso

META = "script.yaml"
ON_DISK = N_("(on disk)")  # an author shown as a word (templates translate it)


@dataclass(frozen=True)
class Version:
    id: int
    script: str
    file: str
    sha256: str
    content: str
    author: str
    at: str
    state: str  # original, live, draft
    findings: list[dict[str, str]]


@dataclass(frozen=True)
class Trial:
    findings: list[Finding]
    previews: list[dict[str, Any]]

    @property
    def ok(self) -> bool:
        return not errors(self.findings)


def editable_files(script: Script) -> list[str]:
    return [f"{lang}.j2" for lang in script.languages] + [META]


def _check_file(script: Script, name: str) -> None:
    if name not in editable_files(script):
        raise OutreachError(_("'{name}' is not a file of script '{script}' that can be edited here").format(
            name=name, script=script.id))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _relocate(finding: Finding, scratch: Path, real: Path) -> Finding:
    """Findings name the scratch copy; show the real file's name instead."""
    where = finding.where.replace(display_path(scratch), display_path(real)).replace(str(scratch), display_path(real))
    return Finding(finding.level, where, finding.message.replace(str(scratch), display_path(real)))


def _approval_findings(old: Script, new: Script, where: str) -> list[Finding]:
    """Approval is given on the review page by a reviewer, never by editing script.yaml."""
    return [Finding(Level.ERROR, f"{where}: languages.{lang}.status",  # i18n: a place in script.yaml
                    _("approval is given on the review page by a reviewer, not by editing script.yaml"))
            for lang, review in new.meta.languages.items()
            if review.status != "draft" and (lang not in old.meta.languages or old.declared(lang).status != review.status)]


def _previews(deployment: Deployment, script: Script, langs: list[str], village_id: str | None) -> list[dict[str, Any]]:
    profile = deployment.profile
    out = []
    for lang in langs:
        village = (profile.village(village_id) if village_id
                   else next((v for v in profile.villages if lang in v.languages), profile.villages[0]))
        for mode in (Mode.PRINT, Mode.SPEECH):
            try:
                out.append({"lang": lang, "mode": mode.value, "village": village.id,
                            "text": render(script, lang, profile, village, None, mode).text, "error": ""})
            except OutreachError as exc:
                out.append({"lang": lang, "mode": mode.value, "village": village.id, "text": "", "error": str(exc)})
    return out


def trial(deployment: Deployment, script_id: str, name: str, content: str, village_id: str | None = None) -> Trial:
    """Check and render the script as it would be with ``content`` in ``name``; nothing real is touched."""
    script = deployment.catalog.get(script_id)
    _check_file(script, name)
    with tempfile.TemporaryDirectory(prefix="outreach-edit-") as tmp:
        scratch = Path(tmp) / "scripts" / script.id
        shutil.copytree(script.folder, scratch)
        (scratch / name).write_text(content, encoding="utf-8")
        try:
            candidate = load_script(scratch)
        except OutreachError as exc:
            finding = Finding(Level.ERROR, display_path(script.folder / META), str(exc))
            return Trial([_relocate(finding, scratch, script.folder)], [])
        findings = check_script(candidate, deployment.profile, Lexicon.load(deployment.lexicon_path))
        if name == META:
            findings += _approval_findings(script, candidate, display_path(script.folder / META))
        langs = candidate.languages if name == META else [name.removesuffix(".j2")]
        previews = _previews(deployment, candidate, langs, village_id)
    return Trial([_relocate(f, scratch, script.folder) for f in findings],
                 [{**p, "error": p["error"].replace(str(scratch), display_path(script.folder))} for p in previews])


def _insert(store: Store, script: str, name: str, content: str, author: str, state: str,
            findings: list[Finding] | None = None) -> int:
    with store.connect() as conn:
        cur = conn.execute(
            "INSERT INTO versions (script, file, sha256, content, author, at, state, findings) VALUES (?,?,?,?,?,?,?,?)",
            (script, name, _sha(content), content, author, now_iso(), state,
             json.dumps([f.as_dict() for f in findings or []], ensure_ascii=False)))
        return int(cur.lastrowid or 0)


def history(store: Store, script_id: str, name: str) -> list[Version]:
    """Every version of one file, newest first."""
    with store.connect() as conn:
        rows = conn.execute("SELECT * FROM versions WHERE script = ? AND file = ? ORDER BY id DESC",
                            (script_id, name)).fetchall()
    return [Version(r["id"], r["script"], r["file"], r["sha256"], r["content"], r["author"], r["at"], r["state"],
                    json.loads(r["findings"])) for r in rows]


def version(store: Store, version_id: int) -> Version:
    with store.connect() as conn:
        r = conn.execute("SELECT * FROM versions WHERE id = ?", (version_id,)).fetchone()
    if r is None:
        raise OutreachError(_("no version {id}").format(id=version_id))
    return Version(r["id"], r["script"], r["file"], r["sha256"], r["content"], r["author"], r["at"], r["state"],
                   json.loads(r["findings"]))


def _keep_disk_text(store: Store, script: Script, name: str) -> None:
    """Store the file as it is on disk unless the newest kept version already has that text."""
    text = (script.folder / name).read_text(encoding="utf-8")
    kept = [v for v in history(store, script.id, name) if v.state != "draft"]
    if not kept or kept[0].sha256 != _sha(text):
        _insert(store, script.id, name, text, ON_DISK, "original")


def _pin_declared_approval(script: Script, name: str) -> None:
    """A text approved in script.yaml but never reviewed here gets a decision on its current hash first,
    so that replacing it returns the language to draft under the one rule (approvals.effective_status)."""
    lang = name.removesuffix(".j2")
    if name == META or approvals.load(script.folder).get(lang) is not None:
        return
    review = script.declared(lang)
    if review.status == approvals.APPROVED:
        approvals.decide(script.folder, lang, approvals.APPROVED, review.reviewer or "script.yaml",
                         "approved in script.yaml before this edit")


def save(deployment: Deployment, store: Store, script_id: str, name: str, content: str, author: str
         ) -> tuple[Version, Trial]:
    """Keep ``content`` as a new version; it replaces the file only when the script still passes check."""
    from outreach.media import write_atomic

    script = deployment.catalog.get(script_id)
    result = trial(deployment, script_id, name, content)
    _keep_disk_text(store, script, name)
    if not result.ok:
        return version(store, _insert(store, script.id, name, content, author, "draft", result.findings)), result
    _pin_declared_approval(script, name)
    write_atomic(script.folder / name, content.encode("utf-8"))
    return version(store, _insert(store, script.id, name, content, author, "live", result.findings)), result


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=old_name, tofile=new_name))
