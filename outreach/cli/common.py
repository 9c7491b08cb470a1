"""What every command family shares: the --root and --json options, output helpers, argument parsing.

Parsing mistakes raise click's usage errors (exit 2); everything else is the domain's business.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

import click

from outreach.i18n import _

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from rich.text import Text

    from outreach.catalog import Script
    from outreach.deployment import Deployment

Decorator = Callable[..., Any]


def root_option(func: Decorator) -> Decorator:
    return click.option(
        "--root", "root", envvar="OUTREACH_ROOT", default=None, metavar="DIR",
        help=_("Deployment folder holding templates/, schedules/ and audio/ (default: current folder)."),
    )(func)


def json_option(func: Decorator) -> Decorator:
    return click.option("--json", "as_json", is_flag=True, help=_("Print JSON for scripts and other tools."))(func)


class _Vocabulary(Sequence[str]):
    """An enum's values, imported on first use: the vocabularies live beside heavy code (rendering, printing)
    that `outreach --help` must not load; click reads them only for a command's help or its arguments."""

    def __init__(self, where: str, extra: tuple[str, ...]) -> None:
        self._where, self._extra = where, extra

    @cached_property
    def _values(self) -> tuple[str, ...]:
        module, _sep, name = self._where.partition(":")
        return tuple(str(member) for member in getattr(importlib.import_module(module), name)) + self._extra

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._values[index]

    def __len__(self) -> int:
        return len(self._values)


def vocabulary(where: str, *extra: str) -> click.Choice:
    """A choice of a domain enum's values (``"outreach.render:Mode"``), plus extras such as ``"all"``."""
    return click.Choice(_Vocabulary(where, extra))


def console() -> Console:
    """Rich console; when output is piped (reports, logs) it is 120 columns wide, not 80."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 120)


def cell(value: str) -> Text:
    """User text for a table cell: never parsed as markup, folded (CJK has no spaces to wrap at)."""
    from rich.text import Text

    return Text(value, overflow="fold")


def open_deployment(root: str | None) -> Deployment:
    """The folder named by --root, OUTREACH_ROOT or the current folder; imported here so `--help` stays fast."""
    from outreach.deployment import Deployment

    return Deployment.at(root)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def progress(enabled: bool) -> Progress:
    """A progress bar on stderr for long batches; invisible when disabled, so stdout stays clean."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), disable=not enabled, transient=True)


def parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    """--var KEY=VALUE pairs; the values stay strings, the script's declared types convert them."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(_("'{pair}' is not key=value").format(pair=pair), param_hint="--var")
        out[key.strip()] = value
    return out


def parse_date(value: str | None, default: dt.date) -> dt.date:
    """A YYYY-MM-DD option; an impossible date (2026-02-30) or one the calendars cannot handle is a usage error."""
    from outreach.datafile import FIRST_DAY, LAST_DAY

    if value is None:
        return default
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_("'{value}' is not a date YYYY-MM-DD").format(value=value)) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise click.BadParameter(_("{value} is outside {first}-{last}").format(
            value=value, first=FIRST_DAY.year, last=LAST_DAY.year))
    return day


def pick_scripts(deployment: Deployment, script_ids: tuple[str, ...], all_scripts: bool) -> list[Script]:
    """The scripts named on the command line, or the whole catalog with --all (exactly one of the two)."""
    if all_scripts == bool(script_ids):
        raise click.UsageError(_("name one or more scripts, or use --all"))
    catalog = deployment.catalog
    return list(catalog) if all_scripts else [catalog.get(s) for s in script_ids]
