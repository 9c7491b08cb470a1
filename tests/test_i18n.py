"""The gettext machinery: the catalogs cover every source string, the locale is chosen as documented."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from outreach import i18n

ROOT = Path(__file__).resolve().parents[1]
PYBABEL = Path(sys.executable).with_name("pybabel")


def _catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


@pytest.fixture(scope="module")
def extracted():
    """Every marked string: the package's (the real `pybabel extract` with babel.cfg) and Click's own words."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import catalogs
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return catalogs.template()


def test_extraction_finds_the_console_strings(extracted) -> None:
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extracted}
    assert {"Overview", "Approve this text", "%(num)d card", "Wrong user name or password.", "approved"} <= ids


def test_every_source_string_has_a_chinese_translation_that_is_neither_empty_nor_fuzzy(extracted) -> None:
    chinese = _catalog(i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "outreach.po")
    problems = []
    for message in extracted:
        if not message.id:
            continue
        found = chinese.get(message.id)
        strings = [] if found is None else ([found.string] if isinstance(found.string, str) else list(found.string))
        if found is None:
            problems.append(f"missing: {message.id!r}")
        elif found.fuzzy or not strings or not all(s.strip() for s in strings):
            problems.append(f"{'fuzzy' if found.fuzzy else 'empty'}: {message.id!r}")
    assert not problems, "\n".join(problems)


def test_every_translation_keeps_the_placeholders_of_its_source() -> None:
    """A translation that drops or renames a ``{field}`` would fail (or lie) when the message is formatted."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import catalogs
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    wrong = []
    for message in _catalog(i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "outreach.po"):
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.id and any(catalogs.placeholders(s) != catalogs.placeholders(ids[0]) for s in strings if s):
            wrong.append(f"{ids[0]!r} -> {strings!r}")
    assert not wrong, "\n".join(wrong)


def test_click_speaks_the_catalog_too() -> None:
    """Click's own words (Usage, its usage errors) are in the catalog, so --help is Chinese through and through."""
    chinese = i18n.translations("zh_CN")
    assert chinese.gettext("Usage:") == "用法:" and chinese.gettext("No such option: {name}") != "No such option: {name}"


def test_the_catalogs_compile_with_pybabel(tmp_path: Path) -> None:
    shutil.copytree(i18n.LOCALE_DIR, tmp_path / "locale")
    done = subprocess.run([str(PYBABEL), "compile", "-d", str(tmp_path / "locale"), "-D", "outreach", "--statistics"],
                          capture_output=True, text=True, check=True)
    assert "zh_CN" in done.stderr + done.stdout
    assert (tmp_path / "locale" / "zh_CN" / "LC_MESSAGES" / "outreach.mo").stat().st_size > 1000


@pytest.mark.parametrize(("environ", "expected"), [
    ({"OUTREACH_LANG": "zh_CN", "LANG": "C"}, "zh_CN"),
    ({"OUTREACH_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}, "en"),
    ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh_CN"),
    ({"LC_MESSAGES": "zh_CN.utf8", "LANG": "C.UTF-8"}, "zh_CN"),
    ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LANG": "zh"}, "zh_CN"),
    ({"LANG": "C"}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({"LANG": "klingon"}, "en"),
    ({}, "en"),
])
def test_the_language_comes_from_outreach_lang_then_the_posix_variables(environ, expected) -> None:
    assert i18n.choose_locale(environ) == expected


def test_plural_forms_follow_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTREACH_LANG", "zh_CN")
    assert [i18n.ngettext("%(num)d card", "%(num)d cards", n) % {"num": n} for n in (1, 5)] == ["1 张", "5 张"]
    assert i18n.gettext("Overview") == "概览"
    monkeypatch.setenv("OUTREACH_LANG", "en")
    assert [i18n.ngettext("%(num)d card", "%(num)d cards", n) % {"num": n} for n in (1, 5)] == ["1 card", "5 cards"]
    monkeypatch.setenv("OUTREACH_LANG", "xx_YY")
    assert i18n.gettext("Overview") == "Overview"


def test_dates_and_numbers_go_through_babel() -> None:
    day = dt.date(2027, 2, 18)
    assert i18n.format_day(day, "zh_CN") == "2027年2月18日 星期四"
    assert i18n.format_day(day, "en") == "Thursday, February 18, 2027"
    assert i18n.format_weekday(day, "zh_CN", "wide") == "星期四"
    assert i18n.format_number(16635, "zh_CN") == "16,635"


def test_a_stale_compiled_catalog_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "outreach.po"
    po.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Overview"\nmsgstr "旧"\n',
                  encoding="utf-8")
    (folder / "outreach.mo").write_bytes(i18n.compile_catalog(po))
    po.write_text(po.read_text(encoding="utf-8").replace("旧", "新"), encoding="utf-8")
    old = po.stat().st_mtime - 60
    os.utime(folder / "outreach.mo", (old, old))
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        assert i18n.translations("zh_CN").gettext("Overview") == "新"
    finally:
        i18n.translations.cache_clear()
