"""Printing in the background to a PDF, and recording a take through Chromium's fake microphone."""

from __future__ import annotations

import subprocess

from outreach.deployment import Deployment
from outreach.recordings import needed


def test_ten_wallet_cards_become_a_pdf_that_pdftotext_reads(signed_in, server: str, web_root: Deployment,
                                                           tmp_path) -> None:
    page = signed_in("staff")
    page.goto(server + "/print")
    page.check("input[name=scripts][value=general-warning]")
    page.check("input[name=villages][value=xiangle]")
    assert not page.is_checked("input[name=villages][value=all]")
    page.select_option("select[name=layout]", "wallet")
    page.fill("input[name=copies]", "10")
    page.click("#print-form button[type=submit]")
    page.wait_for_selector("#pdf-link, p.error", timeout=60_000)
    page.reload()
    assert "10 张" in page.inner_text("main")
    assert page.locator(".previews img").count() >= 1
    with page.expect_download() as download:
        page.click("#pdf-link")
    pdf = tmp_path / "wallet.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "96110" in text
    assert text.count("祥乐村") == 10
    page.goto(server + "/print")
    assert "general-warning" in page.inner_text("#ledger")


def test_a_take_recorded_in_the_browser_is_filed_and_coverage_rises(signed_in, server: str,
                                                                   web_root: Deployment) -> None:
    items = [i for i in needed(web_root, lang="pcc", include_numbers=False) if i.scripts]
    item = min(items, key=lambda i: len(i.text))
    page = signed_in("recorder")
    page.goto(server + "/record?show=missing")
    before = int(page.inner_text("#coverage-recorded"))
    take = page.locator(f"li.take[data-key='{item.key}']")
    take.locator("button.rec").click()
    page.wait_for_timeout(1800)
    take.locator("button.rec").click()
    take.locator("audio.playback").wait_for(state="visible")
    take.locator("button.keep").click()
    take.locator(".result.taken, .result.refused").wait_for(timeout=30_000)
    assert "已保留" in take.locator(".result").inner_text(), take.locator(".result").inner_text()
    assert int(page.inner_text("#coverage-recorded")) == before + 1
    assert (web_root.audio_dir / item.folder / "pcc" / f"{item.key}.wav").is_file()
    page.reload()
    assert int(page.inner_text("#coverage-recorded")) == before + 1
