"""The narrated lecture against the silent one: render time as a multiple of each's duration.

Renders the whole lecture twice with ``gdanim lecture -j N`` at the quality asked for, each
from an empty build cache (so nothing is reused): once silent (``--voice none``) and once
narrated (``--voice piper`` by default, with an empty speech cache too, so every line is
synthesised). Prints, for each, the wall time, the video's length and their ratio, and for
the narrated one the audio stream's length against the video's. The target for the narrated
lecture at 1080p60 with ``-j 2`` is at most 2.0x its duration. Run from the repository root::

    .venv/bin/python bench/narrated_bench.py               # 1080p60 (about an hour on 2 cores)
    .venv/bin/python bench/narrated_bench.py -q l --save   # 480p15
    .venv/bin/python bench/narrated_bench.py --narrated-only --save   # the narrated one only
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gdanim.app.audio import media_durations  # noqa: E402


def render(voice: str, quality: str, jobs: int, folder: Path) -> tuple[float, dict[str, float]]:
    """Wall seconds of one lecture render into ``folder`` with an empty cache, and the
    durations of the video's streams."""
    cache = folder / "cache"
    out = folder / f"lecture_{voice}.mp4"
    env = {**os.environ, "GDANIM_CACHE_DIR": str(cache)}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gdanim.app", "lecture", "-q", quality, "-j",
                    str(jobs), "--voice", voice, "--quiet", "-o", str(out)],
                   check=True, cwd=folder, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0, media_durations(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quality", default="h", choices=["l", "m", "h", "p", "k"])
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--voice", default="piper", choices=["piper", "espeak"])
    parser.add_argument("--narrated-only", action="store_true",
                        help="skip the silent render (its figure is in render_bench)")
    parser.add_argument("--save", action="store_true",
                        help="also write bench/results/narrated_bench_<quality>.txt")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    load = os.getloadavg()[0]
    rows = [f"# .venv/bin/python bench/narrated_bench.py -q {args.quality} -j {args.jobs}"
            f"{' --narrated-only' if args.narrated_only else ''}   "
            f"(at commit {commit}, {os.cpu_count()} cores, load average {load:.1f} at start)",
            f"{'lecture':<22} {'wall s':>8} {'video s':>8} {'x video':>8} {'audio s':>8}"]
    with tempfile.TemporaryDirectory(prefix="gdanim-narrated-bench-") as tmp:
        for voice in (args.voice,) if args.narrated_only else ("none", args.voice):
            folder = Path(tmp) / voice
            folder.mkdir()
            wall, d = render(voice, args.quality, args.jobs, folder)
            audio = f"{d['audio']:8.2f}" if "audio" in d else f"{'-':>8}"
            rows.append(f"{voice if voice != 'none' else 'silent':<22} {wall:8.1f} "
                        f"{d['video']:8.2f} {wall / d['video']:8.2f} {audio}")
    text = "\n".join(rows) + "\n"
    print(text, end="")
    if args.save:
        path = ROOT / "bench" / "results" / f"narrated_bench_{args.quality}.txt"
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
