"""Small things several pages need: a script's effective review status, the chosen village, safe names."""

from __future__ import annotations

import re

from outreach.catalog import Script
from outreach.deployment import Deployment, Village
from outreach.errors import OutreachError
from outreach.i18n import _

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def status_of(script: Script, lang: str) -> str:
    """The status the console shows and acts on: the catalog's, so the CLI, daemon and print agree with it."""
    return script.review(lang).status


def statuses(script: Script) -> dict[str, str]:
    return {lang: status_of(script, lang) for lang in script.languages}


def village_for(deployment: Deployment, village_id: str, lang: str | None = None) -> Village:
    """The village asked for, else the first that hears ``lang`` (else the first of the profile)."""
    profile = deployment.profile
    if village_id:
        return profile.village(village_id)
    return next((v for v in profile.villages if lang is None or lang in v.languages), profile.villages[0])


def safe_name(name: str) -> str:
    """A file name from a URL, refused if it could leave its folder."""
    if not SAFE_NAME.match(name) or ".." in name:
        raise OutreachError(_("'{name}' is not a file name").format(name=name))
    return name
