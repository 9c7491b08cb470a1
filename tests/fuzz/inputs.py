"""Bad inputs for the fuzz harness: mutated files of a deployment, and odd command-line values.

Everything is drawn from a ``random.Random`` the caller seeds, so a case is
reproduced from its seed alone. Payloads that exhaust memory or CPU on purpose
(template loops, padding) are left to the sandbox's own tests: here every
input must end in a result or a one-line error quickly.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

ODD_SCALARS = [
    "", "~", "null", "0", "-1", "99999999999999999999", ".nan", ".inf", "-.inf", "1.0e+400", "18:30", "7:05",
    "2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "-99999999d", "+99999999d", "yes", "no", "[]", "{}",
    "[[[[[[[[]]]]]]]]", "'\ue000'", "'a'", '"\\x00"', "x" * 300, "村" * 50, "!!binary aGVsbG8=", "*undefined",
    "&a [*a]", "'{{ 1 }}'", "'../../../etc/passwd'", "{tag: x}", "[all]", "all", "'-5d'", "[2027-01-01, 2026-01-01]",
]
"""Values as YAML source: each parses to something odd (or fails to parse) where a staff value belongs."""

TEMPLATE_SNIPPETS = [
    "{% include '{self}' %}", "{% extends '{self}' %}", "{% include 'nope/cmn.j2' %}", "{% include '../x' %}",
    "{{ undefined_thing }}", "{{ village.nope }}", "{% if %}", "{% for x in %}", "{{ ", "{# ", "{% endif %}",
    "{{ 1/0 }}", "{{ 'nan'|money }}", "{{ 'inf'|number }}", "{{ '1e400'|money }}", "{{ 'x'|money }}",
    "{{ 'nan'|number }}", "{{ '2026-02-30'|date }}", "{{ 'x'|phone }}", "{{ 100|bouyei_number }}",
    "{{ 'x'|bouyei_number }}", "{{ ''.__class__ }}", "{{ village|cmn }}", "{{ county|pcc }}", "\ue000", "\ue003",
    "{{ lipsum(1) }}", "{% set x = 1 %}{{ x.y.z }}", "{{ range(3)|list }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "xeenz zzzq bbbb", "{{ amount|money }}{{ amount|number }}", "{{ 'a' * 3 }}",
]
"""Jinja fragments a translator might break a template with; ``{self}`` is the template's own name."""

BAD_BYTES = [b"\xff\xfe", b"\xc3\x28", b"\x00", b"\xe4\xb8", b"\x80abc", b"\xef\xbb\xbf", b"\r", b"\t"]


@dataclass(frozen=True)
class Mutation:
    """One change to one file of the deployment, undone by ``restore``."""

    description: str
    restore: Callable[[], None]


class FileState:
    """Remembers a file as it was (its bytes and mode, or absent) so a mutation can be undone exactly."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        self.mode = stat.S_IMODE(path.stat().st_mode) if self.data is not None else 0o644

    def restore(self) -> None:
        path = self.path
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        if self.data is not None:
            path.write_bytes(self.data)
            path.chmod(self.mode)
            bump_mtime(path)


_CLOCK = [2_000_000_000_000_000_000]


def bump_mtime(path: Path) -> None:
    """A strictly newer mtime than any before, so caches that compare mtimes always see the change."""
    _CLOCK[0] += 1_000_000_000
    os.utime(path, ns=(_CLOCK[0], _CLOCK[0]))


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    bump_mtime(path)


# -- text mutations -------------------------------------------------------------------------

def byte_mutation(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """Damage at the byte level: bad UTF-8, NUL, truncation, a line doubled, dropped or swapped."""
    lines = data.split(b"\n")
    at = rng.randrange(len(data) + 1)
    kind = rng.choice(["bad-bytes", "truncate", "double-line", "drop-line", "swap-lines", "empty", "indent"])
    if kind == "bad-bytes":
        junk = rng.choice(BAD_BYTES)
        return f"insert {junk!r} at byte {at}", data[:at] + junk + data[at:]
    if kind == "truncate":
        return f"truncate at byte {at}", data[:at]
    if kind == "empty":
        return "empty file", b""
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    if kind == "double-line":
        return f"line {i + 1} doubled", b"\n".join(lines[:i + 1] + lines[i:])
    if kind == "drop-line":
        return f"line {i + 1} dropped", b"\n".join(lines[:i] + lines[i + 1:])
    if kind == "indent":
        return f"line {i + 1} indented", b"\n".join(lines[:i] + [b"   " + lines[i]] + lines[i + 1:])
    lines[i], lines[j] = lines[j], lines[i]
    return f"lines {i + 1} and {j + 1} swapped", b"\n".join(lines)


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    """Every key path of a parsed YAML document."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, prefix + (i,))
    return found


def _set(node: object, path: tuple, value: object) -> None:
    for part in path[:-1]:
        node = node[part]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]


MARK = "@@ODD@@"


def yaml_mutation(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """Replace one value of the document with an odd one, or double a top-level block (a duplicate key)."""
    try:
        doc = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return byte_mutation(rng, data)
    paths = _paths(doc)
    if not paths or rng.random() < 0.15:
        return byte_mutation(rng, data)
    if isinstance(doc, dict) and rng.random() < 0.15:
        key = rng.choice(list(doc))
        block = yaml.safe_dump({key: doc[key]}, allow_unicode=True).encode()
        return f"top-level '{key}' written twice", data + b"\n" + block
    path = rng.choice(paths)
    odd = rng.choice(ODD_SCALARS)
    _set(doc, path, MARK)
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=10_000)
    return f"{'.'.join(map(str, path))} = {odd}", text.replace(MARK, odd, 1).encode()


def csv_mutation(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """A damaged CSV: a missing or repeated column, a short row, a huge or quoted field, or bytes damage."""
    lines = data.split(b"\n")
    kind = rng.choice(["bytes", "header", "short-row", "long-field", "open-quote", "extra-field", "empty-cells"])
    i = rng.randrange(1, len(lines)) if len(lines) > 1 else 0
    if kind == "bytes":
        return byte_mutation(rng, data)
    if kind == "header":
        cols = lines[0].split(b",")
        del cols[rng.randrange(len(cols))]
        return "a header column dropped", b"\n".join([b",".join(cols)] + lines[1:])
    if kind == "short-row":
        return f"row {i + 1} cut short", b"\n".join(lines[:i] + [lines[i].split(b",")[0]] + lines[i + 1:])
    if kind == "long-field":
        huge = b"x" * 200_000 + b"," + lines[i]
        return f"row {i + 1} with a 200 kB field", b"\n".join(lines[:i] + [huge] + lines[i + 1:])
    if kind == "open-quote":
        return f"row {i + 1} opens a quote", b"\n".join(lines[:i] + [b'"' + lines[i]] + lines[i + 1:])
    if kind == "extra-field":
        return f"row {i + 1} has extra fields", b"\n".join(lines[:i] + [lines[i] + b",x,y,z"] + lines[i + 1:])
    return f"row {i + 1} emptied", b"\n".join(lines[:i] + [b"," * lines[i].count(b",")] + lines[i + 1:])


def template_mutation(rng: random.Random, data: bytes, name: str) -> tuple[str, bytes]:
    """A Jinja fragment inserted at a line start, or bytes damage."""
    if rng.random() < 0.3:
        return byte_mutation(rng, data)
    snippet = rng.choice(TEMPLATE_SNIPPETS).replace("{self}", name)
    lines = data.split(b"\n")
    i = rng.randrange(len(lines) + 1)
    return f"insert {snippet!r} before line {i + 1}", b"\n".join(lines[:i] + [snippet.encode()] + lines[i:])


# -- whole-file mutations --------------------------------------------------------------------

def replace_file(rng: random.Random, path: Path) -> tuple[str, Callable[[Path], None]]:
    """The file as something else: a folder, gone, a symlink to a device or to itself, a text where audio was."""
    choices: list[tuple[str, Callable[[Path], None]]] = [
        ("a folder", lambda p: p.mkdir()),
        ("missing", lambda p: None),
        ("a symlink to /dev/null", lambda p: p.symlink_to("/dev/null")),
        ("a symlink to itself", lambda p: p.symlink_to(p.name)),
        ("text, not what was expected", lambda p: _write(p, b"this is not the file you are looking for\n")),
        ("a sqlite header and garbage", lambda p: _write(p, b"SQLite format 3\x00" + bytes(rng.randrange(256)
                                                                                       for _ in range(2000)))),
    ]
    return rng.choice(choices)


def corrupt_database(rng: random.Random, path: Path) -> tuple[str, bytes]:
    """Overwrite a span of pages in the middle of an SQLite file, as a failing disk would."""
    data = path.read_bytes()
    if len(data) < 200:
        return "not a database", b"not a database\n" * 10
    start = rng.randrange(100, len(data))
    size = rng.randrange(1, 4096)
    junk = bytes(rng.randrange(256) for _ in range(size))
    return f"{size} bytes overwritten at {start}", data[:start] + junk + data[start + size:]


def ensure_database(path: Path) -> None:
    """Make sure there is a real SQLite file to corrupt (a prior run may not have made one)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS filler (x TEXT)")
            conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 40)
        conn.close()
