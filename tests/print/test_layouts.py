"""What each card layout's template is given: paragraphs with languages, type that shrinks, local cases."""

import pytest

from outreach.errors import ConfigError
from outreach.print import Layout, collect
from outreach.print.layouts import CASES, case_lines, font_size, layout_context, paragraphs, topic_lesson
from outreach.render import Mode, RenderedText, Segment


def test_every_layout_has_its_template(shipped):
    for layout in Layout:
        assert (shipped.templates / layout.template).is_file(), layout


def test_paragraphs_split_at_newlines_and_keep_each_span_language():
    rendered = RenderedText("s", "pcc", Mode.PRINT, "draft", (
        Segment("pcc", "Mengz ndil "), Segment("cmn", "王母村", "variable"), Segment("pcc", "!\n\n  \nLeeux boz"),
    ))
    assert paragraphs(rendered) == [
        [{"html_lang": "pcc", "text": "Mengz ndil "}, {"html_lang": "zh-Hans", "text": "王母村"},
         {"html_lang": "pcc", "text": "!"}],
        [{"html_lang": "pcc", "text": "Leeux boz"}],
    ]


def test_long_texts_get_smaller_type_but_never_below_the_floor():
    assert font_size("短" * 100, 9.0, 6.8, 230) == 9.0
    assert 6.8 < font_size("长" * 300, 9.0, 6.8, 230) < 9.0
    assert font_size("长" * 5000, 9.0, 6.8, 230) == 6.8
    assert font_size("a" * 400, 9.0, 6.8, 230) == 9.0  # Latin letters take about half the room of Han


def test_leaflet_shows_local_cases_on_the_script_topic(shipped, catalog):
    cards = collect(shipped, [catalog.get("fake-loan")], [shipped.profile.village("hongxing")], allow_draft=True)
    [leaflet] = layout_context(Layout.LEAFLET, cards, shipped.templates)["leaflets"]
    assert [case["amount"] for case in leaflet["cases"]] == ["70,000元", "16,635元"]
    first = leaflet["cases"][0]
    assert (first["before"], first["after"]) == ("一名群众办理网上贷款被骗", "。")
    assert [side["lang"] for side in leaflet["sides"]] == ["cmn", "pcc"]


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("cases: [1]\n", r"cases\.yaml: cases\[0\]: .*dictionary"),
    ("cases:\n  - topic: loan\n    text: 被骗{amount}。\n    amount: nan\n",
     r"cases\.yaml: cases\[0\]\.amount: 'nan' is not a finite number \(line 4\)"),
    ("cases:\n  - topic: loan\n    txt: 被骗。\n", r"cases\.yaml: .*cases\[0\]\.txt: unknown key"),
    ("lessons: [loan]\n", r"cases\.yaml: lessons: "),
])
def test_a_broken_cases_file_is_refused_naming_it(deployment, run, yaml_text, message):
    cases = deployment.templates / CASES
    cases.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        case_lines("loan", cases)
    with pytest.raises(ConfigError, match=message):
        topic_lesson("loan", cases)
    code, _, err = run("cards", "fake-loan", "--village", "hongxing", "--layout", "leaflet", "--allow-draft",
                       "-o", str(deployment.root / "x.pdf"), "--root", str(deployment.root))
    assert code == 1 and "cases.yaml" in err and "Traceback" not in err


def test_amounts_are_read_as_staff_write_them(deployment):
    cases = deployment.templates / CASES
    cases.write_text("cases:\n  - topic: loan\n    text: 被骗{amount}。\n    amount: '110,000'\n"
                     "lessons:\n  school: 先核实。\n", encoding="utf-8")
    assert case_lines("loan", cases)[0]["amount"] == "110,000元"
    assert topic_lesson("school", cases) == "先核实。" and topic_lesson("loan", cases) == ""
