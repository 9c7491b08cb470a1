"""The MP3 encoder and the meter behind it: ffmpeg processes fed and drained through pipes.

``encode_measured`` makes one file: PCM goes into an encoder whose tee muxer
writes the file and hands the same MP3 frames to a decoder, whose output the
meter reads; the three run side by side, so measuring the file costs little
more time than encoding it. ``encode_group`` makes several files with one
encoder and one decoder process (a batch worker's programmes), since starting
ffmpeg costs about as much as encoding a third of a programme; the encoder cuts
each programme out of one PCM stream at its exact samples, so every file is
byte for byte the one ``encode_measured`` makes, and its level is measured on
the same samples.
"""

from __future__ import annotations

import itertools
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import numpy as np

from outreach.deployment import ProgrammeConfig
from outreach.errors import Said, said
from outreach.i18n import N_
from outreach.loudness import Level, Meter
from outreach.media import MediaError, ffmpeg_argv

LAME_QUALITY = "7"
"""LAME's -q: 7 halves the encoding time of its default (3); speech for horn speakers at 64 kbit/s
mono gains nothing audible from the slower noise shaping."""
LAME_DELAY = 1105
"""Samples a decoder puts before the audio of an MP3 that has no LAME tag: LAME's encoder delay (576) plus
the decoder's (529). ffmpeg reports the same as the encoder's initial padding, and trims it using the tag."""
READ_BYTES = 1 << 18
INPUT_QUEUE = 4096
"""Packets queued per input when one ffmpeg decodes several files: with ffmpeg's default (8), its input
threads hand packets over one at a time and futex calls cost half as much CPU as the decoding itself."""


def codec_args(programme: ProgrammeConfig) -> list[str]:
    """How every programme is encoded (the benchmark's bare encode uses the same)."""
    return ["-c:a", "libmp3lame", "-b:a", programme.bitrate, "-compression_level", LAME_QUALITY]


def _pcm_input(programme: ProgrammeConfig) -> list[str]:
    return ["-f", "s16le", "-ar", str(programme.sample_rate), "-ac", "1", "-i", "pipe:0"]


def _tee_name(name: str) -> str:
    """A file name as the tee muxer reads it (its own separators escaped)."""
    for special in "\\|[]'":
        name = name.replace(special, "\\" + special)
    return name


def _feed(chunks: Iterable[bytes], sink: IO[bytes], drain: bool = False) -> None:
    """Write the chunks to a process; if it is gone, stop (or, with ``drain``, read the rest so the process
    upstream of ``chunks`` is not left blocked on a full pipe)."""
    try:
        for chunk in chunks:
            sink.write(chunk)
    except (BrokenPipeError, ValueError):
        for _ in chunks if drain else ():
            pass
    finally:
        try:
            sink.close()
        except BrokenPipeError:
            pass


def _stderr(err: IO[bytes]) -> Said:
    err.seek(0)
    lines = err.read().decode("utf-8", "replace").strip().splitlines()
    return Said(" / ".join(lines[-3:])) if lines else said(N_("no message"))


def _meter_stream(stream: IO[bytes], count: int, rate: int) -> Level:
    """The level of ``count`` decoded float samples after the encoder's delay; MediaError if fewer came."""
    meter, seen, end = Meter(rate), 0, LAME_DELAY + count
    while block := stream.read(READ_BYTES):
        samples = np.frombuffer(block[:len(block) // 4 * 4], dtype="<f4")
        if LAME_DELAY < seen + samples.size and seen < end:
            meter.feed(samples[max(0, LAME_DELAY - seen):end - seen])
        seen += samples.size
    if seen < end:
        raise MediaError.said(N_("{seen} samples decoded, fewer than the {count} encoded"), seen=seen, count=count)
    return meter.level()


def _finish(process: subprocess.Popen[bytes], err: IO[bytes], message: str, **fields: object) -> None:
    """Wait for an ffmpeg; a failure is a MediaError saying ``message`` (marked N_, with ``{error}``: its stderr)."""
    if process.wait() != 0:
        raise MediaError.said(message, error=_stderr(err), **fields)


def encode_measured(chunks: Iterator[bytes], samples: int, programme: ProgrammeConfig, tmp: Path) -> Level:
    """Encode ``samples`` of PCM into ``tmp`` while a second ffmpeg decodes the same frames for the meter.

    The frames reach the decoder without the file's LAME tag, which says how much
    to trim, so the meter skips the encoder's delay itself: it measures exactly the
    samples a decoder of the file plays (and ``measure_files`` measures).
    """
    spec = f"[f=mp3]{_tee_name(tmp.name)}|[f=mp3:write_xing=0]pipe:1"
    with tempfile.TemporaryFile() as enc_err, tempfile.TemporaryFile() as dec_err:
        encoder = subprocess.Popen(
            ffmpeg_argv(*_pcm_input(programme), "-map", "0:a", *codec_args(programme), "-f", "tee", spec),
            cwd=tmp.parent, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=enc_err)
        decoder = subprocess.Popen(ffmpeg_argv("-f", "mp3", "-i", "pipe:0", "-ac", "1", "-f", "f32le", "pipe:1"),
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=dec_err)
        assert encoder.stdin and encoder.stdout and decoder.stdin and decoder.stdout
        relay = iter(lambda: encoder.stdout.read(1 << 16), b"")  # type: ignore[union-attr]
        threads = [threading.Thread(target=_feed, args=(chunks, encoder.stdin)),
                   threading.Thread(target=_feed, args=(relay, decoder.stdin, True))]
        for thread in threads:
            thread.start()
        try:
            level = _meter_stream(decoder.stdout, samples, programme.sample_rate)
        finally:
            for thread in threads:
                thread.join()
            _finish(encoder, enc_err, N_("ffmpeg could not encode {file}: {error}"), file=tmp.name)
            _finish(decoder, dec_err, N_("ffmpeg could not decode {file} to measure it: {error}"), file=tmp.name)
    return level


def _cuts(counts: list[int]) -> tuple[list[str], list[str]]:
    """The filter graph cutting one PCM stream into programmes, and each programme's map.

    ``asegment`` hands each frame to exactly one output (``asplit`` + ``atrim`` passed the whole stream
    through every branch: 18% more encoder time for a village's eight programmes, same bytes)."""
    if len(counts) == 1:
        return [], ["0:a"]
    bounds = "|".join(str(end) for end in itertools.accumulate(counts[:-1]))
    labels = "".join(f"[seg{i}]" for i in range(len(counts)))
    parts = [f"[0:a]asegment=samples={bounds}{labels}"]
    parts += [f"[seg{i}]asetpts=PTS-STARTPTS[out{i}]" for i in range(len(counts))]
    return ["-filter_complex", ";".join(parts)], [f"[out{i}]" for i in range(len(counts))]


def encode_group(chunks: Iterator[bytes], counts: list[int], programme: ProgrammeConfig,
                 tmps: list[Path]) -> list[Level]:
    """Encode consecutive programmes (``counts`` samples each) of one PCM stream into ``tmps``, then measure."""
    graph, maps = _cuts(counts)
    outputs = [arg for label, tmp in zip(maps, tmps, strict=True)
               for arg in ("-map", label, *codec_args(programme), "-f", "mp3", str(tmp))]
    with tempfile.TemporaryFile() as err:
        encoder = subprocess.Popen(ffmpeg_argv(*_pcm_input(programme), *graph, *outputs),
                                   stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
        assert encoder.stdin
        _feed(chunks, encoder.stdin)
        _finish(encoder, err, N_("ffmpeg could not encode {count} programme(s): {error}"), count=len(tmps))
    return measure_files(tmps, counts, programme.sample_rate)


def measure_files(paths: list[Path], counts: list[int], rate: int) -> list[Level]:
    """Decode the files in one ffmpeg and measure each; ``counts`` are their lengths in samples.

    Decoded untrimmed, like the frames ``encode_measured`` meters, with the same
    delay skipped: ffmpeg's own trimming by the LAME tag is off by a few samples
    for some lengths, and the two ways must measure the very same samples.
    """
    with tempfile.TemporaryDirectory(prefix="outreach-measure-") as folder, tempfile.TemporaryFile() as err:
        pcm = [Path(folder) / f"{i}.f32" for i in range(len(paths))]
        inputs = [arg for path in paths
                  for arg in ("-thread_queue_size", str(INPUT_QUEUE), "-flags2", "+skip_manual", "-i", str(path))]
        outputs = [arg for i, out in enumerate(pcm) for arg in ("-map", f"{i}:a", "-ac", "1", "-f", "f32le", str(out))]
        _finish(subprocess.Popen(ffmpeg_argv(*inputs, *outputs), stdout=subprocess.DEVNULL, stderr=err), err,
                N_("ffmpeg could not decode {count} programme(s) to measure them: {error}"), count=len(paths))
        levels = []
        for path, out, count in zip(paths, pcm, counts, strict=True):
            with out.open("rb") as stream:
                levels.append(_meter_stream(stream, count, rate))
    return levels
