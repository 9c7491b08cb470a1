"""How every page is served: who is asking, in which language, with which rights, and the HTML.

``page(...)`` wraps a plain function of a ``Ctx``: it finds the session, reads the form, refuses a
POST without its CSRF token and a user without the role, then runs the function in a worker thread
(domain code is synchronous) and turns user mistakes (``OutreachError``) into a page saying so.
The request's language is set (``i18n.use_locale``) around all of it, and again inside the worker
thread, so a message domain code words with ``outreach.i18n._`` is in the user's language.
Templates are Jinja2 with autoescape, one environment per language with its gettext catalog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from outreach import i18n
from outreach.errors import OutreachError
from outreach.web.accounts import Role, Session, User, csrf_ok, find_session

if TYPE_CHECKING:
    from outreach.deployment import Deployment
    from outreach.web.console import Console

TEMPLATES = Path(__file__).resolve().parent / "templates"
COOKIE = "outreach_session"
LANG_COOKIE = "outreach_lang"
DEFAULT_LOCALE = "zh_CN"
ALL = frozenset(Role)
EDITORS = frozenset({Role.ADMIN, Role.STAFF, Role.REVIEWER})
PRINTERS = frozenset({Role.ADMIN, Role.STAFF})
RECORDERS = frozenset({Role.ADMIN, Role.STAFF, Role.RECORDER})
REVIEWERS = frozenset({Role.REVIEWER})


def N_(message: str) -> str:
    """Marks a word for the catalog; it is translated where it is shown (``label``)."""
    return message


LABELS = {
    "admin": N_("admin"), "staff": N_("staff"), "reviewer": N_("reviewer"), "recorder": N_("recorder"),
    "draft": N_("draft"), "reviewed": N_("reviewed"), "approved": N_("approved"), "returned": N_("returned"),
    "scheduled": N_("scheduled"), "playing": N_("playing"), "played": N_("played"), "failed": N_("failed"),
    "missed": N_("missed"), "interrupted": N_("interrupted"), "cancelled": N_("cancelled"),
    "queued": N_("queued"), "running": N_("running"), "done": N_("done"),
    "cmn": N_("Mandarin"), "pcc": N_("Bouyei"), "print": N_("print"), "speech": N_("speech"),
    "card": N_("card"), "wallet": N_("wallet card"), "leaflet": N_("leaflet"),
    "error": N_("error"), "warning": N_("warning"), "info": N_("info"),
    "holiday": N_("holiday"), "holiday-eve": N_("holiday eve"), "workday": N_("make-up workday"),
    "festival": N_("festival"), "school": N_("school"), "term": N_("term"), "vacation": N_("vacation"),
    "exam": N_("exam"), "market-day": N_("market day"), "sentence": N_("sentence"), "part": N_("part"),
    "word": N_("word"), "number": N_("number"), "taken": N_("taken"), "refused": N_("refused"),
}


class Forbidden(Exception):
    """The signed-in user's role does not allow this."""


@lru_cache(maxsize=4)
def environment(locale: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.i18n"],
                             trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        day=lambda d: i18n.format_day(_as_date(d), locale),
        short_date=lambda d: i18n.format_short_date(_as_date(d), locale),
        moment=lambda m: i18n.format_moment(_as_moment(m), locale) if m else "",
        weekday=lambda d, width="abbreviated": i18n.format_weekday(d, locale, width),
        number=lambda n: i18n.format_number(n, locale),
    )
    env.globals["locale"] = locale
    env.globals["colon"] = "：" if locale.startswith("zh") else ": "
    env.globals["label"] = lambda word: i18n.translations(locale).gettext(LABELS.get(str(word), str(word)))
    return env


def _as_date(value: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _as_moment(value: dt.datetime | str) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


@dataclass
class Ctx:
    """One request as a page function sees it."""

    request: Request
    console: Console
    session: Session | None
    form: FormData | None
    locale: str
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def user(self) -> User | None:
        return self.session.user if self.session else None

    @property
    def name(self) -> str:
        return self.user.name if self.user else ""

    @property
    def deployment(self) -> Deployment:
        return self.console.deployment()

    def _(self, message: str, **values: Any) -> str:
        text = i18n.translations(self.locale).gettext(message)
        return text % values if values else text

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name) if self.form is not None else self.request.query_params.get(name)
        return value.strip() if isinstance(value, str) else default

    def fields(self, name: str) -> list[str]:
        if self.form is None:
            return [v for v in self.request.query_params.getlist(name) if v]
        return [v for v in self.form.getlist(name) if isinstance(v, str) and v]

    def audit(self, action: str, target: str = "", detail: Any = "") -> None:
        self.console.store.audit(self.name, action, target, detail)

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = environment(self.locale).get_template(template).render(
            user=self.user, csrf=self.session.csrf if self.session else "", path=self.request.url.path, **context)
        return self._finish(HTMLResponse(html, status_code=status))

    def redirect(self, url: str) -> Response:
        return self._finish(RedirectResponse(url, status_code=303))

    def _finish(self, response: Response) -> Response:
        secure = self.console.secure_cookies
        for name, value in self.cookies.items():
            if value:
                response.set_cookie(name, value, httponly=True, samesite="strict", secure=secure, path="/",
                                    max_age=None if name == COOKIE else 365 * 86400)
            else:
                response.delete_cookie(name, path="/")
        return response


def request_locale(request: Request, user: User | None) -> str:
    if user is not None:
        return i18n.normalise(user.lang) or DEFAULT_LOCALE
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return i18n.normalise(chosen) or DEFAULT_LOCALE


Handler = Callable[[Ctx], Response]


def page(roles: Iterable[Role] | None = ALL, public: bool = False) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Make a page function an endpoint: session, CSRF on every POST, role on the server, errors as pages."""
    allowed = frozenset(roles or ())

    def wrap(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            console: Console = request.app.state.console
            session = await run_in_threadpool(find_session, console.store, request.cookies.get(COOKIE))
            form = await request.form(max_part_size=64 * 1024 * 1024) if request.method == "POST" else None
            ctx = Ctx(request, console, session, form, request_locale(request, session.user if session else None))
            with i18n.use_locale(ctx.locale):
                try:
                    return await _answer(ctx, fn, public, allowed)
                finally:
                    if form is not None:
                        await form.close()
        endpoint.__name__ = fn.__name__
        endpoint.__doc__ = fn.__doc__
        return endpoint
    return wrap


async def _answer(ctx: Ctx, fn: Handler, public: bool, allowed: frozenset[Role]) -> Response:
    """Sign-in, CSRF and role checks, then the page function in a worker thread speaking the request's language."""
    if not public and ctx.user is None:
        return ctx.redirect("/login?next=" + quote(str(ctx.request.url.path)))
    if ctx.form is not None and not csrf_ok(ctx.session, _submitted_token(ctx.request, ctx.form)):
        return ctx.render("error.html", status=403, message=ctx._("The form has expired or did not come "
                                                                  "from this console. Reload the page and try again."))
    if not public and ctx.user is not None and ctx.user.role not in allowed:
        return _forbidden(ctx)

    def in_language() -> Response:
        with i18n.use_locale(ctx.locale):  # the worker thread's own context: set it here, whatever anyio copies
            return fn(ctx)

    try:
        return await run_in_threadpool(in_language)
    except Forbidden:
        return _forbidden(ctx)
    except OutreachError as exc:
        return ctx.render("error.html", status=400, message=str(exc))


def _submitted_token(request: Request, form: FormData) -> str | None:
    token = form.get("csrf")
    return token if isinstance(token, str) else request.headers.get("x-csrf-token")


def _forbidden(ctx: Ctx) -> Response:
    role = ctx.user.role.value if ctx.user else "-"
    return ctx.render("error.html", status=403, message=ctx._("Your role (%(role)s) may not do this.",
                                                              role=ctx._(LABELS.get(role, role))))


def require(ctx: Ctx, roles: frozenset[Role]) -> None:
    """For pages whose GET everyone may see but whose action only some roles may take."""
    if ctx.user is None or ctx.user.role not in roles:
        raise Forbidden()
