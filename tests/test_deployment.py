import pytest

from outreach.deployment import Deployment
from outreach.errors import ConfigError


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _profile_error(deployment) -> str:
    with pytest.raises(ConfigError) as info:
        Deployment(deployment.root).profile
    return str(info.value)


def test_shipped_profile_is_valid(shipped):
    profile = shipped.profile
    assert profile.hotlines.antifraud == "96110" and profile.hotlines.police == "110"
    assert len(profile.villages) >= 5
    assert "96110" in profile.phone_numbers()


def test_bad_language_names_the_key_path(deployment):
    _edit(deployment.profile_path, "languages: [cmn]", "languages: [cmn, pcx]")
    message = _profile_error(deployment)
    assert "schedules/deployment.yaml" in message
    assert "villages[2].languages[1]" in message


def test_unknown_key_is_reported_as_a_typo(deployment):
    _edit(deployment.profile_path, "town: 石屯镇", "twon: 石屯镇")
    assert "villages[3].twon: unknown key" in _profile_error(deployment)


def test_missing_key_and_duplicate_village(deployment):
    _edit(deployment.profile_path, '  antifraud: "96110"', "")
    _edit(deployment.profile_path, "id: pingrao", "id: wangmu")
    message = _profile_error(deployment)
    assert "hotlines.antifraud: required key is missing" in message
    assert "village id 'wangmu' appears twice" in message


def test_yaml_syntax_error_names_line(deployment):
    _edit(deployment.profile_path, "county:\n", "county: [\n")
    message = _profile_error(deployment)
    assert "deployment.yaml:" in message and "YAML syntax error" in message


def test_unknown_village(shipped):
    with pytest.raises(ConfigError, match="unknown village 'nowhere'.*wangmu"):
        shipped.profile.village("nowhere")

