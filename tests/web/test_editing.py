"""Editing with live preview and check, versions kept, and review bound to the hash of the text."""

from __future__ import annotations

import re

from outreach.deployment import Deployment

BROKEN = "乡亲们请注意：\n{{ village.name 的乡亲们要记住\n"


def _preview_settles(page, text: str) -> None:
    page.wait_for_function("t => document.getElementById('preview').innerText.includes(t)", arg=text)


def test_a_broken_mandarin_template_is_kept_as_a_draft_and_the_text_on_air_is_intact(
        signed_in, server: str, web_root: Deployment) -> None:
    path = web_root.scripts_dir / "general-warning" / "cmn.j2"
    original = path.read_text(encoding="utf-8")
    page = signed_in("staff")
    page.goto(server + "/scripts/general-warning/edit/cmn.j2")
    page.fill("#content", BROKEN)
    _preview_settles(page, "cmn.j2:2")  # the finding's place: its words are in the staff member's language
    assert re.search(r"general-warning/cmn\.j2:2", page.inner_text("#findings"))
    page.click("#edit-form button[type=submit]")
    assert page.locator("#saved-draft").count() == 1
    assert path.read_text(encoding="utf-8") == original
    assert page.input_value("#content") == BROKEN
    rows = page.locator("#versions tbody tr")
    assert rows.count() == 2
    rows.nth(1).locator("a").click()
    assert page.inner_text("#version-text").strip() == original.strip()


def test_a_good_edit_replaces_the_file_and_the_earlier_version_stays_readable(
        signed_in, server: str, web_root: Deployment) -> None:
    path = web_root.scripts_dir / "elderly" / "cmn.j2"
    original = path.read_text(encoding="utf-8")
    page = signed_in("staff")
    page.goto(server + "/scripts/elderly/edit/cmn.j2?village=xiangle")
    page.fill("#content", original + "\n{{ village.name }}的老人家，接到陌生电话先挂断。\n")
    _preview_settles(page, "祥乐村的老人家，接到陌生电话先挂断。")
    page.click("#edit-form button[type=submit]")
    assert page.locator("#saved-live").count() == 1
    assert "接到陌生电话先挂断" in path.read_text(encoding="utf-8")
    page.locator("#versions tbody tr").first.locator("a").click()
    assert "+{{ village.name }}的老人家，接到陌生电话先挂断。" in page.inner_text("pre.diff")
    page.go_back()
    page.locator("#versions tbody tr").last.locator("a").click()
    assert page.inner_text("#version-text").strip() == original.strip()


def test_only_a_reviewer_approves_and_an_edit_afterwards_returns_the_text_to_draft(
        signed_in, server: str, web_root: Deployment) -> None:
    staff = signed_in("staff")
    staff.goto(server + "/review/fake-loan/pcc")
    assert staff.locator("#decision-form").count() == 0
    refused = staff.evaluate("""() => fetch('/review/fake-loan/pcc', {method: 'POST', headers: {'X-CSRF-Token':
        document.querySelector('meta[name=csrf-token]').content},
        body: new URLSearchParams({decision: 'approve'})}).then(r => r.status)""")
    assert refused == 403

    reviewer = signed_in("reviewer")
    reviewer.goto(server + "/review/fake-loan/pcc")
    assert "网上贷款" in reviewer.inner_text("#gloss")
    assert "myaec" in reviewer.inner_text("#lexicon")
    reviewer.fill("textarea[name=comment]", "读过，可以。")
    reviewer.click("#approve")
    assert reviewer.inner_text("#status .tag") == "已审核"
    assert "approve" in reviewer.inner_text("table.audit")

    template = web_root.scripts_dir / "fake-loan" / "pcc.j2"
    first_line = template.read_text(encoding="utf-8").splitlines()[0]
    staff.goto(server + "/scripts/fake-loan/edit/pcc.j2")
    staff.fill("#content", template.read_text(encoding="utf-8") + first_line + "\n")
    staff.click("#edit-form button[type=submit]")
    assert staff.locator("#saved-live").count() == 1

    reviewer.goto(server + "/review/fake-loan/pcc")
    assert reviewer.inner_text("#status .tag") == "草稿"
    assert "审核通过后文本又被修改" in reviewer.inner_text("#status")
    reviewer.goto(server + "/scripts")
    row = reviewer.locator("tr", has_text="fake-loan")
    assert "布依语：草稿" in row.inner_text()
