"""Wallet-card geometry on A4 (mm): cards inside the sheet, not overlapping, crop marks on every cut line."""

from itertools import combinations

from outreach.print.imposition import BLEED, CARD_H, CARD_W, COLS, ROWS, SHEET_H, SHEET_W, crop_marks, impose

BOX_W = CARD_W + 2 * BLEED  # a card with its side bleed


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def test_ten_cards_fit_the_sheet_without_overlapping():
    corners = impose(COLS * ROWS)
    assert len(set(corners)) == 10
    for x, y in corners:
        assert 0 < x and x + BOX_W <= SHEET_W and 0 < y and y + CARD_H <= SHEET_H
    boxes = [(x, y, BOX_W, CARD_H) for x, y in corners]
    assert not any(_overlap(a, b) for a, b in combinations(boxes, 2))


def test_crop_marks_sit_on_the_cut_lines_outside_the_cards():
    corners = impose(COLS * ROWS)
    marks = crop_marks()
    for mark in marks:
        assert 0 <= mark["x"] and mark["x"] + mark["w"] <= SHEET_W
        assert 0 <= mark["y"] and mark["y"] + mark["h"] <= SHEET_H
        assert not any(_overlap((mark["x"], mark["y"], mark["w"], mark["h"]), (x, y, BOX_W, CARD_H))
                       for x, y in corners)
    vertical_cuts = {round(x + BLEED + k, 2) for x, _ in corners for k in (0, CARD_W)}
    horizontal_cuts = {round(y + k, 2) for _, y in corners for k in (0, CARD_H)}
    assert {round(m["x"] + m["w"] / 2, 2) for m in marks if m["h"] > m["w"]} == vertical_cuts
    assert {round(m["y"] + m["h"] / 2, 2) for m in marks if m["w"] > m["h"]} == horizontal_cuts
