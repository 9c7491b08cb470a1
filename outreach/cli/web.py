"""The console family: `web` (the staff console) and `users` (its accounts)."""

from __future__ import annotations

import sys

import click

from outreach.cli.common import json_option, open_deployment, print_json, root_option, vocabulary
from outreach.i18n import _


@click.command(help=_("Run the staff console: overview, scripts, editing, review, recording, print, agenda, log, "
                    "reports."))
@click.option("--host", default="127.0.0.1", show_default=True,
              help=_("Address to listen on; keep 127.0.0.1 and put a TLS reverse proxy in front for the LAN."))
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True,
              help=_("Port to listen on."))
@click.option("--jobs", "workers", type=click.IntRange(1, 8), default=2, show_default=True,
              help=_("Background jobs (printing, rendering) run at once, each in its own process."))
@click.option("--secure-cookies", is_flag=True,
              help=_("Send cookies only over HTTPS (behind a TLS reverse proxy)."))
@root_option
def web(host: str, port: int, workers: int, secure_cookies: bool, root: str | None) -> None:
    from outreach.web.serve import serve

    serve(open_deployment(root).root, host, port, workers, secure_cookies)


@click.group(help=_("Accounts of the staff console (stored in the state folder's web.sqlite)."))
def users() -> None:
    pass


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)


@users.command("add", help=_("Create a console user with a role; the password is stored as an argon2 hash."))
@click.argument("name")
@click.option("--role", type=vocabulary("outreach.web.accounts:Role"), required=True,
              help=_("admin: everything; staff: print, edit, render; reviewer: approve texts; recorder: record."))
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default="zh_CN", show_default=True,
              help=_("The console's language for this user."))
@click.option("--password-stdin", is_flag=True, help=_("Read the password from the first line of standard input."))
@root_option
def users_add(name: str, role: str, lang: str, password_stdin: bool, root: str | None) -> None:
    from outreach.web.accounts import add_user
    from outreach.web.store import Store

    store = Store.of(open_deployment(root))
    add_user(store, name, role, _password(password_stdin), lang)
    click.echo(_("user {name} added ({role})").format(name=name, role=role))


@users.command("passwd", help=_("Set a new password (signs the user out everywhere)."))
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help=_("Read the password from the first line of standard input."))
@root_option
def users_passwd(name: str, password_stdin: bool, root: str | None) -> None:
    from outreach.web.accounts import set_password
    from outreach.web.store import Store

    set_password(Store.of(open_deployment(root)), name, _password(password_stdin))
    click.echo(_("password of {name} changed").format(name=name))


@users.command("list", help=_("Console users, their roles and languages."))
@root_option
@json_option
def users_list(root: str | None, as_json: bool) -> None:
    from outreach.web.accounts import users as all_users
    from outreach.web.store import Store

    rows = all_users(Store.of(open_deployment(root)))
    if as_json:
        print_json(rows)
        return
    for row in rows:
        click.echo("\t".join([row["name"], row["role"], row["lang"]] + ([_("disabled")] if row["disabled"] else [])))


COMMANDS = [web, users]
