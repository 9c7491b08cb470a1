import csv
import datetime as dt
import io
import subprocess
import zoneinfo

import pytest

from outreach.errors import OutreachError
from outreach.fleet.db import FleetDB
from outreach.fleet.paths import FleetPaths
from outreach.playlog import PlayLog
from outreach.ledger import PrintLedger
from outreach.print.charts import bar_chart, nice_top
from outreach.print.layouts import Layout
from outreach.report import summarise, to_html, write_report

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
    PrintLedger(deployment.ledger_path).record(
        layout="wallet", items=[("fake-loan", "wangmu")], copies=20, pages=2, output=tmp_path / "w.pdf",
        printed_by="test", draft=False, when=dt.datetime(2027, 3, 5, 10, 0, tzinfo=ZONE))
    summary = write_report(deployment, "2027-03", "csv", tmp_path / "r.csv")
    assert summary.totals == {"played": 5, "missed": 1, "failed": 0, "cards": 20, "delivered": 0, "events": 0,
                              "reached": 0, "consultations": 0}
    assert {(r["village"], r["count"]) for r in summary.played} == {("wangmu", 3), ("xiangle", 2)}
    assert summary.problems[0]["reason"] == "speaker busy"
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "month,2027-03,missed,,xiangle,fake-loan,,1," in text and "month,2027-03,printed,,wangmu,,,20" in text
    assert "year,2027-03,printed,wallet,,,,20" in text and "year,2027-03,played,,wangmu,,,3" in text
    assert summary.year.broadcasts["xiangle"]["2027-03"] == {"played": 2, "missed": 1}
    svg = str(bar_chart(summary.weekly, "none"))
    assert svg.startswith("<svg") and svg.count("<rect") >= 2 and "wangmu" in svg
    assert len(summary.weekly) >= 5  # every week of March has a group
    write_report(deployment, "2027-03", "pdf", tmp_path / "r.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    assert "speaker busy" in text and "2027-03" in text


def test_report_cli_rejects_bad_month(run, deployment, tmp_path):
    code, _, err = run("report", "--month", "March", "-o", str(tmp_path / "r.csv"), "--root", str(deployment.root))
    assert code == 1 and "YYYY-MM" in err
    code, _, err = run("report", "--month", "9999-12", "-o", str(tmp_path / "r.csv"), "--root", str(deployment.root))
    assert code == 1 and "beyond the calendar" in err


def test_printed_rows_have_one_column_a_layout():
    summary = summarise("2027-03", [], {"wangmu": {"card": 4, "leaflet": 1}, "baoshu": {"wallet": 10, "booklet": 3}})
    zero = {layout.value: 0 for layout in Layout}
    assert summary.printed == [
        {"village": "baoshu", **zero, "wallet": 10, "booklet": 3, "total": 13},
        {"village": "wangmu", **zero, "card": 4, "leaflet": 1, "total": 5},
    ]
    assert summary.totals["cards"] == 18


def test_chart_axes_end_on_round_numbers_and_empty_charts_say_so():
    assert [nice_top(n) for n in (1, 4, 5, 50, 420, 30000)] == [4, 4, 8, 60, 600, 32000]
    assert str(bar_chart({"01月": {"school": 0}}, "今年还没有送达记录。")) == "<p>今年还没有送达记录。</p>"
    svg = str(bar_chart({"01月": {"school": 5}, "02月": {"village": 3}}, "", {"school": "学校", "village": "村寨"}))
    assert svg.count("<rect") == 2 + 4 and "学校" in svg and "村寨" in svg


def test_format_follows_the_file_name_and_the_page_has_the_letterhead(deployment, tmp_path):
    write_report(deployment, "2027-03", None, tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    profile = deployment.profile
    assert f"{profile.county.cmn}反诈宣传月报 2027-03" in html and profile.station.name in html
    assert "本月没有播出" in html  # an empty month says so instead of drawing an empty chart
    with pytest.raises(OutreachError, match=r"give --format csv\|html\|pdf or a file ending"):
        write_report(deployment, "2027-03", None, tmp_path / "r.docx")
    assert not (tmp_path / "r.docx").exists()


def _node_report(pid, at, state, reason=None):
    body = {"id": pid, "village": "hongxing", "rule": "r", "script": "fake-loan", "programme": "standard",
            "planned_at": at.isoformat(), "state": state, "languages": ["cmn", "pcc"], "reason": reason}
    return {"id": pid, "kind": "play", "rev": 1, "body": body}


def test_node_plays_are_counted_and_marked_with_their_node(tmp_path, deployment):
    book = PlayLog(deployment.playlog_path)
    t0 = dt.datetime(2027, 3, 2, 8, 0, tzinfo=ZONE)
    book.sync([_occ("c1", t0)], (t0, t0 + dt.timedelta(days=1)), t0)
    book.set_rendered("c1", "x.mp3", "h", ["cmn"], t0)
    book.begin("c1", t0, 0)
    book.finish("c1", "played", t0)
    reports = [_node_report("n1", t0 + dt.timedelta(days=1), "played"),
               _node_report("n2", t0 + dt.timedelta(days=2), "played"),
               _node_report("n3", t0 + dt.timedelta(days=3), "missed", "amplifier off"),
               _node_report("n4", dt.datetime(2027, 4, 1, 8, 0, tzinfo=ZONE), "played")]
    FleetDB(FleetPaths.of(deployment).db).record_reports("hx", "hongxing", reports, t0)
    summary = write_report(deployment, "2027-03", "csv", tmp_path / "r.csv")
    assert summary.totals["played"] == 3 and summary.totals["missed"] == 1
    assert sorted((r["village"], r["language"], r["where"], r["count"]) for r in summary.played) == [
        ("hongxing", "cmn", "hx", 2), ("hongxing", "pcc", "hx", 2), ("wangmu", "cmn", "county", 1)]
    assert [(p["village"], p["where"], p["reason"]) for p in summary.problems] == [("hongxing", "hx", "amplifier off")]
    assert summary.year.broadcasts["hongxing"] == {"2027-03": {"played": 2, "missed": 1}}
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    month = {(r["measure"], r["place"], r["language"]): r["where"] for r in rows if r["section"] == "month"}
    assert month[("played", "hongxing", "pcc")] == "hx" and month[("played", "wangmu", "cmn")] == "county"
    assert month[("missed", "hongxing", "")] == "hx"
    html = to_html(deployment, summary)
    assert "村节点 node hx" in html and "县播控 county" in html and "amplifier off" in html
