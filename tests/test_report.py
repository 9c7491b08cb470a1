import datetime as dt
import subprocess
import zoneinfo

import pytest

from outreach.errors import OutreachError
from outreach.playlog import PlayLog
from outreach.print.ledger import Ledger
from outreach.report import chart_svg, summarise, write_report

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


def _occ(pid, at, village="wangmu", script="fake-loan"):
    return {"id": pid, "at": at, "village": village, "rule": "r", "script": script, "programme": "standard",
            "variables": {}, "output": "spool", "reason": "test"}


def test_playlog_starts_a_play_once_only(tmp_path):
    book = PlayLog(tmp_path / "log.sqlite")
    now = dt.datetime(2027, 3, 1, 8, 0, tzinfo=ZONE)
    book.sync([_occ("a", now)], (now, now), now)
    assert book.begin("a", now, 5.0) is True
    assert book.begin("a", now, 5.0) is False  # a second firing of the same job does nothing
    assert book.finish("a", "played", now, expect=("playing",))
    assert book.finish("a", "played", now, expect=("playing",)) is False
    assert book.get("a").state == "played"


def test_recover_after_a_crash(tmp_path):
    book = PlayLog(tmp_path / "log.sqlite")
    t0 = dt.datetime(2027, 3, 1, 8, 0, tzinfo=ZONE)
    book.sync([_occ("cut", t0), _occ("late", t0 + dt.timedelta(minutes=1)),
               _occ("soon", t0 + dt.timedelta(hours=1))], (t0, t0 + dt.timedelta(hours=2)), t0)
    book.begin("cut", t0, 0)
    changes = book.recover(t0 + dt.timedelta(minutes=10), dt.timedelta(minutes=5), replay_interrupted=False)
    assert sorted(changes) == [("cut", "interrupted"), ("late", "missed")]
    assert book.get("soon").state == "scheduled"


def test_sync_cancels_what_the_plan_dropped(tmp_path):
    book = PlayLog(tmp_path / "log.sqlite")
    t0 = dt.datetime(2027, 3, 1, 8, 0, tzinfo=ZONE)
    window = (t0, t0 + dt.timedelta(days=1))
    book.sync([_occ("a", t0 + dt.timedelta(hours=1)), _occ("b", t0 + dt.timedelta(hours=2))], window, t0)
    added, changed, cancelled = book.sync([_occ("a", t0 + dt.timedelta(hours=1, minutes=20))], window, t0)
    assert (added, changed, cancelled) == ([], ["a"], ["b"])
    assert book.get("b").state == "cancelled" and book.get("a").planned_at.minute == 20


def test_monthly_report_counts_and_chart(tmp_path, deployment):
    book = PlayLog(deployment.state_dir / "playlog.sqlite")
    t0 = dt.datetime(2027, 3, 2, 8, 0, tzinfo=ZONE)
    occs = [_occ(f"p{i}", t0 + dt.timedelta(days=i), village=("wangmu", "xiangle")[i % 2]) for i in range(6)]
    book.sync(occs, (t0, t0 + dt.timedelta(days=30)), t0)
    for i in range(5):
        book.begin(f"p{i}", t0, 0)
        book.set_rendered(f"p{i}", "x.mp3", "h", ["cmn"], t0)
        book.finish(f"p{i}", "played", t0)
    book.finish("p5", "missed", t0, "speaker busy")
    Ledger(deployment.ledger_path).record(
        layout="wallet", items=[("fake-loan", "wangmu")], copies=20, pages=2, output=tmp_path / "w.pdf",
        printed_by="test", draft=False, when=dt.datetime(2027, 3, 5, 10, 0, tzinfo=ZONE))
    summary = write_report(deployment, "2027-03", "csv", tmp_path / "r.csv")
    assert summary.totals == {"played": 5, "missed": 1, "failed": 0, "cards": 20}
    assert {(r["village"], r["count"]) for r in summary.played} == {("wangmu", 3), ("xiangle", 2)}
    assert summary.problems[0]["reason"] == "speaker busy"
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "missed,xiangle,fake-loan,,1" in text and "printed,wangmu,,,20" in text
    svg = str(chart_svg(summary.weekly))
    assert svg.startswith("<svg") and svg.count("<rect") >= 2 and "wangmu" in svg
    assert len(summary.weekly) >= 5  # every week of March has a group
    write_report(deployment, "2027-03", "pdf", tmp_path / "r.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    assert "speaker busy" in text and "2027-03" in text


def test_report_cli_rejects_bad_month(run, deployment, tmp_path):
    code, _, err = run("report", "--month", "March", "-o", str(tmp_path / "r.csv"), "--root", str(deployment.root))
    assert code == 1 and "YYYY-MM" in err


def test_printed_rows_have_one_column_a_layout():
    summary = summarise("2027-03", [], {"wangmu": {"card": 4, "leaflet": 1}, "baoshu": {"wallet": 10}})
    assert summary.printed == [
        {"village": "baoshu", "card": 0, "wallet": 10, "leaflet": 0, "total": 10},
        {"village": "wangmu", "card": 4, "wallet": 0, "leaflet": 1, "total": 5},
    ]
    assert summary.totals["cards"] == 15


def test_format_follows_the_file_name_and_the_page_has_the_letterhead(deployment, tmp_path):
    write_report(deployment, "2027-03", None, tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    profile = deployment.profile
    assert f"{profile.county.cmn}反诈宣传月报 2027-03" in html and profile.station.name in html
    assert "本月没有播出" in html  # an empty month says so instead of drawing an empty chart
    with pytest.raises(OutreachError, match=r"give --format csv\|html\|pdf or a file ending"):
        write_report(deployment, "2027-03", None, tmp_path / "r.docx")
    assert not (tmp_path / "r.docx").exists()
