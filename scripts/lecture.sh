#!/usr/bin/env bash
# The main command: set up (if needed), render the whole lecture at 1080p60 and print the path
# of the finished MP4 (its .srt subtitles lie beside it).
#   bash scripts/lecture.sh              # 1080p60
#   bash scripts/lecture.sh --preview    # 480p15, quick
# Any other options go to `gdanim lecture` (see `.venv/bin/gdanim lecture --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
args=()
for a in "$@"; do
  if [ "$a" = "--preview" ]; then args+=(-q l); else args+=("$a"); fi
done
exec .venv/bin/gdanim lecture "${args[@]}"
