import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.errors import OrthographyError
from outreach.languages import bouyei
from outreach.languages.lexicon import Lexicon


def test_ipa_matches_independent_wikipron_transcriptions(shipped):
    """WikiPron's transcriptions were made independently of our rules; ours must agree."""
    lexicon = Lexicon.load(shipped.lexicon_path)
    checked = 0
    for entry in lexicon.entries.values():
        if entry.ipa_source.startswith("WikiPron"):
            assert bouyei.ipa(entry.form) == entry.ipa, entry.form
            checked += 1
    assert checked >= 25


@pytest.mark.parametrize("word, expected", [
    ("ndeeul", "ɗeːu˨˦"), ("xeenz", "ɕeːn˩"), ("rogt", "zɔk̚˧˥"), ("xib", "ɕip̚˧"),
    ("genl", "kɯn˨˦"), ("buxens", "pu˧˩ʔɯn˧˥"), ("luanh", "luən˧"), ("mbox", "ɓo˧˩"),
    ("xibrogt", "ɕip̚˧zɔk̚˧˥"), ("dianq", "tiən˨˦"), ("dufpinj", "tu˧˩pʰin˥˧"),
    ("Guiqzouy", "kui˨˦t͡səu˧"), ("Haausqyaix", "xaːu˧˥ʔjɐi˧˩"),
])
def test_ipa_of_attested_words(word, expected):
    assert bouyei.ipa(word) == expected


def test_syllable_parts_and_loan_tones():
    syls = bouyei.syllables("Zungyguef")
    assert [(s.text, s.initial, s.final, s.tone, s.loan) for s in syls] == [
        ("Zungy", "z", "ung", "y", True), ("guef", "g", "ue", "f", True),
    ]
    seven, eight = bouyei.syllables("rogt")[0], bouyei.syllables("rog")[0]
    assert (seven.tone, eight.tone) == (7, 8)


@pytest.mark.parametrize("text, column, reason", [
    ("xeenzz", 1, "'z' after 'xeenz' has no vowel"),
    ("Lix haux miz luanh gwnl", 20, "1981 draft"),
    ("mengz trogt", 7, "unknown initial 'tr'"),
    ("xeen", 1, "missing tone letter after 'xeen'"),
    ("xaoel", 1, "impossible final 'aoe'"),
    ("bie", 1, "missing tone letter after 'bie'"),
    ("veac", 1, "written 'w' ('weac'"),
    ("xuib", 1, "impossible final 'uib'"),
    ("xiaol", 1, "loan syllable"),
])
def test_spelling_errors_name_word_position_and_reason(text, column, reason):
    issues = bouyei.check_text(text)
    assert len(issues) == 1
    assert issues[0].offset + 1 == column
    assert reason in issues[0].reason


def test_han_and_digits_are_not_bouyei():
    assert bouyei.check_text("网上贷款, myaec haec xeenz! 96110") == []


def test_syllables_raises_a_user_error():
    with pytest.raises(OrthographyError, match="xeenzz"):
        bouyei.syllables("xeenzz")


def test_numerals_follow_the_attested_pattern():
    assert [bouyei.numeral(n) for n in (1, 2, 10, 11, 16, 20, 21, 22, 30)] == [
        "ndeeul", "soongl", "xib", "xibidt", "xibrogt", "nyihxib", "nyihxibidt", "nyihxibnyih", "saamlxib",
    ]
    for n in range(1, 100):
        bouyei.ipa(bouyei.numeral(n))
    with pytest.raises(ValueError):
        bouyei.numeral(100)


def test_every_lexicon_word_parses(shipped):
    lexicon = Lexicon.load(shipped.lexicon_path)
    assert len(lexicon.entries) > 80
    for entry in lexicon.entries.values():
        bouyei.syllables(entry.form)
        assert entry.source


# -- property tests ---------------------------------------------------------

def _native_syllable():
    def build(initial, final, letter):
        kind = bouyei.NATIVE_FINALS[final][1]
        tone = ("t", "") if kind == "stop" else tuple(bouyei.NATIVE_TONES)
        return st.sampled_from(tone).map(lambda t: (initial, final, t))

    return st.tuples(
        st.sampled_from(sorted(bouyei.NATIVE_INITIALS) + [""]),
        st.sampled_from(sorted(bouyei.NATIVE_FINALS)),
    ).flatmap(lambda pair: build(pair[0], pair[1], None))


@settings(max_examples=400, deadline=None)
@given(_native_syllable())
def test_every_syllable_from_the_tables_parses_back_to_itself(parts):
    initial, final, letter = parts
    word = initial + final + letter
    [syl] = bouyei.syllables(word)
    assert (syl.initial, syl.final, syl.tone_letter) == (initial, final, letter)


@settings(max_examples=300, deadline=None)
@given(st.lists(_native_syllable(), min_size=2, max_size=4))
def test_compounds_of_native_syllables_split_back(parts):
    word = "".join("".join(p) for p in parts)
    syls = bouyei.syllables(word)
    assert [s.text for s in syls] == ["".join(p) for p in parts]


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_junk_never_crashes_the_parser(text):
    for issue in bouyei.check_text(text):
        assert issue.reason
    for _, word in bouyei.words(text):
        try:
            bouyei.ipa(word)
        except OrthographyError:
            pass
