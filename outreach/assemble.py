"""Loudspeaker programmes: decide what one script will say in one village, then make the audio.

``prepare`` decides everything without making a sound: the languages to air
(and why others are left out), the sentences, the engine for each and whether
its audio is cached, the file's name. ``outreach audio --dry-run`` shows it.
``produce`` voices the sentences, masters each sentence and chime once (kept in
the cache, ``mastering``), lays them out with pauses and repeats, encodes and
measures the file (``encoding``), then writes its ``Manifest``; an unchanged
programme (same inputs, file intact) is reused. Many programmes at once:
``outreach.batch_audio``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach.catalog import Script
from outreach.deployment import Deployment, ProgrammeConfig, Village
from outreach.errors import OutreachError, Said, english, said, shown
from outreach.i18n import N_, _
from outreach.encoding import Layout, lay_out, write_programme, write_programmes
from outreach.loudness import Level
from outreach.manifest import Fallback, Manifest, ManifestError, SegmentRecord, Target
from outreach.mastering import MASTERING_VERSION, master_piece, mastered_key
from outreach.media import file_sha256
from outreach.render import Mode, render
from outreach.speech import SpeechError
from outreach.speech.cache import AudioCache
from outreach.speech.chain import Plan, SpeechChain, Voiced, chain_for
from outreach.speech.segments import SpeechSegment, speech_segments

ASSEMBLER_VERSION = "2"


class ProgrammeError(OutreachError):
    """A programme cannot be made (nothing approved to air, an unknown language...)."""


@dataclass(frozen=True)
class ProgrammeRequest:
    """One script for one village: the programme settings, languages (None: the programme's), variables.

    ``for_air`` (the daemon) refuses what a synthetic voice would speak, unless the profile allows it.
    """

    script: Script
    village: Village
    programme: str = "standard"
    langs: list[str] | None = None
    overrides: dict[str, str] | None = None
    allow_draft: bool = False
    for_air: bool = False


@dataclass(frozen=True)
class Prepared:
    """Everything decided before any audio is made."""

    deployment: Deployment
    request: ProgrammeRequest
    config: ProgrammeConfig
    omitted: dict[str, str]
    plans: dict[str, list[Plan]]
    chain: SpeechChain
    path: Path
    chimes: tuple[Path | None, Path | None]

    @property
    def languages(self) -> list[str]:
        return list(self.plans)

    @property
    def manifest_path(self) -> Path:
        return self.path.with_suffix(self.path.suffix + ".json")

    def rows(self) -> list[dict[str, Any]]:
        """The dry run: a row a sentence (its engine, whether cached, engines passed over), one a left-out language."""
        script = self.request.script.id
        rows: list[dict[str, Any]] = [
            {"script": script, "lang": p.segment.lang, "key": p.segment.key, "engine": p.engine, "cached": p.cached,
             "text": p.segment.text, "skipped": [list(s) for s in p.skipped]}
            for plans in self.plans.values() for p in plans
        ]
        return rows + [{"script": script, "lang": lang, "omitted": why} for lang, why in self.omitted.items()]


@dataclass(frozen=True)
class Programme:
    """A programme file and its manifest; ``omitted``: why languages were left out, as the user reads it (the
    manifest keeps the English)."""

    path: Path
    manifest_path: Path
    manifest: Manifest
    reused: bool
    omitted: dict[str, str] = field(default_factory=dict)


def choose_languages(
    script: Script, village: Village, programme: ProgrammeConfig, langs: list[str] | None, allow_draft: bool
) -> tuple[list[str], dict[str, str]]:
    """The languages to air, and why any candidate was left out."""
    explicit = langs is not None
    candidates = langs if explicit else [lang for lang in programme.languages if lang in village.languages]
    chosen: list[str] = []
    omitted: dict[str, str] = {}
    for lang in candidates:
        if lang not in script.languages:
            if explicit:
                raise ProgrammeError.said(N_("script '{script}' has no {lang} text"), script=script.id, lang=lang)
            omitted[lang] = said(N_("the script has no text in this language"))
            continue
        review = script.review(lang)
        if review.status != "approved" and not (allow_draft or programme.allow_draft):
            reason = said(N_("{lang} text is {status}, not approved by a reviewer"), lang=lang,
                          status=Said(review.status, _(review.status)))
            if explicit:
                raise ProgrammeError.said(N_("script '{script}': {reason} (use --allow-draft for a rehearsal)"),
                                          script=script.id, reason=reason)
            omitted[lang] = reason
            continue
        chosen.append(lang)
    if not chosen:
        why = Said("; ".join(f"{k}: {english(v)}" for k, v in omitted.items()),
                   "; ".join(f"{k}: {shown(v)}" for k, v in omitted.items())) if omitted else said(
            N_("the village hears none of the programme's languages"))
        raise ProgrammeError.said(N_("script '{script}' has nothing to air in village '{village}' ({why})"),
                                  script=script.id, village=village.id, why=why)
    return chosen, omitted


def programme_path(out_dir: Path, request: ProgrammeRequest, file_format: str, draft: bool) -> Path:
    """One file per script, village, programme and set of variables (a holiday name, a term start);
    a chosen language or a draft rehearsal gets its own name, so it never replaces an approved programme."""
    suffix = ""
    if request.overrides:
        suffix += "." + hashlib.sha256(json.dumps(request.overrides, sort_keys=True).encode()).hexdigest()[:8]
    if request.langs:
        suffix += "." + "-".join(request.langs)
    if draft:
        suffix += ".draft"
    return out_dir / f"{request.script.id}.{request.village.id}.{request.programme}{suffix}.{file_format}"


def _chime_path(deployment: Deployment, name: str | None) -> Path | None:
    if not name:
        return None
    path = deployment.root / name
    if not path.is_file():
        raise ProgrammeError.said(N_("chime {name} not found in {folder}"), name=name, folder=deployment.root)
    return path


def _sentences(deployment: Deployment, request: ProgrammeRequest, lang: str) -> list[SpeechSegment]:
    rendered = render(request.script, lang, deployment.profile, request.village, request.overrides, Mode.SPEECH)
    return speech_segments(rendered)


def prepare(deployment: Deployment, request: ProgrammeRequest, chain: SpeechChain | None = None,
            out_dir: Path | None = None) -> Prepared:
    """Languages, sentences, the engine for each and what is cached, the file's name; synthesises nothing."""
    config = deployment.profile.programme(request.programme)
    chosen, omitted = choose_languages(request.script, request.village, config, request.langs, request.allow_draft)
    chain = chain or chain_for(deployment)
    plans = {lang: [chain.plan(s) for s in _sentences(deployment, request, lang)] for lang in chosen}
    draft = any(request.script.review(lang).status != "approved" for lang in chosen)
    path = programme_path(out_dir or deployment.state_dir / "programmes", request, config.format, draft)
    chimes = (_chime_path(deployment, config.chime), _chime_path(deployment, config.closing_chime))
    return Prepared(deployment, request, config, omitted, plans, chain, path, chimes)


def _voice_all(prepared: Prepared) -> dict[str, list[Voiced]]:
    """Voice every sentence; every sentence no engine can voice is reported, not just the first."""
    voiced: dict[str, list[Voiced]] = {}
    holes: list[SpeechError] = []
    for lang, plans in prepared.plans.items():
        voiced[lang] = []
        for plan in plans:
            try:
                voiced[lang].append(prepared.chain.voice(plan.segment))
            except SpeechError as exc:
                holes.append(exc)
    if holes:
        request = prepared.request
        raise SpeechError.said(N_("script '{script}' cannot be voiced for village '{village}' ({count} segment(s)): "
                                  "{reasons}"), script=request.script.id, village=request.village.id,
                               count=len(holes), reasons=Said(" | ".join(h.english for h in holes),
                                                              " | ".join(str(h) for h in holes)))
    return voiced


def _refuse_synthetic_on_air(prepared: Prepared, voiced: list[Voiced]) -> None:
    synthetic = sorted({v.segment.lang for v in voiced if v.synthetic_approximation})
    if prepared.request.for_air and synthetic and not prepared.deployment.profile.speech.allow_synthetic_bouyei:
        raise ProgrammeError.said(N_("script '{script}': {languages} would be spoken by a synthetic approximation, "
                                     "which is not aired unless speech.allow_synthetic_bouyei is true"),
                                  script=prepared.request.script.id, languages=", ".join(synthetic))


def _inputs_hash(prepared: Prepared, voiced: dict[str, list[Voiced]], chimes: list[str | None]) -> str:
    """Everything the audio is made from: a programme whose inputs hash is unchanged need not be made again."""
    inputs = {
        "assembler": ASSEMBLER_VERSION,
        "mastering": MASTERING_VERSION,
        "programme": prepared.config.model_dump(),
        "segments": {lang: [v.cache_key for v in items] for lang, items in voiced.items()},
        "chimes": chimes,
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]


def _reusable(prepared: Prepared, inputs_hash: str) -> Manifest | None:
    """The existing manifest, when it was made from the same inputs and its file is intact."""
    try:
        existing = Manifest.read(prepared.manifest_path)
    except ManifestError:
        return None
    intact = prepared.path.is_file() and existing.content_hash == file_sha256(prepared.path)
    return existing if existing.inputs_hash == inputs_hash and intact else None


def _manifest(prepared: Prepared, voiced: list[Voiced], timeline: Layout, measured: Level,
              inputs_hash: str) -> Manifest:
    request, config = prepared.request, prepared.config
    segments = [
        SegmentRecord(lang=v.segment.lang, text=v.segment.text, key=v.segment.key, engine=v.engine,
                      voice=v.identity, cache_key=v.cache_key,
                      fallbacks=[Fallback(engine=f.engine, reason=f.reason) for f in v.fallbacks],
                      synthetic_approximation=v.synthetic_approximation, offsets_s=offsets)
        for v, offsets in zip(voiced, timeline.offsets, strict=True)
    ]
    return Manifest(
        script=request.script.id, village=request.village.id, programme=request.programme,
        languages=prepared.languages, omitted=prepared.omitted,
        review={lang: request.script.review(lang).status for lang in prepared.languages},
        segments=segments, duration_s=timeline.seconds, sample_rate=config.sample_rate, format=config.format,
        target=Target(loudness_lufs=config.loudness, true_peak_dbtp=config.true_peak),
        loudness_lufs=round(measured.loudness_lufs, 2), true_peak_dbtp=round(measured.true_peak_dbtp, 2),
        inputs_hash=inputs_hash, content_hash=file_sha256(prepared.path),
        created=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
    )


def _mastered(prepared: Prepared, source: Path, key: str, chime: bool = False) -> Path:
    """The piece mastered for this programme's level, from the cache or made now (and kept)."""
    cache = AudioCache.in_state(prepared.deployment.state_dir, "mastered")
    key = mastered_key(key, prepared.config)
    return cache.hit(key) or master_piece(source, cache.path(key), prepared.config, chime=chime)


@dataclass(frozen=True)
class _Ready:
    """A programme whose pieces are mastered and laid out: only its file and manifest are left to write."""

    prepared: Prepared
    voiced: list[Voiced]
    inputs_hash: str
    layout: Layout

    def finish(self, measured: Level) -> Programme:
        prepared = self.prepared
        manifest = _manifest(prepared, self.voiced, self.layout, measured, self.inputs_hash)
        manifest.write(prepared.manifest_path)
        return Programme(prepared.path, prepared.manifest_path, manifest, reused=False, omitted=prepared.omitted)


def _get_ready(prepared: Prepared) -> Programme | _Ready:
    """Voice and master what the programme needs; the unchanged programme itself when it can be reused."""
    voiced = _voice_all(prepared)
    flat = [v for items in voiced.values() for v in items]
    _refuse_synthetic_on_air(prepared, flat)
    chime_hashes = [file_sha256(p) if p else None for p in prepared.chimes]
    inputs_hash = _inputs_hash(prepared, voiced, chime_hashes)
    existing = _reusable(prepared, inputs_hash)
    if existing:
        return Programme(prepared.path, prepared.manifest_path, existing, reused=True, omitted=prepared.omitted)
    pieces = [[_mastered(prepared, v.path, v.cache_key) for v in items] for items in voiced.values()]
    chimes = [_mastered(prepared, path, f"chime:{digest}", chime=True) if path and digest else None
              for path, digest in zip(prepared.chimes, chime_hashes, strict=True)]
    return _Ready(prepared, flat, inputs_hash, lay_out(pieces, prepared.config, *chimes))


def produce(prepared: Prepared) -> Programme:
    """Voice, master, lay out, encode and measure the programme, then write its manifest (or reuse the unchanged)."""
    ready = _get_ready(prepared)
    if isinstance(ready, Programme):
        return ready
    return ready.finish(write_programme(ready.layout, prepared.config, prepared.path))


def produce_many(prepared: list[Prepared]) -> list[Programme | OutreachError]:
    """``produce`` for several programmes, encoding those of the same settings with one encoder.

    The files are the ones ``produce`` makes one by one; a programme that
    cannot be made is returned as its error, and does not stop the others.
    """
    results: list[Programme | OutreachError | _Ready] = []
    for item in prepared:
        try:
            results.append(_get_ready(item))
        except OutreachError as exc:
            results.append(exc)
    waiting = [r for r in results if isinstance(r, _Ready)]
    for settings in {r.prepared.config.model_dump_json(): r.prepared.config for r in waiting}.values():
        group = [r for r in waiting if r.prepared.config == settings]
        done: dict[int, Programme | OutreachError]
        try:
            levels = write_programmes([(r.layout, r.prepared.path) for r in group], settings)
        except OutreachError as exc:
            done = {id(r): exc for r in group}
        else:
            done = {id(r): r.finish(level) for r, level in zip(group, levels, strict=True)}
        results = [done.get(id(r), r) for r in results]
    return [r for r in results if not isinstance(r, _Ready)]


def build_programme(deployment: Deployment, request: ProgrammeRequest, chain: SpeechChain | None = None,
                    out_dir: Path | None = None) -> Programme:
    """Render, voice, assemble and master one script for one village (``prepare`` then ``produce``)."""
    return produce(prepare(deployment, request, chain, out_dir))
