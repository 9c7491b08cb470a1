"""`audio` and `cache` option handling; rendering itself is covered in tests/test_audio.py."""

from conftest import ROOT


def test_audio_needs_scripts_or_all_but_not_both(run):
    code, _, err = run("audio", "--village", "wangmu", "--root", str(ROOT))
    assert code == 2 and "name one or more scripts, or use --all" in err
    code, _, err = run("audio", "tiny", "--all", "--village", "wangmu", "--root", str(ROOT))
    assert code == 2 and "name one or more scripts, or use --all" in err


def test_audio_unknown_village_or_programme_is_a_user_error(run, deployment):
    code, _, err = run("audio", "general-warning", "--village", "atlantis", "--root", str(deployment.root))
    assert code == 1 and "unknown village 'atlantis'" in err
    code, _, err = run("audio", "general-warning", "--village", "xiangle", "--programme", "nope", "--dry-run",
                       "--root", str(deployment.root))
    assert code == 1 and "unknown programme 'nope'" in err


def test_audio_dry_run_table_shows_engines_and_what_is_left_out(run, deployment):
    code, out, _ = run("audio", "general-warning", "--village", "wangmu", "--dry-run", "--root", str(deployment.root))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["script", "lang", "key", "engine", "cached", "text"]
    spoken = [line.split() for line in lines[1:] if line.split()[:2] == ["general-warning", "cmn"]]
    assert spoken and all(row[4] in ("yes", "no") for row in spoken)
    assert any("(left out:" in line and " pcc " in line for line in lines)


def test_cache_prune_needs_exactly_one_choice(run, deployment):
    code, _, err = run("cache", "prune", "--root", str(deployment.root))
    assert code == 2 and "give --older-than DAYS or --all" in err
    code, _, err = run("cache", "prune", "--all", "--older-than", "3", "--root", str(deployment.root))
    assert code == 2


def test_cache_stats_text_on_an_empty_cache(run, deployment):
    code, out, _ = run("cache", "stats", "--root", str(deployment.root))
    assert code == 0 and out.startswith("0 segments, 0.0 MB;") and "most recently -" in out
