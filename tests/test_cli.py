import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_scripts_lists_the_catalog(run):
    code, out, _ = run("scripts", "--root", str(ROOT), "--json")
    assert code == 0
    data = json.loads(out)
    ids = {s["id"] for s in data["scripts"]}
    assert len(ids) >= 8 and "general-warning" in ids
    general = next(s for s in data["scripts"] if s["id"] == "general-warning")
    assert general["languages"] == {"cmn": "approved", "pcc": "draft"}
    code, out, _ = run("scripts", "--root", str(ROOT))
    assert code == 0 and "general-warning" in out and "pcc:draft" in out


def test_preview_both_languages_with_draft_banner(run):
    code, out, _ = run("preview", "general-warning", "--lang", "all", "--village", "hongxing", "--root", str(ROOT))
    assert code == 0
    assert "红星村" in out and "Leeux boz ndil" in out and "96110" in out
    assert "DRAFT" in out
    assert "approved" in out


def test_preview_speech_mode_reads_numbers_as_words(run):
    code, out, _ = run("preview", "fake-investment", "--mode", "speech", "--json", "--root", str(ROOT))
    assert code == 0
    data = json.loads(out)
    cmn = data["languages"]["cmn"]["text"]
    assert "十一万元" in cmn and "九六幺幺零" in cmn and "110" not in cmn
    pcc = data["languages"]["pcc"]
    assert pcc["approved"] is False
    assert {s["lang"] for s in pcc["segments"]} == {"cmn", "pcc"}


def test_preview_var_override_and_bad_values(run):
    code, out, _ = run("preview", "fake-investment", "--lang", "cmn", "--var", "amount=5000", "--json", "--root", str(ROOT))
    assert code == 0 and "5,000元" in json.loads(out)["languages"]["cmn"]["text"]
    code, _, err = run("preview", "fake-investment", "--var", "amount=much", "--root", str(ROOT))
    assert code == 1 and err.startswith("error: ") and "amount" in err and "Traceback" not in err
    code, _, err = run("preview", "fake-investment", "--var", "amount", "--root", str(ROOT))
    assert code == 2 and "key=value" in err


def test_preview_unknown_village_and_script(run):
    code, _, err = run("preview", "general-warning", "--village", "atlantis", "--root", str(ROOT))
    assert code == 1 and "unknown village 'atlantis'" in err
    code, _, err = run("preview", "no-such-script", "--root", str(ROOT))
    assert code == 1 and "unknown script 'no-such-script'" in err


def test_check_passes_on_shipped_catalog_and_fails_on_a_broken_one(run, deployment):
    code, out, _ = run("check", "--root", str(ROOT))
    assert code == 0 and "0 error(s)" in out
    path = deployment.scripts_dir / "general-warning" / "pcc.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("xeenz", "xeenzz", 1), encoding="utf-8")
    code, out, err = run("check", "--root", str(deployment.root))
    assert code == 1
    assert "general-warning/pcc.j2:2:30: error: Bouyei spelling" in err and "'xeenzz'" in err
    assert "check found 1 error(s)" in err
    code, out, _ = run("check", "--json", "--root", str(deployment.root))
    assert code == 1 and json.loads(out)["errors"] == 1


def test_bouyei_commands(run):
    code, out, _ = run("bouyei", "ipa", "ndeeul", "xibrogt", "--json")
    assert code == 0
    data = json.loads(out)
    assert data[0]["ipa"] == "ɗeːu˨˦" and [s["tone"] for s in data[1]["syllables"]] == [8, 7]
    code, out, _ = run("bouyei", "check", "lix xeenzz miz luanh yungh")
    assert code == 1 and "column 5" in out and "xeenzz" in out
    code, out, _ = run("bouyei", "check", "Lix xeenz miz luanh yungh")
    assert code == 0 and "ok" in out
    code, out, _ = run("bouyei", "number", "16", "35")
    assert code == 0 and "xibrogt" in out and "saamlxibhac" in out
    code, _, err = run("bouyei", "number", "100")
    assert code == 2


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
