"""Thin wrappers around ffmpeg/ffprobe (argv lists, never a shell), loudness measures and atomic file writes.

Loudness is measured as ITU-R BS.1770 says: integrated loudness with
pyloudnorm, true peak by 4x oversampling. Programme mastering and the import of
recordings both measure with these, so the two agree on what -16 LUFS means.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from outreach.errors import OutreachError

if TYPE_CHECKING:
    import numpy as np


class MediaError(OutreachError):
    """ffmpeg or ffprobe failed, or is missing."""


def tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise MediaError(f"{name} is not installed (run `make demo` or apt-get install ffmpeg)")
    return path


def run(argv: list[str], timeout: float = 300, input_bytes: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run a tool; a failure is a MediaError quoting the tool's last words."""
    try:
        result = subprocess.run(argv, capture_output=True, timeout=timeout, input=input_bytes, check=False)
    except subprocess.TimeoutExpired:
        raise MediaError(f"{Path(argv[0]).name} took longer than {timeout:.0f} s") from None
    if result.returncode != 0:
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise MediaError(f"{Path(argv[0]).name} failed ({result.returncode}): {' / '.join(tail)}")
    return result


def ffmpeg(*args: str, timeout: float = 300, input_bytes: bytes | None = None) -> bytes:
    """Run ffmpeg quietly (overwriting outputs); returns what it wrote to stdout."""
    return run([tool("ffmpeg"), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args],
               timeout=timeout, input_bytes=input_bytes).stdout


def probe(path: Path) -> dict:
    """Format and first audio stream of a file, as ffprobe reports them."""
    out = run([
        tool("ffprobe"), "-v", "error", "-print_format", "json", "-show_format",
        "-show_streams", "-select_streams", "a:0", str(path),
    ]).stdout
    data = json.loads(out)
    if not data.get("streams"):
        raise MediaError(f"{path}: no audio stream")
    stream = data["streams"][0]
    return {
        "codec": stream.get("codec_name"),
        "sample_rate": int(stream["sample_rate"]),
        "channels": int(stream["channels"]),
        "duration": float(data["format"].get("duration") or stream.get("duration") or 0.0),
    }


def decode(path: Path, sample_rate: int | None = None) -> tuple[np.ndarray, int]:
    """Decode any audio file to mono float32 samples in [-1, 1]."""
    import numpy as np

    rate = sample_rate or probe(path)["sample_rate"]
    raw = ffmpeg("-i", str(path), "-f", "f32le", "-ac", "1", "-ar", str(rate), "-")
    return np.frombuffer(raw, dtype=np.float32).copy(), rate


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness (LUFS) of at least 0.4 s of mono samples (one gating block); -inf for silence."""
    import numpy as np
    import pyloudnorm

    return float(pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64)))


def true_peak_db(samples: np.ndarray) -> float:
    """True peak (dBTP): 4x oversampling through a 48-tap interpolation filter, as ITU-R BS.1770-4 Annex 2."""
    import numpy as np
    from scipy.signal import firwin, upfirdn

    if samples.size == 0:
        return float("-inf")
    interpolated = upfirdn(firwin(48, 0.25) * 4, samples.astype(np.float64), up=4)
    peak = float(np.max(np.abs(interpolated)))
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def to_wav(src: Path, dst: Path, sample_rate: int | None = None) -> None:
    """Convert any audio file to 16-bit mono WAV, atomically."""
    with atomic_path(dst) as tmp:
        rate = ["-ar", str(sample_rate)] if sample_rate else []
        ffmpeg("-i", str(src), "-ac", "1", *rate, "-c:a", "pcm_s16le", "-f", "wav", str(tmp))


@contextmanager
def atomic_path(dst: Path) -> Iterator[Path]:
    """Yield a temporary path beside dst; on success it is renamed over dst, on failure removed.

    A reader (the daemon, a spool consumer) therefore never sees a half-written file.
    """
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".part", dir=dst.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise MediaError(f"{dst}: nothing was written")
        os.replace(tmp, dst)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_atomic(dst: Path, data: bytes) -> None:
    with atomic_path(dst) as tmp:
        tmp.write_bytes(data)
