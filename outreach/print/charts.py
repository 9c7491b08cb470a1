"""Bar charts as inline SVG for printed reports: vector on paper, no plotting library, fonts from the page."""

from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = ["#0b3d91", "#c8102e", "#2a9d8f", "#e9a23b", "#6a4c93", "#4a7c59", "#8d99ae", "#b5838d"]


def nice_top(largest: int) -> int:
    """The axis top: four equal whole steps of a round size (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times ten to a power)."""
    magnitude = 1
    while True:
        for unit in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            step = unit * magnitude
            if step == int(step) and step * 4 >= largest:
                return int(step * 4)
        magnitude *= 10


def _axis(parts: list[str], top: int, geometry: tuple[float, float, float, float]) -> None:
    left, right, legend, plot_h = geometry
    for k in range(5):
        y = legend + plot_h - plot_h * k / 4
        parts.append(f'<line x1="{left}" x2="{right:.0f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="8" text-anchor="end">{top * k / 4:.0f}</text>')


def _legend(parts: list[str], series: list[str], labels: dict[str, str], width: int) -> int:
    """Legend entries left to right, wrapping; returns the height it took."""
    x, y = 34.0, 2.0
    for i, name in enumerate(series):
        text = labels.get(name, name)
        step = 18 + 8.5 * sum(1.0 if ord(ch) > 0x2E80 else 0.6 for ch in text)
        if x + step > width and x > 34:
            x, y = 34.0, y + 13
        parts.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="9" height="9" fill="{PALETTE[i % len(PALETTE)]}"/>'
                     f'<text x="{x + 12:.0f}" y="{y + 8:.0f}" font-size="8.5">{escape(text)}</text>')
        x += step
    return int(y + 16)


def bar_chart(groups: dict[str, dict[str, int]], empty: str, labels: dict[str, str] | None = None,
              width: int = 640, height: int = 230) -> Markup:
    """Grouped bars: one group per key of ``groups`` (a week, a month), one bar per series (a village, a kind)."""
    labels = labels or {}
    series = sorted({name for group in groups.values() for name in group})
    values = [n for group in groups.values() for n in group.values()]
    if not groups or not series or not any(values):
        return Markup(f"<p>{escape(empty)}</p>")
    top = nice_top(max(values))
    parts: list[str] = []
    legend = _legend(parts, series, labels, width)
    left, bottom = 34, 28
    plot_w, plot_h = width - left - 8, height - bottom - legend - 8
    _axis(parts, top, (left, width - 8, legend, plot_h))
    group_w = plot_w / len(groups)
    bar_w = max(2.0, min(18.0, (group_w - 8) / len(series)))
    for gi, (group, per_series) in enumerate(groups.items()):
        x0 = left + gi * group_w + (group_w - bar_w * len(series)) / 2
        for si, name in enumerate(series):
            n = per_series.get(name, 0)
            h = plot_h * n / top
            parts.append(f'<rect x="{x0 + si * bar_w:.1f}" y="{legend + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                         f'height="{h:.1f}" fill="{PALETTE[si % len(PALETTE)]}">'
                         f'<title>{escape(labels.get(name, name))} {n}</title></rect>')
        parts.append(f'<text x="{left + gi * group_w + group_w / 2:.1f}" y="{height - 10}" font-size="8" '
                     f'text-anchor="middle">{escape(group)}</text>')
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">')
    return Markup(head + "".join(parts) + "</svg>")
