"""Templates cannot take the machine down: every class of runaway template stops with one clear error.

The hostile payloads run in a child process under RLIMIT_AS, so a regression
fails these tests (MemoryError, a crash, the backstop timeout) instead of
exhausting the machine. Nothing here asserts on time: the subprocess timeout
is only a backstop.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from outreach.catalog import Catalog
from outreach.deployment import Deployment
from outreach.errors import TemplateTooExpensive
from outreach.render import Mode, render

from conftest import copy_deployment, write_script

ADDRESS_SPACE = 768 << 20
BACKSTOP_SECONDS = 900

NS = "{% set ns = namespace(s='ab', l=[1], d={}, x=3) %}"
LOOP40 = "{% for i in range(40) %}"
PAYLOADS = {
    "concat-doubling": NS + LOOP40 + "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    "plus-doubling": NS + LOOP40 + "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}",
    "list-doubling": NS + LOOP40 + "{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l|length }}",
    "extend-doubling": NS + LOOP40 + "{% set _ = ns.l.extend(ns.l) %}{% endfor %}{{ ns.l|length }}",
    "printf-doubling": NS + LOOP40 + "{% set ns.s = '%s%s' % (ns.s, ns.s) %}{% endfor %}{{ ns.s|length }}",
    "format-doubling": NS + LOOP40 + "{% set ns.s = '{}{}'.format(ns.s, ns.s) %}{% endfor %}{{ ns.s|length }}",
    "replace-doubling": NS + LOOP40 + "{% set ns.s = ns.s|replace('a', 'aa') %}{% endfor %}{{ ns.s|length }}",
    "shared-list-tree": NS + "{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l|string }}",
    "shared-dict-tree": NS + "{% for i in range(60) %}{% set ns.d = {'a': ns.d, 'b': ns.d} %}{% endfor %}"
                        "{{ ns.d == ns.d }}",
    "deep-tuple": "{% set ns = namespace(t=()) %}{% for i in range(100000) %}{% set ns.t = (ns.t,) %}{% endfor %}"
                  "{{ [ns.t]|unique|list }}",
    "append-big-strings": NS + "{% for i in range(100000) %}{% set _ = ns.l.append('x' * 99999) %}{% endfor %}",
    "nested-ranges-empty": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "nested-ranges-text": "{% set x %}{% for i in range(100000) %}{% for j in range(100000) %}aaaaaaaaaa"
                          "{% endfor %}{% endfor %}{% endset %}",
    "nested-batches": "{% for x in range(100000)|batch(1) %}{% for y in range(100000)|batch(1) %}{% endfor %}"
                      "{% endfor %}",
    "print-in-loop": "{% for i in range(100000) %}{{ 'x' * 99999 }}{% endfor %}",
    "center-filter": "{{ 'x'|center(1000000000) }}",
    "ljust": "{{ 'x'.ljust(1000000000) }}",
    "rjust-markup": "{{ ('x'|safe).rjust(1000000000) }}",
    "zfill": "{{ '1'.zfill(1000000000) }}",
    "expandtabs": "{{ '\\t'.expandtabs(1000000000) }}",
    "indent-filter": "{{ ('x\\n' * 50000)|indent(100000) }}",
    "format-width": "{{ '{:>1000000000}'.format('x') }}",
    "format-nested-width": "{{ '{:{w}}'.format('x', w=1000000000) }}",
    "format-precision": "{{ '{:.999999999f}'.format(1.5) }}",
    "format-map-width": "{{ '{a:>999999999}'.format_map({'a': 1}) }}",
    "printf-width": "{{ '%1000000000s' % 'x' }}",
    "printf-star": "{{ '%0*d' % (1000000000, 1) }}",
    "printf-precision": "{{ '%.999999999f' % 1.5 }}",
    "printf-mapping": "{{ '%(a)s%(a)s%(a)s%(a)s%(a)s' % {'a': 'x' * 900000} }}",
    "format-filter": "{{ '%999999999s'|format('x') }}",
    "repeat": "{{ 'x' * 100000000 }}",
    "repeat-list": "{{ [1] * 100000 * 100000 }}",
    "lipsum-n": "{{ lipsum(n=100000000) }}",
    "lipsum-words": "{{ lipsum(n=1, min=1, max=1000000000) }}",
    "join-separator": "{{ range(100000)|join(',' * 100000) }}",
    "join-method": "{{ ('x' * 100000).join(range(100000)|map('string')) }}",
    "translate": "{{ ('a' * 90000).translate({97: 'b' * 90000}) }}",
    "wordwrap": "{{ ('a' * 500000)|wordwrap(1) }}",
    "batch-fill": "{{ [1]|batch(1000000000, 0)|list }}",
    "slice-count": "{{ [1]|slice(1000000000)|list|length }}",
    "to-bytes": "{{ (1).to_bytes(1000000000, 'big') }}",
    "power": "{{ 2 ** 100000 }}",
    "power-tower": "{% set ns = namespace(x=2 ** 64) %}{% for i in range(10) %}{% set ns.x = ns.x ** 64 %}"
                   "{% endfor %}",
    "squaring": NS + LOOP40 + "{% set ns.x = ns.x * ns.x %}{% endfor %}",
    "macro-recursion": "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
    "caller-recursion": "{% macro m() %}{{ caller() }}{% endmacro %}{% macro r() %}{% call m() %}{{ r() }}"
                        "{% endcall %}{% endmacro %}{{ r() }}",
    "recursive-loop": "{% for row in range(100000) recursive %}{{ loop(range(100000)) }}{% endfor %}",
    "include-self": "{% include '{self}' %}",
    "include-self-in-loop": "{% for i in range(1000) %}{% include '{self}' %}{% endfor %}",
    "extends-self": "{% extends '{self}' %}",
    "import-self": "{% import '{self}' as me %}",
}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


CHILD = r"""
import json, sys
from pathlib import Path
from outreach.catalog import Catalog
from outreach.deployment import Deployment
from outreach.errors import OutreachError
from outreach.render import render

deployment = Deployment(Path(sys.argv[1]))
village = deployment.profile.villages[0]
for script in Catalog.load(deployment.scripts_dir):
    if not script.id.startswith("hostile-"):
        continue
    try:
        render(script, "cmn", deployment.profile, village)
        result = {"error": None, "message": ""}
    except OutreachError as exc:
        result = {"error": type(exc).__name__, "message": str(exc)}
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest), so it would measure
    # the test runner's size instead of this child's.
    status = Path("/proc/self/status").read_text()
    peak = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    print(json.dumps({"script": script.id, "peak_kb": peak, **result}), flush=True)
"""


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> tuple[dict[str, dict], str]:
    """Every payload rendered once, in one memory-limited child; the results by payload, and the child's stderr."""
    deployment = copy_deployment(tmp_path_factory.mktemp("hostile"))
    for name, payload in PAYLOADS.items():
        script_id = f"hostile-{name}"
        write_script(deployment, script_id, {"cmn": "开头" + payload.replace("{self}", f"{script_id}/cmn.j2")})
    argv = [sys.executable, "-c", CHILD, str(deployment.root)]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, preexec_fn=_limit_memory,
                              timeout=BACKSTOP_SECONDS, check=False)
        out, err = done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        out, err = _text(exc.stdout), _text(exc.stderr) + "\n(backstop timeout)"
    results = {}
    for line in out.splitlines():
        row = json.loads(line)
        results[row["script"].removeprefix("hostile-")] = row
    return results, err


def _text(data: bytes | str | None) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_a_runaway_template_stops_with_a_clear_error(hostile, name):
    results, err = hostile
    if name not in results:
        pytest.fail(f"the render of {name!r} never finished (crash or backstop); child said: {err[-2000:]}")
    row = results[name]
    assert row["error"] == "TemplateTooExpensive", row
    message = row["message"]
    assert "template too expensive" in message and f"script 'hostile-{name}' (cmn)" in message, message
    assert f"hostile-{name}/cmn.j2" in message, message
    assert "out of memory" not in message and "\n" not in message, message


def test_memory_stayed_bounded_through_every_payload(hostile):
    results, err = hostile
    assert len(results) == len(PAYLOADS), err[-2000:]
    assert max(row["peak_kb"] for row in results.values()) < ADDRESS_SPACE // 1024 // 2


def test_shipped_scripts_are_far_inside_the_limits(shipped, catalog):
    """Generous defaults: every real script renders, for every village, in both modes (nothing refused)."""
    for script in catalog:
        for lang in script.languages:
            for village in shipped.profile.villages:
                for mode in Mode:
                    assert render(script, lang, shipped.profile, village, None, mode).text


def test_a_script_a_little_busy_is_not_refused(deployment):
    """Loops, macros, filters and formatting at the scale a real script might use them all pass."""
    busy = ("{% macro say(x) %}{{ x|center(12) }}{% endmacro %}{% for i in range(200) %}{{ say(i) }}"
            "{{ '%05d' % i }}{{ '{:>6}'.format(i) }}{% endfor %}{{ range(1000)|join(',') }}{{ 'ab' * 500 }}"
            "{{ lipsum(2) }}{% set ns = namespace(s='') %}{% for i in range(100) %}{% set ns.s = ns.s ~ i %}"
            "{% endfor %}{{ ns.s }}")
    write_script(deployment, "busy", {"cmn": "开头" + busy})
    script = Catalog.load(deployment.scripts_dir).get("busy")
    text = render(script, "cmn", deployment.profile, deployment.profile.villages[0]).text
    assert "00199" in text and "998,999" in text and "9899" in text


def test_over_a_limit_names_file_line_script_and_language(deployment):
    write_script(deployment, "pad", {"pcc": "Leeux\n{{ 'x'|center(1000000000) }}"})
    script = Catalog.load(deployment.scripts_dir).get("pad")
    with pytest.raises(TemplateTooExpensive) as info:
        render(script, "pcc", deployment.profile, deployment.profile.villages[0], None, Mode.SPEECH)
    message = str(info.value)
    assert "pad/pcc.j2:2: the sandbox refused: template too expensive: script 'pad' (pcc)" in message
    assert "|center would build about 1,000,000,000" in message


def _cli(deployment: Deployment, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "outreach", *args, "--root", str(deployment.root)]
    return subprocess.run(argv, capture_output=True, text=True, preexec_fn=_limit_memory,
                          timeout=BACKSTOP_SECONDS, check=False)


@pytest.fixture(scope="module")
def runaway(tmp_path_factory) -> Deployment:
    """A deployment whose one extra script loops forever (nested ranges) and whose card layout pads forever."""
    deployment = copy_deployment(tmp_path_factory.mktemp("runaway"))
    write_script(deployment, "runaway", {"cmn": "开头" + PAYLOADS["nested-ranges-text"]})
    return deployment


def test_check_finishes_and_reports_the_runaway_template(runaway):
    done = _cli(runaway, "check")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    report = done.stdout + done.stderr
    assert "runaway/cmn.j2" in report and "template too expensive" in report


def test_preview_and_cards_refuse_the_runaway_template_in_one_line(runaway, tmp_path):
    for args in (["preview", "runaway", "--lang", "cmn"],
                 ["cards", "runaway", "--village", "wangmu", "--layout", "card", "-o", str(tmp_path / "c.pdf")]):
        done = _cli(runaway, *args)
        assert done.returncode == 1, (args, done.stderr[-2000:])
        lines = done.stderr.strip().splitlines()
        assert lines[-1].startswith("error: ") and "template too expensive: script 'runaway' (cmn)" in lines[-1]
        assert "Traceback" not in done.stderr


def test_a_runaway_layout_is_stopped_too(tmp_path):
    deployment = copy_deployment(tmp_path / "site")
    layout = deployment.templates / "print" / "card.html.j2"
    layout.write_text(layout.read_text(encoding="utf-8") + PAYLOADS["nested-ranges-empty"], encoding="utf-8")
    done = _cli(deployment, "cards", "general-warning", "--village", "wangmu", "--layout", "card", "--allow-draft",
                "-o", str(tmp_path / "c.pdf"))
    assert done.returncode == 1, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert "template too expensive: layout print/card.html.j2" in last and "steps" in last
    assert not (tmp_path / "c.pdf").exists()
