"""The Bouyei family: `bouyei ipa`, `bouyei check` and `bouyei number` (the 1985 orthography at hand).

`ipa` and `check` report every word, good or bad, so a translator checking a list
sees all faults at once; they exit 1 on a bad word only with --strict (for scripts).
"""

from __future__ import annotations

import click

from outreach.cli.common import json_option, print_json
from outreach.errors import CheckFailed

strict_option = click.option("--strict", is_flag=True, help="Exit 1 when a word does not parse.")


@click.group("bouyei")
def bouyei_group() -> None:
    """The Bouyei orthography (1985): syllables, IPA, spelling, numerals."""


def _ipa_line(record: dict) -> str:
    if not record["ok"]:
        heard = f"[{record['ipa']}]\t" if record["ipa"] else ""
        return f"{record['word']}\t{heard}error: {record['error']}"
    parts = " ".join(
        f"{s['text']}({s['initial'] or '∅'}+{s['final']}, tone {s['tone']} {s['contour'] or 'neutral'}"
        f"{', loan' if s['loan'] else ''})"
        for s in record["syllables"]
    )
    return f"{record['word']}\t[{record['ipa']}]\t{parts}"


def _fail_if_strict(strict: bool, bad: int, what: str) -> None:
    if strict and bad:
        raise CheckFailed(f"{bad} {what}")


@bouyei_group.command("ipa")
@click.argument("words", nargs=-1, required=True)
@strict_option
@json_option
def bouyei_ipa(words: tuple[str, ...], strict: bool, as_json: bool) -> None:
    """Syllables, tones and IPA of each WORD (a word that does not parse gets its error instead)."""
    from outreach.languages import bouyei

    records = bouyei.ipa_records(words)
    if as_json:
        print_json(records)
    else:
        for record in records:
            click.echo(_ipa_line(record))
    _fail_if_strict(strict, sum(not r["ok"] for r in records), "word(s) do not parse")


@bouyei_group.command("check")
@click.argument("text", nargs=-1, required=True)
@strict_option
@json_option
def bouyei_check(text: tuple[str, ...], strict: bool, as_json: bool) -> None:
    """Check the spelling of every Latin word in TEXT (Han characters and digits are Mandarin)."""
    from outreach.languages import bouyei

    records = bouyei.check_records(" ".join(text))
    bad = [r for r in records if not r["ok"]]
    if as_json:
        print_json(records)
    else:
        for r in bad:
            click.echo(f"column {r['column']}: '{r['word']}': {r['error']}")
        click.echo(f"{len(bad)} misspelt word(s)" if bad else "ok: every word parses")
    _fail_if_strict(strict, len(bad), "misspelt word(s)")


@bouyei_group.command("number")
@click.argument("numbers", nargs=-1, type=click.IntRange(1, 99), required=True)
def bouyei_number(numbers: tuple[int, ...]) -> None:
    """Bouyei numerals 1-99 (11-99 follow the pattern of Sun Hongkai's 1995 Wangmo data)."""
    from outreach.languages import bouyei

    for n in numbers:
        word = bouyei.numeral(n)
        click.echo(f"{n}\t{word}\t[{bouyei.ipa(word)}]")


COMMANDS = [bouyei_group]
