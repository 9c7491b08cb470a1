"""Thin wrappers around ffmpeg/ffprobe (argv lists, never a shell), loudness measures and safe file writes.

Loudness is measured as ITU-R BS.1770 says, chunk by chunk (``outreach.loudness``):
integrated loudness with pyloudnorm's K-weighting, true peak by 4x oversampling.
Programme mastering and the import of recordings both measure with it, so the
two agree on what -16 LUFS means.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import stat
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from outreach.errors import OutputError, OutreachError, said
from outreach.i18n import N_, _

if TYPE_CHECKING:
    import numpy as np

    from outreach.deployment import Deployment


class MediaError(OutreachError):
    """ffmpeg or ffprobe failed, or is missing."""


def tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise MediaError.said(N_("{name} is not installed (run `make demo` or apt-get install ffmpeg)"), name=name)
    return path


def run(argv: list[str], timeout: float = 300, input_bytes: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run a tool; a failure is a MediaError quoting the tool's last words."""
    try:
        result = subprocess.run(argv, capture_output=True, timeout=timeout, input=input_bytes, check=False)
    except subprocess.TimeoutExpired:
        raise MediaError.said(N_("{tool} took longer than {seconds:.0f} s"), tool=Path(argv[0]).name,
                              seconds=timeout) from None
    if result.returncode != 0:
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise MediaError.said(N_("{tool} failed ({code}): {error}"), tool=Path(argv[0]).name, code=result.returncode,
                              error=" / ".join(tail))
    return result


def ffmpeg_argv(*args: str) -> list[str]:
    """ffmpeg's argv, quiet and overwriting outputs, for callers that stream through its pipes."""
    return [tool("ffmpeg"), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]


def ffmpeg(*args: str, timeout: float = 300, input_bytes: bytes | None = None) -> bytes:
    """Run ffmpeg quietly (overwriting outputs); returns what it wrote to stdout."""
    return run(ffmpeg_argv(*args), timeout=timeout, input_bytes=input_bytes).stdout


def probe(path: Path) -> dict:
    """Format and first audio stream of a file, as ffprobe reports them."""
    out = run([
        tool("ffprobe"), "-v", "error", "-print_format", "json", "-show_format",
        "-show_streams", "-select_streams", "a:0", str(path),
    ]).stdout
    data = json.loads(out)
    if not data.get("streams"):
        raise MediaError.said(N_("{path}: no audio stream"), path=path)
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
    """Integrated loudness (LUFS) of mono samples (gated from 0.4 s on); -inf for silence."""
    from outreach.loudness import measure

    return measure(samples, rate).loudness_lufs


def true_peak_db(samples: np.ndarray, rate: int = 48000) -> float:
    """True peak (dBTP): 4x oversampling through a 48-tap interpolation filter, as ITU-R BS.1770-4 Annex 2,
    in chunks (no oversampled copy of the whole); ``rate`` only sizes the chunks."""
    from outreach.loudness import measure

    return measure(samples, rate).true_peak_dbtp


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def to_wav(src: Path, dst: Path, sample_rate: int | None = None) -> None:
    """Convert any audio file to 16-bit mono WAV, atomically."""
    with atomic_path(dst) as tmp:
        rate = ["-ar", str(sample_rate)] if sample_rate else []
        ffmpeg("-i", str(src), "-ac", "1", *rate, "-c:a", "pcm_s16le", "-f", "wav", str(tmp))


_REFUSED_KINDS = {stat.S_IFDIR: N_("a folder"), stat.S_IFBLK: N_("a block device (a disk)"),
                  stat.S_IFSOCK: N_("a socket")}


def _cannot(dst: Path, exc: OSError) -> OutputError:
    return OutputError.said(N_("cannot write {path}: {reason}"), path=dst, reason=exc.strerror or exc)


def _existing(dst: Path) -> os.stat_result | None:
    """What ``dst`` leads to now, symlinks followed (None: nothing); refuses what no output may replace."""
    try:
        info = os.stat(dst)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _cannot(dst, exc) from None
    kind = stat.S_IFMT(info.st_mode)
    if kind in _REFUSED_KINDS:
        raise OutputError.said(N_("{path} is {kind}: an output cannot be written there"), path=dst,
                               kind=said(_REFUSED_KINDS[kind]))
    return info


def _new_file(folder: Path, name: str, mode: int | None) -> Path:
    """An empty file of our own in ``folder``: created with 0666 so the umask decides its mode, unless ``mode``."""
    while True:
        path = folder / f".{name[:180]}.{secrets.token_hex(4)}.part"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except FileExistsError:
            continue
        try:
            if mode is not None:
                os.fchmod(fd, mode)
        finally:
            os.close(fd)
        return path


@contextmanager
def atomic_path(dst: Path) -> Iterator[Path]:
    """Yield a temporary path whose content becomes ``dst`` when the block succeeds (it is removed if it fails).

    A regular file (or a new one) is replaced by renaming a sibling over it, so a reader (the daemon, a spool
    consumer) never sees it half-written. A symlink is followed: its target is replaced, the link stays. Any
    other kind of file (``/dev/null``, a FIFO, a terminal) is written through, in place; a folder, a disk or a
    socket is refused. A new file gets the mode the umask gives (0644 typically); a replaced one keeps its own.
    """
    info = _existing(dst)
    through = info is not None and not stat.S_ISREG(info.st_mode)
    target = dst if through else Path(os.path.realpath(dst))
    try:
        folder = Path(tempfile.mkdtemp(prefix="outreach-")) if through else target.parent
        folder.mkdir(parents=True, exist_ok=True)
        tmp = _new_file(folder, target.name, stat.S_IMODE(info.st_mode) if info and not through else None)
    except OSError as exc:
        raise _cannot(dst, exc) from None
    try:
        yield tmp
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise MediaError.said(N_("{path}: nothing was written"), path=dst)
        _commit(dst, tmp, target, through)
    finally:
        tmp.unlink(missing_ok=True)
        if through:
            shutil.rmtree(folder, ignore_errors=True)


def _commit(dst: Path, tmp: Path, target: Path, through: bool) -> None:
    try:
        if not through:
            os.replace(tmp, target)
            return
        with tmp.open("rb") as src, target.open("wb") as out:
            shutil.copyfileobj(src, out)
    except OSError as exc:
        raise _cannot(dst, exc) from None


def write_atomic(dst: Path, data: bytes) -> None:
    """``data`` as the whole content of ``dst``, as ``atomic_path`` writes it."""
    with atomic_path(dst) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            raise _cannot(dst, exc) from None


DEPLOYMENT_FOLDERS = ("templates", "schedules", "audio")
STATE_SUFFIXES = (".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal", ".pid", ".lock")


def user_output(deployment: Deployment, path: Path, *, folder: bool = False) -> Path:
    """Check a path the user named for an output (``-o``, ``--ics``, ``--png``) before any work is done.

    Every command that writes where the user says goes through here, so none can overwrite the deployment's
    own files (anything under templates/, schedules/ or audio/, or a state database), symlinks included.
    """
    real = Path(os.path.realpath(path))
    root = Path(os.path.realpath(deployment.root))
    for name in DEPLOYMENT_FOLDERS:
        own = Path(os.path.realpath(root / name))
        if real.is_relative_to(own):
            raise OutputError(_("{path}: refusing to write into the deployment's own {name}/ folder; "
                                "choose an output outside it").format(path=path, name=name))
    if folder:
        if real.exists() and not real.is_dir():
            raise OutputError(_("{path} is not a folder").format(path=path))
        return path
    if real.is_relative_to(root) and real.name.endswith(STATE_SUFFIXES):
        raise OutputError(_("{path}: refusing to overwrite the deployment's state file {name}").format(
            path=path, name=real.name))
    if real.is_dir():
        raise OutputError(_("{path} is a folder: name the output file").format(path=path))
    return path
