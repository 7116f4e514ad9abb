"""Seconds per 1080p frame: :class:`scenes.fastsurface.FastSurface` against Manim's ``Surface``.

For each grid resolution the same bowl ``z = (x^2 + y^2) / 6`` on ``[-3, 3]^2``, coloured by
height, is drawn by both: the stock ``Surface`` under Manim's ``ThreeDCamera`` and the
``FastSurface`` under ``FastThreeDCamera``. The camera orbits slowly (theta advances 0.5 degree
per frame) and every frame is captured the way the Cairo renderer captures a frame during an
animation with a moving camera (``renderer.update_frame``: clear to the background, draw every
mobject). Writing the video is left out: it costs the same for both.

It also renders one still frame of each at the same camera and prints the mean absolute pixel
difference (0-255 units, over RGB) and the share of pixels that differ by more than 48 in some
channel. Nothing is asserted: this is a measurement. Run::

    .venv/bin/python bench/surface_bench.py [--frames 30] [--resolutions 24 48] [--still F.png]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from manim import DEGREES, Surface, ThreeDScene, rgb_to_color, tempconfig  # noqa: E402

from scenes.fastsurface import FastSurface, FastThreeDScene  # noqa: E402
from scenes.style import height_color  # noqa: E402

__all__ = ["bowl", "format_rows", "main", "measure", "run", "side_by_side"]

PHI = 65 * DEGREES
THETA = -60 * DEGREES
STEP = 0.5 * DEGREES


def bowl(u: Any, v: Any) -> np.ndarray:
    """The benchmark surface, vectorised: ``(u, v, (u^2 + v^2) / 6)``."""
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    return np.stack([u, v, (u**2 + v**2) / 6], axis=-1)


def _face_colors(resolution: int) -> np.ndarray:
    probe = FastSurface(bowl, (-3, 3), (-3, 3), resolution, vectorized=True)
    return height_color(probe.face_centers()[:, 2], 0.0, 3.0)


def _fast_scene(resolution: int) -> FastThreeDScene:
    scene = FastThreeDScene()
    surface = FastSurface(bowl, (-3, 3), (-3, 3), resolution, vectorized=True)
    surface.set_face_colors(_face_colors(resolution))
    scene.add(surface)
    return scene


def _stock_scene(resolution: int) -> ThreeDScene:
    scene = ThreeDScene()
    surface = Surface(lambda u, v: bowl(u, v), (-3, 3), (-3, 3), resolution=resolution)
    for face, rgb in zip(surface, _face_colors(resolution), strict=True):
        face.set_color(rgb_to_color(rgb))  # fill and stroke, as set_fill_by_value does
    scene.add(surface)
    return scene


def measure(kind: str, resolution: int, frames: int) -> tuple[float, np.ndarray]:
    """Seconds per frame over ``frames`` orbiting frames, and the still frame at the start."""
    scene = _fast_scene(resolution) if kind == "fast" else _stock_scene(resolution)
    camera = scene.renderer.camera
    scene.set_camera_orientation(phi=PHI, theta=THETA)
    scene.renderer.update_frame(scene)
    still = np.array(scene.renderer.get_frame())[..., :3].copy()
    start = time.perf_counter()
    for k in range(frames):
        camera.set_theta(THETA + (k + 1) * STEP)
        scene.renderer.update_frame(scene)
    return (time.perf_counter() - start) / max(frames, 1), still


CONFIG = {
    "quality": "high_quality",  # 1920x1080
    "disable_caching": True,
    "write_to_movie": False,
    "verbosity": "WARNING",
    "progress_bar": "none",
}

Row = tuple[int, float, float, float, float, float, np.ndarray, np.ndarray]


def run(resolutions: list[int], frames: int) -> list[Row]:
    """For each grid: stock and fast seconds per frame, ratio, mean |diff|, share > 48, stills."""
    rows = []
    with tempconfig(CONFIG):
        for res in resolutions:
            stock_s, stock_img = measure("stock", res, frames)
            fast_s, fast_img = measure("fast", res, frames)
            diff = np.abs(stock_img.astype(np.int16) - fast_img.astype(np.int16))
            rows.append((res, stock_s, fast_s, stock_s / fast_s, float(diff.mean()),
                         float((diff.max(-1) > 48).mean()), stock_img, fast_img))
    return rows


def format_rows(rows: list[Row]) -> str:
    """The table printed by :func:`main`."""
    head = ("grid", "stock s/frame", "fast s/frame", "speed-up", "mean |diff|", "px > 48")
    lines = ["{:>7} {:>14} {:>13} {:>9} {:>12} {:>9}".format(*head)]
    for res, stock_s, fast_s, ratio, mean, share, _, _ in rows:
        lines.append(
            f"{res:>4}x{res:<2} {stock_s:>14.4f} {fast_s:>13.4f} {ratio:>8.1f}x "
            f"{mean:>12.2f} {share:>9.2%}"
        )
    return "\n".join(lines)


def side_by_side(rows: list[Row], path: Path) -> None:
    """Write the still frames as one PNG: a row per grid, stock | fast | difference x 4."""
    from PIL import Image, ImageDraw

    tiles = []
    for res, *_, stock, fast in rows:
        diff = np.clip(np.abs(stock.astype(np.int16) - fast.astype(np.int16)) * 4, 0, 255)
        row = np.concatenate([stock, fast, diff.astype(np.uint8)], axis=1)
        ink = np.flatnonzero(row.max(axis=(1, 2)) > 0)  # keep the rows with something drawn
        if len(ink):
            row = row[max(int(ink[0]) - 80, 0) : int(ink[-1]) + 40]
        image = Image.fromarray(row).resize((row.shape[1] // 2, row.shape[0] // 2))
        draw = ImageDraw.Draw(image)
        w = image.width // 3
        for k, text in enumerate((f"Manim Surface {res}x{res}", f"FastSurface {res}x{res}",
                                  "|difference| x 4")):
            draw.text((k * w + 16, 12), text, fill=(255, 255, 255), font_size=28)
        tiles.append(np.asarray(image))
    Image.fromarray(np.concatenate(tiles, axis=0)).save(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=30, help="frames per measurement")
    parser.add_argument("--resolutions", type=int, nargs="+", default=[24, 48])
    parser.add_argument("--still", type=Path, default=None,
                        help="also write the still frames side by side to this PNG")
    args = parser.parse_args(argv)
    rows = run(args.resolutions, args.frames)
    print(f"1920x1080, {args.frames} orbiting frames each, seconds per frame (capture only)")
    print(format_rows(rows))
    if args.still is not None:
        side_by_side(rows, args.still)
        print(f"still frames side by side: {args.still}")


if __name__ == "__main__":
    main()
