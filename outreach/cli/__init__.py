"""The command line: the one place where errors become messages and exit codes.

``OutreachError`` -> one line on stderr, exit 1; usage errors -> exit 2. A file or
database the domain did not anticipate failing (``OSError``, ``sqlite3.Error``, a
file that is not UTF-8, a broken CSV) is also one line and exit 1: no input a
user can give ends in a traceback; a genuine bug still shows one. Listing
commands take ``--json`` so other tools can read them. Each command family lives in
its own module; heavy modules (rendering, audio, print) are imported inside the
commands that need them, so `outreach --help` and the daemon process stay light.
"""

from __future__ import annotations

import click

from outreach.i18n import _, install_for_click

install_for_click()  # once, before the commands are built: Click words some of its types (file, directory) then

from outreach.cli import audio, bouyei, catalog, daemon, fleet, ledger, node, plan, recordings, report, web  # noqa: E402
from outreach.cli import print as print_family  # noqa: E402
from outreach.cli.helpformat import use_wide_help  # noqa: E402
from outreach.errors import OutreachError  # noqa: E402

FAMILIES = (catalog, audio, print_family, ledger, plan, daemon, recordings, bouyei, report, web, fleet, node)


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             help=_("Anti-fraud outreach: bilingual scripts, cards, loudspeaker programmes, plans.\n\n"
                    "Messages are in Chinese or English, as OUTREACH_LANG, else LC_ALL, LC_MESSAGES or LANG "
                    "asks (zh_CN, en; anything else: English)."))
@click.version_option(package_name="outreach", help=_("Show the version and exit."))
def cli() -> None:
    pass


for _family in FAMILIES:
    for _command in _family.COMMANDS:
        cli.add_command(_command)
use_wide_help(cli)


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the command, turns user mistakes into one line and an exit code."""
    try:
        returned = cli.main(args=argv, prog_name="outreach", standalone_mode=False)
    except OutreachError as exc:
        click.echo(_("error: {message}").format(message=exc), err=True)
        return 1
    except click.exceptions.Abort:
        click.echo(_("aborted"), err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except Exception as exc:
        from outreach.datafile import FILE_FAULTS, describe_fault

        if not isinstance(exc, FILE_FAULTS):
            raise
        click.echo(_("error: {message}").format(message=describe_fault(exc)), err=True)
        return 1
    return returned if isinstance(returned, int) else 0
