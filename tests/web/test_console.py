"""Signing in, the pages every role sees, CSRF and roles enforced on the server, no overflow on a phone."""

from __future__ import annotations

import re

import pytest

from outreach.deployment import Deployment

PAGES = ["/", "/scripts", "/scripts/fake-loan", "/scripts/fake-loan/edit/cmn.j2", "/review", "/review/fake-loan/pcc",
         "/record", "/print", "/agenda?month=2027-02", "/log", "/reports", "/audit"]


def test_sign_in_refuses_a_wrong_password_then_lets_the_right_one_in(browser, server: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(server + "/scripts")
    assert page.url.startswith(server + "/login")
    page.fill("input[name=name]", "staff")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text("p.error")
    page.fill("input[name=name]", "staff")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(server + "/scripts")
    assert page.inner_text("h1") == "宣传稿"
    cookie = next(c for c in context.cookies() if c["name"] == "outreach_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    context.close()


def test_a_script_previews_for_the_chosen_village_in_both_languages(signed_in, server: str,
                                                                    web_root: Deployment) -> None:
    page = signed_in("staff")
    page.goto(server + "/scripts/fake-loan?village=hongxing")
    texts = page.locator("section.text pre.rendered:not(.speech)")
    assert texts.count() == 2
    assert "红星村的乡亲们" in texts.nth(0).inner_text()
    assert "Leeux boz ndil" in texts.nth(1).inner_text()
    assert "九六幺幺零" in page.inner_text("body") or "幺幺零" in page.inner_text("pre.speech")
    assert page.locator("section.lang-pcc .tag.draft").count() == 1
    page.select_option("select[name=village]", "xiangle")
    page.wait_for_url(re.compile(r".*village=xiangle"))
    assert "祥乐村的乡亲们" in page.locator("section.lang-cmn pre.rendered").first.inner_text()


def test_a_form_posted_without_its_csrf_token_is_refused(signed_in, server: str, web_root: Deployment) -> None:
    page = signed_in("staff")
    page.goto(server + "/print")
    page.check("input[name=scripts][value=general-warning]")
    page.eval_on_selector("#print-form input[name=csrf]", "el => el.remove()")
    with page.expect_response(lambda r: r.url == server + "/print" and r.request.method == "POST") as answer:
        page.click("#print-form button[type=submit]")
    assert answer.value.status == 403
    assert "表单已过期" in page.inner_text("p.error")
    status = page.evaluate("""() => fetch('/account/language', {method: 'POST', body: new URLSearchParams({lang: 'en'})})
                              .then(r => r.status)""")
    assert status == 403


def test_the_language_is_chosen_per_user(signed_in, server: str) -> None:
    page = signed_in("recorder")
    assert page.inner_text("h1") == "概览"
    page.click("header form[action='/account/language'] button")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Overview"
    other = signed_in("admin")
    assert other.inner_text("h1") == "概览"
    page.click("header form[action='/account/language'] button")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "概览"


def test_roles_are_checked_on_the_server(signed_in, server: str) -> None:
    page = signed_in("recorder")
    page.goto(server + "/print")
    assert page.locator("#print-form").count() == 0
    status = page.evaluate("""() => fetch('/print', {method: 'POST', headers: {'X-CSRF-Token':
        document.querySelector('meta[name=csrf-token]').content},
        body: new URLSearchParams({scripts: 'general-warning', layout: 'card', copies: '1'})}).then(r => r.status)""")
    assert status == 403
    response = page.goto(server + "/audit")
    assert response is not None and response.status == 403


@pytest.mark.parametrize("width", [1280, 390])
def test_no_page_overflows_and_chinese_uses_noto_cjk(signed_in, server: str, width: int) -> None:
    page = signed_in("admin", width=width, height=800)
    for path in PAGES:
        response = page.goto(server + path)
        assert response is not None and response.status == 200, path
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px window"
    page.goto(server + "/")
    assert "Noto Sans CJK SC" in rendered_fonts(page, "h1")


def rendered_fonts(page, selector: str) -> set[str]:
    """The fonts Chromium actually drew a node's text with (DevTools' platform fonts), not what CSS asked for."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"] for f in fonts}
