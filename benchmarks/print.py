"""Print benchmark: wallet-card runs of 2,000 and 20,000 personalised cards (10-up on A4).

Generated villages x the 8 starter scripts, the cards streamed into the run.
Each run is made in a fresh process, so its peak RSS is its own; the target is
the 20,000-card run within 15% of the 2,000-card run (memory flat in job size).
Time per card is compared with a minimal 100-card WeasyPrint document (10 A4
pages of cards with the same title, village, contact, hotlines and QR code)
rendered in the same process: the ratio is the distance to WeasyPrint's own cost.

    .venv/bin/python benchmarks/print.py [--runs 3] [--cards 2000 20000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from outreach.deployment import Deployment  # noqa: E402
from outreach.print import collect, data_uri, make_pdf, qr_png  # noqa: E402
from outreach.print.pdf import pdf_from_html  # noqa: E402

MINIMAL = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: 210mm 297mm; margin: 0 }} body {{ font-family: "Noto Sans CJK SC"; margin: 0 }}
.sheet {{ width: 210mm; height: 297mm; page-break-after: always }}
.card {{ float: left; width: 96mm; height: 54mm; margin: 2mm 4mm; overflow: hidden }}
h1 {{ font-size: 9pt }} .h {{ font-size: 15pt; font-weight: 700 }} img {{ width: 17mm; float: right }}
</style></head><body>{sheets}</body></html>"""
CARD = '<div class="card"><img src="{qr}"><h1>{title}</h1><p>{village} {contact}</p><p class="h">反诈 96110 报警 110</p></div>'


def villages(deployment: Deployment, count: int) -> list:
    """``count`` Mandarin-only villages (approved text, no DRAFT) with their own names and contacts."""
    template = deployment.profile.village("xiangle")
    return [template.model_copy(update={
        "id": f"v{i:05d}", "name": template.name.model_copy(update={"cmn": f"示例{i:05d}村"}),
        "contact": template.contact.model_copy(update={"phone": f"0859-{i:07d}"})}) for i in range(count)]


def cards(deployment: Deployment, count: int) -> Iterator:
    """``count`` cards, village after village, rendered as the run takes them."""
    scripts = list(deployment.catalog)
    made = 0
    for village in villages(deployment, -(-count // len(scripts))):
        for card in collect(deployment, scripts, [village], allow_draft=False):
            if made == count:
                return
            made += 1
            yield card


def minimal_per_card(deployment: Deployment) -> float:
    """Seconds per card of a minimal 100-card document (10 sheets of 10)."""
    qr = data_uri(qr_png(deployment.profile.qr_link))
    sample = list(cards(deployment, 100))
    sheets = "".join(
        '<div class="sheet">' + "".join(CARD.format(qr=qr, title=c.script.meta.title["cmn"], village=c.village.name.cmn,
                                                    contact=c.village.contact.phone) for c in sample[i:i + 10]) + "</div>"
        for i in range(0, 100, 10))
    start = time.perf_counter()
    pdf_from_html(MINIMAL.format(sheets=sheets), ROOT)
    return (time.perf_counter() - start) / 100


def child(count: int, runs: int) -> None:
    """In a fresh process: the minimal document, then the run (median of ``runs``), then peak RSS."""
    deployment = Deployment(ROOT)
    minimal_per_card(deployment)  # fonts and imports, once
    minimal = statistics.median(minimal_per_card(deployment) for _ in range(runs))
    walls = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            result = make_pdf(deployment, "wallet", cards(deployment, count), Path(tmp) / "wallet.pdf")
            walls.append(time.perf_counter() - start)
    print(json.dumps({"cards": result.cards, "pages": result.pages, "chunks": result.chunks_rendered,
                      "walls": walls, "minimal": minimal,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def measure(count: int, runs: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(count), "--runs", str(runs)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cards", type=int, nargs=2, default=[2000, 20000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--quick", action="store_true", help="one run of 200 and 2,000 cards (a smoke run)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs)
        return
    if args.quick:
        args.runs, args.cards = 1, [200, 2000]
    small, large = measure(args.cards[0], args.runs), measure(args.cards[1], 1)
    for r in (small, large):
        wall = statistics.median(r["walls"])
        per_card = wall / r["cards"]
        print(f"{r['cards']} wallet cards on {r['pages']} sheets ({r['chunks']} chunks), {len(r['walls'])} run(s): "
              f"{wall:.1f} s median, {r['cards'] / wall:.1f} cards/s, peak RSS {r['rss_mb']:.0f} MB")
        print(f"  minimal 100-card WeasyPrint document: {r['minimal'] * 1000:.1f} ms per card; ours "
              f"{per_card * 1000:.1f} ms per card, ratio {per_card / r['minimal']:.2f} (no target: our card carries "
              "the script's whole text, the minimal one three lines)")
    print(f"peak RSS {large['cards']} / {small['cards']} cards: {large['rss_mb'] / small['rss_mb']:.3f} "
          "(target <= 1.15)")


if __name__ == "__main__":
    main()
