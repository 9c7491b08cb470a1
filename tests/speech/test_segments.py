"""Splitting rendered speech into sentences, and the keys that name their recordings."""

from outreach.render import Origin
from outreach.speech.segments import normalise, segment_key

from speech.tiny_script import sentences, tiny_deployment


def test_sentences_split_at_sentence_ends_and_language_changes(tmp_path):
    deployment = tiny_deployment(tmp_path)
    assert [(s.lang, s.text) for s in sentences(deployment, "pcc")] == [
        ("pcc", "Leeux boz ndil!"), ("cmn", "问 九六幺幺零.")]
    cmn = sentences(deployment, "cmn", village="xiangle")
    assert [s.text for s in cmn][1:] == ["请拨打九六幺幺零。", "不要转账。"]
    assert cmn[0].has_variable and not cmn[2].has_variable
    assert [p.origin for p in cmn[0].parts][0] == Origin.VARIABLE


def test_a_key_ignores_case_spacing_and_leading_punctuation_but_not_language():
    assert normalise("  ,Leeux   boz\nndil! ") == "Leeux boz ndil!"
    assert segment_key("pcc", "Leeux boz ndil!") == segment_key("pcc", "— leeux  BOZ ndil!")
    assert segment_key("pcc", "Leeux boz ndil!") != segment_key("cmn", "Leeux boz ndil!")
    assert segment_key("pcc", "Leeux boz ndil!") != segment_key("pcc", "Leeux boz ndil.")
