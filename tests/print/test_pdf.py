"""The one HTML -> PDF path: layouts under templates/ rendered over the letterhead, sandboxed and escaped."""

import pytest

from outreach.catalog import Catalog
from outreach.print import PrintError, collect, make_pdf, pdf_from_template

from conftest import write_script
from .pdftools import pdf_text

PROBE = "print/probe.html.j2"


def _layout(deployment, text: str, name: str = PROBE) -> None:
    (deployment.templates / name).write_text(text, encoding="utf-8")


def test_a_layout_becomes_a_pdf_with_the_letterhead(deployment, tmp_path):
    _layout(deployment, "<!doctype html><html><head><style>{{ base_css }}</style></head>"
                        "<body><p>{{ county }} {{ station }} 反诈{{ hotline }}</p><p>{{ word }}</p>"
                        "<img src=\"{{ qr }}\"></body></html>")
    out = tmp_path / "sub" / "probe.pdf"
    pdf = pdf_from_template(deployment, PROBE, {"word": "<b>粗</b> & <i>"}, out)
    assert out.read_bytes() == pdf and pdf.startswith(b"%PDF")
    text = pdf_text(out)
    profile = deployment.profile
    assert profile.county.cmn in text and profile.station.name in text
    assert f"反诈{profile.hotlines.antifraud}" in text
    assert "<b>粗</b> & <i>" in text  # escaped: shown, not obeyed
    assert not list(out.parent.glob("*.part"))


def test_script_text_is_escaped_in_cards(deployment, tmp_path):
    write_script(deployment, "markup", {"cmn": "注意<b>加粗</b>&amp; <img src=x onerror=alert(1)>"})
    catalog = Catalog.load(deployment.scripts_dir)
    cards = collect(deployment, [catalog.get("markup")], [deployment.profile.village("xiangle")], False)
    result = make_pdf(deployment, "card", cards, tmp_path / "m.pdf")
    assert "<b>加粗</b>&amp; <img src=x" in pdf_text(result.path)


@pytest.mark.parametrize(("layout", "message"), [
    ("<p>{{ nobody_gave_this }}</p>", r"probe.html.j2: 'nobody_gave_this' is undefined"),
    ("<p>\n{{ county }</p>", r"probe.html.j2:2: unexpected '}'"),
    ("<p>{{ county.__class__.__mro__ }}</p>", r"probe.html.j2: .*unsafe"),
])
def test_a_broken_layout_is_a_one_line_error_and_writes_nothing(deployment, tmp_path, layout, message):
    _layout(deployment, layout)
    out = tmp_path / "p.pdf"
    with pytest.raises(PrintError, match=message):
        pdf_from_template(deployment, PROBE, {}, out)
    assert not out.exists()


def test_a_missing_layout_or_house_css_is_named(deployment):
    with pytest.raises(PrintError, match=r"no layout 'print/nope.html.j2' in .*templates"):
        pdf_from_template(deployment, "print/nope.html.j2", {})
    (deployment.templates / "print" / "base.css").unlink()
    with pytest.raises(PrintError, match=r"print/base.css is missing"):
        pdf_from_template(deployment, "reports/monthly.html.j2", {})
