"""The monthly report the police send upwards: broadcasts, misses and failures, cards printed.

Pure aggregation (``summarise``) over the play log and the print ledger, then
CSV, HTML (with an SVG chart of plays per village per week) or PDF.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from outreach.deployment import Deployment
from outreach.errors import OutreachError
from outreach.media import write_atomic
from outreach.playlog import Play
from outreach.print.layouts import Layout
from outreach.print.ledger import Ledger
from outreach.print.pdf import html_from_template, pdf_from_template

TEMPLATE = "reports/monthly.html.j2"
PALETTE = ["#0b3d91", "#c8102e", "#2a9d8f", "#e9a23b", "#6a4c93", "#4a7c59", "#8d99ae", "#b5838d"]


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
            raise OutreachError(f"give --format {'|'.join(cls)} or a file ending in one of them") from None


@dataclass
class Summary:
    month: str
    played: list[dict[str, Any]]
    problems: list[dict[str, str]]
    weekly: dict[str, dict[str, int]]
    printed: list[dict[str, Any]]
    totals: dict[str, int]


def month_bounds(month: str, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    try:
        first = dt.datetime.strptime(month + "-01", "%Y-%m-%d").replace(tzinfo=zone)
    except ValueError:
        raise OutreachError(f"--month '{month}' is not YYYY-MM") from None
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt


def week_label(day: dt.date) -> str:
    monday = day - dt.timedelta(days=day.weekday())
    return f"{monday:%m-%d}"


def summarise(month: str, plays: list[Play], printed: dict[str, dict[str, int]]) -> Summary:
    counts: Counter[tuple[str, str, str]] = Counter()
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
                counts[(p.village, p.script, lang)] += 1
            weekly[week_label(p.planned_at.date())][p.village] += 1
        elif p.state in ("missed", "failed", "interrupted"):
            problems.append({"planned": f"{p.planned_at:%Y-%m-%d %H:%M}", "village": p.village,
                             "script": p.script, "state": p.state, "reason": p.reason or ""})
    played = [{"village": v, "script": s, "language": lang, "count": n} for (v, s, lang), n in sorted(counts.items())]
    printed_rows = [{"village": v, **{layout.value: d.get(layout.value, 0) for layout in Layout}, "total": sum(d.values())}
                    for v, d in sorted(printed.items())]
    totals = {
        "played": sum(1 for p in plays if p.state == "played"),
        "missed": sum(1 for p in plays if p.state == "missed"),
        "failed": sum(1 for p in plays if p.state in ("failed", "interrupted")),
        "cards": sum(r["total"] for r in printed_rows),
    }
    return Summary(month, played, problems, {k: dict(v) for k, v in sorted(weekly.items())}, printed_rows, totals)


def chart_svg(weekly: dict[str, dict[str, int]], width: int = 640, height: int = 230) -> Markup:
    """Grouped bars: one group a week, one bar a village."""
    villages = sorted({v for week in weekly.values() for v in week})
    if not weekly or not villages:
        return Markup("<p>本月没有播出。</p>")
    step = max(1, math.ceil(max(n for week in weekly.values() for n in week.values()) / 4))
    top = step * 4
    left, bottom, legend = 34, 28, 18
    plot_w, plot_h = width - left - 8, height - bottom - legend - 8
    group_w = plot_w / len(weekly)
    bar_w = max(2.0, min(18.0, (group_w - 8) / len(villages)))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for k in range(5):
        value = top * k / 4
        y = legend + plot_h - plot_h * k / 4
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="8" text-anchor="end">{value:.0f}</text>')
    for gi, (week, per_village) in enumerate(weekly.items()):
        x0 = left + gi * group_w + (group_w - bar_w * len(villages)) / 2
        for vi, village in enumerate(villages):
            n = per_village.get(village, 0)
            h = plot_h * n / top if top else 0
            parts.append(f'<rect x="{x0 + vi * bar_w:.1f}" y="{legend + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                         f'height="{h:.1f}" fill="{PALETTE[vi % len(PALETTE)]}"><title>{escape(village)} {n}</title></rect>')
        parts.append(f'<text x="{left + gi * group_w + group_w / 2:.1f}" y="{height - 10}" font-size="8" '
                     f'text-anchor="middle">{escape(week)}</text>')
    for vi, village in enumerate(villages):
        x = left + vi * 90
        parts.append(f'<rect x="{x}" y="2" width="9" height="9" fill="{PALETTE[vi % len(PALETTE)]}"/>'
                     f'<text x="{x + 12}" y="10" font-size="8.5">{escape(village)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def collect_summary(deployment: Deployment, month: str) -> Summary:
    start, end = month_bounds(month, deployment.zone)
    plays = deployment.playlog().query(since=start, until=end)
    printed = Ledger(deployment.ledger_path).per_village(month)
    return summarise(month, plays, printed)


def to_csv(summary: Summary) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["kind", "village", "script", "language", "count", "planned", "reason"])
    for row in summary.played:
        writer.writerow(["played", row["village"], row["script"], row["language"], row["count"], "", ""])
    for p in summary.problems:
        writer.writerow([p["state"], p["village"], p["script"], "", 1, p["planned"], p["reason"]])
    for row in summary.printed:
        writer.writerow(["printed", row["village"], "", "", row["total"], "", ""])
    return buffer.getvalue()


def _context(deployment: Deployment, summary: Summary) -> dict[str, Any]:
    """What the report layout shows beyond the letterhead (county, station) every printed page gets."""
    return {
        "title": f"{deployment.profile.county.cmn}反诈宣传月报 {summary.month}",
        "generated": deployment.now().strftime("%Y-%m-%d %H:%M"),
        "totals": summary.totals, "chart": chart_svg(summary.weekly), "played": summary.played,
        "problems": summary.problems, "printed": summary.printed,
    }


def to_html(deployment: Deployment, summary: Summary) -> str:
    """The report as one self-contained page (inline SVG chart), the same page the PDF prints."""
    return html_from_template(deployment, TEMPLATE, _context(deployment, summary))


def write_report(deployment: Deployment, month: str, fmt: str | None, out: Path) -> Summary:
    """Summarise the month and write it as asked (or as ``out``'s extension says), atomically."""
    fmt = ReportFormat.choose(fmt, out)
    summary = collect_summary(deployment, month)
    if fmt is ReportFormat.CSV:
        write_atomic(out, to_csv(summary).encode("utf-8-sig"))
    elif fmt is ReportFormat.HTML:
        write_atomic(out, to_html(deployment, summary).encode("utf-8"))
    else:
        pdf_from_template(deployment, TEMPLATE, _context(deployment, summary), out)
    return summary
