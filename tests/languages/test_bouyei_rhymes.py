"""The rhymes of the 1985 orthography, neutral-tone particles, and per-word batch records."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.languages import bouyei

# The rhymes as shared/bouyei/README.md lists them, with the vowel values it gives,
# written out here independently of the parser's tables.
OPEN = {"a": "a", "aa": "aː", "e": "ɯ", "ee": "e", "i": "i", "u": "u", "o": "o", "oo": "oː",
        "ie": "iə", "ue": "uə", "ea": "ɯə"}
CLOSED = {"a": "ɐ", "aa": "aː", "e": "ɯ", "ee": "eː", "i": "i", "u": "u", "o": "ɔ", "oo": "oː",
          "ia": "iə", "ua": "uə", "ea": "ɯə"}
ENDINGS = ("ai", "aai", "au", "aau", "ae", "ei", "eeu", "iu", "oi", "ui")
CODAS = {"m": "m", "n": "n", "ng": "ŋ", "b": "p̚", "d": "t̚", "g": "k̚"}


def _readme_rhymes() -> list[tuple[str, str, str]]:
    """(final, tone letter, expected IPA after the initial b) for every rhyme the README lists."""
    rows = [(final, "l", vowel + "˨˦") for final, vowel in OPEN.items()]
    rows += [(final, "z", None) for final in ENDINGS]
    for nucleus, vowel in CLOSED.items():
        for coda, coda_ipa in CODAS.items():
            stop = coda in ("b", "d", "g")
            rows.append((nucleus + coda, "t" if stop else "x", vowel + coda_ipa + ("˧˥" if stop else "˧˩")))
    return rows


def test_every_rhyme_of_the_readme_parses_natively_with_its_ipa():
    for final, letter, expected in _readme_rhymes():
        [syl] = bouyei.syllables("b" + final + letter)
        assert (syl.final, syl.loan) == (final, False), final
        if expected:
            assert syl.ipa() == "p" + expected, final


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(bouyei.NATIVE_INITIALS) + [""]),
    st.sampled_from(["ea", "eam", "ean", "eang", "eab", "ead", "eag"]),
    st.sampled_from(sorted(bouyei.NATIVE_TONES) + ["t", ""]),
)
def test_the_open_diphthong_ea_parses_after_every_native_initial(initial, final, letter):
    stop = final[-1] in "bdg" and not final.endswith("ng")
    if stop != (letter in ("t", "")):
        return
    [syl] = bouyei.syllables(initial + final + letter)
    assert (syl.initial, syl.final, syl.loan) == (initial, final, False)
    assert "ɯə" in syl.ipa()


def test_bea_is_a_neutral_tone_particle_only_as_a_whole_word():
    [syl] = bouyei.syllables("bea")
    assert (syl.final, syl.tone, syl.ipa()) == ("ea", bouyei.NEUTRAL, "pɯə")
    assert bouyei.check_text("Byagbas bea buxgvaangl! Byaghaangz bea buxlaaux!") == []
    assert bouyei.check_text("bealbea") and bouyei.check_text("xeen")


def test_v_is_a_loan_initial_and_the_error_names_the_native_spelling():
    [issue] = bouyei.check_text("veac")
    assert "'weac'" in issue.reason
    assert bouyei.ipa("weac") == "wɯə˥˧"


def test_a_batch_gives_every_good_word_its_ipa_and_one_error_record():
    records = bouyei.ipa_records(["ndeeul", "veac", "bea", "xeenz"])
    assert [r["word"] for r in records] == ["ndeeul", "veac", "bea", "xeenz"]
    assert [r["ok"] for r in records] == [True, False, True, True]
    assert records[0]["ipa"] == "ɗeːu˨˦" and records[2]["ipa"] == "pɯə"
    assert records[1]["ipa"] == "wɯə˥˧" and "'w'" in records[1]["error"]
    assert records[3]["syllables"][0]["contour"] == "11"


def test_check_records_one_per_word_with_columns():
    records = bouyei.check_records("Mengz ndil! xeen 96110 bea")
    assert [(r["word"], r["column"], r["ok"]) for r in records] == [
        ("Mengz", 1, True), ("ndil", 7, True), ("xeen", 13, False), ("bea", 24, True),
    ]
    assert "missing tone letter" in records[2]["error"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=6))
def test_records_never_stop_a_batch(words):
    records = bouyei.ipa_records(words)
    assert len(records) == len(words)
    for record in records:
        assert record["ok"] == (record["error"] is None) == (record["ipa"] is not None)


def test_a_native_word_spelt_with_loan_v_gets_its_sound_and_stays_an_error():
    from outreach.languages import bouyei

    veac, bea = bouyei.ipa_records(["veac", "bea"])
    assert veac["ok"] is False and "written 'w'" in veac["error"]
    assert veac["ipa"] == bouyei.ipa_records(["weac"])[0]["ipa"] == "wɯə˥˧"
    assert bea["ok"] and bea["ipa"] == "pɯə"
    assert bouyei.ipa_records(["zzz"])[0]["ipa"] is None
