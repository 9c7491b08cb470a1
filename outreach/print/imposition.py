"""Wallet-card imposition: where the 10 cards of one A4 sheet go, and the crop marks to cut them.

2 columns x 5 rows of 90 x 54 mm cards, columns 6 mm apart (3 mm bleed each
side), rows butt-cut; the block is centred on the sheet. All figures in mm.
"""

from __future__ import annotations

CARD_W, CARD_H, BLEED = 90.0, 54.0, 3.0
COLS, ROWS = 2, 5
PER_SHEET = COLS * ROWS
SHEET_W, SHEET_H = 210.0, 297.0
MARK_LEN, MARK_GAP = 5.0, 3.0


def _block_origin() -> tuple[float, float, float]:
    """Left and top edge of the card block, and its width (bleed included)."""
    block_w = COLS * (CARD_W + 2 * BLEED)
    return (SHEET_W - block_w) / 2, (SHEET_H - ROWS * CARD_H) / 2, block_w


def impose(count: int) -> list[tuple[float, float]]:
    """Top-left corners (mm, bleed box) of the cards on one wallet sheet."""
    left, top, _ = _block_origin()
    return [(left + (i % COLS) * (CARD_W + 2 * BLEED), top + (i // COLS) * CARD_H) for i in range(count)]


def crop_marks() -> list[dict[str, float]]:
    """Hairline marks outside the block at every cut line."""
    left, top, block_w = _block_origin()
    bottom = top + ROWS * CARD_H
    marks = []
    xs = [left + c * (CARD_W + 2 * BLEED) + BLEED + k * CARD_W for c in range(COLS) for k in (0, 1)]
    for x in xs:
        marks.append({"x": x - 0.1, "y": top - BLEED - MARK_GAP - MARK_LEN, "w": 0.2, "h": MARK_LEN})
        marks.append({"x": x - 0.1, "y": bottom + BLEED + MARK_GAP, "w": 0.2, "h": MARK_LEN})
    for r in range(ROWS + 1):
        y = top + r * CARD_H
        marks.append({"x": left - MARK_GAP - MARK_LEN, "y": y - 0.1, "w": MARK_LEN, "h": 0.2})
        marks.append({"x": left + block_w + MARK_GAP, "y": y - 0.1, "w": MARK_LEN, "h": 0.2})
    return [{k: round(v, 2) for k, v in m.items()} for m in marks]
