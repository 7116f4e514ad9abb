#!/usr/bin/env bash
# Set up everything gdanim needs on Debian 12: system packages (as root), the virtual
# environment in .venv/, and the project with its voice extra (Piper and an en_US voice), its
# cluster extra (Dask distributed, for --cluster and gdanim course) and its test extras. Safe
# to run again: it skips what is already in place and finishes in a second or two the second
# time.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3 python3-venv python3-dev build-essential pkg-config
  libcairo2-dev libpango1.0-dev fonts-dejavu-core fonts-inter
  ffmpeg espeak-ng
  chromium chromium-driver
  texlive-latex-base texlive-latex-extra texlive-fonts-recommended cm-super-minimal dvisvgm
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "gdanim setup: installing system packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# pip takes the CPU build of torch from a local wheel folder where the machine has one
if [ -z "${PIP_FIND_LINKS:-}" ] && [ -d /opt/wheels ]; then export PIP_FIND_LINKS=/opt/wheels; fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "gdanim setup: creating .venv with $($PYTHON --version)"
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "gdanim setup: Python >= 3.11 is needed (set PYTHON=/path/to/python3.11)" >&2; exit 2; }
  "$PYTHON" -m venv .venv
fi

stamp=.venv/.gdanim-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "gdanim setup: installing gdanim with its voice, cluster and test extras into .venv"
  if ! { .venv/bin/python -m pip install -q --upgrade pip &&
          .venv/bin/python -m pip install -q -e ".[test,voice,cluster]"; } > .venv/pip.log 2>&1; then
    cat .venv/pip.log >&2
    echo "gdanim setup: pip install failed (log above, also in .venv/pip.log)" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi
