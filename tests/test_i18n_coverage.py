"""Every string the command line shows goes through gettext.

Read from the sources (no import): a message literal (English words in a string
or f-string) handed straight to what users see fails the test, naming file and
line. What users see: the messages of the project's errors, click help texts,
echoed and printed lines, table titles and headers, ``check`` findings, and log
lines above debug. A line that shows something deliberately untranslated (a
machine format, a name) says so with ``# i18n: <why>``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "outreach"
SKIPPED = {"i18n", "locale", "voices"}
MARKUP = re.compile(r"\[/?[a-z #0-9_.]*\]|--[a-z][a-z-]*|%\(\w+\)\w|\{[^{}]*\}")
WORD = re.compile(r"[A-Za-z]{2,}")
ECHOES = {"echo", "secho", "print", "confirm", "prompt", "status", "rule", "add_column", "warn"}
LOG_LEVELS = {"info", "warning", "error", "exception", "critical"}
HELP_KEYWORDS = {"help", "short_help", "prompt", "title", "caption", "description"}
GETTEXT = {"_", "gettext", "ngettext", "N_"}


def sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if not SKIPPED & set(p.relative_to(PACKAGE).parts))


def error_classes() -> set[str]:
    """Names of every class that derives, within the package, from OutreachError."""
    bases: dict[str, set[str]] = {}
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
    found = {"OutreachError"}
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return found
        found |= more


def text_of(node: ast.AST) -> str | None:
    """The literal words of a string, f-string, literal ``%``/``+`` or ``"...".format`` expression, if any."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp):
        return " ".join(filter(None, (text_of(node.left), text_of(node.right))))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return text_of(node.func.value)
    return None


def is_message(node: ast.AST) -> bool:
    text = text_of(node)
    return text is not None and bool(WORD.search(MARKUP.sub(" ", text)))


def called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def receiver(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id
    return ""


def findings(path: Path, errors: set[str]) -> Iterator[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    in_cli = "cli" in path.relative_to(PACKAGE).parts
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call) or called(node) in GETTEXT:
            continue
        name, suspects = called(node), []
        if name in errors or name == "Finding":
            suspects += node.args[:3]
            suspects += [k.value for k in node.keywords if k.arg in {"message", "hint"}]
        if name in LOG_LEVELS and receiver(node) in {"log", "logger", "LOG", "logging"}:
            suspects += node.args[:1]
        if in_cli or name in {"echo", "secho"}:
            if name in ECHOES or name in {"Table", "Panel", "Column"}:
                suspects += node.args
            suspects += [k.value for k in node.keywords if k.arg in HELP_KEYWORDS]
        for suspect in suspects:
            if is_message(suspect):
                line = lines[suspect.lineno - 1]
                if "# i18n:" not in line and "# i18n:" not in lines[node.lineno - 1]:
                    yield f"{path.relative_to(ROOT)}:{suspect.lineno}: {ast.unparse(suspect)[:90]}"
        if in_cli and name in {"command", "group"} and not any(k.arg == "help" for k in node.keywords):
            yield f"{path.relative_to(ROOT)}:{node.lineno}: a command without help=_(...) (its docstring is not extracted)"


@pytest.fixture(scope="module")
def errors() -> set[str]:
    return error_classes()


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_messages_go_through_gettext(path: Path, errors: set[str]) -> None:
    found = list(findings(path, errors))
    assert not found, "strings shown to users without _():\n" + "\n".join(found)


def test_the_guard_sees_what_it_should(tmp_path: Path) -> None:
    sample = PACKAGE / "cli" / "zz_sample.py"
    code = ('import click\nfrom outreach.i18n import _\n'
            '@click.command()\n@click.option("--x", help="An option.")\ndef c(x):\n'
            '    click.echo(f"made {x} cards")\n    click.echo(_("made {x} cards").format(x=x))\n'
            '    raise CatalogError("no such script")\n    click.echo(f"{x}  {x}")\n')
    sample.write_text(code, encoding="utf-8")
    try:
        found = list(findings(sample, {"CatalogError"}))
    finally:
        sample.unlink()
    assert sorted(int(f.split(":")[1]) for f in found) == [3, 4, 6, 8]
