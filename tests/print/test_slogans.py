"""Slogans: Bouyei ones are attested, glossed drafts; approved Mandarin ones quote approved text word for word."""

from __future__ import annotations

import pytest

from outreach.check import check_bouyei
from outreach.errors import ConfigError, PrintError
from outreach.findings import Level
from outreach.languages.lexicon import Lexicon
from outreach.print.slogans import SLOGANS, choose, slogan_book, slogan_texts


def test_every_bouyei_slogan_uses_attested_words_only(shipped):
    lexicon = Lexicon.load(shipped.lexicon_path)
    pcc = [(where, text) for where, lang, text in slogan_texts(shipped) if lang == "pcc"]
    assert pcc
    for where, text in pcc:
        problems = [f for f in check_bouyei(text, where, lexicon, line_based=False) if f.level == Level.ERROR]
        assert problems == [], problems


def test_bouyei_slogans_are_glossed_drafts_and_approved_mandarin_is_quoted(shipped, catalog):
    book = slogan_book(shipped)
    assert set(book.slogans) <= {script.id for script in catalog}
    for script_id, by_lang in book.slogans.items():
        for slogan in by_lang.get("pcc", []):
            assert slogan.status == "draft" and slogan.gloss_cmn, (script_id, slogan.text)
        script = catalog.get(script_id)
        source = script.template_path("cmn").read_text(encoding="utf-8") + script.meta.title["cmn"]
        for slogan in by_lang.get("cmn", []):
            if slogan.status == "approved":
                assert script.approved("cmn") and slogan.text in source, (script_id, slogan.text)


def test_choosing_a_slogan(shipped):
    assert choose(shipped, "general-warning", "cmn", 1, allow_draft=False).text == "天上永远不会掉馅饼"
    chosen = choose(shipped, "general-warning", "pcc", 1, allow_draft=True)
    assert chosen.draft and chosen.lang == "pcc"
    with pytest.raises(PrintError, match="not approved"):
        choose(shipped, "general-warning", "pcc", 1, allow_draft=False)
    with pytest.raises(PrintError, match="has no cmn slogan"):
        choose(shipped, "no-such-script", "cmn", 1, allow_draft=True)


def test_a_bouyei_slogan_without_a_gloss_is_a_config_error(deployment):
    (deployment.templates / SLOGANS).write_text(
        "slogans:\n  fake-loan:\n    pcc:\n      - text: Miz rox\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"slogans.fake-loan.pcc\[0\]: a Bouyei slogan needs gloss_cmn"):
        slogan_book(deployment)
    (deployment.templates / SLOGANS).write_text(
        "slogans:\n  fake-loan:\n    cmn:\n      - {text: 天上不会掉馅饼, status: approved}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="needs a reviewer"):
        slogan_book(deployment)
