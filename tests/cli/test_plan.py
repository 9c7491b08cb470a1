"""`agenda`, `plan check` and `plan demo` as staff use them (the expansion itself is tested in tests/plan/)."""

import datetime as dt
import re

import yaml

from conftest import ROOT


def test_agenda_table_names_rule_and_reason(run):
    code, out, _ = run("agenda", "--from", "2027-02-01", "--to", "2027-02-22", "--village", "wangmu",
                       "--root", str(ROOT))
    assert code == 0
    assert "wangmu" in out and "xiangle" not in out
    assert "school-start -5d..+3d" in out
    assert "occurrences from 2027-02-01 to 2027-02-22" in out
    assert "warning: 2027 holidays are estimated" in out


def test_agenda_writes_ics_and_says_so(run, tmp_path):
    ics = tmp_path / "a.ics"
    code, out, _ = run("agenda", "--from", "2027-02-18", "--to", "2027-02-19", "--ics", str(ics), "--root", str(ROOT))
    assert code == 0 and f"written to {ics}" in out.replace("\n", "")
    assert ics.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_agenda_unknown_village_is_a_user_error(run):
    code, _, err = run("agenda", "--village", "atlantis", "--root", str(ROOT))
    assert code == 1 and "unknown village 'atlantis'" in err


def test_plan_check_reports_an_unknown_script(run, deployment):
    path = deployment.plans_dir / "county.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("[school-start, card-renting]",
                                                             "[school-start, no-such-script]", 1), encoding="utf-8")
    code, out, err = run("plan", "check", "--today", "2026-11-28", "--root", str(deployment.root))
    assert code == 1
    assert "unknown script 'no-such-script'" in err and re.search(r"plan check found 1 error$", err, re.M)
    assert ", 1 error, " in out


def test_plan_demo_writes_a_plan_and_echoes_it(run, deployment, tmp_path):
    out_dir = tmp_path / "demo-plans"
    code, out, _ = run("plan", "demo", "-o", str(out_dir), "--village", "xiangle", "--count", "2", "--every", "30",
                       "--root", str(deployment.root))
    assert code == 0
    path, _, rest = out.strip().partition(": ")
    assert path == str(out_dir / "demo.yaml")
    rule = yaml.safe_load((out_dir / "demo.yaml").read_text(encoding="utf-8"))["rules"][0]
    assert rest == f"general-warning in xiangle at {', '.join(rule['times'])}"
    first, second = (dt.datetime.strptime(t, "%H:%M:%S") for t in rule["times"])
    assert (second - first) % dt.timedelta(days=1) == dt.timedelta(seconds=30)


def test_plan_demo_rejects_out_of_range_timing(run, tmp_path):
    code, _, err = run("plan", "demo", "-o", str(tmp_path), "--start-in", "1", "--root", str(ROOT))
    assert code == 2 and "--start-in" in err
