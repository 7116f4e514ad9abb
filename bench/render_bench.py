"""Render-speed benchmark: seconds of rendering per second of video, per scene and for the lecture.

Everything is measured in one run on one machine, with empty caches (a fresh media folder per
measurement), so the figures can be compared side by side:

1. every scene of the lecture rendered alone, one after the other: render seconds, video
   seconds and their ratio;
2. the whole lecture end to end (render every scene, then join): serial (``-j 1``) and
   parallel (``-j N``), with the ratio of wall time to video time;
3. the peak resident memory of the largest manim process.

It prints a table and asserts nothing. Run::

    .venv/bin/python bench/render_bench.py                 # 1080p60, every part
    .venv/bin/python bench/render_bench.py -q l --scenes-only
    .venv/bin/python bench/render_bench.py --only OptimizerRace SurfaceDescent3D

The fast-surface benchmark (fast surface against manim's stock ``Surface``) is
``bench/surface_bench.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gdanim import render as rd  # noqa: E402
from scenes import catalog  # noqa: E402


def _jobs(names: list[str]) -> list[rd.RenderJob]:
    return [rd.RenderJob(file=catalog.SCENES[n].file, scene=n) for n in names]


def _peak_child_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def bench_scenes(names: list[str], quality: str) -> list[tuple[str, float, float]]:
    rows = []
    for job in _jobs(names):
        with tempfile.TemporaryDirectory() as media:
            res = rd.render_scene(job, quality=quality, media_dir=Path(media), quiet=True)
            rows.append((job.scene, res.seconds, rd.probe_duration(res.video)))
        print(f"  {job.scene:<22}{rows[-1][1]:>9.1f} s render {rows[-1][2]:>7.1f} s video",
              file=sys.stderr, flush=True)
    return rows


def bench_lecture(quality: str, workers: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as media:
        start = time.monotonic()
        results = rd.render_many(_jobs(list(catalog.LECTURE)), workers=workers,
                                 quality=quality, media_dir=Path(media), quiet=True)
        out = Path(media) / "lecture.mp4"
        rd.concat_videos([r.video for r in results], out)
        wall = time.monotonic() - start
        return wall, rd.probe_duration(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-q", "--quality", default="h", choices=list(rd.QUALITIES))
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes for the parallel lecture render")
    parser.add_argument("--only", nargs="+", default=None, help="scenes to measure")
    parser.add_argument("--scenes-only", action="store_true", help="skip the lecture runs")
    args = parser.parse_args()

    names = args.only or list(catalog.LECTURE)
    q = rd.QUALITIES[args.quality][0]
    print(f"gdanim render benchmark at {q} on {os.cpu_count()} cores", file=sys.stderr)
    rows = bench_scenes(names, args.quality)
    print(f"\n{'scene':<24}{'render s':>10}{'video s':>10}{'s per video s':>15}")
    for name, secs, video in rows:
        print(f"{name:<24}{secs:>10.1f}{video:>10.1f}{secs / video:>15.2f}")
    total_r = sum(r[1] for r in rows)
    total_v = sum(r[2] for r in rows)
    print(f"{'all scenes':<24}{total_r:>10.1f}{total_v:>10.1f}{total_r / total_v:>15.2f}")
    if not args.scenes_only and args.only is None:
        serial, video = bench_lecture(args.quality, 1)
        parallel, _ = bench_lecture(args.quality, args.jobs)
        print(f"\n{'lecture end to end':<24}{'wall s':>10}{'video s':>10}{'x its length':>15}")
        print(f"{'serial (-j 1)':<24}{serial:>10.1f}{video:>10.1f}{serial / video:>15.2f}")
        print(f"{f'parallel (-j {args.jobs})':<24}{parallel:>10.1f}{video:>10.1f}"
              f"{parallel / video:>15.2f}")
    print(f"\npeak resident memory of the largest manim process: {_peak_child_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
