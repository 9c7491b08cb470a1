"""Reports survive until the county's receipt, and the county keeps each occurrence once however often
it arrives; a newer revision (a play replayed after an interruption) replaces the older one."""

from __future__ import annotations

import datetime as dt

from outreach.fleet.db import FleetDB
from outreach.node.outbox import Outbox
from outreach.playlog import PlayLog

from node.bundles import ZONE

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)


def one_play(playlog: PlayLog, pid: str, outcome: str) -> None:
    at = NOW + dt.timedelta(minutes=5)
    playlog.sync([{"id": pid, "at": at, "village": "xiangle", "rule": "r", "script": "tiny", "programme": "quick",
                   "output": "node"}], (NOW, NOW + dt.timedelta(days=1)), NOW)
    playlog.begin(pid, at, 120.0)
    playlog.finish(pid, outcome, at + dt.timedelta(seconds=5), "power cut" if outcome == "interrupted" else None)


def test_a_changed_report_gets_a_new_revision_and_an_old_receipt_does_not_close_it(tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite")
    cut, replayed = PlayLog(tmp_path / "cut.sqlite"), PlayLog(tmp_path / "replayed.sqlite")
    one_play(cut, "a", "interrupted")
    one_play(replayed, "a", "played")  # the same occurrence, as the log reads after its replay
    assert outbox.collect(cut, NOW) == 1
    assert outbox.collect(cut, NOW) == 0
    [first] = outbox.due(NOW, dt.timedelta(seconds=30))
    assert (first["rev"], first["body"]["state"]) == (1, "interrupted")
    outbox.mark_sent([first], NOW)
    assert outbox.collect(replayed, NOW) == 1
    assert outbox.acknowledge([("a", 1)], NOW) == 0
    [second] = outbox.due(NOW, dt.timedelta(seconds=30))
    assert (second["rev"], second["body"]["state"]) == (2, "played")
    assert outbox.acknowledge([("a", 2)], NOW) == 1
    assert outbox.pending() == 0


def test_the_county_stores_each_occurrence_once_and_answers_every_copy(tmp_path):
    db = FleetDB(tmp_path / "fleet.sqlite")
    body = {"id": "a", "planned_at": NOW.isoformat(), "village": "xiangle", "rule": "r", "script": "tiny",
            "programme": "quick", "state": "interrupted", "started_at": None, "finished_at": None,
            "lateness_ms": 10.0, "reason": "power cut", "detail": None, "programme_hash": "ab", "languages": ["cmn"]}
    report = {"id": "a", "kind": "play", "rev": 1, "body": body}
    refusal = {"id": "refusal:9:x", "kind": "refusal", "rev": 1, "body": {"sequence": 9, "reason": "bad signature"}}
    assert db.record_reports("n1", "xiangle", [report, refusal], NOW) == [("a", 1), ("refusal:9:x", 1)]
    assert db.record_reports("n1", "xiangle", [report, refusal], NOW) == [("a", 1), ("refusal:9:x", 1)]
    newer = {**report, "rev": 2, "body": {**body, "state": "played", "reason": None}}
    assert db.record_reports("n1", "xiangle", [newer, report], NOW) == [("a", 2), ("a", 1)]
    [(play, copies)] = db.plays()
    assert (play.id, play.state, play.output, play.languages, copies) == ("a", "played", "node:n1", ["cmn"], 3)
    assert len(db.refusals("n1")) == 1
    other_village = {**report, "id": "b", "body": {**body, "id": "b", "village": "hongxing"}}
    malformed = {"id": "c", "kind": "play", "rev": 1, "body": {"village": "xiangle"}}
    assert db.record_reports("n1", "xiangle", [other_village, malformed, {"kind": "play"}], NOW) == [
        ("b", 1), ("c", 1)]  # receipted (sent again they would fail again), but not kept
    assert len(db.plays()) == 1
