"""`clips` option handling and text output; sheets and imports are covered in tests/test_bouyei_voice.py."""

from conftest import ROOT


def test_clips_sheet_needs_scripts_or_all(run, tmp_path):
    code, _, err = run("clips", "sheet", "-o", str(tmp_path / "s.csv"), "--root", str(ROOT))
    assert code == 2 and "name one or more scripts, or use --all" in err


def test_clips_import_says_why_it_refused_each_file(run, deployment, tmp_path):
    takes = tmp_path / "takes"
    takes.mkdir()
    (takes / "notes.txt").write_text("session notes", encoding="utf-8")
    (takes / "999.wav").write_bytes(b"")
    code, out, err = run("clips", "import", str(takes), "--root", str(deployment.root))
    assert code == 0
    assert "refused 999.wav: unknown id (give the sheet with --sheet)" in err
    assert "refused notes.txt: not an audio file" in err
    assert out.strip() == "0 taken, 2 refused"


def test_clips_status_text_counts_recordings(run, deployment):
    code, out, _ = run("clips", "status", "--root", str(deployment.root))
    assert code == 0
    recorded, _, needed = out.splitlines()[0].partition(" of ")
    assert int(recorded) < int(needed.split()[0]) and "numbers 1-99:" in out
