import re

from outreach.check import check_deployment, literal_text
from outreach.datafile import display_path
from outreach.deployment import PLACE_KINDS
from outreach.findings import errors

from conftest import write_script


def _errors(deployment):
    return errors(check_deployment(deployment))


def test_shipped_catalog_has_no_errors(shipped):
    findings = check_deployment(shipped)
    assert [str(f) for f in errors(findings)] == []
    # the example contacts are flagged until the county replaces them
    assert any("is an example" in f.message for f in findings)


def test_literal_text_keeps_positions():
    source = "ab {{ x }} cd\n{% if y %}ef{% endif %}"
    blanked = literal_text(source)
    assert len(blanked) == len(source)
    assert blanked.index("cd") == source.index("cd") and "x" not in blanked and "if" not in blanked


def test_broken_template_is_reported_with_file_and_line(deployment):
    path = deployment.scripts_dir / "elderly" / "cmn.j2"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] += " {% if %}"
    path.write_text("\n".join(lines), encoding="utf-8")
    [error] = _errors(deployment)
    assert error.where.endswith("templates/scripts/elderly/cmn.j2:2")
    assert "template syntax" in error.message


def test_misspelt_bouyei_word_is_flagged_with_its_position(deployment):
    path = deployment.scripts_dir / "general-warning" / "pcc.j2"
    text = path.read_text(encoding="utf-8").replace("lix xeenz miz", "lix xeenzz miz")
    path.write_text(text, encoding="utf-8")
    line_no = next(i for i, line in enumerate(text.splitlines(), 1) if "xeenzz" in line)
    column = text.splitlines()[line_no - 1].index("xeenzz") + 1
    [error] = _errors(deployment)
    assert error.where.endswith(f"general-warning/pcc.j2:{line_no}:{column}")
    assert "'xeenzz'" in error.message and "no vowel" in error.message


def test_unattested_word_is_refused(deployment):
    # "dog" parses as a tone-8 syllable but is no Bouyei word we know
    write_script(deployment, "newword", {"cmn": "你好{{ village.name }}", "pcc": "Mengz dog {{ village.name }}"})
    [error] = _errors(deployment)
    assert "'dog' is not attested" in error.message and error.where.endswith("newword/pcc.j2:1:7")


def test_weak_source_word_is_a_warning(deployment):
    write_script(deployment, "weak", {"cmn": "骗{{ village.name }}", "pcc": "Fuc {{ village.name }}"})
    findings = [f for f in check_deployment(deployment) if "/weak/" in f.where]
    assert [f.level for f in findings] == ["warning"]
    assert "weak source" in findings[0].message


def test_variables_checked_across_languages(deployment):
    write_script(
        deployment, "vars",
        {"cmn": "{{ village.name }}{{ amount | money }}{{ mystery }}", "pcc": "Mengz ndil"},
        "variables:\n  amount: {type: money, default: 1}\n  unused: {type: text, default: a}\n",
    )
    findings = [(f.level, f.message) for f in check_deployment(deployment) if "/vars/" in f.where]
    assert ("error", "uses variable 'mystery', which is neither declared in script.yaml nor given by the profile") in findings
    assert ("warning", "variable 'amount' is used in cmn but not in pcc") in findings
    assert ("warning", "variables.unused is declared but no template uses it") in findings


def test_missing_translation_and_unknown_village(deployment):
    write_script(deployment, "mono", {"cmn": "只有普通话{{ village.name }}"}, "villages: [wangmu, atlantis]\n")
    findings = [(f.level, f.where.split("/")[-1], f.message) for f in check_deployment(deployment) if "/mono/" in f.where]
    assert ("error", "script.yaml: villages[1]", "unknown village 'atlantis'") in findings
    assert ("warning", "script.yaml", "no pcc translation, though some villages hear pcc") in findings


def test_one_broken_script_does_not_hide_the_others(deployment):
    (deployment.scripts_dir / "elderly" / "script.yaml").write_text("title: [", encoding="utf-8")
    (deployment.scripts_dir / "fake-loan" / "pcc.j2").unlink()
    errors = [str(f) for f in _errors(deployment)]
    assert len(errors) == 2
    assert any("elderly/script.yaml:1" in e and "YAML syntax error" in e for e in errors)
    assert any("fake-loan/pcc.j2 is missing" in e for e in errors)


def test_bad_profile_is_reported_and_the_catalog_still_checked(deployment):
    deployment.profile_path.write_text(
        deployment.profile_path.read_text(encoding="utf-8").replace("qr_link: https://", "qr_link: ftp://"),
        encoding="utf-8",
    )
    path = deployment.scripts_dir / "general-warning" / "pcc.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("genl", "gwnl"), encoding="utf-8")
    errors = [str(f) for f in _errors(deployment)]
    assert any("qr_link" in e for e in errors)
    assert any("gwnl" in e and "1981" in e for e in errors)


def test_damaged_templates_are_findings_and_every_other_script_is_checked(deployment):
    """Not UTF-8, including itself, a folder in its place: one finding each, located, and no traceback."""
    scripts = deployment.scripts_dir
    (scripts / "elderly" / "pcc.j2").write_bytes(b"Leeux boz ndil!\n\xff\xfe\n")
    loop = scripts / "fake-loan" / "cmn.j2"
    loop.write_text(loop.read_text(encoding="utf-8") + "{% include 'fake-loan/cmn.j2' %}\n", encoding="utf-8")
    (scripts / "school-start" / "cmn.j2").unlink()
    (scripts / "school-start" / "cmn.j2").mkdir()
    found = [str(f) for f in _errors(deployment)]
    assert len(found) == 3
    assert any(e.startswith("error: ") and "elderly/pcc.j2:2: not UTF-8 text (byte 0xff)" in e for e in found)
    assert any("fake-loan/cmn.j2" in e and re.search("includ(es|ing) itself", e) for e in found)
    assert any("school-start/cmn.j2: is a folder, not a file" in e for e in found)


def test_a_lexicon_that_is_not_utf8_is_a_finding_naming_it(deployment):
    deployment.lexicon_path.write_bytes(b"form,gloss_zh\n\xff\n")
    found = [str(f) for f in _errors(deployment)]
    assert "lexicon/pcc.csv" in found[0] and "not UTF-8 text" in found[0]


def test_a_window_of_ninety_million_days_is_a_located_error(deployment, run):
    plan = deployment.plans_dir / "county.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("from: -5d", "from: -99999999d", 1), encoding="utf-8")
    assert "from: -99999999d" in plan.read_text(encoding="utf-8")
    code, _, err = run("plan", "check", "--root", str(deployment.root))
    assert code == 1 and "reaches more than 366 days from its event" in err and "Traceback" not in err


def test_bouyei_slogans_are_spelt_and_attested(deployment):
    path = deployment.templates / "print" / "slogans.yaml"
    text = path.read_text(encoding="utf-8")
    assert "Lix xeenz miz luanh yungh" in text
    path.write_text(text.replace("Lix xeenz miz luanh yungh", "Lix xeenzz miz dog yungh"), encoding="utf-8")
    found = [str(f) for f in _errors(deployment)]
    assert len(found) == 2
    assert any("slogans.yaml: slogans.general-warning.pcc[0] (column 5)" in e and "'xeenzz'" in e for e in found)
    assert any("slogans.general-warning.pcc[0] (column 16)" in e and "'dog' is not attested" in e for e in found)


def test_a_broken_slogans_file_is_a_finding_and_the_rest_is_checked(deployment):
    path = deployment.templates / "print" / "slogans.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("gloss_cmn: 有钱不乱用", "glos_cmn: 有钱不乱用"),
                    encoding="utf-8")
    script = deployment.scripts_dir / "elderly" / "cmn.j2"
    script.write_text(script.read_text(encoding="utf-8") + "{% if %}\n", encoding="utf-8")
    found = [str(f) for f in _errors(deployment)]
    assert any("slogans.yaml" in e and "glos_cmn" in e for e in found)
    assert any("elderly/cmn.j2" in e and "template syntax" in e for e in found)


def test_example_places_and_banner_are_warnings(shipped):
    where = display_path(shipped.profile_path)
    warnings = {f.where: f.message for f in check_deployment(shipped) if f.level == "warning"}
    profile = shipped.profile
    examples = [(kind, i, p.id) for kind in PLACE_KINDS for i, p in enumerate(getattr(profile, kind)) if p.example]
    assert {kind for kind, _, _ in examples} == {"schools", "workplaces", "markets"}
    for kind, i, place_id in examples:
        assert f"'{place_id}' is an example place" in warnings[f"{where}: {kind}[{i}]"]
    assert f"{where}: communities[0]" not in warnings
    assert "banner size is an example" in warnings[f"{where}: banner"]


def test_real_places_and_banner_are_not_warned_about(deployment):
    text = deployment.profile_path.read_text(encoding="utf-8")
    deployment.profile_path.write_text(text.replace("example: true\n", "example: false\n"), encoding="utf-8")
    messages = [f.message for f in check_deployment(deployment) if f.level == "warning"]
    assert not any("example place" in m or "banner size" in m for m in messages)
    assert any("contact of 'wangmu' is an example" in m for m in messages)


def test_check_says_which_voices_speak_each_language(deployment):
    from outreach.check import check_deployment

    voices = [f.message for f in check_deployment(deployment) if f.level == "info"]
    assert "speech.chains.cmn: voiced by clips -> neural -> espeak" in voices
    assert "speech.chains.pcc: voiced by clips" in voices
    assert any("non-commercial" in v for v in voices)
    profile = deployment.profile_path
    profile.write_text(profile.read_text(encoding="utf-8").replace("cmn: [clips, neural, espeak]", "cmn: [clips, espeak]"),
                       encoding="utf-8")
    voices = [f.message for f in check_deployment(type(deployment)(deployment.root)) if f.level == "info"]
    assert "speech.chains.cmn: voiced by clips -> espeak" in voices and not any("non-commercial" in v for v in voices)
