"""Plan benchmark: expand one year of 10 rules for 200 and for 400 villages.

Villages and markets are generated (one market for every 10 villages, on two
earthly-branch days); calendar data, catalog and rule shapes are the shipped
ones. Prints the median of several runs and the 400/200 ratio (target <= 2.2,
i.e. no worse than linear), plus the 200-village time (target < 2 s).

    .venv/bin/python benchmarks/plan.py [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from outreach.calendar import EARTHLY_BRANCHES, Market, MarketRule, MarketsFile, build_events, load_calendar_data  # noqa: E402
from outreach.catalog import Catalog  # noqa: E402
from outreach.deployment import Deployment, Village  # noqa: E402
from outreach.plan import Plan, Rule, Window, expand, parse_span  # noqa: E402

RULES = [
    Rule(id="market-am", priority=40, scripts={"tag": "market-day"}, rotation={"min_gap_days": 10},
         times=["07:30"], windows=[Window(event="market-day")]),
    Rule(id="market-pm", priority=40, scripts={"tag": "market-day"}, times=["18:30"], windows=[Window(event="market-day")]),
    Rule(id="school", priority=80, villages={"tag": "school"}, scripts=["school-start", "card-renting"],
         times=["07:20", "17:30"], windows=[Window(event="school-start", **{"from": -5, "to": 3})]),
    Rule(id="spring", priority=70, scripts=["holiday-travel", "elderly", "general-warning"], times=["08:00", "19:00"],
         windows=[Window(event="spring-festival", **{"from": -10, "to": 2})]),
    Rule(id="holiday-eves", priority=60, scripts={"tag": "holiday"}, times=["08:00", "19:00"],
         windows=[Window(event="holiday-eve", **{"from": -2, "to": 0})]),
    Rule(id="bouyei", priority=60, villages={"tag": "bouyei"}, scripts=["general-warning", "elderly"],
         times=["09:00", "18:00"], windows=[Window(event="sanyuesan", **{"from": -1, "to": 1}),
                                             Window(event="liuyueliu", **{"from": -1, "to": 1})]),
    Rule(id="weekly", priority=30, scripts={"topic": "loan"}, weekdays=["sun"], times=["10:00"],
         windows=[Window(dates=(dt.date(2027, 1, 1), dt.date(2027, 12, 31)))]),
    Rule(id="elderly", priority=30, scripts={"topic": "elderly"}, weekdays=["wed"], times=["16:00"],
         windows=[Window(dates=(dt.date(2027, 1, 1), dt.date(2027, 12, 31)))]),
    Rule(id="national-day", priority=65, scripts={"tag": "loudspeaker"}, times=["08:30", "19:30"],
         windows=[Window(event="national-day-holiday", **{"from": -3, "to": 0})]),
    Rule(id="summer", priority=20, scripts=["card-renting", "fake-investment"], weekdays=["sat"], times=["09:30"],
         windows=[Window(event="summer-vacation")]),
]


def villages(n: int, template: Village) -> list[Village]:
    return [replace_village(template, i) for i in range(n)]


def replace_village(template: Village, i: int) -> Village:
    tags = ["school"] * (i % 3 == 0) + ["bouyei"] * (i % 2 == 0)
    return template.model_copy(update={"id": f"v{i:03d}", "tags": tags})


def run(n: int, deployment: Deployment, data, scripts) -> tuple[float, int]:
    vs = villages(n, deployment.profile.villages[0])
    markets = MarketsFile(source="benchmark", markets=[
        Market(name=f"m{k}", villages=[v.id for v in vs[k * 10:(k + 1) * 10]],
               rule=MarketRule(branches=[EARTHLY_BRANCHES[k % 6], EARTHLY_BRANCHES[k % 6 + 6]]))
        for k in range((n + 9) // 10)
    ])
    profile = deployment.profile.model_copy(update={"villages": vs})
    plan = Plan(tuple(RULES), (parse_span("12:00-14:00"), parse_span("21:30-07:00")), (),
                dt.timedelta(minutes=20), dt.timedelta(minutes=120))
    start = time.perf_counter()
    events = build_events(replace(data, markets=markets), profile, dt.date(2026, 11, 1), dt.date(2028, 3, 1))
    result = expand(plan, events, vs, scripts, dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    return time.perf_counter() - start, len(result.occurrences)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    deployment = Deployment(ROOT)
    data = load_calendar_data(ROOT / "schedules" / "calendar")
    scripts = list(Catalog.load(deployment.scripts_dir))
    run(10, deployment, data, scripts)  # warm imports and caches
    figures = {}
    for n in (200, 400):
        times, count = [], 0
        for _ in range(args.runs):
            elapsed, count = run(n, deployment, data, scripts)
            times.append(elapsed)
        figures[n] = statistics.median(times)
        print(f"{n} villages x {len(RULES)} rules, one year: {figures[n]:.3f} s median of {args.runs} "
              f"({count} occurrences, {count / figures[n]:,.0f} per s)")
    print(f"ratio 400/200: {figures[400] / figures[200]:.2f} (target <= 2.2); 200 villages target < 2 s")


if __name__ == "__main__":
    main()
