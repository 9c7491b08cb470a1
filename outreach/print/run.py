"""A whole print run as staff ask for it: render, lay out with copies, write the PDF, log it in the ledger.

The ledger entry is part of the run, not of the command line: every way of
printing (the CLI, a script, a test) must leave the same record for the report.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from outreach.deployment import Deployment
from outreach.ledger.prints import PrintLedger
from outreach.print.batch import PrintResult, make_pdf
from outreach.print.cards import CardData, collect
from outreach.print.layouts import Layout


@dataclass(frozen=True)
class PrintRequest:
    """Which scripts for which villages (None: every village), in what layout, how many copies, where to."""

    scripts: tuple[str, ...]
    layout: Layout | str
    out: Path
    villages: tuple[str, ...] | None = None
    copies: int = 1
    png_dir: Path | None = None
    allow_draft: bool = False
    printed_by: str | None = None


@dataclass(frozen=True)
class Copies:
    """Each card ``copies`` times in a row, handed out one at a time (never a list of every copy), with a length
    so the progress bar knows the total."""

    cards: Sequence[CardData]
    copies: int

    def __len__(self) -> int:
        return len(self.cards) * self.copies

    def __iter__(self) -> Iterator[CardData]:
        return (card for card in self.cards for _ in range(self.copies))


def print_run(
    deployment: Deployment, request: PrintRequest, progress: Callable[[int, int], None] | None = None
) -> PrintResult:
    """Make the PDF and record the run; ``printed_by`` defaults to the login name, as the ledger needs someone."""
    profile = deployment.profile
    villages = (profile.villages if request.villages is None
                else [profile.village(village_id) for village_id in request.villages])
    catalog = deployment.catalog
    unique = collect(deployment, [catalog.get(s) for s in request.scripts], villages, request.allow_draft)
    result = make_pdf(deployment, request.layout, Copies(unique, request.copies), request.out, request.png_dir, progress=progress)
    PrintLedger(deployment.ledger_path).record(
        layout=result.layout, items=[(c.script.id, c.village.id) for c in unique], copies=request.copies,
        pages=result.pages, output=request.out.resolve(), printed_by=request.printed_by or getpass.getuser(),
        draft=result.draft, when=deployment.now(),
    )
    return result
