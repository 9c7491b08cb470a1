"""The QR code every printed page carries (the profile's link), as PNG inlined in the HTML."""

from __future__ import annotations

import base64
import io
from functools import lru_cache


@lru_cache(maxsize=8)
def qr_png(link: str) -> bytes:
    """A QR code as PNG (PNG, not SVG: measured twice as fast to lay out); cached, one link per deployment."""
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    qr.add_data(link)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    """Inline the image so a layout needs no file next to it."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
