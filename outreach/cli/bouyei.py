"""The Bouyei family: `bouyei ipa`, `bouyei check` and `bouyei number` (the 1985 orthography at hand).

`ipa` and `check` report every word, good or bad, so a translator checking a list
sees all faults at once; they exit 1 on a bad word only with --strict (for scripts).
"""

from __future__ import annotations

import click

from outreach.cli.common import json_option, print_json
from outreach.errors import CheckFailed, shown
from outreach.i18n import _, ngettext

strict_option = click.option("--strict", is_flag=True, help=_("Exit 1 when a word does not parse."))


@click.group("bouyei", help=_("The Bouyei orthography (1985): syllables, IPA, spelling, numerals."))
def bouyei_group() -> None:
    pass


def _syllable(s: dict) -> str:
    text = _("{text}({initial}+{final}, tone {tone} {contour}, loan)") if s["loan"] else \
        _("{text}({initial}+{final}, tone {tone} {contour})")
    return text.format(text=s["text"], initial=s["initial"] or "∅", final=s["final"], tone=s["tone"],
                       contour=s["contour"] or _("neutral"))


def _ipa_line(record: dict) -> str:
    if not record["ok"]:
        heard = f"[{record['ipa']}]\t" if record["ipa"] else ""
        return f"{record['word']}\t{heard}" + _("error: {message}").format(message=shown(record["error"]))
    parts = " ".join(_syllable(s) for s in record["syllables"])
    return f"{record['word']}\t[{record['ipa']}]\t{parts}"


def _fail_if_strict(strict: bool, bad: int, message: str) -> None:
    if strict and bad:
        raise CheckFailed(message)


@bouyei_group.command("ipa", help=_("Syllables, tones and IPA of each WORD (a word that does not parse gets its error "
                                    "instead)."))
@click.argument("words", nargs=-1, required=True)
@strict_option
@json_option
def bouyei_ipa(words: tuple[str, ...], strict: bool, as_json: bool) -> None:
    from outreach.languages import bouyei

    records = bouyei.ipa_records(words)
    if as_json:
        print_json(records)
    else:
        for record in records:
            click.echo(_ipa_line(record))
    bad = sum(not r["ok"] for r in records)
    _fail_if_strict(strict, bad, ngettext("{count} word does not parse", "{count} words do not parse",
                                          bad).format(count=bad))


@bouyei_group.command("check", help=_("Check the spelling of every Latin word in TEXT (Han characters and digits are "
                                      "Mandarin)."))
@click.argument("text", nargs=-1, required=True)
@strict_option
@json_option
def bouyei_check(text: tuple[str, ...], strict: bool, as_json: bool) -> None:
    from outreach.languages import bouyei

    records = bouyei.check_records(" ".join(text))
    bad = [r for r in records if not r["ok"]]
    misspelt = ngettext("{count} misspelt word", "{count} misspelt words", len(bad)).format(count=len(bad))
    if as_json:
        print_json(records)
    else:
        for r in bad:
            click.echo(_("column {column}: '{word}': {error}").format(
                column=r["column"], word=r["word"], error=shown(r["error"])))
        click.echo(misspelt if bad else _("ok: every word parses"))
    _fail_if_strict(strict, len(bad), misspelt)


@bouyei_group.command("number", help=_("Bouyei numerals 1-99 (11-99 follow the pattern of Sun Hongkai's 1995 Wangmo "
                                       "data)."))
@click.argument("numbers", nargs=-1, type=click.IntRange(1, 99), required=True)
def bouyei_number(numbers: tuple[int, ...]) -> None:
    from outreach.languages import bouyei

    for n in numbers:
        word = bouyei.numeral(n)
        click.echo(f"{n}\t{word}\t[{bouyei.ipa(word)}]")


COMMANDS = [bouyei_group]
