"""Reading staff-edited YAML files with errors that name the file, line and key path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from outreach.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Base of every model read from a staff-edited file: a misspelt key is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def display_path(path: str | os.PathLike[str]) -> str:
    """A path relative to the current folder when it is below it (shorter messages)."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(p)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file; a syntax error becomes 'file:line:col: problem'."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{display_path(path)}: file not found") from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{display_path(path)}:{mark.line + 1}:{mark.column + 1}" if mark else display_path(path)
        raise ConfigError(f"{where}: YAML syntax error: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{display_path(path)}: YAML syntax error: {exc}") from None


def key_path(loc: tuple[Any, ...]) -> str:
    """('villages', 2, 'name', 'cmn') -> 'villages[2].name.cmn'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def validate(model: type[M], data: Any, path: Path, prefix: tuple[Any, ...] = ()) -> M:
    """Validate data against a pydantic model; errors list every bad key path."""
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
                msg = "unknown key (a typo?)"
            elif err["type"] == "missing":
                msg = "required key is missing"
            problems.append(f"{key_path(loc)}: {msg}")
        raise ConfigError(f"{display_path(path)}: " + "; ".join(problems)) from None
