"""The one sandbox staff-edited templates run in: Jinja's, plus a budget on time, steps and size.

Scripts (``render.py``) and print layouts (``print/pdf.py``) both use
``BudgetedSandbox``. On top of Jinja's ``SandboxedEnvironment`` (no reaching
outside) it meters what a template spends (see ``budget.py``):

- every call, filter, operator, list/dict literal and ``~`` passes a hook that
  sizes what it would build before it runs and charges what it built;
- every ``for`` loop is compiled to iterate through ``Metered``, so loops,
  nested or empty, count steps and their body's fixed text;
- a render streams its output, stopping past the output limit, and runs
  under a wall-clock deadline checked at every hook.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import update_wrapper
from types import BuiltinMethodType, FunctionType, MethodType
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import SandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter, safe_range
from jinja2.utils import generate_lorem_ipsum
from markupsafe import Markup

from outreach.budget import (
    FILTER_SIZES,
    INT_DIGITS,
    METHOD_SIZES,
    MUTATORS,
    SCRIPT_LIMITS,
    Budget,
    Limits,
    Metered,
    active,
    binop_size,
    current,
    estimate,
    measure,
    settle,
    spec_size,
)
from outreach.errors import TemplateTooExpensive
from outreach.i18n import N_, _

GLOBAL_SIZES = {
    generate_lorem_ipsum: lambda n=5, html=True, min=20, max=100: abs(n) * abs(max) * 12,
    safe_range: lambda *args: len(range(*args)),
}
"""What a global function would build, from its arguments."""

_HOOK_NAMES = {"built": N_("a list, dict or '~' expression"), "metered": N_("a loop")}
"""What the budget's messages call a hook's work (translated when a message is made)."""


def _meter(node: nodes.Node, environment: jinja2.Environment) -> nodes.Node:
    """Rewrite a template's tree so loops iterate through ``Metered`` and built values pass the call hook."""
    for field in node.fields:
        value = getattr(node, field)
        if isinstance(value, nodes.Node):
            setattr(node, field, _meter(value, environment))
        elif isinstance(value, list):
            setattr(node, field, [_meter(v, environment) if isinstance(v, nodes.Node) else v for v in value])
    if isinstance(node, nodes.For):
        text = sum(len(data.data) for part in node.body for data in part.find_all(nodes.TemplateData))
        node.iter = _hook_call("metered", [node.iter, nodes.Const(text + 1)], node, environment)
    elif isinstance(node, nodes.Concat | nodes.List | nodes.Dict) or (
            isinstance(node, nodes.Tuple) and node.ctx == "load"):
        return _hook_call("built", [node], node, environment)
    return node


def _hook_call(name: str, args: list[nodes.Expr], at: nodes.Node, environment: jinja2.Environment) -> nodes.Call:
    call = nodes.Call(nodes.EnvironmentAttribute(name), args, [], None, None, lineno=at.lineno)
    return call.set_environment(environment)


class _MeteringCodeGenerator(CodeGenerator):
    """Jinja's code generator, run on the metered tree (``code_generator_class`` is Jinja's documented seam)."""

    def visit_Template(self, node: nodes.Template, frame: Any = None) -> None:
        _meter(node, self.environment)
        super().visit_Template(node, frame)


class BudgetedTemplate(jinja2.Template):
    """A template whose every render runs under a fresh budget and streams, stopping past the output limit."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        return "".join(self.generate(*args, **kwargs))

    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        budget = Budget(self.environment.limits)  # type: ignore[attr-defined]
        chunks = super().generate(*args, **kwargs)
        while True:
            token = budget.activate()
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            finally:
                budget.deactivate(token)
            budget.emit(chunk)
            yield chunk


class _SizedFields:
    """A ``str.format`` formatter that sizes each field before formatting it, and the whole as it grows."""

    built = 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        budget = current()
        budget.expect(self.built + spec_size(format_spec, value), "str.format")
        text = super().format_field(value, format_spec)  # type: ignore[misc]
        self.built += len(text)
        return text


class _SizedFormatter(_SizedFields, SandboxedFormatter):
    pass


class _SizedEscapeFormatter(_SizedFields, SandboxedEscapeFormatter):
    pass


class _MeteredFilters(dict):
    """The filter table: every filter put in it is wrapped to tick, size its arguments and charge its result."""

    def __setitem__(self, name: str, func: Any) -> None:
        super().__setitem__(name, _metered_filter(name, func))

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        for name, func in dict(*args, **kwargs).items():
            self[name] = func


def _metered_filter(name: str, func: Any) -> Any:
    if getattr(func, "outreach_metered", False):
        return func
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
    sizer = FILTER_SIZES.get(name)

    def metered(*args: Any, **kwargs: Any) -> Any:
        budget = current()
        budget.tick()
        args = tuple(settle(a) for a in args)
        if kwargs:
            kwargs = {k: settle(v) for k, v in kwargs.items()}
        if sizer is not None:
            budget.expect(estimate(sizer, args[skip:], kwargs), f"|{name}")
        return budget.produced(func(*args, **kwargs), f"|{name}")

    update_wrapper(metered, func)
    metered.outreach_metered = True  # type: ignore[attr-defined]
    return metered


class BudgetedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, metered: see the module docstring. ``limits`` sets the ceilings of each render."""

    intercepted_binops = frozenset(["+", "-", "*", "/", "//", "%", "**"])
    code_generator_class = _MeteringCodeGenerator
    template_class = BudgetedTemplate

    def __init__(self, *, limits: Limits = SCRIPT_LIMITS, **options: Any) -> None:
        finalize = options.pop("finalize", None)
        if getattr(finalize, "jinja_pass_arg", None) is not None:
            raise TypeError("a budgeted sandbox takes a plain finalize function")
        super().__init__(finalize=self._charging(finalize), **options)
        self.limits = limits
        filters = _MeteredFilters()
        filters.update(self.filters)
        self.filters = filters

    @staticmethod
    def _charging(finalize: Any) -> Any:
        def charged(value: Any) -> Any:
            shown = finalize(value) if finalize is not None else value
            budget = active()
            if budget is not None:
                budget.charge(measure(shown, budget.limits.value + 1))
            return shown

        return charged

    def metered(self, iterable: Any, weight: int = 1) -> Metered:
        """What a ``for`` loop iterates (the compiler puts this call around every loop's iterable)."""
        return iterable if isinstance(iterable, Metered) else Metered(iterable, weight)

    def built(self, value: Any) -> Any:
        """Around every list, dict, tuple and ``~``: the call hook charges what was built."""
        return value

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        budget = current()
        budget.tick()
        bound = isinstance(obj, MethodType | BuiltinMethodType)
        owner = obj.__self__ if bound else None
        name = obj.__name__ if bound or isinstance(obj, FunctionType) else ""
        if isinstance(obj, LoopContext) and args:
            args = (Metered(args[0]), *args[1:])
        elif owner is not self:
            args = tuple(settle(a) for a in args)
            kwargs = {k: settle(v) for k, v in kwargs.items()}
        sizer = GLOBAL_SIZES.get(obj) if isinstance(obj, FunctionType) else (
            METHOD_SIZES.get(name) if isinstance(owner, str | bytes | int) else None)
        if sizer is not None:
            budget.expect(estimate(sizer, (owner, *args) if owner is not None else args, kwargs), f"{name}()")
        mutates = isinstance(owner, list | dict | set) and name in MUTATORS
        if mutates:
            budget.charge(sum(measure(a, budget.limits.value + 1) for a in (*args, *kwargs.values())))
        budget.enter()
        try:
            result = super().call(context, obj, *args, **kwargs)
        finally:
            budget.leave()
        if mutates:
            budget.expect(len(owner), f"{name}()")
        what = _HOOK_NAMES.get(name, N_("a call")) if owner is self else (
            f"{name}()" if name else _("macro {name}").format(name=obj.name) if isinstance(obj, Macro)
            else N_("a call"))
        return budget.produced(result, what)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        budget = current()
        budget.tick()
        size, digits = binop_size(operator, left, right)
        budget.expect(size, f"'{operator}'")
        if digits > INT_DIGITS:
            raise TemplateTooExpensive(_("'{operator}' would make a number of about {digits:,} digits "
                                         "(limit {limit:,})").format(operator=operator, digits=digits,
                                                                     limit=INT_DIGITS))
        return budget.produced(super().call_binop(context, operator, left, right), f"'{operator}'")

    def wrap_str_format(self, value: Any) -> Any:
        """``str.format`` and ``format_map``, through a formatter that sizes every field before it is made."""
        if not (isinstance(value, MethodType | BuiltinMethodType) and value.__name__ in ("format", "format_map")
                and isinstance(value.__self__, str)):
            return None
        text, by_map = value.__self__, value.__name__ == "format_map"

        def formatted(*args: Any, **kwargs: Any) -> str:
            if by_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one mapping")
                args, kwargs = (), args[0]
            formatter = (_SizedEscapeFormatter(self, escape=text.escape) if isinstance(text, Markup)
                         else _SizedFormatter(self))
            return type(text)(formatter.vformat(text, args, kwargs))

        return update_wrapper(formatted, value)

    def get_template(self, *args: Any, **kwargs: Any) -> jinja2.Template:  # type: ignore[override]
        self._count_include()
        return super().get_template(*args, **kwargs)

    def select_template(self, *args: Any, **kwargs: Any) -> jinja2.Template:  # type: ignore[override]
        self._count_include()
        return super().select_template(*args, **kwargs)

    @staticmethod
    def _count_include() -> None:
        budget = active()
        if budget is not None:
            budget.include()
