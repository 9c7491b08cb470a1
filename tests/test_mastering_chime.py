"""The chime of a programme: a file that is not sound is an error naming it, never a traceback."""

import pytest

from outreach.mastering import read_chime
from outreach.media import MediaError

from conftest import ROOT


@pytest.mark.parametrize("damage", [b"this is not a chime\n", b"RIFF\x00\x00\x00\x00WAVEfmt ", b""])
def test_a_chime_that_is_not_sound_is_an_error_naming_it(tmp_path, damage):
    chime = tmp_path / "standard.wav"
    chime.write_bytes(damage)
    with pytest.raises(MediaError, match=rf"chime {chime} is not a sound file that can be decoded .*set the "
                                         r"programme's chime to null"):
        read_chime(chime, 22050)


def test_the_shipped_chime_reads():
    samples = read_chime(ROOT / "audio" / "chimes" / "standard.wav", 22050)
    assert len(samples) > 22050 and 0.1 < abs(samples).max() <= 1.0
