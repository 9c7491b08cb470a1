"""Print benchmark: 2,000 personalised wallet cards (200 A4 sheets, 10-up).

250 generated villages x the 8 starter scripts. Prints wall time, cards per
second and peak memory (RSS) of the batch, and the ratio of our time per card to
a minimal WeasyPrint document (one card: the same title, hotlines and QR code)
rendered in the same run. Median of several runs.

    .venv/bin/python benchmarks/print.py [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from outreach.catalog import Catalog  # noqa: E402
from outreach.deployment import Deployment  # noqa: E402
from outreach.print import collect, data_uri, make_pdf, qr_png  # noqa: E402
from outreach.print.pdf import pdf_from_html  # noqa: E402

MINIMAL = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: 90mm 54mm; margin: 0 }} body {{ font-family: "Noto Sans CJK SC"; margin: 4mm }}
h1 {{ font-size: 9pt }} .h {{ font-size: 15pt; font-weight: 700 }} img {{ width: 17mm; float: right }}
</style></head><body><img src="{qr}"><h1>{title}</h1><p>{village} {contact}</p>
<p class="h">反诈 96110 报警 110</p></body></html>"""


def minimal_per_card(cards, qr: str, n: int = 20) -> float:
    start = time.perf_counter()
    for card in cards[:n]:
        html = MINIMAL.format(qr=qr, title=card.script.meta.title["cmn"], village=card.village.name.cmn,
                              contact=card.village.contact.phone)
        pdf_from_html(html, ROOT)
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    deployment = Deployment(ROOT)
    template = deployment.profile.villages[2]  # a Mandarin-only village: approved text, no DRAFT
    villages = [template.model_copy(update={"id": f"v{i:03d}", "name": template.name.model_copy(
        update={"cmn": f"示例{i:03d}村"})}) for i in range(250)]
    scripts = list(Catalog.load(deployment.scripts_dir))
    cards = collect(deployment, scripts, villages, allow_draft=False)
    qr = data_uri(qr_png(deployment.profile.qr_link))
    minimal_per_card(cards, qr, 3)  # warm up fonts and imports
    walls, minimal = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            result = make_pdf(deployment, "wallet", cards, Path(tmp) / "wallet.pdf")
            walls.append(time.perf_counter() - start)
        minimal.append(minimal_per_card(cards, qr))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall = statistics.median(walls)
    per_card = wall / len(cards)
    base = statistics.median(minimal)
    print(f"{len(cards)} wallet cards on {result.pages} sheets, {result.chunks_rendered} chunks, runs {args.runs}")
    print(f"wall time: {wall:.2f} s median ({', '.join(f'{w:.2f}' for w in walls)})")
    print(f"cards per second: {len(cards) / wall:.1f}")
    print(f"peak memory (RSS of this process): {peak_mb:.0f} MB (target < 1024 MB)")
    print(f"minimal one-card WeasyPrint document: {base * 1000:.1f} ms per card")
    print(f"ours: {per_card * 1000:.1f} ms per card; ratio to minimal {per_card / base:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
