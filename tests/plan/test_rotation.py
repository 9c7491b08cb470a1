import datetime as dt

import pytest

from outreach.plan import Rotation, Rotor, Rule, Window, expand

D = dt.date
DAYS = [D(2027, 3, 1) + dt.timedelta(days=k) for k in range(12)]


@pytest.fixture(scope="module")
def three(catalog):
    return [catalog.get(i) for i in ("fake-loan", "elderly", "impersonation")]


def _played(rotation: dict, scripts, days=DAYS) -> list[tuple[dt.date, str]]:
    rotor = Rotor(Rotation.model_validate(rotation), scripts)
    return [(day, rotor.choose(day).id) for day in days]


def test_round_robin_in_the_rule_order_per_village(world, make_plan):
    _, events, villages, scripts = world
    rule = Rule(id="rr", villages=["xiangle"], scripts=["fake-loan", "elderly", "impersonation"],
                times=["08:00"], windows=[Window(dates=(D(2027, 3, 1), D(2027, 3, 9)))])
    result = expand(make_plan([rule]), events, villages, scripts, D(2027, 3, 1), D(2027, 3, 9))
    assert [o.script for o in result.occurrences] == ["fake-loan", "elderly", "impersonation"] * 3


def test_weighted_rotation_follows_the_weights(three):
    played = [sid for _, sid in _played({"mode": "weighted", "weights": {"fake-loan": 3}}, three, DAYS[:10])]
    assert played.count("fake-loan") == 6 and played.count("elderly") == played.count("impersonation") == 2
    assert played[:5] == ["fake-loan", "elderly", "fake-loan", "impersonation", "fake-loan"]  # smooth, not bunched


def test_min_gap_keeps_a_heavy_script_from_coming_back_too_soon(world, make_plan):
    _, events, villages, scripts = world
    rule = Rule(id="gap", villages=["xiangle"], scripts=["fake-loan", "elderly", "impersonation"], times=["08:00"],
                rotation={"mode": "weighted", "weights": {"fake-loan": 3}, "min_gap_days": 3},
                windows=[Window(dates=(DAYS[0], DAYS[-1]))])
    result = expand(make_plan([rule]), events, villages, scripts, DAYS[0], DAYS[-1])
    played = [(o.at.date(), o.script) for o in result.occurrences]
    assert [day for day, _ in played] == DAYS
    last: dict[str, dt.date] = {}
    for day, sid in played:
        assert sid not in last or (day - last[sid]).days >= 3, (day, sid, played)
        last[sid] = day
    assert {sid for _, sid in played} == {"fake-loan", "elderly", "impersonation"}


def test_min_gap_yields_when_every_script_is_recent(three):
    rotation = {"mode": "weighted", "min_gap_days": 5}
    played = _played(rotation, three[:2], DAYS[:6])
    assert [sid for _, sid in played] == ["fake-loan", "elderly"] * 3  # nothing is skipped, the order stays fair
