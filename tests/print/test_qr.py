"""The QR code decodes (zbarimg, a real reader) to exactly the link it was made from."""

import subprocess

from outreach.print import qr_png


def test_qr_png_decodes_to_its_link(tmp_path):
    link = "https://example.org/反诈?v=1&x=2"
    image = tmp_path / "qr.png"
    image.write_bytes(qr_png(link))
    out = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True, check=True).stdout
    assert out.strip() == link
