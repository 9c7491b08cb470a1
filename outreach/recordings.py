"""The Bouyei recording workflow: what a native speaker must record, importing it, and coverage.

No engine speaks Bouyei, so Bouyei goes on air from human recordings. The
recording sheet lists every fixed sentence of every script (with its key, the
text, and the lexicon's glosses of its words) and the words variables need
(village names, numbers 1-99), each with a short id to say before it. Imported
files are probed (a file far too long is refused before it is decoded), trimmed,
resampled, normalised and checked for a plausible duration before they are filed
under ``audio/clips/<lang>/`` or ``audio/words/<lang>/``. A new take never
replaces an earlier one silently: the earlier is kept under ``old/`` beside it,
named by when it was made, and the engine uses the newest (``<key>.wav``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach.catalog import Script
from outreach.datafile import display_path
from outreach.deployment import Deployment, Village
from outreach.errors import OutreachError, Said, said
from outreach.i18n import N_, _
from outreach.languages import bouyei
from outreach.languages.lexicon import Lexicon
from outreach.media import MediaError, atomic_path, ffmpeg, integrated_loudness, probe, write_atomic
from outreach.render import Mode, Origin, render
from outreach.speech.clips import EXTENSIONS, ClipsEngine, find_recording
from outreach.speech.segments import normalise, segment_key, speech_segments

TARGET_LUFS = -20.0
SAMPLE_RATE = 22050
SHEET_COLUMNS = ["id", "key", "kind", "folder", "text", "meaning", "scripts", "villages"]
SILENCE_ALLOWANCE = 30.0
"""Seconds of silence around a take tolerated before trimming: a longer file is refused unread."""


@dataclass
class Needed:
    """One recording a Bouyei programme needs."""

    key: str
    kind: str  # sentence, part, word, number
    folder: str  # clips or words
    lang: str
    text: str
    meaning: str = ""
    scripts: set[str] = field(default_factory=set)
    villages: set[str] = field(default_factory=set)


def gloss(text: str, lexicon: Lexicon) -> str:
    """Word-by-word Mandarin glosses from the lexicon (for the speaker and reviewer)."""
    out = []
    for _, word in bouyei.words(text):
        entry = lexicon.lookup(word)
        number = lexicon.numeral_value(word)
        meaning = entry.gloss_zh if entry else (str(number) if number else "?")
        if meaning.startswith("(in "):
            meaning = meaning.rsplit(": ", 1)[-1].rstrip(")")
        out.append(f"{word}={meaning}")
    return " · ".join(out)


def _syllable_count(text: str) -> int:
    count = 0
    for _, word in bouyei.words(text):
        try:
            count += len(bouyei.syllables(word))
        except OutreachError:
            count += max(1, len(re.findall(r"[aeiou]+", word.lower())))
    return max(count, 1)


def needed(deployment: Deployment, scripts: list[Script] | None = None, lang: str = "pcc",
           include_numbers: bool = True) -> list[Needed]:
    """Every recording the catalog needs in a language, in sheet order."""
    profile = deployment.profile
    catalog = deployment.catalog
    lexicon = Lexicon.load(deployment.lexicon_path)
    scripts = scripts if scripts is not None else list(catalog)
    found: dict[tuple[str, str], Needed] = {}

    def add(kind: str, folder: str, text: str, script: str | None, village: str | None) -> None:
        text = normalise(text)
        if not any(ch.isalpha() for ch in text):
            return
        item = found.setdefault((folder, text.casefold()), Needed(segment_key(lang, text), kind, folder, lang, text,
                                                       gloss(text, lexicon)))
        if script:
            item.scripts.add(script)
        if village:
            item.villages.add(village)

    villages = [v for v in profile.villages if lang in v.languages]
    for script in scripts:
        if lang not in script.languages:
            continue
        for village in villages:
            rendered = render(script, lang, profile, village, None, Mode.SPEECH)
            for seg in speech_segments(rendered):
                if seg.lang != lang:
                    continue
                if not seg.has_variable:
                    add("sentence", "clips", seg.text, script.id, village.id)
                    continue
                for part in seg.parts:
                    variable = part.origin == Origin.VARIABLE
                    add("word" if variable else "part", "words" if variable else "clips", part.text, script.id,
                        village.id)
    for village in villages:
        if village.name.pcc and lang == "pcc":
            add("word", "words", village.name.pcc, None, village.id)
    if include_numbers and lang == "pcc":
        for n in range(1, 100):
            add("number", "words", bouyei.numeral(n), None, None)
            found[("words", bouyei.numeral(n).casefold())].meaning = str(n)
    return list(found.values())


def sheet_rows(items: list[Needed]) -> list[dict[str, str]]:
    return [{
        "id": f"{i:03d}", "key": item.key, "kind": item.kind, "folder": item.folder, "text": item.text,
        "meaning": item.meaning, "scripts": " ".join(sorted(item.scripts)), "villages": " ".join(sorted(item.villages)),
    } for i, item in enumerate(items, start=1)]


def write_sheet(deployment: Deployment, items: list[Needed], out: Path) -> int:
    """The recording sheet as CSV (for a spreadsheet) or PDF (printed from the print layouts)."""
    rows = sheet_rows(items)
    if out.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=SHEET_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        write_atomic(out, buffer.getvalue().encode("utf-8-sig"))
        return len(rows)
    if out.suffix.lower() != ".pdf":
        raise OutreachError(_("{path}: the sheet is written as .csv or .pdf").format(path=out))
    from outreach.print.pdf import pdf_from_template

    catalog = deployment.catalog
    glosses = {s.id: (s.review("pcc").gloss_cmn or "") for s in catalog if "pcc" in s.languages}
    pdf_from_template(deployment, "print/sheet.html.j2", {"rows": rows, "glosses": glosses}, out)
    return len(rows)


# -- import -----------------------------------------------------------------------

@dataclass
class ImportResult:
    """One file of an import: taken or refused; ``reason`` is English (as JSON keeps it), ``errors.shown`` of it
    is the same in the user's language."""

    file: str
    key: str | None
    status: str  # taken, refused
    reason: str = ""
    duration: float | None = None
    target: str | None = None
    kept: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _id_map(sheet: Path | None) -> dict[str, str]:
    """Sheet id -> key, from the sheet's CSV; a sheet that is not one is a one-line error naming it."""
    if sheet is None:
        return {}
    try:
        with sheet.open(encoding="utf-8-sig", newline="") as fh:
            return {row["id"]: row["key"] for row in csv.DictReader(fh)}
    except (KeyError, UnicodeDecodeError, csv.Error) as exc:
        why = _("no {column} column").format(column=exc) if isinstance(exc, KeyError) else str(exc)
        raise OutreachError(_("{path}: not a recording sheet written by `clips sheet -o FILE.csv` ({why})").format(
            path=sheet, why=why)) from None


def _trim(src: Path, rate: int, at_most: float):
    """Decode at most ``at_most`` seconds, trim leading and trailing silence (silenceremove), resample to mono."""
    import numpy as np

    trim = ("silenceremove=start_periods=1:start_threshold=-45dB:start_silence=0.05,"
            "areverse,silenceremove=start_periods=1:start_threshold=-45dB:start_silence=0.05,areverse")
    raw = ffmpeg("-t", f"{at_most:.3f}", "-i", str(src), "-af", trim, "-f", "f32le", "-ac", "1", "-ar", str(rate), "-")
    return np.frombuffer(raw, dtype=np.float32).copy()


def _longest(text: str) -> float:
    return 1.0 * _syllable_count(text) + 1.5


def _too_long_to_decode(path: Path, text: str) -> Said | None:
    """Why a file is refused before decoding: ffprobe says it is far longer than any take of ``text`` can be."""
    seconds = probe(path)["duration"]
    allowed = _longest(text) + SILENCE_ALLOWANCE
    if seconds > allowed:
        return said(N_("too long: {seconds:.1f} s before trimming (at most {allowed:.1f} s with silences); "
                       "one take a file; not decoded"), seconds=seconds, allowed=allowed)
    return None


def keep_earlier_takes(target: Path) -> list[Path]:
    """Move every recording filed under ``target``'s key to ``old/``, named by when it was made; the new take
    then stands alone as the one the engine uses."""
    kept = []
    for ext in EXTENSIONS:
        earlier = target.with_suffix(ext)
        if not earlier.is_file():
            continue
        made = dt.datetime.fromtimestamp(earlier.stat().st_mtime).strftime("%Y%m%d-%H%M%S")
        old = earlier.parent / "old" / f"{target.stem}.{made}{ext}"
        for n in range(2, 1000):
            if not old.exists():
                break
            old = old.with_name(f"{target.stem}.{made}-{n}{ext}")
        old.parent.mkdir(exist_ok=True)
        earlier.rename(old)
        kept.append(old)
    return kept


def plausible(seconds: float, text: str) -> Said | None:
    """Why a duration is implausible for a text (None if it is fine): 0.12-1.0 s a syllable, give or take."""
    syllables = _syllable_count(text)
    low, high = max(0.25, 0.12 * syllables), _longest(text)
    if seconds < low:
        return said(N_("too short: {seconds:.2f} s for {syllables} syllable(s) (at least {low:.2f} s)"),
                    seconds=seconds, syllables=syllables, low=low)
    if seconds > high:
        return said(N_("too long: {seconds:.2f} s for {syllables} syllable(s) (at most {high:.1f} s); "
                       "one take a file"), seconds=seconds, syllables=syllables, high=high)
    return None


def import_folder(deployment: Deployment, folder: Path, sheet: Path | None = None) -> list[ImportResult]:
    """File every usable recording in a folder; refuse the rest, saying why."""
    import numpy as np

    if not folder.is_dir():
        raise OutreachError(_("{path} is not a folder").format(path=folder))
    wanted = {item.key: item for item in needed(deployment)}
    ids = _id_map(sheet)
    results = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if path.suffix.lower() not in EXTENSIONS:
            results.append(ImportResult(path.name, None, "refused",
                                        said(N_("not an audio file (wav, mp3, m4a, ogg, flac)"))))
            continue
        key = ids.get(path.stem, path.stem)
        item = wanted.get(key)
        if item is None:
            why = said(N_("unknown id (give the sheet with --sheet)")) if re.fullmatch(r"\d{1,4}", path.stem) \
                else said(N_("no script needs this key (named by key or by sheet id?)"))
            results.append(ImportResult(path.name, key, "refused", why))
            continue
        try:
            too_long = _too_long_to_decode(path, item.text)
            samples = None if too_long else _trim(path, SAMPLE_RATE, _longest(item.text) + SILENCE_ALLOWANCE)
        except MediaError as exc:
            results.append(ImportResult(path.name, key, "refused",
                                        said(N_("cannot decode: {error}"), error=exc)))
            continue
        if samples is None:
            results.append(ImportResult(path.name, key, "refused", too_long))
            continue
        seconds = len(samples) / SAMPLE_RATE
        if seconds < 0.05 or float(np.max(np.abs(samples), initial=0.0)) < 1e-3:
            results.append(ImportResult(path.name, key, "refused", said(N_("silent")), seconds))
            continue
        reason = plausible(seconds, item.text)
        if reason:
            results.append(ImportResult(path.name, key, "refused", reason, seconds))
            continue
        loudness = integrated_loudness(samples, SAMPLE_RATE) if seconds >= 0.4 else float("nan")
        gain = 10 ** ((TARGET_LUFS - loudness) / 20) if np.isfinite(loudness) else 0.5 / max(np.max(np.abs(samples)), 1e-6)
        peak = float(np.max(np.abs(samples))) * gain
        if peak > 0.89:
            gain *= 0.89 / peak
        target = deployment.audio_dir / item.folder / item.lang / f"{key}.wav"
        with atomic_path(target) as tmp:
            ffmpeg("-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", "-", "-c:a", "pcm_s16le", "-f", "wav",
                   str(tmp), input_bytes=(samples * gain).astype(np.float32).tobytes())
            kept = keep_earlier_takes(target)
        results.append(ImportResult(path.name, key, "taken", "", round(seconds, 2), display_path(target),
                                    [display_path(p) for p in kept]))
    return results


# -- coverage -------------------------------------------------------------------------

def coverage(deployment: Deployment, lang: str = "pcc") -> dict[str, Any]:
    """Per script and per village: how many of the needed recordings exist, and which are missing."""
    items = needed(deployment, lang=lang, include_numbers=False)
    audio = deployment.audio_dir

    def has(item: Needed) -> bool:
        return find_recording(audio / item.folder, lang, item.text) is not None

    per_script: dict[str, dict[str, Any]] = {}
    per_village: dict[str, dict[str, Any]] = {}
    for item in items:
        recorded = has(item)
        for group, names in ((per_script, item.scripts or {"(words)"}), (per_village, item.villages)):
            for name in names:
                entry = group.setdefault(name, {"needed": 0, "recorded": 0, "missing": []})
                entry["needed"] += 1
                entry["recorded"] += recorded
                if not recorded:
                    entry["missing"].append({"key": item.key, "folder": item.folder, "text": item.text})
    numbers = [bouyei.numeral(n) for n in range(1, 100)]
    number_done = sum(find_recording(audio / "words", lang, n) is not None for n in numbers)
    total = len(items)
    done = sum(has(i) for i in items)
    return {"lang": lang, "needed": total, "recorded": done, "complete": total > 0 and done == total,
            "scripts": dict(sorted(per_script.items())), "villages": dict(sorted(per_village.items())),
            "numbers": {"needed": len(numbers), "recorded": number_done}}


def missing_for(deployment: Deployment, script: Script, village: Village, lang: str = "pcc") -> list[str]:
    """Keys still to record before this script can air in this village (for check and the daemon)."""
    engine = ClipsEngine.from_deployment(deployment)
    rendered = render(script, lang, deployment.profile, village, None, Mode.SPEECH)
    holes: list[str] = []
    for seg in speech_segments(rendered):
        if seg.lang == lang:
            holes += engine.missing(seg)
    return holes
