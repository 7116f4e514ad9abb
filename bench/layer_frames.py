"""Every frame of the 2D scenes drawn by the layered camera against manim's own capture.

Each scene is rendered in-process twice at the same quality: once with
:class:`scenes.layers.LayeredCamera` drawing the unchanging runs of a frame from images (what
gdanim renders), once with the layers switched off, so that every frame is drawn as manim draws
it. The second render's frames are compared with the first's, frame by frame, as they are made
(the first render's frames wait in a temporary file). Printed per scene: frames compared, the
largest difference of any channel of any pixel (0-255), the share of pixels differing by more
than 2. Nothing is asserted (the speed is measured by ``render_bench.py``, without the frame
copies this comparison makes)::

    .venv/bin/python bench/layer_frames.py                  # every 2D lecture scene, 480p15
    .venv/bin/python bench/layer_frames.py -q h --only OptimizerRace
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from manim import ThreeDScene, tempconfig  # noqa: E402
from manim.renderer.cairo_renderer import CairoRenderer  # noqa: E402

from scenes import catalog, layers  # noqa: E402

QUALITY = {"l": ("low_quality", 854, 480, 15), "h": ("high_quality", 1920, 1080, 60)}


class _Frames:
    """Writes frames to ``store`` (first render) or compares them with it (second)."""

    def __init__(self, store: BinaryIO, compare: bool) -> None:
        self.store, self.compare = store, compare
        self.n = self.worst = self.off = self.pixels = 0

    def add(self, frame: np.ndarray) -> None:
        rgb = np.ascontiguousarray(frame[..., :3])
        self.n += 1
        if not self.compare:
            self.store.write(rgb.tobytes())
            return
        ref = np.frombuffer(self.store.read(rgb.nbytes), np.uint8).reshape(rgb.shape)
        diff = np.abs(ref.astype(np.int16) - rgb).max(axis=-1)
        self.worst = max(self.worst, int(diff.max()))
        self.off += int((diff > 2).sum())
        self.pixels += diff.size


def _render(name: str, quality: str, frames: _Frames, layered: bool) -> None:
    info = catalog.SCENES[name]
    cls = getattr(importlib.import_module(info.import_path), name)
    qname, width, height, fps = QUALITY[quality]
    real_add, real_plan = CairoRenderer.add_frame, layers.LayeredCamera.plan

    def add_frame(self: CairoRenderer, frame: np.ndarray, num_frames: int = 1) -> None:
        if not self.skip_animations:
            frames.add(frame)
        real_add(self, frame, num_frames)

    def no_plan(self: layers.LayeredCamera, moving: Any, live: Any) -> None:
        return None

    CairoRenderer.add_frame = add_frame  # type: ignore[method-assign]
    if not layered:
        layers.LayeredCamera.plan = no_plan  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as media, tempconfig({
            "quality": qname, "pixel_width": width, "pixel_height": height, "frame_rate": fps,
            "media_dir": media, "write_to_movie": False, "save_last_frame": False,
            "disable_caching": True,
            "verbosity": "WARNING", "progress_bar": "none", "input_file": str(info.file),
        }):
            cls().render()
    finally:
        CairoRenderer.add_frame = real_add  # type: ignore[method-assign]
        layers.LayeredCamera.plan = real_plan  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-q", "--quality", default="l", choices=sorted(QUALITY))
    parser.add_argument("--only", nargs="+", default=None, help="these scenes only")
    args = parser.parse_args()
    names = args.only or [
        n for n in catalog.LECTURE
        if not issubclass(getattr(importlib.import_module(catalog.SCENES[n].import_path), n),
                          ThreeDScene)
    ]
    print(f"{'scene':<22}{'frames':>7}{'max diff':>9}{'px > 2':>10}", flush=True)
    for name in names:
        with tempfile.TemporaryFile() as store:
            theirs = _Frames(store, compare=False)
            _render(name, args.quality, theirs, layered=False)
            store.seek(0)
            ours = _Frames(store, compare=True)
            _render(name, args.quality, ours, layered=True)
        assert ours.n == theirs.n, f"{name}: {ours.n} frames against {theirs.n}"
        print(f"{name:<22}{ours.n:>7}{ours.worst:>9}{ours.off / max(ours.pixels, 1):>10.4%}",
              flush=True)


if __name__ == "__main__":
    main()
