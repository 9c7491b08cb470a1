import re

import pytest

from outreach.catalog import Catalog
from outreach.errors import (
    MissingVariableError,
    TemplateError,
    TemplateSecurityError,
    TemplateSyntaxError,
    VariableValueError,
)
from outreach.render import Mode, Origin, Segment, has_words, render

from conftest import write_script

MARKERS = re.compile("[\ue000-\uf8ff]")  # any private-use character: a span or variable marker left over


def _render(deployment, script_id, lang="cmn", village="wangmu", mode=Mode.PRINT, **overrides):
    script = Catalog.load(deployment.scripts_dir).get(script_id)
    profile = deployment.profile
    return render(script, lang, profile, profile.village(village), overrides, mode)


def test_every_shipped_script_renders_in_both_modes_for_every_village(shipped, catalog):
    profile = shipped.profile
    assert len(catalog) >= 8
    for script in catalog:
        for village in profile.villages:
            for lang in script.languages:
                for mode in Mode:
                    segments = render(script, lang, profile, village, None, mode).segments
                    where = (script.id, village.id, lang, mode)
                    assert any(village.name.cmn in s.text for s in segments if s.origin == Origin.VARIABLE), where
                    assert all(s.text and not MARKERS.search(s.text) for s in segments), where


def test_print_and_speech_modes(shipped):
    printed = _render(shipped, "fake-investment")
    spoken = _render(shipped, "fake-investment", mode=Mode.SPEECH)
    assert "110,000元" in printed.text and "96110" in printed.text
    assert "十一万元" in spoken.text and "九六幺幺零" in spoken.text
    assert "110" not in spoken.text


def test_var_overrides_are_typed(shipped):
    assert "70,000元" in _render(shipped, "fake-investment", amount="70000").text
    with pytest.raises(VariableValueError, match="'amount' is a money"):
        _render(shipped, "fake-investment", amount="lots")
    with pytest.raises(TemplateError, match="no variable 'amout'"):
        _render(shipped, "fake-investment", amout="1")


def test_optional_date_variable(shipped):
    assert "开学" in _render(shipped, "school-start", mode=Mode.SPEECH).text
    text = _render(shipped, "school-start", mode=Mode.SPEECH, term_start="2027-03-01").text
    assert "今年三月一日开学" in text


def test_bouyei_segments_carry_mandarin_spans(shipped):
    rendered = _render(shipped, "general-warning", lang="pcc", mode=Mode.SPEECH)
    assert rendered.status == "draft" and not rendered.approved
    langs = {s.lang for s in rendered.segments}
    assert langs == {"cmn", "pcc"}
    cmn_text = "".join(s.text for s in rendered.segments if s.lang == "cmn")
    pcc_text = "".join(s.text for s in rendered.segments if s.lang == "pcc")
    assert "九六幺幺零" in cmn_text and "王母村" in cmn_text
    assert "Leeux boz ndil" in pcc_text and "九" not in pcc_text
    assert Segment("cmn", "王母村", "variable") == rendered.segments[0]


def test_has_words_sees_letters_and_digits_of_any_script():
    assert has_words("Mengz") and has_words("九") and has_words("110") and has_words("ü")
    assert not has_words("") and not has_words(" ，。！？…\n- ")


def test_punctuation_between_spans_joins_its_neighbour(deployment):
    write_script(deployment, "punct", {"pcc": "Mengz {{ 'QQ' | cmn }}{{ '!' }}"})
    rendered = _render(deployment, "punct", lang="pcc")
    assert [(s.lang, s.text, s.origin) for s in rendered.segments] == [
        ("pcc", "Mengz ", Origin.FIXED), ("cmn", "QQ!", Origin.VARIABLE)]


def test_village_bouyei_name_is_used_when_known(deployment):
    path = deployment.profile_path
    path.write_text(path.read_text(encoding="utf-8").replace("name: {cmn: 王母村}", "name: {cmn: 王母村, pcc: Mbaanx}"), encoding="utf-8")
    rendered = _render(deployment, "general-warning", lang="pcc")
    assert rendered.segments[0] == Segment("pcc", "Mbaanx", "variable")


def test_explicit_language_span(deployment):
    write_script(deployment, "span", {"pcc": "Mengz ndil! {{ 'QQ' | cmn }} xeenz"})
    rendered = _render(deployment, "span", lang="pcc")
    assert [(s.lang, s.text) for s in rendered.segments] == [("pcc", "Mengz ndil! "), ("cmn", "QQ"), ("pcc", " xeenz")]


@pytest.mark.parametrize("expression", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ village.__class__ }}",
    "{{ 'x' * 100000000 }}",
    "{{ 2 ** 100000 }}",
])
def test_sandbox_refuses_escapes(deployment, expression):
    write_script(deployment, "evil", {"cmn": "开头" + expression})
    with pytest.raises(TemplateSecurityError, match=r"evil/cmn.j2:1: the sandbox refused"):
        _render(deployment, "evil")


def test_runtime_errors_name_file_line_and_script(deployment):
    write_script(deployment, "oops", {"cmn": "一\n{{ village.contactx }}"})
    with pytest.raises(TemplateError, match=r"oops/cmn.j2:2: script 'oops' \(cmn\): .*contactx"):
        _render(deployment, "oops")


def test_unsafe_attribute_is_a_security_error(deployment):
    write_script(deployment, "evil", {"cmn": "第一行\n{{ ''.__class__ }}"})
    with pytest.raises(TemplateSecurityError, match=r"evil/cmn.j2:2: .*__class__"):
        _render(deployment, "evil")


def test_syntax_error_names_file_and_line(deployment):
    write_script(deployment, "broken", {"cmn": "第一行\n第二行 {{ hotline | phone }\n"})
    with pytest.raises(TemplateSyntaxError) as info:
        _render(deployment, "broken")
    assert info.value.where.endswith("broken/cmn.j2:2")


def test_missing_variable_names_variable_and_script(deployment):
    write_script(deployment, "needy", {"cmn": "被骗{{ loss | money }}"})
    with pytest.raises(MissingVariableError) as info:
        _render(deployment, "needy")
    assert info.value.names == ["loss"]
    assert "'needy'" in str(info.value) and "'loss'" in str(info.value)


def test_declared_variable_without_default_is_reported_at_its_line(deployment):
    write_script(deployment, "needy", {"cmn": "一\n{{ when | date }}"},
                 "variables:\n  when: {type: date}\n")
    with pytest.raises(MissingVariableError, match=r"needy/cmn.j2:2: script 'needy' \(cmn\) needs variable 'when'"):
        _render(deployment, "needy")


def test_marker_characters_in_data_cannot_fake_spans(deployment):
    write_script(deployment, "inj", {"cmn": "{{ x }}"}, "variables:\n  x: {type: text}\n")
    rendered = _render(deployment, "inj", x="\ue002pcc\ue003假\ue004")
    assert [(s.lang, s.text) for s in rendered.segments] == [("cmn", "pcc假")]


def test_speech_reads_a_variable_with_the_words_around_it(deployment):
    write_script(deployment, "context", {"cmn": "骗子寄来{{ cards }}张卡，骗走{{ amount | money }}，共{{ cards }}次。"},
                 "variables:\n  cards: {type: int, default: 2}\n  amount: {type: money, default: 2}\n")
    spoken = _render(deployment, "context", mode=Mode.SPEECH)
    assert spoken.text == "骗子寄来两张卡，骗走两元，共两次。"
    assert [s.origin for s in spoken.segments][:3] == [Origin.FIXED, Origin.VARIABLE, Origin.FIXED]
    assert "2张卡" in _render(deployment, "context").text
