"""A second render of a scene reuses every animation of the first from Manim's partial-movie cache.

Manim keys each animation's partial movie by a hash of the scene's state when it starts. Two
things made that state differ between a render that draws an animation and one that takes it
from the cache, so that everything after the first reused animation was rendered again: an
orbiting camera that added ``rate * dt`` per frame (and Manim's clock, which counts whole frames
only while rendering), and the last bits of positions and numbers reached by updaters. The scene
below has both; its second render must find every animation in the cache.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from manim import DEGREES, Dot3D, Mobject, ValueTracker, tempconfig

from scenes.fastsurface import FastSurface, FastThreeDScene
from scenes.mobjects import FastNumber
from scenes.style import GDScene


class _Orbit(GDScene, FastThreeDScene):
    def construct(self) -> None:
        self.set_camera_orientation(phi=60 * DEGREES, theta=-50 * DEGREES)
        surface = FastSurface(
            lambda u, v: np.stack([u, v, (u**2 + v**2) / 6], axis=-1),
            (-2, 2), (-2, 2), 8, vectorized=True,
        )
        tracker = ValueTracker(0.0)
        dot = Dot3D(radius=0.08)
        dot.add_updater(lambda m: m.move_to([np.cos(tracker.get_value()),
                                             np.sin(tracker.get_value()), 0.5]))
        number = FastNumber(0.0, "{:.4f}", 7, font_size=24).to_corner()
        number.add_updater(lambda m: m.set_value(np.sin(tracker.get_value()) / 3))
        self.add_fixed_in_frame_mobjects(number)
        self.add(surface, dot, number)
        self.begin_ambient_camera_rotation(rate=0.7)
        self.thetas: list[float] = []
        theta = self.camera.theta_tracker
        self.add(Mobject().add_updater(lambda m: self.thetas.append(theta.get_value())))
        self.play(tracker.animate.set_value(2.1), run_time=0.7)
        self.wait(0.4)
        self.play(tracker.animate.set_value(-1.3), run_time=0.6)
        self.wait(0.3)
        self.stop_ambient_camera_rotation()


def _render(media: Path, scene_out: list[_Orbit] | None = None) -> list[str]:
    cfg = {
        "pixel_width": 320, "pixel_height": 180, "frame_rate": 15, "media_dir": str(media),
        "disable_caching": False, "verbosity": "WARNING", "progress_bar": "none",
    }
    with tempconfig(cfg):
        scene = _Orbit()
        scene.render()
        if scene_out is not None:
            scene_out.append(scene)
        return list(scene.renderer.animations_hashes)


def test_second_render_reuses_every_animation(tmp_path: Path) -> None:
    first = _render(tmp_path)
    partials = sorted(tmp_path.rglob("partial_movie_files/**/*.mp4"))
    stamps = {p: p.stat().st_mtime_ns for p in partials}
    assert len(first) == 4 and len(set(first)) == 4
    assert len(partials) == 4
    second = _render(tmp_path)
    assert second == first
    # nothing was rendered again: the same four partial movies, untouched
    assert sorted(tmp_path.rglob("partial_movie_files/**/*.mp4")) == partials
    assert all(p.stat().st_mtime_ns == stamps[p] for p in partials)


def test_orbit_turns_one_step_a_frame_across_animations(tmp_path: Path) -> None:
    out: list[_Orbit] = []
    _render(tmp_path, out)
    steps = np.diff(out[0].thetas)
    step = 0.7 / 15  # rate / fps
    # between two frames the camera turns by one step; extra updates between animations
    # (same frame) turn it by nothing
    assert np.all(np.isclose(steps, step) | np.isclose(steps, 0.0, atol=1e-12)), steps
    frames = int(np.isclose(steps, step).sum())
    assert frames >= 15 * 2.0 - 4  # about 2 s of video: 0.7 + 0.4 + 0.6 + 0.3
