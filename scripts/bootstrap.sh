#!/usr/bin/env bash
# Set up everything outreach needs on a Debian machine: system packages (only
# those missing), a .venv and the package. Re-running it is quick when nothing
# changed: packages are checked with dpkg, the venv install is keyed on a hash
# of pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  espeak-ng ffmpeg sox poppler-utils zbar-tools sqlite3
  fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0
  python3-venv
)
# What only the tests need: a real broker for the village nodes, a real browser for the console, PDF checks.
if [ "${1:-}" = "--test" ]; then
  APT_PACKAGES+=(mosquitto mosquitto-clients openssl chromium qpdf)
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  "$PYTHON" -m venv .venv
fi

stamp=".venv/.outreach-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "bootstrap: installing the package into .venv"
  # pip's notes about mirror folders absent on this machine are noise, not errors
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' 2> >(grep -v "is ignored: it is neither" >&2)
  rm -f .venv/.outreach-*
  touch "$stamp"
fi

# the message catalogs, compiled for the installed package (a stale or missing .mo is also compiled at first use)
.venv/bin/pybabel -q compile -d outreach/locale -D outreach
