"""Where a frame's time goes: each lecture scene rendered in-process, its wall time split by part.

Each scene is rendered in this process, one after another, at ``-q l`` (854x480, 15 fps) by
default (``-q h``: 1920x1080 at 60 fps), with manim writing its movie as a real render does
(partial movies encoded by PyAV, hashing and the partial-movie cache on, an empty media folder
in a temporary directory, so TeX is compiled cold). A few manim and gdanim functions are
wrapped with timers; nothing else in the scene changes.

Main thread: the columns sum to the render's wall time
------------------------------------------------------
The timers keep a stack: time is charged to the innermost wrapped function that is running, so
a part never counts time that a nested part already counts, and the columns add up to the wall
time of ``Scene.render()`` exactly (the "other" column is whatever no wrapped function covered).

``draw``
    ``manim.renderer.cairo_renderer.CairoRenderer.update_frame``: the camera's reset (or copy of
    the static background image) and ``Camera.capture_mobjects`` (Cairo paths, the
    ``display_*`` functions, ``ThreeDCamera`` projection), minus ``surface`` below.
``surface``
    ``scenes.fastsurface.FastThreeDCamera.display_fast_surface``: the 3D surfaces' faces and
    the overlays drawn between them (3D scenes only; part of the camera's capture, shown apart).
``anim``
    Updaters and animation interpolation: ``manim.scene.scene.Scene.update_to_time`` (every
    ``Animation.interpolate`` and ``Animation.update_mobjects``, then ``Scene.update_mobjects``),
    ``Scene.update_mobjects`` called elsewhere, ``Scene.begin_animations`` and
    ``manim.animation.animation.Animation.finish``.
``write``
    Frame writing as seen from the main thread:
    ``manim.renderer.cairo_renderer.CairoRenderer.get_frame`` (the RGBA copy handed over),
    ``manim.scene.scene_file_writer.SceneFileWriter.write_frame`` (putting the frame on the
    encoder's queue, which blocks while the queue is full, i.e. while the encoder is behind),
    ``SceneFileWriter.begin_animation`` / ``end_animation`` (opening and closing a partial
    movie, waiting for its encoder thread) and ``SceneFileWriter.finish`` (waiting for the
    last encoders, joining the partial movies into the scene's movie).
``tex``
    Text and formulas: ``__init__`` of ``manim.mobject.text.tex_mobject.SingleStringMathTex``,
    ``MathTex``, ``Tex``, ``manim.mobject.text.text_mobject.Text``, ``MarkupText``,
    ``Paragraph`` and ``manim.mobject.svg.svg_mobject.SVGMobject`` (LaTeX, dvisvgm, Pango, SVG
    parsing into paths).
``hash``
    ``manim.utils.hashing.get_hash_from_play_call`` (as called by the Cairo renderer): the hash
    of each ``play``/``wait`` for manim's partial-movie cache.
``build``
    The scene's own ``construct`` outside the parts above and outside ``CairoRenderer.play``:
    gdanim's numbers (trajectories, sympy), building and arranging mobjects.
``other``
    The rest: manim's bookkeeping in ``CairoRenderer.play`` (compiling animations, finding
    moving and static mobjects, section and caption handling) and everything before and after
    ``construct`` (scene set-up, tear-down, writing captions).

Encoder thread: in parallel, not part of the sum
------------------------------------------------
manim 0.22 encodes each partial movie on a thread of its own
(``manim.scene.scene_file_writer._PartialMovieEncodeJob``), which runs on the second core while
the main thread draws the next frames. Its work is timed in
``manim.scene.video_segment_encoder.VideoSegmentEncoder.write_frame`` and ``finish``, replaced
here by an equivalent that makes the colour conversion an explicit step:

``yuv``
    ``av.VideoFrame.from_ndarray`` (RGBA into an AVFrame) and ``VideoFrame.reformat`` to the
    stream's pixel format and size (libswscale's RGBA to YUV 4:2:0 conversion, which the
    encoder would otherwise do inside ``encode``).
``x264``
    ``VideoStream.encode`` of the converted frame, muxing, and flushing at ``finish``, on the
    encoder thread itself. libx264 encodes on worker threads of its own, which this does not
    count.
``threads``
    The CPU time of every thread of the process except the main one during ``Scene.render()``
    (process CPU from ``getrusage`` minus the main thread's ``time.thread_time``): the encoder
    threads, ``yuv`` and ``x264`` included, and libx264's worker threads.

All three are given as a percentage of the scene's wall time (thread CPU seconds), beside the
main-thread columns: the time the main thread lost to the encoder is the blocking part of
``write``. With two cores shared with other work the two threads also compete for the CPU.

Run::

    .venv/bin/python bench/frame_profile.py                       # the lecture at -q l
    .venv/bin/python bench/frame_profile.py --only TitleCard OptimizerRace
    .venv/bin/python bench/frame_profile.py --save                # also bench/results/...
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
from manim import tempconfig  # noqa: E402
from manim.animation.animation import Animation  # noqa: E402
from manim.mobject.svg.svg_mobject import SVGMobject  # noqa: E402
from manim.mobject.text import tex_mobject, text_mobject  # noqa: E402
from manim.renderer import cairo_renderer  # noqa: E402
from manim.renderer.cairo_renderer import CairoRenderer  # noqa: E402
from manim.scene.scene import Scene  # noqa: E402
from manim.scene.scene_file_writer import SceneFileWriter  # noqa: E402
from manim.scene.video_segment_encoder import VideoSegmentEncoder  # noqa: E402

from gdanim.app.render import probe_duration  # noqa: E402
from scenes import catalog  # noqa: E402
from scenes.fastsurface import FastThreeDCamera  # noqa: E402

#: Main-thread parts, in table order; they sum to the wall time.
PARTS = ("draw", "surface", "anim", "write", "tex", "hash", "build", "other")
#: Encoder-thread parts (thread CPU time, in parallel with the main thread).
ENC_PARTS = ("yuv", "x264", "threads")
RESULTS = ROOT / "bench" / "results"


class StackClock:
    """Exclusive timers: elapsed time goes to the innermost open part (``other`` if none)."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.stack: list[str] = []
        self.last = time.perf_counter()
        self.main = threading.get_ident()

    def reset(self) -> None:
        self.totals.clear()
        self.stack.clear()
        self.last = time.perf_counter()

    def _charge(self) -> None:
        now = time.perf_counter()
        self.totals[self.stack[-1] if self.stack else "other"] += now - self.last
        self.last = now

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        if threading.get_ident() != self.main:
            yield
            return
        self._charge()
        self.stack.append(name)
        try:
            yield
        finally:
            self._charge()
            self.stack.pop()


CLOCK = StackClock()
ENC: dict[str, float] = defaultdict(float)
_ENC_LOCK = threading.Lock()


def _timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with CLOCK.part(name):
            return func(*args, **kwargs)

    wrapper.__wrapped_part__ = name  # type: ignore[attr-defined]
    return wrapper


def _wrap(owner: Any, attr: str, name: str) -> None:
    func = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
    setattr(owner, attr, _timed(name, func))


def _enc_add(part: str, seconds: float) -> None:
    with _ENC_LOCK:
        ENC[part] += seconds


def _encoder_write_frame(self: Any, pixels: Any, *, repeat: int = 1) -> None:
    """``VideoSegmentEncoder.write_frame`` with the RGBA to YUV conversion made explicit."""
    self._validate_frame(pixels, repeat)
    time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
    stream = self._stream
    try:
        for _ in range(repeat):
            t0 = time.thread_time()
            frame = av.VideoFrame.from_ndarray(pixels, format="rgba")
            if frame.format.name != stream.pix_fmt:
                frame = frame.reformat(width=stream.width, height=stream.height,
                                       format=stream.pix_fmt)
            frame.pts = self._next_pts
            frame.time_base = time_base
            self._next_pts += 1
            t1 = time.thread_time()
            for packet in stream.encode(frame):
                self._container.mux(packet)
            t2 = time.thread_time()
            _enc_add("yuv", t1 - t0)
            _enc_add("x264", t2 - t1)
    except BaseException as error:
        raise self._operation_error("encode", error) from error


def install() -> None:
    """Wrap the timed functions (once per process)."""
    _wrap(CairoRenderer, "update_frame", "draw")
    _wrap(FastThreeDCamera, "display_fast_surface", "surface")
    for attr in ("update_to_time", "update_mobjects", "begin_animations"):
        _wrap(Scene, attr, "anim")
    _wrap(Animation, "finish", "anim")
    _wrap(CairoRenderer, "get_frame", "write")
    for attr in ("write_frame", "begin_animation", "end_animation", "finish"):
        _wrap(SceneFileWriter, attr, "write")
    for cls in (tex_mobject.SingleStringMathTex, tex_mobject.MathTex, tex_mobject.Tex,
                text_mobject.Text, text_mobject.MarkupText, text_mobject.Paragraph,
                SVGMobject):
        if "__init__" in cls.__dict__:
            _wrap(cls, "__init__", "tex")
    _wrap(cairo_renderer, "get_hash_from_play_call", "hash")
    _wrap(CairoRenderer, "play", "other")

    finish = VideoSegmentEncoder.finish

    def encoder_finish(self: Any) -> None:
        t0 = time.thread_time()
        try:
            finish(self)
        finally:
            _enc_add("x264", time.thread_time() - t0)

    VideoSegmentEncoder.write_frame = _encoder_write_frame  # type: ignore[method-assign]
    VideoSegmentEncoder.finish = encoder_finish  # type: ignore[method-assign]


def _process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


#: ``-q`` letter: (manim quality name, width, height, frame rate), as ``gdanim render -q``.
QUALITY = {
    "l": ("low_quality", 854, 480, 15),
    "m": ("medium_quality", 1280, 720, 30),
    "h": ("high_quality", 1920, 1080, 60),
}


def profile_scene(name: str, media: Path, quality: str = "l"
                  ) -> tuple[float, float, dict[str, float], dict[str, float]]:
    """Render ``name`` into ``media``: video seconds, wall seconds, main and encoder parts."""
    info = catalog.SCENES[name]
    cls = getattr(importlib.import_module(info.import_path), name)
    qname, width, height, fps = QUALITY[quality]
    cfg = {
        "quality": qname, "pixel_width": width, "pixel_height": height, "frame_rate": fps,
        "media_dir": str(media), "write_to_movie": True, "disable_caching": False,
        "verbosity": "WARNING", "progress_bar": "none", "output_file": name,
        "input_file": str(info.file),
    }
    with tempconfig(cfg):
        scene = cls()
        scene.construct = _timed("build", scene.construct)  # type: ignore[method-assign]
        ENC.clear()
        cpu0, main0 = _process_cpu(), time.thread_time()
        CLOCK.reset()
        start = time.perf_counter()
        scene.render()
        wall = time.perf_counter() - start
        CLOCK._charge()
        # CPU of every thread but this one: the encoder threads and libx264's own workers
        ENC["threads"] = (_process_cpu() - cpu0) - (time.thread_time() - main0)
        movie = Path(scene.renderer.file_writer.movie_file_path)
    parts = {p: CLOCK.totals.get(p, 0.0) for p in PARTS}
    return probe_duration(movie), wall, parts, dict(ENC)


def header() -> str:
    return (f"{'scene':<22}{'video s':>8}{'render s':>9}{'s per s':>8}"
            + "".join(f"{p:>8}" for p in PARTS) + " |" + "".join(f"{p:>8}" for p in ENC_PARTS))


def row(label: str, video: float, wall: float, parts: dict[str, float],
        enc: dict[str, float]) -> str:
    return (f"{label:<22}{video:>8.1f}{wall:>9.1f}{wall / video:>8.2f}"
            + "".join(f"{100 * parts[p] / wall:>7.1f}%" for p in PARTS) + " |"
            + "".join(f"{100 * enc.get(p, 0.0) / wall:>7.0f}%" for p in ENC_PARTS))


def _git_head() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", default=None, metavar="NAME",
                        help="profile these scenes only (default: the whole lecture)")
    parser.add_argument("-q", "--quality", default="l", choices=sorted(QUALITY),
                        help="l: 854x480 at 15 fps (default), m: 1280x720 at 30, "
                             "h: 1920x1080 at 60")
    parser.add_argument("--save", action="store_true",
                        help="also write the table to bench/results/frame_profile_<size>.txt")
    args = parser.parse_args()
    names = args.only or list(catalog.LECTURE)
    unknown = [n for n in names if n not in catalog.SCENES]
    if unknown:
        print(f"frame_profile: unknown scene(s): {', '.join(unknown)}", file=sys.stderr)
        sys.exit(2)

    install()
    _, width, height, fps = QUALITY[args.quality]
    lines = [
        f"# .venv/bin/python bench/frame_profile.py {' '.join(sys.argv[1:])}".rstrip()
        + f"   ({date.today()}, {os.cpu_count()} cores, at commit {_git_head()})",
        f"# load average at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
        f"{os.getloadavg()[2]:.2f}",
        f"# {width}x{height} at {fps} fps, in-process, movie written (libx264 yuv420p); "
        "main-thread parts in % of render s (sum 100%);",
        "# after '|': the encoder thread's CPU in % of render s, in parallel "
        "(see the docstring).",
        header(),
    ]
    print("\n".join(lines), flush=True)
    tot_v = tot_w = 0.0
    tot_p: dict[str, float] = defaultdict(float)
    tot_e: dict[str, float] = defaultdict(float)
    with tempfile.TemporaryDirectory(prefix="gdanim-frame-profile-") as tmp:
        for name in names:
            video, wall, parts, enc = profile_scene(name, Path(tmp) / name, args.quality)
            assert abs(sum(parts.values()) - wall) < 1e-3 * wall + 1e-3, (name, parts, wall)
            line = row(name, video, wall, parts, enc)
            lines.append(line)
            print(line, flush=True)
            tot_v += video
            tot_w += wall
            for k, v in parts.items():
                tot_p[k] += v
            for k, v in enc.items():
                tot_e[k] += v
    line = row("all scenes", tot_v, tot_w, tot_p, tot_e)
    la = os.getloadavg()
    lines += [line, f"# load average at end: {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}"]
    print("\n".join(lines[-2:]), flush=True)
    if args.save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"frame_profile_{height}p{fps}.txt").write_text("\n".join(lines) + "\n",
                                                                   encoding="utf-8")


if __name__ == "__main__":
    main()
