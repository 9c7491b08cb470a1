"""Where material goes and events happen: the profile's villages, schools, communities, workplaces and markets.

A recipient is named by its id (``hedong``) or, where that reads better or an
id is ambiguous, by type and id (``school:school-wangmu``); an unknown one is
an error that lists what the profile knows, never a new free-text place.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.deployment import Profile
from outreach.i18n import N_, _
from outreach.ledger.store import LedgerError

PLACE_TYPES = ("village", "school", "community", "workplace", "market")
UNKNOWN = {
    "": N_("unknown village, school, community, workplace or market '{id}' (known: {known}); "
           "add it to schedules/deployment.yaml first"),
    "village": N_("unknown village '{id}' (known: {known}); add it to schedules/deployment.yaml first"),
    "school": N_("unknown school '{id}' (known: {known}); add it to schedules/deployment.yaml first"),
    "community": N_("unknown community '{id}' (known: {known}); add it to schedules/deployment.yaml first"),
    "workplace": N_("unknown workplace '{id}' (known: {known}); add it to schedules/deployment.yaml first"),
    "market": N_("unknown market '{id}' (known: {known}); add it to schedules/deployment.yaml first"),
}
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
        raise LedgerError(_("unknown place type '{kind}' in '{spec}' (types: {types})").format(
            kind=kind, spec=spec, types=", ".join(PLACE_TYPES)))
    candidates = [p for p in places(profile) if p.id == ident and (not kind or p.type == kind)]
    if candidates:
        return candidates[0]
    of_kind = [p for p in places(profile) if not kind or p.type == kind]
    known = ", ".join(f"{p.type}:{p.id}" for p in of_kind) or _("none in the profile")
    raise LedgerError(_(UNKNOWN[kind]).format(id=ident, known=known))
