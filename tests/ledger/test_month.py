"""A month of outreach as the team records it: print, deliver, hold events; the report and the stock agree."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
from pathlib import Path

from outreach.cli import main
from outreach.report import write_report

PRINTED = 60
DELIVERIES = [("school-wangmu", 15, "2027-03-05"), ("school-shitun", 10, "2027-03-10"), ("wangmu", 12, "2027-03-12")]
EVENTS = [
    {"date": "2027-03-15", "place": "school-shitun", "kind": "school-lecture", "reached": 420, "consultations": 35,
     "handout": 8, "type": "school"},
    {"date": "2027-03-20", "place": "market-wangmu", "kind": "market-stand", "reached": 300, "consultations": 48,
     "handout": 6, "type": "market"},
]
TYPES = {"school-wangmu": "school", "school-shitun": "school", "wangmu": "village"}


def _cli(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(args)) == 0, args
    return out.getvalue()


def record_month(root: str) -> None:
    """Print a run, deliver parts of it to two schools and a village, hold two events that hand material out."""
    _cli("cards", "fake-loan", "--village", "xiangle", "--layout", "wallet", "--copies", str(PRINTED),
         "-o", str(Path(root) / "wallet.pdf"), "--by", "岑勤", "--root", root)
    for place, quantity, day in DELIVERIES:
        out = _cli("deliver", "wallet:fake-loan", str(quantity), "--to", place, "--date", day, "--by", "岑勤",
                   "--root", root)
        assert f"{quantity} x wallet:fake-loan to {place}" in out
    for e in EVENTS:
        out = _cli("event", "add", "--date", e["date"], "--place", e["place"], "--kind", e["kind"],
                   "--officer", "岑勤", "--officer", "徐瑞", "--reached", str(e["reached"]),
                   "--consultations", str(e["consultations"]), "--handout", f"wallet={e['handout']}",
                   "--by", "徐瑞", "--root", root)
        assert f"{e['handout']} handed out" in out


def test_a_month_of_printing_delivering_and_events_adds_up(run, month_copy, tmp_path):
    march, root = month_copy, str(month_copy.root)
    delivered = sum(q for _, q, _ in DELIVERIES)
    handed_out = sum(e["handout"] for e in EVENTS)

    code, out, _ = run("ledger", "--stock", "--json", "--root", root)
    [line] = json.loads(out)["stock"]
    assert (line["item"], line["printed"], line["delivered"], line["handed_out"]) == (
        "wallet:fake-loan", PRINTED, delivered, handed_out)
    assert line["in_stock"] == PRINTED - delivered - handed_out

    summary = write_report(march, "2027-03", "csv", tmp_path / "r.csv")
    totals = summary.totals
    assert totals["cards"] == PRINTED and totals["delivered"] == delivered + handed_out
    assert totals["events"] == len(EVENTS)
    assert totals["reached"] == sum(e["reached"] for e in EVENTS)
    assert totals["consultations"] == sum(e["consultations"] for e in EVENTS)

    ytd = summary.year.totals()
    by_type: dict[str, int] = {}
    for place, quantity, _ in DELIVERIES:
        by_type[TYPES[place]] = by_type.get(TYPES[place], 0) + quantity
    for e in EVENTS:
        by_type[e["type"]] = by_type.get(e["type"], 0) + e["handout"]
    assert ytd["delivered_to"] == by_type
    assert ytd["printed"] == {"wallet": PRINTED}
    assert ytd["events"] == {e["kind"]: 1 for e in EVENTS}
    assert [f.month for f in summary.year.months] == ["2027-01", "2027-02", "2027-03"]

    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    school = [r for r in rows if (r["section"], r["period"], r["measure"], r["place"]) ==
              ("year", "2027-03", "delivered", "school")]
    assert [int(r["count"]) for r in school] == [by_type["school"]]
    reached = [r for r in rows if (r["section"], r["period"], r["measure"]) == ("year", "2027-03", "reached")]
    assert int(reached[0]["count"]) == totals["reached"]


def test_the_printed_report_shows_the_year_in_the_countys_terms(month_copy, tmp_path):
    march = month_copy
    write_report(march, "2027-03", "pdf", tmp_path / "r.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    reached = sum(e["reached"] for e in EVENTS)
    assert "年初至今" in text and "法制进校园" in text and "赶集日宣传摊" in text
    assert f"覆盖群众{reached}人次" in text.replace("\n", "")
    assert "反诈小卡片" in text and "示例中学（石屯镇）" in text
    html = (tmp_path / "r.html")
    write_report(march, "2027-03", "html", html)
    assert html.read_text(encoding="utf-8").count("<svg") >= 3  # the charts: delivered, events, people (and plays)


def test_a_corrected_delivery_and_a_reversed_event_leave_the_totals_right(run, month_copy, tmp_path):
    march, root = month_copy, str(month_copy.root)
    code, out, _ = run("ledger", "--deliveries", "--json", "--root", root)
    first = json.loads(out)["deliveries"][0]
    code, out, err = run("deliver", "wallet:fake-loan", "14", "--to", first["recipient"], "--date", "2027-03-05",
                         "--corrects", str(first["id"]), "--root", root)
    assert code == 0 and f"corrects delivery {first['id']}" in out, err
    code, out, err = run("reverse", "event", "1", "--reason", "entered twice", "--by", "徐瑞", "--root", root)
    assert code == 0 and "event 1 no longer counts" in out, err

    code, out, _ = run("ledger", "--deliveries", "--json", "--root", root)
    rows = json.loads(out)["deliveries"]
    assert [r["reversed"] for r in rows if r["id"] == first["id"]] == [True]
    assert len(rows) == len(DELIVERIES) + len(EVENTS) + 1  # nothing deleted: the old entries stay, marked
    summary = write_report(march, "2027-03", "csv", tmp_path / "r.csv")
    delivered = sum(q for _, q, _ in DELIVERIES) - first["quantity"] + 14
    assert summary.totals["delivered"] == delivered + EVENTS[1]["handout"]
    assert summary.totals["events"] == 1 and summary.totals["reached"] == EVENTS[1]["reached"]
    code, out, _ = run("ledger", "--stock", "--json", "--root", root)
    assert json.loads(out)["stock"][0]["in_stock"] == PRINTED - delivered - EVENTS[1]["handout"]
    code, _, err = run("reverse", "event", "1", "--reason", "again", "--root", root)
    assert code == 1 and "already reversed" in err
    code, out, _ = run("event", "list", "--month", "2027-03", "--root", root)
    assert "1 reversed" in out
