"""Nodes play, they never render: running or importing on a node loads no template, speech or print code."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("outreach.render", "outreach.sandbox", "outreach.assemble", "outreach.mastering", "outreach.print",
             "outreach.fleet", "outreach.web", "jinja2", "weasyprint", "pydub", "numpy",
             "scipy", "gtts", "onnxruntime")
SPEECH_NAMES = {"outreach.speech", "outreach.speech.registry"}
"""The profile's output settings validate engine names against the registry: a list of names, no engine."""


def test_the_node_commands_import_nothing_that_renders_speaks_or_prints():
    code = ("import json, sys\n"
            "from outreach.cli import main\n"
            "import outreach.node.service, outreach.node.config, outreach.node.fetch\n"
            "main(['node', '--help'])\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "outreach.node.service" in loaded and "outreach.daemon.player" in loaded
    bad = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN or any(
        m == f or m.startswith(f + ".") for f in FORBIDDEN))
    assert bad == []
    assert {m for m in loaded if m.startswith("outreach.speech")} <= SPEECH_NAMES
