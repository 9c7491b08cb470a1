"""The reading corpus: what a broadcaster says for what staff write, and the pinyin every engine receives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.languages import cmn_pinyin, mandarin

CORPUS = yaml.safe_load((Path(__file__).with_name("reading_corpus.yaml")).read_text(encoding="utf-8"))
CASES = [(section, case) for section, cases in CORPUS.items() for case in cases]


def _id(item: tuple[str, dict]) -> str:
    return f"{item[0]}:{item[1]['text']}"


def test_the_corpus_is_large_and_covers_every_kind_of_notice_wording():
    assert len(CASES) >= 150
    assert {"amounts", "rates", "dates", "times", "phones_and_codes", "polyphones"} <= set(CORPUS)
    for _, case in CASES:
        assert case.get("say") or case.get("pinyin"), case["text"]


@pytest.mark.parametrize("item", CASES, ids=[_id(c) for c in CASES])
def test_corpus_case_reads_as_accepted(item):
    _, case = item
    if "say" in case:
        assert mandarin.speak(case["text"]) in case["say"]
    if "pinyin" in case:
        assert mandarin.to_pinyin(case["text"]) in case["pinyin"]


def test_every_project_phrase_is_read_as_listed():
    """The phrase list is data; each entry must win over pypinyin's own choice, alone and inside a sentence."""
    phrases = cmn_pinyin.phrase_data()["phrases"]
    assert len(phrases) >= 15
    for word, reading in phrases.items():
        tokens = mandarin.pinyin_tokens(f"请注意{word}。")
        assert tokens[3:3 + len(word)] == cmn_pinyin.sandhi(word, reading.split()), word


def test_letters_are_spelt_with_syllables_every_engine_knows():
    letters = cmn_pinyin.phrase_data()["letters"]
    assert sorted(letters) == [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    for reading in letters.values():
        assert all(cmn_pinyin.SYLLABLE.match(s) for s in reading.split())
    assert mandarin.pinyin_tokens("app") == mandarin.pinyin_tokens("APP")


def test_speak_is_idempotent_so_engines_may_read_spoken_text_again():
    for _, case in CASES:
        spoken = mandarin.speak(case["text"])
        assert mandarin.speak(spoken) == spoken, case["text"]


def test_pinyin_for_shows_what_a_mandarin_engine_receives():
    assert mandarin.pinyin_for("cmn", "请拨打96110") == "qing3 bo1 da2 jiu3 liu4 yao1 yao1 ling2"
    assert mandarin.pinyin_for("pcc", "Leeux boz ndil") is None


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789０１.,:：-～~/%％‰+¥$元万个年月日号点第拨打电话 ℃×")), max_size=24))
def test_speak_never_fails_and_leaves_no_ascii_digit(text):
    spoken = mandarin.speak(text)
    assert not any(ch in "0123456789" for ch in spoken)
    mandarin.pinyin_tokens(text)
