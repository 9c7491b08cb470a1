"""The print ledger, written by `outreach cards` and read by `outreach ledger` (and the monthly report)."""

import datetime as dt
import json

from outreach.ledger import PrintLedger as Ledger


def test_cards_cli_writes_ledger_and_png(run, deployment, tmp_path):
    root = str(deployment.root)
    out = tmp_path / "w.pdf"
    code, stdout, err = run("cards", "general-warning", "fake-loan", "--villages", "all", "--layout", "wallet",
                            "--copies", "3", "-o", str(out), "--png", str(tmp_path / "png"), "--allow-draft",
                            "--by", "岑警官", "--root", root)
    assert code == 0 and "30 wallet cards on 3 pages" in stdout and "DRAFT" in err
    assert len(list((tmp_path / "png").glob("w-*.png"))) == 3
    code, stdout, _ = run("ledger", "--json", "--root", root)
    data = json.loads(stdout)
    [run_] = data["runs"]
    assert run_["printed_by"] == "岑警官" and run_["cards"] == 30 and run_["draft"] is True
    assert data["per_village"]["wangmu"] == {"wallet": 6}
    code, stdout, _ = run("ledger", "--month", run_["printed_at"][:7], "--root", root)
    assert code == 0 and "wangmu" in stdout
    assert Ledger(deployment.ledger_path).per_village("1999-01") == {}


def test_ledger_counts_per_village_and_layout_within_the_month(tmp_path):
    book = Ledger(tmp_path / "ledger.sqlite")
    assert book.runs() == [] and book.per_village() == {}
    march, april = dt.datetime(2027, 3, 31, 23, 0), dt.datetime(2027, 4, 1, 8, 0)
    book.record(layout="card", items=[("a", "wangmu"), ("b", "wangmu"), ("a", "xiangle")], copies=2, pages=6,
                output=tmp_path / "c.pdf", printed_by="x", draft=False, when=march)
    book.record(layout="wallet", items=[("a", "wangmu")], copies=10, pages=1, output=tmp_path / "w.pdf",
                printed_by="y", draft=True, when=april)
    assert book.per_village("2027-03") == {"wangmu": {"card": 4}, "xiangle": {"card": 2}}
    assert book.per_village() == {"wangmu": {"card": 4, "wallet": 10}, "xiangle": {"card": 2}}
    [run] = book.runs("2027-04")
    assert (run.layout, run.cards, run.scripts, run.villages, run.draft) == ("wallet", 10, ["a"], ["wangmu"], True)
