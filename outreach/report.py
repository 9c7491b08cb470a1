"""The report the police send upwards: the month, and the year to date in the county's own terms.

Every figure comes from the play log, the plays village nodes reported (the
fleet database) and the outreach ledger (print runs, deliveries, events), never
typed in twice. ``summarise`` is pure aggregation of the month's plays, each
marked with who aired it; ``year_to_date`` adds the ledger's month-by-month
totals and broadcasts per village. Written as CSV (for the county's spreadsheet),
HTML (inline SVG charts) or PDF (the same page, printed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from outreach.datafile import load_yaml
from outreach.deployment import Deployment
from outreach.errors import OutreachError
from outreach.fleet.records import node_plays
from outreach.i18n import _
from outreach.ledger import Delivery, Event, MonthFigures, PrintLedger, deliveries, events, year_figures
from outreach.media import write_atomic
from outreach.playlog import Play
from outreach.print.charts import bar_chart
from outreach.print.layouts import Layout
from outreach.print.pdf import html_from_template, pdf_from_template

TEMPLATE = "reports/monthly.html.j2"
TERMS = "reports/terms.yaml"


class ReportFormat(StrEnum):
    """What the report is written as: a spreadsheet, a page to open, or a page to send."""

    CSV = "csv"
    HTML = "html"
    PDF = "pdf"

    @classmethod
    def choose(cls, fmt: str | None, out: Path) -> "ReportFormat":
        """The format asked for, else the one the file name ends in."""
        try:
            return cls(fmt or out.suffix.lstrip(".").lower())
        except ValueError:
            raise OutreachError(_("give --format {formats} or a file ending in one of them").format(
                formats="|".join(cls))) from None


@dataclass
class YearToDate:
    """January to the report's month: the ledger's figures per month, broadcasts per village per month."""

    months: list[MonthFigures]
    broadcasts: dict[str, dict[str, dict[str, int]]]
    deliveries: list[Delivery] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def totals(self) -> dict[str, Any]:
        """The year's sums: pieces printed and delivered per kind and recipient type, events, people, plays."""
        printed: Counter[str] = Counter()
        delivered: Counter[str] = Counter()
        to_type: Counter[str] = Counter()
        event_kinds: Counter[str] = Counter()
        matrix: dict[str, Counter[str]] = defaultdict(Counter)
        for fig in self.months:
            printed.update(fig.printed)
            event_kinds.update(fig.events)
            for kind, by_type in fig.delivered.items():
                delivered[kind] += sum(by_type.values())
                to_type.update(by_type)
                matrix[kind].update(by_type)
        plays = [counts for per_month in self.broadcasts.values() for counts in per_month.values()]
        return {
            "printed": dict(printed), "delivered": dict(delivered), "delivered_to": dict(to_type),
            "matrix": {kind: dict(by_type) for kind, by_type in sorted(matrix.items())},
            "events": dict(event_kinds), "event_count": sum(event_kinds.values()),
            "reached": sum(f.reached for f in self.months), "consultations": sum(f.consultations for f in self.months),
            "played": sum(c.get("played", 0) for c in plays), "missed": sum(c.get("missed", 0) for c in plays),
        }


@dataclass
class Summary:
    month: str
    played: list[dict[str, Any]]
    problems: list[dict[str, str]]
    weekly: dict[str, dict[str, int]]
    printed: list[dict[str, Any]]
    totals: dict[str, int]
    year: YearToDate | None = None


def month_bounds(month: str, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of the month and of the next, in the county's zone."""
    try:
        first = dt.datetime.strptime(month + "-01", "%Y-%m-%d").replace(tzinfo=zone)
    except ValueError:
        raise OutreachError(_("--month '{month}' is not YYYY-MM").format(month=month)) from None
    if (first.year, first.month) == (dt.MAXYEAR, 12):
        raise OutreachError(_("--month '{month}' is beyond the calendar this report can count").format(month=month))
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt


def week_label(day: dt.date) -> str:
    monday = day - dt.timedelta(days=day.weekday())
    return f"{monday:%m-%d}"


def played_where(play: Play) -> str:
    """Who aired a play: the village node for a node's report (output ``node:<id>``), else the county's daemon."""
    return play.output.removeprefix("node:") if play.output.startswith("node:") else "county"


def summarise(month: str, plays: list[Play], printed: dict[str, dict[str, int]]) -> Summary:
    """The month's plays counted per village, script, language and who aired them; the problems listed."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    weekly: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    first, nxt = month_bounds(month, dt.timezone.utc)
    day = first.date()
    while day < nxt.date():
        weekly[week_label(day)]  # every week of the month has a group, even a silent one
        day += dt.timedelta(days=7)
    weekly[week_label(nxt.date() - dt.timedelta(days=1))]
    problems = []
    for p in plays:
        if p.state == "played":
            for lang in p.languages or ["?"]:
                counts[(p.village, p.script, lang, played_where(p))] += 1
            weekly[week_label(p.planned_at.date())][p.village] += 1
        elif p.state in ("missed", "failed", "interrupted"):
            problems.append({"planned": f"{p.planned_at:%Y-%m-%d %H:%M}", "village": p.village,
                             "script": p.script, "state": p.state, "reason": p.reason or "", "where": played_where(p)})
    problems.sort(key=lambda row: (row["planned"], row["village"]))
    played = [{"village": v, "script": s, "language": lang, "where": where, "count": n}
              for (v, s, lang, where), n in sorted(counts.items())]
    printed_rows = [{"village": v, **{layout.value: d.get(layout.value, 0) for layout in Layout}, "total": sum(d.values())}
                    for v, d in sorted(printed.items())]
    totals = {
        "played": sum(1 for p in plays if p.state == "played"),
        "missed": sum(1 for p in plays if p.state == "missed"),
        "failed": sum(1 for p in plays if p.state in ("failed", "interrupted")),
        "cards": sum(r["total"] for r in printed_rows),
    }
    return Summary(month, played, problems, {k: dict(v) for k, v in sorted(weekly.items())}, printed_rows, totals)


def broadcasts_per_month(plays: list[Play], zone: dt.tzinfo) -> dict[str, dict[str, dict[str, int]]]:
    """village -> month -> {"played": n, "missed": n} (failed and interrupted plays count as missed)."""
    out: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: {"played": 0, "missed": 0}))
    for p in plays:
        if p.state in ("played", "missed", "failed", "interrupted"):
            state = "played" if p.state == "played" else "missed"
            out[p.village][p.planned_at.astimezone(zone).strftime("%Y-%m")][state] += 1
    return {village: dict(months) for village, months in sorted(out.items())}


def year_to_date(deployment: Deployment, month: str) -> YearToDate:
    """The ledger's and the play log's figures from January 1 to the end of ``month``."""
    first, end = month_bounds(month, deployment.zone)
    since = first.replace(month=1)
    plays = deployment.playlog().query(since=since, until=end) + node_plays(deployment, since=since, until=end)
    path = deployment.ledger_path
    return YearToDate(year_figures(path, first.year, first.month), broadcasts_per_month(plays, deployment.zone),
                      deliveries(path, month, with_handouts=False), events(path, month))


def collect_summary(deployment: Deployment, month: str) -> Summary:
    """The month's summary and the year to date: the daemon's play log and the nodes' reports, counted together."""
    start, end = month_bounds(month, deployment.zone)
    plays = deployment.playlog().query(since=start, until=end)
    plays += node_plays(deployment, since=start, until=end)
    summary = summarise(month, plays, PrintLedger(deployment.ledger_path).per_village(month))
    summary.year = year_to_date(deployment, month)
    this = next((f for f in summary.year.months if f.month == month), MonthFigures(month))
    summary.totals.update(delivered=this.delivered_total, events=sum(this.events.values()), reached=this.reached,
                          consultations=this.consultations)
    return summary


CSV_HEADER = ["section", "period", "measure", "category", "place", "script", "language", "count", "planned", "reason",
              "where"]


def _year_rows(year: YearToDate) -> list[list[Any]]:
    """One row a figure a month, pivot-ready: measure, category (kind), place (recipient type or village)."""
    rows: list[list[Any]] = []
    for fig in year.months:
        m = fig.month
        rows += [["year", m, "printed", kind, "", "", "", n, "", ""] for kind, n in sorted(fig.printed.items())]
        rows += [["year", m, "delivered", kind, rtype, "", "", n, "", ""]
                 for kind, by_type in sorted(fig.delivered.items()) for rtype, n in sorted(by_type.items())]
        rows += [["year", m, "events", kind, "", "", "", n, "", ""] for kind, n in sorted(fig.events.items())]
        rows += [["year", m, "reached", "", "", "", "", fig.reached, "", ""],
                 ["year", m, "consultations", "", "", "", "", fig.consultations, "", ""]]
    for village, per_month in year.broadcasts.items():
        for m, counts in sorted(per_month.items()):
            rows += [["year", m, state, "", village, "", "", n, "", ""] for state, n in counts.items()]
    return rows


def to_csv(summary: Summary) -> str:
    """One table for the county's spreadsheet; ``where`` says who aired a play (``county`` or a node's id)."""
    m = summary.month
    rows: list[list[Any]] = [
        ["month", m, "played", "", r["village"], r["script"], r["language"], r["count"], "", "", r["where"]]
        for r in summary.played]
    rows += [["month", m, p["state"], "", p["village"], p["script"], "", 1, p["planned"], p["reason"], p["where"]]
             for p in summary.problems]
    rows += [["month", m, "printed", "", r["village"], "", "", r["total"], "", ""] for r in summary.printed]
    if summary.year is not None:
        rows += _year_rows(summary.year)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows(row + [""] * (len(CSV_HEADER) - len(row)) for row in rows)
    return buffer.getvalue()


@lru_cache(maxsize=4)
def _terms(path: Path) -> dict[str, dict[str, str]]:
    data = load_yaml(path) if path.exists() else {}
    return {key: dict((data or {}).get(key) or {}) for key in ("kinds", "recipients", "events")}


def _charts(year: YearToDate, terms: dict[str, dict[str, str]]) -> dict[str, Markup]:
    short = {f.month: f.month[5:] + "月" for f in year.months}
    to_type = {short[f.month]: {t: f.delivered_to(t) for t in {t for d in f.delivered.values() for t in d}}
               for f in year.months}
    by_kind = {short[f.month]: dict(f.events) for f in year.months}
    people = {short[f.month]: {"reached": f.reached, "consultations": f.consultations} for f in year.months}
    return {
        "delivered": bar_chart(to_type, "今年还没有送达记录。", terms["recipients"]),
        "events": bar_chart(by_kind, "今年还没有宣传活动记录。", terms["events"]),
        "people": bar_chart(people, "今年还没有宣传活动记录。", {"reached": "覆盖群众", "consultations": "咨询"}),
    }


def _plays_by_month(year: YearToDate) -> dict[str, dict[str, int]]:
    months: dict[str, Counter[str]] = defaultdict(Counter)
    for per_month in year.broadcasts.values():
        for month, counts in per_month.items():
            months[month].update(counts)
    return {month: dict(c) for month, c in months.items()}


def _context(deployment: Deployment, summary: Summary) -> dict[str, Any]:
    """What the report layout shows beyond the letterhead (county, station) every printed page gets."""
    terms = _terms(deployment.templates / TERMS)
    year = summary.year or YearToDate([], {})
    return {
        "title": f"{deployment.profile.county.cmn}反诈宣传月报 {summary.month}",
        "generated": deployment.now().strftime("%Y-%m-%d %H:%M"),
        "month": summary.month, "totals": summary.totals,
        "chart": bar_chart(summary.weekly, "本月没有播出。"), "played": summary.played,
        "problems": summary.problems, "printed": summary.printed, "layouts": [layout.value for layout in Layout],
        "terms": terms, "year": year, "ytd": year.totals(), "charts": _charts(year, terms),
        "plays_by_month": _plays_by_month(year),
        "places": {p.id: p.name.cmn for p in [*deployment.profile.villages, *deployment.profile.schools,
                                               *deployment.profile.communities, *deployment.profile.workplaces,
                                               *deployment.profile.markets]},
    }


def to_html(deployment: Deployment, summary: Summary) -> str:
    """The report as one self-contained page (inline SVG charts), the same page the PDF prints."""
    return html_from_template(deployment, TEMPLATE, _context(deployment, summary))


def write_report(deployment: Deployment, month: str, fmt: str | None, out: Path) -> Summary:
    """Summarise the month and the year to date and write it as asked (or as ``out``'s extension says), atomically."""
    fmt = ReportFormat.choose(fmt, out)
    summary = collect_summary(deployment, month)
    if fmt is ReportFormat.CSV:
        write_atomic(out, to_csv(summary).encode("utf-8-sig"))
    elif fmt is ReportFormat.HTML:
        write_atomic(out, to_html(deployment, summary).encode("utf-8"))
    else:
        pdf_from_template(deployment, TEMPLATE, _context(deployment, summary), out)
    return summary
