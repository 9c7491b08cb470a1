"""The synthetic Bouyei voice's spelling-to-phoneme rules (its sound is measured by benchmarks/bouyei_tones.py)."""

from outreach.languages.lexicon import Lexicon
from outreach.speech.bouyei_espeak import to_phonemes


def test_every_lexicon_word_has_a_synthetic_pronunciation(shipped):
    for entry in Lexicon.load(shipped.lexicon_path).entries.values():
        phonemes = to_phonemes(entry.form)
        assert phonemes.startswith("[[") and phonemes.endswith("]]"), entry.form
    assert to_phonemes("Leeux boz ndil!") == "[[l'e6w]] [[p'o2]] [[d_'i3]]!"
