"""The command line speaks the locale's language: Chinese for zh_CN, English for C, one command of every group.

Each case runs the real `outreach` in a fresh process, as staff would, with only
LANG set (OUTREACH_LANG, LC_ALL, LC_MESSAGES and LANGUAGE removed), on a copy of
the shipped deployment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from outreach import i18n
from outreach.cli import FAMILIES, cli
from outreach.cli.helpformat import width
from conftest import copy_deployment

LOCALES = {"zh": "zh_CN.UTF-8", "en": "C"}
CHINESE = i18n.translations("zh_CN")


def outreach(root: Path, lang: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OUTREACH_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    env["LANG"] = LOCALES[lang]
    return subprocess.run([sys.executable, "-m", "outreach", *args], cwd=root, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def said(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_deployment(tmp_path_factory.mktemp("language")).root


COMMANDS = [command.name for family in FAMILIES for command in family.COMMANDS]


@pytest.mark.parametrize("name", COMMANDS)
def test_help_of_every_command_is_in_the_locales_language(root: Path, name: str) -> None:
    english = " ".join(cli.commands[name].help.split()[:4])
    chinese = CHINESE.gettext(cli.commands[name].help)[:8]
    assert chinese and not chinese.isascii(), f"no Chinese help for {name}"
    zh, en = outreach(root, "zh", name, "--help"), outreach(root, "en", name, "--help")
    assert zh.returncode == en.returncode == 0
    assert "用法:" in zh.stdout and chinese in zh.stdout and english not in " ".join(zh.stdout.split())
    assert max(width(line) for line in zh.stdout.splitlines()) <= 80, "a Chinese help line runs past 80 columns"
    assert "Usage:" in en.stdout and english in " ".join(en.stdout.split()) and "用法" not in en.stdout


CASES = {
    "check": (["check"], "检查：", "warning"),
    "preview": (["preview", "general-warning", "--village", "wangmu"], "已审核", "approved (reviewer"),
    "agenda": (["agenda", "--from", "2027-02-18", "--to", "2027-02-18", "--village", "wangmu"],
               "2027年2月18日 星期四 07:20", "Thu 2027-02-18 07:20"),
    "unknown village": (["preview", "general-warning", "--village", "nowhere"], "错误：未知的村“nowhere”",
                        "error: unknown village 'nowhere'"),
    "usage error": (["agenda", "--nope"], "错误：没有选项：--nope", "Error: No such option: --nope"),
    "audio": (["audio", "general-warning", "--village", "wangmu", "--dry-run"], "已缓存", "cached"),
    "print": (["cards", "fake-loan", "--village", "wangmu", "--layout", "wallet", "-o", "x.pdf"],
              "未审核，不能印制", "not approved for print"),
    "ledger": (["ledger", "--month", "2026-11"], "经办人", " by "),
    "status": (["status"], "广播服务：未运行", "not running"),
    "log": (["log"], "计划时间", "planned"),
    "recordings": (["clips", "status"], "已录制", "recorded"),
    "bouyei": (["bouyei", "check", "zzz"], "没有元音", "has no vowel"),
    "report": (["report", "--month", "2026-11", "-o", "month.csv"], "已播出 0 次", "0 played"),
    "fleet": (["fleet", "status"], "fleet serve：未运行", "fleet serve: not running"),
    "node": (["node", "--config", "nope.yaml"], "错误：nope.yaml：找不到文件", "error: nope.yaml: file not found"),
    "calendar": (["calendar", "2027", "--village", "wangmu"], "2027年1月1日", "2027-01-01"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_command_of_every_group_speaks_chinese_for_zh_cn_and_english_for_c(root: Path, case: str) -> None:
    args, chinese, english = CASES[case]
    zh, en = outreach(root, "zh", *args), outreach(root, "en", *args)
    assert zh.returncode == en.returncode, (said(zh), said(en))
    assert chinese in said(zh) and english not in said(zh), said(zh)
    assert english in said(en) and chinese not in said(en), said(en)
    assert "Traceback" not in said(zh) + said(en)


def test_check_counts_in_chinese(root: Path) -> None:
    zh = said(outreach(root, "zh", "check"))
    assert "个错误" in zh and "个警告" in zh and "：警告：" in zh and "error" not in zh.lower()


def test_an_unknown_language_falls_back_to_english_without_error(root: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OUTREACH_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    done = subprocess.run([sys.executable, "-m", "outreach", "status"], cwd=root, capture_output=True, text=True,
                          env={**env, "LANG": "fr_FR.UTF-8", "OUTREACH_LANG": "klingon"}, timeout=60)
    assert done.returncode == 0 and "not running" in done.stdout and not done.stderr


def test_outreach_lang_wins_over_the_posix_variables(root: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_MESSAGES", "LANGUAGE")}
    done = subprocess.run([sys.executable, "-m", "outreach", "status"], cwd=root, capture_output=True, text=True,
                          env={**env, "LC_ALL": "C", "LANG": "C", "OUTREACH_LANG": "zh_CN"}, timeout=60)
    assert "广播服务：未运行" in done.stdout


@pytest.mark.parametrize("args", [["check", "--json"], ["plan", "check", "--json"]])
def test_json_is_for_tools_and_stays_english(root: Path, args: list[str]) -> None:
    zh, en = outreach(root, "zh", *args), outreach(root, "en", *args)
    assert zh.stdout == en.stdout and "warning" in en.stdout
