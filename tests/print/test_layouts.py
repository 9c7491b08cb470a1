"""What each card layout's template is given: paragraphs with languages, type that shrinks, local cases."""

from outreach.print import Layout, collect
from outreach.print.layouts import font_size, layout_context, paragraphs
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
