"""The entry point: errors become one line and an exit code, in-process and as a real process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

FAMILIES = {"scripts", "preview", "check", "audio", "cache", "cards", "ledger", "deliver", "event", "reverse",
            "calendar", "agenda", "plan", "daemon", "status", "log", "clips", "bouyei", "report", "web", "users",
            "fleet", "node"}


def test_help_lists_every_command_family(run):
    code, out, _ = run("--help")
    assert code == 0
    lines = out.split("Commands:")[1].splitlines()
    listed = {line.split()[0] for line in lines if line.strip() and len(line) - len(line.lstrip()) == 2}
    assert listed == FAMILIES


def test_the_render_worker_is_no_longer_a_command(run):
    code, _, err = run("worker", "render")
    assert code == 2 and "No such command 'worker'" in err


def test_usage_errors_exit_2_with_clicks_message(run):
    code, _, err = run("agenda", "--from", "2027-02-22", "--to", "2027-02-18", "--root", str(ROOT))
    assert code == 2 and "--to is before --from" in err
    code, _, err = run("log", "--since", "yesterday", "--root", str(ROOT))
    assert code == 2 and "'yesterday' is not a date YYYY-MM-DD" in err


def test_root_from_environment(run, monkeypatch, tmp_path):
    monkeypatch.setenv("OUTREACH_ROOT", str(ROOT))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("scripts")
    assert code == 0 and "general-warning" in out
    monkeypatch.setenv("OUTREACH_ROOT", str(tmp_path / "missing"))
    code, _, err = run("scripts")
    assert code == 1 and "does not exist" in err


def test_installed_console_script_reports_errors_without_traceback(tmp_path):
    """The real entry point, in a real process: one line, exit 1, no traceback."""
    exe = Path(sys.executable).with_name("outreach")
    env = {**os.environ, "OUTREACH_ROOT": str(tmp_path)}
    result = subprocess.run([str(exe), "check"], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "deployment.yaml: file not found" in result.stderr


def test_python_dash_m_runs_the_same_command_line(tmp_path):
    argv = [sys.executable, "-m", "outreach", "scripts", "--json", "--root", str(ROOT)]
    result = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "general-warning" in {s["id"] for s in json.loads(result.stdout)["scripts"]}
    result = subprocess.run([sys.executable, "-m", "outreach", "nonsense"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2 and "No such command 'nonsense'" in result.stderr


def test_an_exit_code_a_command_chooses_is_the_exit_code(run):
    """A command that ends with ctx.exit(n) (the daemon does) must not be reported as success in-process."""
    import click

    from outreach.cli import cli

    @click.command("exit-probe")
    @click.argument("code", type=int)
    def probe(code: int) -> None:
        click.get_current_context().exit(code)

    cli.add_command(probe)
    try:
        assert run("exit-probe", "3")[0] == 3
        assert run("exit-probe", "0")[0] == 0
    finally:
        cli.commands.pop("exit-probe")


def test_file_faults_are_one_line_naming_the_file(run, deployment, tmp_path):
    """Faults no loader anticipated: an unwritable output, a damaged database: one line, exit 1."""
    root = str(deployment.root)
    code, _, err = run("agenda", "--from", "2027-02-01", "--ics", str(tmp_path / ("n" * 300 + ".ics")),
                       "--root", root)
    assert code == 1 and err.startswith("error: ") and "File name too long" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    deployment.state_dir.mkdir(parents=True, exist_ok=True)
    deployment.playlog_path.write_bytes(b"not a database\n" * 200)
    code, _, err = run("log", "--root", root)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--from", "2026-02-30", "'2026-02-30' is not a date YYYY-MM-DD"),
    ("--from", "9999-12-31", "9999-12-31 is outside 1970-2099"),
    ("--to", "0001-01-01", "0001-01-01 is outside 1970-2099"),
])
def test_impossible_and_implausible_dates_are_usage_errors(run, option, value, message):
    code, _, err = run("agenda", option, value, "--root", str(ROOT))
    assert code == 2 and message in err


def test_a_damaged_ledger_is_moved_aside_and_the_real_process_says_so(deployment, tmp_path):
    """The print run is recorded in a new ledger, the damaged one kept beside it, and stderr names both."""
    deployment.state_dir.mkdir(parents=True, exist_ok=True)
    deployment.ledger_path.write_bytes(b"not a database\n" * 100)
    exe = Path(sys.executable).with_name("outreach")
    argv = [str(exe), "cards", "general-warning", "--village", "xiangle", "--layout", "card", "--allow-draft",
            "-o", str(tmp_path / "card.pdf"), "--root", str(deployment.root)]
    result = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [aside] = deployment.state_dir.glob("ledger.sqlite.damaged-*")
    assert aside.read_bytes().startswith(b"not a database")
    assert "ledger.sqlite was damaged" in result.stderr and aside.name in result.stderr
    assert "Traceback" not in result.stderr
