"""A writable deployment with one short two-language script, shared by the speech tests."""

from __future__ import annotations

from pathlib import Path

from outreach.catalog import Catalog
from outreach.deployment import Deployment
from outreach.render import Mode, render
from outreach.speech.segments import SpeechSegment, speech_segments

from conftest import copy_deployment, write_script

TINY = {
    "cmn": "{{ village.name }}的乡亲们好。\n请拨打{{ hotline | phone }}。\n不要转账。",
    "pcc": "Leeux boz ndil! 问 {{ hotline | phone }}.",
}


def tiny_deployment(folder: Path) -> Deployment:
    deployment = copy_deployment(folder)
    write_script(deployment, "tiny", TINY)
    return deployment


def sentences(deployment: Deployment, lang: str, village: str = "wangmu") -> list[SpeechSegment]:
    """The speech segments of the tiny script in one language, for one village."""
    script = Catalog.load(deployment.scripts_dir).get("tiny")
    return speech_segments(render(script, lang, deployment.profile, deployment.profile.village(village),
                                  mode=Mode.SPEECH))
