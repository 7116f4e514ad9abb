#!/usr/bin/env bash
# The test command: set up (if needed), lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check gdanim scenes tests bench
.venv/bin/mypy   # gdanim and scenes, strict (see pyproject.toml)
.venv/bin/python -m pytest "$@"
