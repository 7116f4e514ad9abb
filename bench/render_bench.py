"""Render-speed benchmark: the fast surface, every scene and the whole lecture, in one run.

Everything is measured in one run on one machine, so the figures can be compared side by side:

a. seconds per 1080p frame of the fast surface and of Manim's stock ``Surface`` at 24x24 and
   48x48 faces, their ratio and the mean pixel difference of a still frame of each
   (:mod:`bench.surface_bench`);
b. every scene of the lecture: render seconds per second of video, from the serial lecture
   render (one scene at a time, so each has a core to itself), and the same scene's figure in
   the parallel render (scenes sharing the cores);
c. the whole lecture end to end (render every scene, then join), serial (``-j 1``) against
   parallel (``-j N``), each from an empty media folder, with the ratio of wall time to video;
   then the parallel render once more into the same media folder, which Manim's partial-movie
   cache serves;
d. the peak resident memory of the largest manim process.

It prints tables and asserts nothing. Run::

    .venv/bin/python bench/render_bench.py                 # 1080p60, everything (~35 min)
    .venv/bin/python bench/render_bench.py -q l            # 480p15, quicker
    .venv/bin/python bench/render_bench.py --only SurfaceRaceA SurfaceRaceB  # those, serially
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

from bench import surface_bench  # noqa: E402
from gdanim.app import render as rd  # noqa: E402
from scenes import catalog  # noqa: E402


def _jobs(names: list[str]) -> list[rd.RenderJob]:
    return [rd.RenderJob.of(catalog.SCENES[n]) for n in names]


def _peak_child_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def render_all(
    names: list[str], quality: str, workers: int, media: Path
) -> tuple[float, float, dict[str, tuple[float, float]]]:
    """Render ``names`` into ``media`` and join them: wall seconds, video seconds, per scene."""
    start = time.monotonic()
    results = rd.render_many(_jobs(names), workers=workers, quality=quality, media_dir=media,
                             quiet=True)
    out = media / "joined.mp4"
    rd.concat_videos([r.video for r in results], out)
    wall = time.monotonic() - start
    per_scene = {r.job.scene: (r.seconds, rd.probe_duration(r.video)) for r in results}
    return wall, rd.probe_duration(out), per_scene


def surface_table(frames: int) -> None:
    print(f"(a) fast surface against Manim's Surface, 1920x1080, {frames} orbiting frames each")
    rows = surface_bench.run([24, 48], frames)
    print(surface_bench.format_rows(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-q", "--quality", default="h", choices=list(rd.QUALITIES))
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes for the parallel lecture render")
    parser.add_argument("--only", nargs="+", default=None,
                        help="measure these scenes only, one at a time (parts b and d)")
    parser.add_argument("--surface-frames", type=int, default=30,
                        help="frames per surface measurement (part a; 0 skips it)")
    args = parser.parse_args()
    unknown = [n for n in args.only or [] if n not in catalog.SCENES]
    if unknown:
        parser.error(f"unknown scene(s): {', '.join(unknown)}")

    q = rd.QUALITIES[args.quality][0]
    print(f"gdanim render benchmark at {q} on {os.cpu_count()} cores", flush=True)
    if args.surface_frames > 0:
        surface_table(args.surface_frames)
        print(flush=True)

    names = args.only or list(catalog.LECTURE)
    with tempfile.TemporaryDirectory() as tmp:
        serial, video, alone = render_all(names, args.quality, 1, Path(tmp) / "serial")
    shared: dict[str, tuple[float, float]] = {}
    parallel = again = 0.0
    if args.only is None:
        with tempfile.TemporaryDirectory() as tmp:
            media = Path(tmp) / "parallel"
            parallel, _, shared = render_all(names, args.quality, args.jobs, media)
            again, _, _ = render_all(names, args.quality, args.jobs, media)

    head = f"{'scene':<22}{'render s':>10}{'video s':>9}{'s per s':>9}"
    if shared:
        head += f"{f'-j {args.jobs} s per s':>15}"
    print(f"(b) render seconds per second of video, {q}, one scene at a time")
    print(head)
    for name in names:
        secs, vid = alone[name]
        line = f"{name:<22}{secs:>10.1f}{vid:>9.1f}{secs / vid:>9.2f}"
        if shared:
            line += f"{shared[name][0] / shared[name][1]:>15.2f}"
        print(line)
    total_r = sum(v[0] for v in alone.values())
    total_v = sum(v[1] for v in alone.values())
    print(f"{'all scenes':<22}{total_r:>10.1f}{total_v:>9.1f}{total_r / total_v:>9.2f}")

    if args.only is None:
        print(f"\n(c) the lecture end to end, {q}: wall time against the video's {video:.1f} s")
        print(f"{'':<34}{'wall s':>9}{'x video':>9}")
        print(f"{'serial (-j 1)':<34}{serial:>9.1f}{serial / video:>9.2f}")
        print(f"{f'parallel (-j {args.jobs})':<34}{parallel:>9.1f}{parallel / video:>9.2f}")
        print(f"{'parallel, second time (cached)':<34}{again:>9.1f}{again / video:>9.2f}")
        print(f"speed-up of parallel over serial: {serial / parallel:.2f}x")
    print(f"\n(d) peak resident memory of the largest manim process: "
          f"{_peak_child_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
