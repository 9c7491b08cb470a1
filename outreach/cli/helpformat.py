"""Help pages wrapped by display width, so Chinese help reads as well as English in an 80-column terminal.

Click wraps help by counting characters and breaking only at spaces: a Chinese
sentence (two columns a character, no spaces) ran far past the terminal's edge,
and a lone ``。`` was left on a line of its own. Here a wide character counts
two columns, a line may break between any two Chinese characters, and
punctuation stays with the character it belongs to.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence

import click

CLOSING = set("，。、；：！？）」』”’》〉】,.;:!?)]}%")
OPENING = set("（「『“‘《〈【([{")


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal: two for wide (CJK) characters, one for the rest."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _units(paragraph: str) -> Iterator[tuple[str, bool]]:
    """The pieces a line may break between, each with whether a space came before it."""
    word, spaced, pending_space = "", False, False
    for ch in paragraph:
        if ch.isspace():
            if word:
                yield word, spaced
                word = ""
            pending_space = True
            continue
        wide = width(ch) == 2
        joins = not word or ch in CLOSING or word[-1] in OPENING or not (wide or width(word[-1]) == 2)
        if not joins:
            yield word, spaced
            word = ""
        if not word:
            spaced, pending_space = pending_space, False
        word += ch
    if word:
        yield word, spaced


def wrap(paragraph: str, columns: int) -> list[str]:
    """The paragraph in lines of at most ``columns`` display columns (a longer unbreakable piece stays whole)."""
    lines: list[str] = []
    line = ""
    for unit, spaced in _units(paragraph):
        joined = f"{line} {unit}" if line and spaced else line + unit
        if line and width(joined) > columns:
            lines.append(line)
            line = unit
        else:
            line = joined
    if line:
        lines.append(line)
    return lines


class WideHelpFormatter(click.HelpFormatter):
    """Click's help formatter with text and option lists wrapped by display width."""

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        columns = max(self.width - self.current_indent, 20)
        for i, paragraph in enumerate(text.split("\n\n")):
            if i:
                self.write("\n")
            for line in wrap(" ".join(paragraph.split("\n")), columns):
                self.write(f"{indent}{line}\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        first = min(max((width(term) for term, _ in rows), default=0), col_max) + col_spacing
        columns = max(self.width - first - self.current_indent, 10)
        for term, definition in rows:
            self.write(" " * self.current_indent + term)
            lines = wrap(" ".join(definition.split()), columns) if definition else []
            if not lines:
                self.write("\n")
                continue
            if width(term) + col_spacing > first:
                self.write("\n" + " " * (first + self.current_indent))
            else:
                self.write(" " * (first - width(term)))
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first + self.current_indent) + line + "\n")


class WideContext(click.Context):
    formatter_class = WideHelpFormatter


def use_wide_help(command: click.Command) -> None:
    """Give ``command`` and every command under it the display-width help formatter."""
    command.context_class = WideContext
    for sub in getattr(command, "commands", {}).values():
        use_wide_help(sub)
