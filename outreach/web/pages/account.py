"""Signing in and out, the language of the console, and (for admins) users and the audit trail."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from outreach import i18n
from outreach.web.accounts import Role, authenticate, end_session, new_session, set_lang, throttled, users
from outreach.web.ui import COOKIE, LANG_COOKIE, Ctx, page


def _next(ctx: Ctx) -> str:
    target = ctx.field("next") or "/"
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _login_form(ctx: Ctx, error: str = "", status: int = 200) -> Response:
    if ctx.session is None:
        ctx.session = new_session(ctx.console.store)
        ctx.cookies[COOKIE] = ctx.session.token
    chosen = ctx.request.query_params.get("lang")
    if chosen and i18n.normalise(chosen):
        ctx.cookies[LANG_COOKIE] = i18n.normalise(chosen) or ""
    return ctx.render("login.html", status=status, error=error, next=_next(ctx), locales=i18n.SHIPPED)


@page(public=True)
def login_page(ctx: Ctx) -> Response:
    if ctx.user is not None:
        return ctx.redirect(_next(ctx))
    return _login_form(ctx)


@page(public=True)
def login(ctx: Ctx) -> Response:
    store = ctx.console.store
    name = ctx.field("name")
    host = ctx.request.client.host if ctx.request.client else "?"
    keys = [f"user:{name}", f"ip:{host}"]
    if throttled(store, keys):
        return _login_form(ctx, ctx._("Too many failed attempts. Wait a quarter of an hour and try again."), 429)
    user = authenticate(store, name, ctx.field("password"), keys)
    if user is None:
        return _login_form(ctx, ctx._("Wrong user name or password."), 401)
    if ctx.session is not None:
        end_session(store, ctx.session.token)
    ctx.session = new_session(store, user)
    ctx.cookies[COOKIE] = ctx.session.token
    store.audit(user.name, "login", "", {"from": host})
    return ctx.redirect(_next(ctx))


@page()
def logout(ctx: Ctx) -> Response:
    if ctx.session is not None:
        end_session(ctx.console.store, ctx.session.token)
    ctx.audit("logout")
    ctx.cookies[COOKIE] = ""
    return ctx.redirect("/login")


@page()
def choose_language(ctx: Ctx) -> Response:
    lang = i18n.normalise(ctx.field("lang")) or i18n.ENGLISH
    set_lang(ctx.console.store, ctx.name, lang)
    ctx.audit("language", ctx.name, lang)
    return ctx.redirect(_next(ctx))


@page(roles={Role.ADMIN})
def audit_page(ctx: Ctx) -> Response:
    return ctx.render("audit.html", entries=ctx.console.store.audit_trail(limit=500), users=users(ctx.console.store))


ROUTES = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/account/language", choose_language, methods=["POST"]),
    Route("/audit", audit_page, methods=["GET"]),
]
