"""The two things a node must say loudly: a bundle about to run out, a clock far from the county's."""

from __future__ import annotations

import datetime as dt

from outreach.node.health import Facts, Observed, clock_warning, runs_out_warning, status_body

from node.bundles import manifest

PROGRAMMES = {"tiny": b"ID3"}


def test_a_clock_more_than_30_s_off_is_a_warning_either_way():
    assert clock_warning(None) is None
    assert clock_warning(29.9) is None and clock_warning(-30.0) is None
    assert "31 s behind the county's" in clock_warning(31.0)
    assert "45 s ahead of the county's" in clock_warning(-45.0)


def test_a_bundle_running_out_within_a_day_is_a_warning(now):
    held = manifest(now, 1, PROGRAMMES, [60])  # until now + 7 days
    assert runs_out_warning(held, now) is None
    assert runs_out_warning(held, held.until - dt.timedelta(hours=25)) is None
    assert "runs out" in runs_out_warning(held, held.until - dt.timedelta(hours=23))
    assert "ran out" in runs_out_warning(held, held.until + dt.timedelta(minutes=1))
    assert "no bundle held yet" in runs_out_warning(None, now)


def test_the_heartbeat_carries_the_warnings_and_what_the_county_shows(now):
    held = manifest(now, 42, PROGRAMMES, [60])
    facts = Facts("n1", "xiangle", held.until - dt.timedelta(hours=2), held, now + dt.timedelta(minutes=1),
                  10**9, 3, 1234, ("outreach/v1/wangmo/nodes/n2/bundle",), ("the play log cannot be written",))
    body = status_body(facts, Observed(clock_offset_s=-40.0))
    assert (body["sequence"], body["clock_ok"], body["outbox_pending"], body["downloaded_bytes"]) == (42, False, 3, 1234)
    assert len(body["warnings"]) == 3 and body["warnings"][2] == "the play log cannot be written"
    assert body["subscriptions_refused"] == ["outreach/v1/wangmo/nodes/n2/bundle"]
