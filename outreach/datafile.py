"""Reading staff-edited files with errors that name the file, line and key path.

Staff edit these files by hand, so everything YAML 1.1 would silently get wrong
is an error here: a key written twice (the second ``villages:`` block would
replace the first), an unquoted ``18:30`` (YAML 1.1 reads it as the number
1110), an impossible date, ``.nan``/``.inf``, a file that is not UTF-8 text.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import sqlite3
import stat
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from outreach.errors import ConfigError
from outreach.i18n import _

M = TypeVar("M", bound=BaseModel)
MAX_BYTES = 8 * 1024 * 1024
"""No staff file comes near this; a bigger one (or /dev/zero behind a symlink) is refused, not read."""
MAX_ALIASES = 100
"""YAML aliases a file may use: enough for shared settings, too few for a 'billion laughs' expansion."""
MAX_DEPTH = 64
"""How deep a staff file may nest (they use under ten levels); PyYAML's scanner slows quadratically beyond."""
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(2099, 12, 31)
"""Dates the calendars (lunar, holidays) and every plan computed from them handle; 0001-01-01 is a typo."""


def _plausible_day(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(_("{day} is outside {first}-{last} (a typo?)").format(
            day=day, first=FIRST_DAY.year, last=LAST_DAY.year))
    return day


Day = Annotated[dt.date, AfterValidator(_plausible_day)]
"""A date in a staff-edited file: a real one (YAML refuses 2026-02-30), within FIRST_DAY..LAST_DAY."""


FILE_FAULTS = (OSError, UnicodeError, csv.Error, sqlite3.Error)
"""What reading or writing a damaged, missing or unwritable file raises where no loader said more."""


def describe_fault(exc: BaseException) -> str:
    """One line for a file fault no loader turned into a message: what failed, and on which file."""
    if isinstance(exc, OSError):
        files = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
        reason = exc.strerror or str(exc) or type(exc).__name__
        return f"{files}: {reason}" if files else reason
    if isinstance(exc, sqlite3.Error):
        return _("database: {error}").format(error=exc)
    if isinstance(exc, UnicodeDecodeError):
        return _("not UTF-8 text ({error}); save the file as UTF-8").format(error=exc)
    if isinstance(exc, UnicodeEncodeError):
        return _("text cannot be written ({error}); use a UTF-8 locale, e.g. LANG=C.UTF-8").format(error=exc)
    if isinstance(exc, RecursionError):
        return _("a template includes itself, or something nests too deeply")
    return f"{exc}".replace("\n", " ") or type(exc).__name__


class StrictModel(BaseModel):
    """Base of every model read from a staff-edited file: a misspelt key is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def display_path(path: str | os.PathLike[str]) -> str:
    """A path relative to the current folder when it is below it (shorter messages)."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError, RuntimeError):
        return str(p)


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """A regular file's bytes; a missing file, a folder, a device or an unreadable file is a ConfigError naming it."""
    where = display_path(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError(_("{where}: is a folder, not a file").format(where=where))
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(_("{where}: is not a regular file").format(where=where))
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise ConfigError(_("{where}: file not found").format(where=where)) from None
    except PermissionError:
        raise ConfigError(_("{where}: cannot be read (permission denied)").format(where=where)) from None
    except OSError as exc:
        raise ConfigError(_("{where}: cannot be read ({reason})").format(where=where, reason=exc.strerror or exc)) \
            from None
    if len(data) > limit:
        raise ConfigError(_("{where}: larger than {megabytes} MB; is it the right file?").format(
            where=where, megabytes=limit // (1024 * 1024)))
    return data


def set_aside(path: Path, now: dt.datetime | None = None) -> Path:
    """Rename a damaged file (and its SQLite -wal/-shm/-journal companions) out of the way, keeping it for the
    record: state files are evidence (what was aired, what was printed), never silently replaced or deleted."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        target, n = path.with_name(f"{path.name}.damaged-{stamp}-{n}"), n + 1
    path.rename(target)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    return target


def decode_text(data: bytes, where: str) -> str:
    """UTF-8 text (a leading BOM is dropped); other bytes are an error naming the line of the first bad one."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(_("{where}:{line}: not UTF-8 text (byte 0x{byte:02x}): save the file as UTF-8").format(
            where=where, line=line, byte=data[exc.start])) from None


def read_text(path: Path, limit: int = MAX_BYTES) -> str:
    """A staff-edited text file (YAML, CSV, template), every failure a one-line ConfigError naming file and line."""
    return decode_text(read_bytes(path, limit), display_path(path))


class _Loader(yaml.SafeLoader):
    """SafeLoader refusing what YAML 1.1 gets silently wrong in hand-edited files."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise ConstructorError(None, None, _("more than {count} aliases (*name)").format(count=MAX_ALIASES),
                                       self.peek_event().start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ConstructorError(None, None, _("nested more than {count} levels deep").format(count=MAX_DEPTH),
                                       self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, ScalarNode):
                continue
            key = self.construct_object(key_node)
            if key in seen:
                raise ConstructorError(
                    None, None, _("key '{key}' appears twice (first on line {line}): "
                                  "the second would silently replace the first; merge them").format(
                        key=key, line=seen[key]), key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node: ScalarNode) -> int:
        if ":" in str(node.value):
            raise _sexagesimal(node)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: ScalarNode) -> float:
        if ":" in str(node.value):
            raise _sexagesimal(node)
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise ConstructorError(None, None, _("'{value}' is not a finite number").format(value=node.value),
                                   node.start_mark)
        return value

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise ConstructorError(None, None, _("'{value}' is not a real date").format(value=node.value),
                                   node.start_mark) from None


def _sexagesimal(node: ScalarNode) -> ConstructorError:
    return ConstructorError(
        None, None, _("{value} is read by YAML as a number, not a time: write times in quotes, '{value}'").format(
            value=node.value), node.start_mark)


for _tag, _method in (("int", _Loader.construct_yaml_int), ("float", _Loader.construct_yaml_float),
                      ("timestamp", _Loader.construct_yaml_timestamp)):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _method)


def parse_yaml(text: str, where: str) -> Any:
    """Parse YAML text read from ``where``; every problem becomes 'where:line:col: problem'."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        at = f"{where}:{mark.line + 1}:{mark.column + 1}" if mark else where
        message = _("{at}: YAML: {problem}") if isinstance(exc, ConstructorError) else _(
            "{at}: YAML syntax error: {problem}")
        raise ConfigError(message.format(at=at, problem=exc.problem)) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError(_("{where}:{line}: YAML: character {character!r} is not allowed in YAML").format(
            where=where, line=line, character=exc.character)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(_("{where}: YAML syntax error: {error}").format(where=where, error=exc)) from None


def load_yaml(path: Path) -> Any:
    """Read and parse a staff-edited YAML file, naming file and line in every error."""
    return parse_yaml(read_text(path), display_path(path))


def key_path(loc: tuple[Any, ...]) -> str:
    """('villages', 2, 'name', 'cmn') -> 'villages[2].name.cmn'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or _("(top level)")


def _line_of(path: Path, loc: tuple[Any, ...]) -> int | None:
    """The line in ``path`` of the deepest node on the key path ``loc`` (for error messages only)."""
    try:
        node = yaml.compose(read_text(path), Loader=_Loader)
    except (ConfigError, yaml.YAMLError, RecursionError):
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, MappingNode):
            found = next(((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == str(part)), None)
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def validate(model: type[M], data: Any, path: Path, prefix: tuple[Any, ...] = ()) -> M:
    """Validate data against a pydantic model; errors list every bad key path and its line in the file."""
    if data is None:
        data = {}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = prefix + tuple(p for p in err["loc"] if not str(p).startswith("function-"))
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = _("unknown key (a typo?)")
            elif err["type"] == "missing":
                msg = _("required key is missing")
            line = _line_of(path, loc) if loc else None
            problem = _("{key}: {problem} (line {line})") if line else "{key}: {problem}"
            problems.append(problem.format(key=key_path(loc), problem=msg, line=line))
        raise ConfigError(f"{display_path(path)}: " + "; ".join(problems)) from None  # i18n: path, problems above
