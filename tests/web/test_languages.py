"""A message worded by domain code (``outreach.i18n._``) reaches each user in that user's language.

The console runs every request inside ``i18n.use_locale(<the user's language>)``, also in the worker thread
that runs the page function and the domain code it calls; the server's own environment says English.
"""

from __future__ import annotations

from outreach import i18n
from outreach.deployment import Deployment

from web.conftest import PASSWORD

RETURN_WITHOUT_COMMENT = {
    "zh_CN": "请写明退回原因，让译者知道要改什么。",
    "en": "Say why the text is returned, so the translator knows what to change.",
}
MISSING = 987654


def test_an_error_from_domain_code_is_in_the_language_of_the_user_who_sees_it(
        signed_in, server: str, web_root: Deployment) -> None:
    from outreach.web.accounts import add_user
    from outreach.web.store import Store

    add_user(Store.of(web_root), "reviewer-en", "reviewer", PASSWORD, "en")
    for name, locale in (("reviewer", "zh_CN"), ("reviewer-en", "en")):
        page = signed_in(name)
        page.goto(server + "/review/fake-loan/pcc")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.click("#return")  # no comment: the request's worker thread raises, worded with outreach.i18n._
        assert answer.value.status == 400
        assert page.inner_text("p.error") == RETURN_WITHOUT_COMMENT[locale], name

        response = page.goto(f"{server}/versions/{MISSING}")  # outreach.web.versions.version refuses it
        assert response is not None and response.status == 400
        worded = i18n.translations(locale).gettext("no version {id}").format(id=MISSING)
        assert page.inner_text("p.error") == worded, name
    assert i18n.translations("en").gettext("no version {id}") == "no version {id}"
