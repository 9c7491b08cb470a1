"""Where material goes and events happen: the profile's villages, schools, communities, workplaces and markets.

A recipient is named by its id (``hedong``) or, where that reads better or an
id is ambiguous, by type and id (``school:school-wangmu``); an unknown one is
an error that lists what the profile knows, never a new free-text place.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.deployment import Profile
from outreach.ledger.store import LedgerError

PLACE_TYPES = ("village", "school", "community", "workplace", "market")
_LISTS = {"school": "schools", "community": "communities", "workplace": "workplaces", "market": "markets"}


@dataclass(frozen=True)
class Place:
    """A resolved recipient or event place: its type, id and Mandarin name."""

    type: str
    id: str
    name: str


def places(profile: Profile) -> list[Place]:
    """Every place of the profile, villages first, in the profile's order."""
    found = [Place("village", v.id, v.name.cmn) for v in profile.villages]
    for kind, attr in _LISTS.items():
        found += [Place(kind, p.id, p.name.cmn) for p in getattr(profile, attr)]
    return found


def resolve_place(profile: Profile, spec: str) -> Place:
    """``ID`` or ``TYPE:ID`` -> the place; an unknown type or id is a one-line error naming the known ones."""
    kind, sep, ident = spec.strip().partition(":")
    if not sep:
        kind, ident = "", kind
    elif kind not in PLACE_TYPES:
        raise LedgerError(f"unknown place type '{kind}' in '{spec}' (types: {', '.join(PLACE_TYPES)})")
    candidates = [p for p in places(profile) if p.id == ident and (not kind or p.type == kind)]
    if candidates:
        return candidates[0]
    of_kind = [p for p in places(profile) if not kind or p.type == kind]
    known = ", ".join(f"{p.type}:{p.id}" for p in of_kind) or "none in the profile"
    what = kind or "village, school, community, workplace or market"
    raise LedgerError(f"unknown {what} '{ident}' (known: {known}); add it to schedules/deployment.yaml first")
