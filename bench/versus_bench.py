"""The lecture rendered by an earlier gdanim and by this one, side by side in one run.

Checks out ``--against`` (a commit, default ``HEAD~1``) into a temporary git worktree, then
renders the silent lecture with ``gdanim lecture -q Q -j N --voice none`` from that tree and
from this one, alternately ``--rounds`` times, each time from an empty gdanim cache (so that
nothing is reused), and prints each render's wall time, the video's length and their ratio,
and the ratio of the two versions. With ``--scenes`` it renders scenes alone instead
(``gdanim render SCENE -q Q --voice none``, one process, the earlier version then this one for
each scene) and prints render seconds per second of video for each scene and both versions.
Both use this checkout's virtual environment. Since the machine's load moves, the versions
are measured one after the other in the same run, never against a figure from another day.
Run from the repository root::

    .venv/bin/python bench/versus_bench.py --against 339bd89          # 1080p60, -j 2
    .venv/bin/python bench/versus_bench.py --against 339bd89 -q l --save
    .venv/bin/python bench/versus_bench.py --against 339bd89 --scenes all --save
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


def run_gdanim(tree: Path, folder: Path, *args: str) -> float:
    """Wall seconds of ``gdanim ARGS --voice none --quiet`` by the gdanim in ``tree``, run in
    ``folder`` with an empty cache of its own."""
    env = {**os.environ, "GDANIM_CACHE_DIR": str(folder / "cache"), "PYTHONPATH": str(tree)}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gdanim.app", *args, "--voice", "none", "--quiet"],
                   check=True, cwd=folder, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def render(tree: Path, quality: str, jobs: int, folder: Path) -> tuple[float, float]:
    """Wall seconds of one silent lecture render by the gdanim in ``tree``, from an empty
    cache, and the video's length."""
    out = folder / "lecture.mp4"
    wall = run_gdanim(tree, folder, "lecture", "-q", quality, "-j", str(jobs), "-o", str(out))
    return wall, probe_duration(out)


def render_scene(tree: Path, scene: str, quality: str, folder: Path) -> tuple[float, float]:
    """Wall seconds of ``scene`` rendered alone by the gdanim in ``tree``, from an empty
    cache, and the clip's length."""
    wall = run_gdanim(tree, folder, "render", scene, "-q", quality, "-o", str(folder / "out"))
    (clip,) = (folder / "out").glob("*.mp4")
    return wall, probe_duration(clip)


def scenes_table(old: str, new: str, earlier: Path, scenes: list[str], quality: str,
                 tmp: Path, rows: list[str]) -> None:
    """Each of ``scenes`` alone by both versions: a row of seconds and s per s each."""
    rows.append(f"{'scene':<22} {'video s':>8} {old + ' s':>11} {'s per s':>8} "
                f"{new + ' s':>11} {'s per s':>8}")
    print(rows[-1], flush=True)
    total = {old: 0.0, new: 0.0}
    total_video = 0.0
    for scene in scenes:
        cells = []
        video = 0.0
        for label, tree in ((old, earlier), (new, ROOT)):
            folder = tmp / f"{label}-{scene}"
            folder.mkdir()
            wall, video = render_scene(tree, scene, quality, folder)
            total[label] += wall
            cells.append(f"{wall:11.1f} {wall / video:8.2f}")
        total_video += video
        rows.append(f"{scene:<22} {video:8.1f} {' '.join(cells)}")
        print(rows[-1], flush=True)
    rows.append(f"{'all scenes':<22} {total_video:8.1f} "
                f"{total[old]:11.1f} {total[old] / total_video:8.2f} "
                f"{total[new]:11.1f} {total[new] / total_video:8.2f}")
    print(rows[-1], flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="HEAD~1", help="the earlier commit")
    parser.add_argument("-q", "--quality", default="h", choices=sorted(QUALITIES))
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--scenes", nargs="+", default=None, metavar="SCENE",
                        help="render these scenes alone instead of the lecture "
                             "('all': every lecture scene)")
    parser.add_argument("--save", action="store_true",
                        help="also write bench/results/versus_bench_<size>.txt "
                             "(versus_scenes_<size>.txt with --scenes)")
    args = parser.parse_args()
    scenes: list[str] | None = args.scenes
    if scenes is not None:
        from scenes import catalog

        if scenes == ["all"]:
            scenes = list(catalog.LECTURE)
        unknown = [name for name in scenes if name not in catalog.SCENES]
        if unknown:
            parser.error(f"no such scene: {', '.join(unknown)}")
        if args.rounds != 1:
            parser.error("--rounds applies to the lecture, not to --scenes")
    old, new = git("rev-parse", "--short", args.against), git("rev-parse", "--short", "HEAD")
    if new == old:  # this tree against its own commit: the labels name folders and columns
        new = "this tree"
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--", "gdanim",
                                                 "scenes") else ""
    size = QUALITIES[args.quality][0]
    rows = [f"# .venv/bin/python bench/versus_bench.py {' '.join(sys.argv[1:])}   "
            f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start)"]
    if scenes is not None:
        rows.append(f"# each scene alone at {size}, render seconds per second of video, each "
                    f"from an empty cache: {old} against {new}{dirty}")
    else:
        rows += [f"# the silent lecture at {size} with -j {args.jobs}, each from an empty "
                 f"cache: {old} against {new}{dirty}",
                 f"{'version':<28} {'wall s':>8} {'video s':>8} {'x video':>8}"]
    print("\n".join(rows), flush=True)
    walls: dict[str, list[float]] = {old: [], new: []}
    with tempfile.TemporaryDirectory(prefix="gdanim-versus-") as tmp:
        earlier = Path(tmp) / "earlier"
        git("worktree", "add", "--detach", str(earlier), args.against)
        try:
            if scenes is not None:
                scenes_table(old, new, earlier, scenes, args.quality, Path(tmp), rows)
            else:
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
    if scenes is None:
        best = {k: min(v) for k, v in walls.items()}
        line = (f"best of {args.rounds}: {old} {best[old]:.2f}x, {new} {best[new]:.2f}x "
                f"video; {new} takes {best[new] / best[old]:.2f} of {old}'s time")
        rows.append(line)
        print(line)
    if args.save:
        kind = "bench" if scenes is None else "scenes"
        path = ROOT / "bench" / "results" / f"versus_{kind}_{size}.txt"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
