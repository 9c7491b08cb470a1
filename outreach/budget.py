"""What one template render may spend: wall-clock time, steps, and the size of what it builds.

Jinja's sandbox keeps a template from reaching outside, not from building a
20 GB string or looping forever, and staff-edited templates are untrusted. So
every hook of the sandbox (calls, operators, filters, loop iterations, printed
values) charges the render's ``Budget``, and operations that can make something
much bigger than their inputs (padding, repetition, format widths, joins,
replacements, powers) are sized BEFORE they run: a hostile template stops with
``TemplateTooExpensive`` in bounded time and memory, however it is written.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import chain
from operator import index
from typing import Any

from jinja2.utils import Namespace

from outreach.errors import TemplateTooExpensive
from outreach.i18n import N_, _

INT_DIGITS = 10_000
"""Digits a number may have (Python itself refuses to print an int of more than 4,300)."""

NESTING = 100
"""Lists in lists a value may have: deeper ones crash Python's own hashing and printing."""


@dataclass(frozen=True)
class Limits:
    """Ceilings for one render, generous next to what a real script or layout needs: wall-clock ``seconds``;
    ``steps`` (loop iterations, calls, filters, operators); characters or items in any one ``value``, and built in
    ``total``; characters of ``output``; calls nested ``depth`` deep; templates included or imported."""

    seconds: float = 5.0
    steps: int = 1_000_000
    value: int = 1_000_000
    total: int = 20_000_000
    output: int = 1_000_000
    depth: int = 64
    includes: int = 100


SCRIPT_LIMITS = Limits()
"""Scripts render to a few hundred characters in a millisecond."""

LAYOUT_LIMITS = Limits(seconds=60.0, steps=10_000_000, value=8_000_000, total=64_000_000, output=32_000_000)
"""Layouts loop over a month of plays or a sheet of every recording: more room, same principle."""


class _OutsideRender(TemplateTooExpensive):
    """A hook ran with no render under way (Jinja folding constants at compile time): it is left to run time."""


_ACTIVE: ContextVar[Budget | None] = ContextVar("outreach_template_budget", default=None)


def active() -> Budget | None:
    return _ACTIVE.get()


def current() -> Budget:
    """The budget of the render under way; refusing outside one keeps compile-time folding unbudgeted work out."""
    budget = _ACTIVE.get()
    if budget is None:
        raise _OutsideRender("no render under way")  # i18n: never shown (Jinja's constant folding gives up)
    return budget


class Budget:
    """What one render has spent so far; every sandbox hook charges it and stops the render past a limit."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._deadline = time.monotonic() + limits.seconds
        self.steps = self.spent = self.written = self.depth = self.includes = 0

    def activate(self) -> Any:
        return _ACTIVE.set(self)

    @staticmethod
    def deactivate(token: Any) -> None:
        _ACTIVE.reset(token)

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.limits.steps:
            raise TemplateTooExpensive(_("more than {steps:,} steps (loop iterations and calls)").format(
                steps=self.limits.steps))
        if time.monotonic() > self._deadline:
            raise TemplateTooExpensive(_("still running after {seconds:g} s").format(seconds=self.limits.seconds))

    def expect(self, size: int, what: str) -> None:
        """Refuse an operation before it runs when what it would build is over the limit for one value.

        ``what`` names the operation: code (``|join``, ``'*'``) or words marked with N_, translated here."""
        if size > self.limits.value:
            raise TemplateTooExpensive(
                _("{what} would build about {size:,} characters or items (limit {limit:,})").format(
                    what=_(what), size=size, limit=self.limits.value))

    def charge(self, size: int) -> None:
        self.spent += size
        if self.spent > self.limits.total:
            raise TemplateTooExpensive(_("built more than {total:,} characters or items in all").format(
                total=self.limits.total))

    def produced(self, value: Any, what: str = N_("an expression")) -> Any:
        """Check and charge a value a hook made; iterators are metered as they are consumed instead (``what``: as
        for ``expect``)."""
        flat = _FLAT.get(type(value))
        if flat is None and isinstance(value, Iterator) and not isinstance(value, Metered):
            return Metered(value)
        size = flat(value) if flat is not None else measure(value, self.limits.value)
        if type(value) is int and size > INT_DIGITS:
            raise TemplateTooExpensive(_("{what} made a number of over {digits:,} digits").format(
                what=_(what), digits=INT_DIGITS))
        if size > self.limits.value:
            raise TemplateTooExpensive(_("{what} made a value of more than {limit:,} characters or items").format(
                what=_(what), limit=self.limits.value))
        self.charge(size)
        return value

    def emit(self, chunk: str) -> None:
        self.written += len(chunk)
        if self.written > self.limits.output:
            raise TemplateTooExpensive(_("wrote more than {limit:,} characters").format(limit=self.limits.output))

    def enter(self) -> None:
        self.depth += 1
        if self.depth > self.limits.depth:
            raise TemplateTooExpensive(_("calls nested more than {depth} deep (a macro calling itself?)").format(
                depth=self.limits.depth))

    def leave(self) -> None:
        self.depth -= 1

    def include(self) -> None:
        self.includes += 1
        if self.includes > self.limits.includes:
            raise TemplateTooExpensive(_("more than {count} templates included (a template including itself?)").format(
                count=self.limits.includes))


class Metered(Iterator[Any]):
    """An iterator that charges a step (and ``weight``: the loop body's fixed text) for every item it yields."""

    def __init__(self, iterable: Iterable[Any], weight: int = 1) -> None:
        self._items = iter(iterable)
        self._weight = weight if isinstance(weight, int) and weight > 0 else 1
        self._count = 0

    def __next__(self) -> Any:
        item = next(self._items)
        budget = current()
        budget.tick()
        budget.charge(self._weight)
        self._count += 1
        if self._count > budget.limits.value:
            raise TemplateTooExpensive(_("a loop or sequence of more than {limit:,} items").format(
                limit=budget.limits.value))
        return item


def settle(value: Any) -> Any:
    """An iterator handed to a call, metered into a list so that sizes can be known before the call."""
    if type(value) in _FLAT:
        return value
    if isinstance(value, Iterator):
        return list(value if isinstance(value, Metered) else Metered(value))
    return value


def _digits(number: int) -> int:
    return number.bit_length() * 30103 // 100000 + 1


def _own_size(value: Any) -> int:
    if isinstance(value, str | bytes | bytearray | range):
        return len(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _digits(value)
    return 1


def _children(value: Any) -> Iterator[Any] | None:
    if isinstance(value, list | tuple | set | frozenset):
        return iter(value)
    if isinstance(value, dict):
        return chain.from_iterable(value.items())
    if isinstance(value, Namespace):
        return chain.from_iterable(object.__getattribute__(value, "_Namespace__attrs").items())
    return None


_FLAT = {str: len, bytes: len, range: len, float: lambda _: 1, bool: lambda _: 1, type(None): lambda _: 1,
         int: lambda n: n.bit_length() // 3 + 1}


def measure(value: Any, limit: int) -> int:
    """Characters and items in ``value`` as printing or comparing it would walk them (shared parts count each
    time they appear, a cycle once); stops counting past ``limit``, so it costs at most that much. A value nested
    deeper than ``NESTING`` is refused outright."""
    flat = _FLAT.get(type(value))
    if flat is not None:
        return flat(value)
    total = 0
    on_path: set[int] = set()
    stack: list[tuple[Any, Iterator[Any]]] = [(None, iter((value,)))]
    while stack:
        owner, rest = stack[-1]
        for child in rest:
            flat = _FLAT.get(type(child))
            kids = None if flat is not None else _children(child)
            total += flat(child) if flat is not None else _own_size(child)
            if total > limit:
                return total
            if kids is not None and id(child) not in on_path:
                if len(stack) > NESTING:
                    raise TemplateTooExpensive(_("a value nested more than {depth} deep").format(depth=NESTING))
                on_path.add(id(child))
                stack.append((child, kids))
                break
        else:
            stack.pop()
            on_path.discard(id(owner))
    return total


_END = object()
_ESTIMATE_FAILURES = (TypeError, ValueError, LookupError, AttributeError, OverflowError)


def _cap() -> int:
    """How far an estimate needs to count: one past the limit of the render under way."""
    budget = _ACTIVE.get()
    return (budget.limits.value if budget else SCRIPT_LIMITS.value) + 1


def _text_len(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes) else measure(value, _cap())


def _width(s: Any, width: Any, *_: Any) -> int:
    return max(_text_len(s), index(width))


def _replace(s: Any, old: Any, new: Any, count: Any = -1) -> int:
    hits = len(s) + 1 if not old else s.count(old)
    if count is not None and index(count) >= 0:
        hits = min(hits, index(count))
    return len(s) + hits * max(0, len(new) - len(old))


def _join(separator: Any, items: Any, *_: Any) -> int:
    items = items if isinstance(items, list | tuple | str) else list(items)
    return _text_len(separator) * len(items) + sum(measure(item, _cap()) for item in items)


def _translate(s: Any, table: Any) -> int:
    if not isinstance(table, Mapping):
        return len(s)
    return len(s) * max([1, *(len(v) for v in table.values() if isinstance(v, str | bytes))])


def _expandtabs(s: Any, tabsize: Any = 8) -> int:
    return len(s) + s.count("\t" if isinstance(s, str) else b"\t") * max(0, index(tabsize))


METHOD_SIZES = {
    "center": _width, "ljust": _width, "rjust": _width, "zfill": _width, "expandtabs": _expandtabs,
    "replace": _replace, "join": _join, "translate": _translate,
    "to_bytes": lambda number, length=1, *_, **__: index(length),
}
"""What a method of a str, bytes or int would build, from its receiver and arguments."""

MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "add"})


_PRINTF = re.compile(r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d*))?[hlL]?(?P<conv>.)",
                     re.S)


def printf_size(template: Any, values: Any) -> int:
    """What ``template % values`` would build: the template, each value as often as it is used, every width."""
    text = template.decode("latin-1") if isinstance(template, bytes) else str(template)
    positional = list(values) if isinstance(values, tuple) else [values]
    size = len(text)
    for match in _PRINTF.finditer(text):
        for part in (match["width"], match["prec"]):
            if part == "*":
                size += abs(index(positional.pop(0))) if positional else 0
            elif part:
                size += int(part)
        if match["conv"] == "%":
            continue
        if match["key"] is not None and isinstance(values, Mapping):
            size += measure(values[match["key"]], _cap())
        elif positional:
            size += measure(positional.pop(0), _cap())
    return size


def spec_size(spec: str, value: Any) -> int:
    """What one ``{:spec}`` field would build: the value and the largest width or precision in the spec."""
    return max([0, *(int(d) for d in re.findall(r"\d+", spec))]) + measure(value, _cap())


def _wordwrap(s: Any, width: Any = 79, _break: Any = True, wrapstring: Any = None, *_: Any) -> int:
    n = len(str(s))
    lines = n // max(index(width), 1) + 1
    return max(n + lines * len(wrapstring or "\n"), n * lines // 1000)


def _indent(s: Any, width: Any = 4, *_: Any) -> int:
    pad = len(width) if isinstance(width, str) else index(width)
    return len(str(s)) + pad * (str(s).count("\n") + 1)


def _sum(items: Any, attribute: Any = None, start: Any = 0) -> int:
    if not isinstance(start, str | list | tuple):
        return 0
    items = list(items)
    total = measure(start, _cap()) + sum(measure(item, _cap()) for item in items)
    return max(total, len(items) * total // 1000)


def _urlize(value: Any, _limit: Any = None, _nofollow: Any = False, target: Any = None, rel: Any = None,
            *_: Any) -> int:
    n = len(str(value))
    return 2 * n + (n // 2 + 1) * (64 + len(str(target or "")) + len(str(rel or "")))


FILTER_SIZES = {
    "center": _width, "indent": _indent, "wordwrap": _wordwrap, "urlize": _urlize, "sum": _sum,
    "format": lambda value, *args, **kwargs: printf_size(str(value), kwargs or args),
    "join": lambda value, d="", *_: _join(d, value),
    "replace": lambda s, old, new, count=None: _replace(str(s), str(old), str(new), count),
    "batch": lambda value, linecount, fill_with=None: 0 if fill_with is None else index(linecount),
    "slice": lambda value, slices, fill_with=None: index(slices),
}
"""What a filter would build, from its arguments (after any context Jinja passes first)."""


def estimate(sizer: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """A sizer's estimate; arguments it cannot read are left for the operation itself to refuse."""
    try:
        return int(sizer(*args, **kwargs))
    except _ESTIMATE_FAILURES:
        return 0


def binop_size(operator: str, left: Any, right: Any) -> tuple[int, int]:
    """(size, digits) that ``left <operator> right`` would make: sequence items, or a number's digits."""
    try:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | bytes | list | tuple) and isinstance(times, int):
                    return len(seq) * max(0, times), 0
            if isinstance(left, int) and isinstance(right, int):
                return 0, _digits(left) + _digits(right)
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            return 0, left.bit_length() * right * 30103 // 100000 + 1
        if operator == "%" and isinstance(left, str | bytes):
            return printf_size(left, right), 0
    except _ESTIMATE_FAILURES:
        pass
    return 0, 0
