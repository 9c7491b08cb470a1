"""The entry point: errors become one line and an exit code, in-process and as a real process."""

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

FAMILIES = {"scripts", "preview", "check", "audio", "cache", "cards", "ledger", "calendar", "agenda", "plan",
            "daemon", "status", "log", "clips", "bouyei", "report"}


def test_help_lists_every_command_family(run):
    code, out, _ = run("--help")
    assert code == 0
    listed = {line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()}
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
