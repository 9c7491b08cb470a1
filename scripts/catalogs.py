"""Bring the message catalogs up to date with the sources.

Extracts every marked string of the package (``babel.cfg``) and Click's own
words (Usage, Options, its usage errors: Click asks the stdlib's gettext, which
`outreach.i18n.install_for_click` points at our catalog), updates each shipped
``.po`` (new strings added untranslated, vanished ones dropped, no fuzzy
guessing), and optionally fills in translations from JSON files of the shape
``[{"id": "...", "plural": "..." (optional), "zh": "..."}]``. Then it lists what
is still untranslated in Chinese.

    .venv/bin/python scripts/catalogs.py [--add translations.json ...]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "outreach" / "locale"
CHINESE = "zh_CN"
CLICK_UNEXTRACTED = ("Usage:",)  # marked inside an f-string, which the extractor does not read


def template() -> Catalog:
    """Every string to translate: ours, then Click's."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "outreach.pot"
        subprocess.run([str(Path(sys.executable).with_name("pybabel")), "extract", "-F", "babel.cfg", "-o", str(pot),
                        "--no-location", "--sort-output", "."], cwd=ROOT, check=True, capture_output=True)
        with pot.open("rb") as fh:
            catalog = read_po(fh)
    for _file, _line, message, _comments, _context in extract_from_dir(Path(click.__file__).parent):
        if message and (message if isinstance(message, str) else message[0]) not in catalog:
            catalog.add(message)
    for message in CLICK_UNEXTRACTED:
        catalog.add(message)
    return catalog


def additions(paths: list[Path]) -> dict[tuple[str | None, str], str]:
    """Translations keyed by (context, id); a later file wins."""
    found: dict[tuple[str | None, str], str] = {}
    for path in paths:
        for entry in json.loads(path.read_text(encoding="utf-8")):
            found[(entry.get("context"), entry["id"])] = entry["zh"]
    return found


def update(locale: str, pot: Catalog, added: dict[tuple[str | None, str], str]) -> list[str]:
    """Update one catalog in place; returns the ids still untranslated."""
    path = LOCALES / locale / "LC_MESSAGES" / "outreach.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    catalog.update(pot, no_fuzzy_matching=True, update_header_comment=False)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if locale == CHINESE and (message.context, key) in added:
            text = added[(message.context, key)]
            message.string = text if isinstance(message.id, str) else (text,)
            message.flags.discard("fuzzy")
        strings = [message.string] if isinstance(message.string, str) else list(message.string or [""])
        if locale == CHINESE and not all(s.strip() for s in strings):
            missing.append(key)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0, ignore_obsolete=True, omit_header=False, sort_output=False)
    return missing


PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)\w")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def check(files: list[Path], added: dict[tuple[str | None, str], str]) -> int:
    """Without writing anything: the strings of ``files`` that neither the Chinese catalog nor ``added`` translate,
    and translations whose placeholders differ from their msgid's."""
    with (LOCALES / CHINESE / "LC_MESSAGES" / "outreach.po").open("rb") as fh:
        known = {(m.context, m.id if isinstance(m.id, str) else m.id[0]):
                 m.string if isinstance(m.string, str) else m.string[0]
                 for m in read_po(fh) if m.id and m.string and not m.fuzzy}
    known.update(added)
    problems = 0
    for path in files:
        for _line, message, _comments, context in extract_from_file("python", path):
            key = message if isinstance(message, str) else message[0]
            if not key:
                continue
            if (context, key) not in known:
                print(f"{path}: untranslated {key!r}")
                problems += 1
            elif placeholders(key) != placeholders(known[(context, key)]):
                print(f"{path}: placeholders differ {key!r} -> {known[(context, key)]!r}")
                problems += 1
    print(f"{problems} problem(s)")
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--add", type=Path, action="append", default=[], help="JSON translations to merge")
    parser.add_argument("--check", type=Path, nargs="+", help="only report on these source files; write nothing")
    args = parser.parse_args()
    if args.check:
        raise SystemExit(check(args.check, additions(args.add)))
    pot, added = template(), additions(args.add)
    for locale in sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES" / "outreach.po").exists()):
        missing = update(locale, pot, added)
        if locale == CHINESE:
            print(f"{len(pot) - 1} strings; untranslated in {CHINESE}: {len(missing)}")
            for key in missing:
                print(f"  {key!r}")


if __name__ == "__main__":
    main()
