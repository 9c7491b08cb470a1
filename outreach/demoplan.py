"""A throw-away broadcast plan that fires within the next minute, for trying the daemon.

It replaces every plan file in its folder, so it must only ever be pointed at a scratch folder
(the daemon's ``--plans``), never at a deployment's ``schedules/plans``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from outreach.deployment import Deployment, Village

FILE_NAME = "demo.yaml"
_HEADER = "# Demo plan written by `outreach plan demo`: a few plays in the next minute. Not for real use.\n"


@dataclass(frozen=True)
class DemoPlan:
    """What was written: the file, and the script, village and local times it plays."""

    path: Path
    script: str
    village: str
    times: list[str]


def demo_plan_data(village_id: str, script_id: str, moments: list[dt.datetime]) -> dict[str, Any]:
    """One rule playing the script at exactly these moments, with no quiet hours or collision shifts in the way."""
    days = sorted({m.date().isoformat() for m in moments})
    return {
        "quiet_hours": [],
        "collision_gap_minutes": 0,
        "max_shift_minutes": 0,
        "rules": [{
            "id": "demo", "villages": [village_id], "scripts": [script_id],
            "times": [m.strftime("%H:%M:%S") for m in moments],
            "windows": [{"dates": [days[0], days[-1]]}], "priority": 50,
        }],
    }


def _demo_village(deployment: Deployment, village_id: str | None) -> Village:
    """The named village, else the first that hears only Mandarin (its programme needs no Bouyei voice)."""
    profile = deployment.profile
    if village_id:
        return profile.village(village_id)
    return next((v for v in profile.villages if v.languages == ["cmn"]), profile.villages[0])


def write_demo_plan(deployment: Deployment, out_dir: Path, *, village_id: str | None = None,
                    script_id: str = "general-warning", count: int = 3, start_in: int = 25, every: int = 10,
                    now: dt.datetime | None = None) -> DemoPlan:
    """Replace the plans in ``out_dir`` by one demo plan: ``count`` plays ``every`` s apart, from ``start_in`` s on."""
    import yaml

    from outreach.media import write_atomic

    village = _demo_village(deployment, village_id)
    deployment.catalog.get(script_id)
    start = now or deployment.now()
    moments = [start + dt.timedelta(seconds=start_in + i * every) for i in range(count)]
    data = demo_plan_data(village.id, script_id, moments)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.yaml"):
        old.unlink()
    path = out_dir / FILE_NAME
    write_atomic(path, (_HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)).encode())
    return DemoPlan(path, script_id, village.id, data["rules"][0]["times"])
