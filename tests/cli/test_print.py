"""`cards` and `ledger` option handling; the PDFs themselves are covered in tests/print/."""

import json

from conftest import ROOT


def test_cards_needs_one_village_or_all(run, tmp_path):
    out = str(tmp_path / "c.pdf")
    code, _, err = run("cards", "general-warning", "--layout", "card", "-o", out, "--root", str(ROOT))
    assert code == 2 and "give --village ID or --villages all" in err
    code, _, err = run("cards", "general-warning", "--layout", "card", "--village", "wangmu", "--villages", "all",
                       "-o", out, "--root", str(ROOT))
    assert code == 2 and "give --village ID or --villages all" in err


def test_ledger_month_format_and_empty_ledger(run, deployment):
    code, _, err = run("ledger", "--month", "2026", "--root", str(deployment.root))
    assert code == 2 and "--month is YYYY-MM" in err
    code, out, _ = run("ledger", "--json", "--root", str(deployment.root))
    assert code == 0 and json.loads(out) == {"runs": [], "per_village": {}}
    code, out, _ = run("ledger", "--month", "2026-11", "--root", str(deployment.root))
    assert code == 0 and "printed 2026-11" in out
