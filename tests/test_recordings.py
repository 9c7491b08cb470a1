"""The Bouyei recording workflow with a fake speaker (real audio made with espeak-ng's Vietnamese
voice and sox, standing in for a native speaker we cannot have in a test)."""

import csv
import json
import re
import subprocess
from pathlib import Path

import pytest

from outreach.assemble import ProgrammeRequest, build_programme
from outreach.catalog import Catalog
from outreach.check import check_deployment
from outreach.deployment import Deployment
from outreach.recordings import coverage, import_folder, missing_for, needed, write_sheet
from outreach.speech import SpeechError
from outreach.speech.clips import find_recording

from conftest import copy_deployment, write_script

PLAN = """
rules:
  - id: tiny-bouyei
    villages: [wangmu]
    scripts: [tiny]
    programme: quick
    times: ["08:00"]
    windows: [{dates: [2027-03-01, 2027-03-31]}]
"""


@pytest.fixture
def site(tmp_path) -> Deployment:
    deployment = copy_deployment(tmp_path, {
        "programmes:\n": "programmes:\n  quick:\n    languages: [cmn, pcc]\n    chime: null\n"
                         "    closing_chime: null\n    repeats: 1\n",
        "name: {cmn: 王母村}": "name: {cmn: 王母村, pcc: Weangzmox}",  # test data: a Bouyei name
    })
    (tmp_path / "schedules" / "plans" / "county.yaml").write_text(PLAN, encoding="utf-8")
    write_script(deployment, "tiny", {
        "cmn": "{{ village.name }}的乡亲们好。",
        "pcc": "Leeux boz ndil! {{ village.name }} ndil. Miz rox, 问 {{ hotline | phone }}.",
    })
    meta = deployment.scripts_dir / "tiny" / "script.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("{status: draft, reviewer: null}",
                                                             "{status: approved, reviewer: 测试审核}"), encoding="utf-8")
    return deployment


def speak(text: str, out: Path, pad: float = 0.4) -> None:
    """A fake speaker: espeak-ng's Vietnamese voice reading the Bouyei spelling, with silence around it."""
    raw = out.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "vi", "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), str(out), "pad", str(pad), str(pad)], check=True)
    raw.unlink()


def _tiny(site):
    return Catalog.load(site.scripts_dir).get("tiny")


def _on_air(site: Deployment) -> ProgrammeRequest:
    return ProgrammeRequest(_tiny(site), site.profile.village("wangmu"), "quick", for_air=True)


def test_recordings_take_bouyei_from_failing_to_airing(site, tmp_path):
    script, village = _tiny(site), site.profile.village("wangmu")
    with pytest.raises(SpeechError) as info:
        build_programme(site, _on_air(site))
    assert "clips/pcc/" in str(info.value) and "'Leeux boz ndil!'" in str(info.value)
    before = coverage(site)
    assert before["scripts"]["tiny"]["recorded"] == 0 and not before["complete"]
    errors = [f for f in check_deployment(site) if f.level == "error"]
    assert len(errors) == 1 and "'tiny' is planned in wangmu in Bouyei" in errors[0].message

    sheet = tmp_path / "sheet.csv"
    write_sheet(site, needed(site, [script]), sheet)
    rows = list(csv.DictReader(sheet.open(encoding="utf-8-sig")))
    texts = {r["text"]: r for r in rows}
    assert {"Leeux boz ndil!", "Weangzmox", "ndil.", "Miz rox,"} <= set(texts)
    assert texts["Weangzmox"]["folder"] == "words" and texts["ndil."]["kind"] == "part"
    takes = tmp_path / "takes"
    takes.mkdir()
    for row in rows:
        if row["kind"] != "number":
            speak(row["text"], takes / f"{row['id']}.wav")  # named by sheet id, as a speaker would
    results = import_folder(site, takes, sheet)
    assert all(r.status == "taken" for r in results), [r.as_dict() for r in results if r.status != "taken"]

    after = coverage(site)
    assert after["scripts"]["tiny"]["recorded"] == after["scripts"]["tiny"]["needed"] == 4
    assert not [f for f in check_deployment(site) if "tiny" in f.message]
    assert missing_for(site, script, village) == []
    made = build_programme(site, _on_air(site))
    engines = [(s.lang, s.engine) for s in made.manifest.segments]
    assert ("pcc", "clips") in engines and ("cmn", "neural") in engines
    assert made.manifest.languages == ["cmn", "pcc"] and made.manifest.synthetic_approximation == []

    # one clip goes missing: the programme fails again, naming exactly that key
    gone = next((site.audio_dir / "words" / "pcc").glob("*.wav"))
    gone.unlink()
    assert missing_for(site, script, village) == [f"words/pcc/{gone.stem}.wav ('Weangzmox')"]
    with pytest.raises(SpeechError, match=rf"words/pcc/{gone.stem}\.wav \('Weangzmox'\)"):
        build_programme(site, _on_air(site))


def test_import_refuses_what_it_should(site, tmp_path):
    takes = tmp_path / "takes"
    takes.mkdir()
    item = next(i for i in needed(site, [_tiny(site)]) if i.text == "Leeux boz ndil!")
    subprocess.run(["sox", "-n", str(takes / f"{item.key}.wav"), "synth", "0.1", "sine", "220"], check=True)
    subprocess.run(["sox", "-n", "-r", "22050", str(takes / "0123456789abcdef.wav"), "synth", "1", "sine", "220"],
                   check=True)
    quiet = next(i for i in needed(site, [_tiny(site)]) if i.text == "Miz rox,")
    subprocess.run(["sox", "-n", "-r", "22050", str(takes / f"{quiet.key}.wav"), "trim", "0", "2"], check=True)
    long_item = next(i for i in needed(site, [_tiny(site)]) if i.text == "ndil.")
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=200:duration=20",
                    str(takes / f"{long_item.key}.mp3")], check=True)
    (takes / "notes.txt").write_text("hello", encoding="utf-8")
    results = {r.file: r for r in import_folder(site, takes)}
    assert "too short" in results[f"{item.key}.wav"].reason
    assert "no script needs this key" in results["0123456789abcdef.wav"].reason
    assert results[f"{quiet.key}.wav"].reason == "silent"
    assert "too long" in results[f"{long_item.key}.mp3"].reason
    assert "not an audio file" in results["notes.txt"].reason
    assert all(r.status == "refused" for r in results.values())
    assert not list((site.audio_dir / "clips" / "pcc").glob("*.wav"))


def test_clips_cli(site, run, tmp_path):
    code, out, _ = run("clips", "sheet", "tiny", "-o", str(tmp_path / "s.pdf"), "--root", str(site.root))
    said = re.search(r": ([\d,]+) (items?) to record$", out, re.M)
    assert code == 0 and said and (said[2] == "item") == (said[1] == "1")
    text = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Leeux boz ndil!" in text and "001" in text
    code, out, _ = run("clips", "status", "--json", "--root", str(site.root))
    assert code == 0 and json.loads(out)["complete"] is False


def test_a_new_take_never_replaces_the_earlier_one_silently(site, tmp_path):
    item = next(i for i in needed(site, [_tiny(site)]) if i.text == "Leeux boz ndil!")
    filed = site.audio_dir / item.folder / item.lang / f"{item.key}.wav"
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    speak(item.text, first / f"{item.key}.wav")
    speak(item.text, tmp_path / "normal.wav")
    subprocess.run(["sox", str(tmp_path / "normal.wav"), str(second / f"{item.key}.wav"), "speed", "1.2"], check=True)

    [taken] = import_folder(site, first)
    assert taken.status == "taken" and taken.kept == []
    earlier = filed.read_bytes()
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(filed), str(filed.with_suffix(".mp3"))], check=True)

    [again] = import_folder(site, second)
    assert again.status == "taken" and len(again.kept) == 2
    old = sorted((filed.parent / "old").iterdir(), key=lambda p: p.suffix)
    assert [p.suffix for p in old] == [".mp3", ".wav"]
    assert all(re.fullmatch(rf"{item.key}\.\d{{8}}-\d{{6}}\.(wav|mp3)", p.name) for p in old)
    assert old[1].read_bytes() == earlier and filed.read_bytes() != earlier
    assert not filed.with_suffix(".mp3").exists()
    assert find_recording(site.audio_dir / item.folder, item.lang, item.text) == filed


def test_a_long_file_is_refused_by_its_probe_before_it_is_decoded(site, tmp_path):
    item = next(i for i in needed(site, [_tiny(site)]) if i.text == "Leeux boz ndil!")
    takes = tmp_path / "takes"
    takes.mkdir()
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "7200",
                    "-c:a", "flac", str(takes / f"{item.key}.flac")], check=True)
    [result] = import_folder(site, takes)
    # decoding reads at most the allowed length, so only the probe can know the file's two hours
    assert result.status == "refused" and "too long: 7200.0 s before trimming" in result.reason
    assert "not decoded" in result.reason
    assert not (site.audio_dir / item.folder / item.lang).exists() or not list(
        (site.audio_dir / item.folder / item.lang).glob(f"{item.key}.*"))
