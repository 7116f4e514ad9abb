"""The lecture rendered by an earlier gdanim and by this one, side by side in one run.

Checks out ``--against`` (a commit, default ``HEAD~1``) into a temporary git worktree, then
renders the silent lecture with ``gdanim lecture -q Q -j N --voice none`` from that tree and
from this one, alternately ``--rounds`` times, each time from an empty gdanim cache (so that
nothing is reused), and prints each render's wall time, the video's length and their ratio,
and the ratio of the two versions. Both use this checkout's virtual environment. Since the
machine's load moves, the versions are measured one after the other in the same run, never
against a figure from another day. Run from the repository root::

    .venv/bin/python bench/versus_bench.py --against 339bd89          # 1080p60, -j 2
    .venv/bin/python bench/versus_bench.py --against 339bd89 -q l --save
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

from gdanim.app.render import QUALITIES, probe_duration  # noqa: E402


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def render(tree: Path, quality: str, jobs: int, folder: Path) -> tuple[float, float]:
    """Wall seconds of one silent lecture render by the gdanim in ``tree``, from an empty
    cache, and the video's length."""
    out = folder / "lecture.mp4"
    env = {**os.environ, "GDANIM_CACHE_DIR": str(folder / "cache"), "PYTHONPATH": str(tree)}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gdanim.app", "lecture", "-q", quality, "-j",
                    str(jobs), "--voice", "none", "--quiet", "-o", str(out)],
                   check=True, cwd=folder, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0, probe_duration(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="HEAD~1", help="the earlier commit")
    parser.add_argument("-q", "--quality", default="h", choices=sorted(QUALITIES))
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--save", action="store_true",
                        help="also write bench/results/versus_bench_<size>.txt")
    args = parser.parse_args()
    old, new = git("rev-parse", "--short", args.against), git("rev-parse", "--short", "HEAD")
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--", "gdanim",
                                                 "scenes") else ""
    size = QUALITIES[args.quality][0]
    rows = [f"# .venv/bin/python bench/versus_bench.py {' '.join(sys.argv[1:])}   "
            f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start)",
            f"# the silent lecture at {size} with -j {args.jobs}, each from an empty cache: "
            f"{old} against {new}{dirty}",
            f"{'version':<28} {'wall s':>8} {'video s':>8} {'x video':>8}"]
    print("\n".join(rows), flush=True)
    walls: dict[str, list[float]] = {old: [], new: []}
    with tempfile.TemporaryDirectory(prefix="gdanim-versus-") as tmp:
        earlier = Path(tmp) / "earlier"
        git("worktree", "add", "--detach", str(earlier), args.against)
        try:
            for r in range(args.rounds):
                for label, tree in ((old, earlier), (new, ROOT)):
                    folder = Path(tmp) / f"{label}-{r}"
                    folder.mkdir()
                    wall, video = render(tree, args.quality, args.jobs, folder)
                    walls[label].append(wall / video)
                    line = f"{label:<28} {wall:8.1f} {video:8.2f} {wall / video:8.2f}"
                    rows.append(line)
                    print(line, flush=True)
        finally:
            git("worktree", "remove", "--force", str(earlier))
    best = {k: min(v) for k, v in walls.items()}
    line = (f"best of {args.rounds}: {old} {best[old]:.2f}x, {new} {best[new]:.2f}x video; "
            f"{new} takes {best[new] / best[old]:.2f} of {old}'s time")
    rows.append(line)
    print(line)
    if args.save:
        path = ROOT / "bench" / "results" / f"versus_bench_{size}.txt"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
