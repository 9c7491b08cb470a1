"""Help text wrapped by display width: Chinese lines fit the terminal, punctuation stays with its character."""

from __future__ import annotations

import textwrap

from outreach.cli.helpformat import CLOSING, OPENING, width, wrap

CHINESE = ("将卡片、钱包卡（每页 10 张，带裁切线）或宣传单印制为一个 PDF；或为印刷厂制作小册子（拼版到 A4，另附阅读版）、"
           "横幅（另附 A3 分块）或海报的母版。每个印制批次都会记入台账。")


def test_chinese_lines_fit_their_columns_and_keep_every_character() -> None:
    lines = wrap(CHINESE, 30)
    assert len(lines) > 3 and all(width(line) <= 30 for line in lines)
    assert "".join(lines).replace(" ", "") == CHINESE.replace(" ", "")
    assert not any(line[0] in CLOSING or line[-1] in OPENING for line in lines)


def test_a_wide_character_takes_two_columns() -> None:
    assert width("检查：0 个错误") == 14 and width("check") == 5


def test_english_wraps_as_textwrap_does() -> None:
    text = "Print cards, wallet cards (10-up with crop marks) or leaflets as one PDF; or a booklet (imposed on A4)."
    for columns in (20, 33, 60):
        assert wrap(text, columns) == textwrap.wrap(text, columns)
