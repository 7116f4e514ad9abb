"""Tests of the 3D surface machinery (scenes/fastsurface.py) and the SurfaceDescent3D scene.

- :func:`scenes.fastsurface.project` is Manim's ``ThreeDCamera.project_points``, number for
  number, and a :class:`FastSurface` has exactly the stock ``Surface``'s faces and corners;
- a frame of a ``FastSurface`` and of a stock ``Surface`` of the same function under the same
  camera differ by much less than a small camera turn changes either;
- marks on the surface are drawn where the surface is in front of them and only there: a path
  on the visible side shows, a path behind the near rim of a bowl does not;
- the scene holds the S2 run (101 points from (2, 2), SGD lr 0.1) and its last frame matches the
  golden frame.
"""

from __future__ import annotations

import itertools as it
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from manim import (
    BLUE,
    DEGREES,
    DOWN,
    DR,
    GREEN,
    ORANGE,
    RED,
    UL,
    UR,
    YELLOW,
    Circle,
    DecimalNumber,
    MathTex,
    Rectangle,
    Square,
    Surface,
    Text,
    ThreeDCamera,
    ThreeDScene,
    VMobject,
    rgb_to_color,
)

from gdanim import descend, objectives, optimizers
from scenes.fastsurface import FastSurface, FastThreeDCamera, FastThreeDScene, project
from scenes.style import height_color
from scenes.surface import SurfaceDescent3D

PHI, THETA = 65 * DEGREES, -60 * DEGREES

# ``save_last_frame=True`` renders the way ``manim -s`` does: animations are skipped (their end
# states applied) and the final state is drawn once. (``skip_animations`` is a Scene argument in
# Manim 0.22, not a config option, so passing it to the config alone renders every frame.)
RES = 24


def bowl(u: Any, v: Any) -> np.ndarray:
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    return np.stack([u, v, (u**2 + v**2) / 6], axis=-1)


def _colors(res: int) -> np.ndarray:
    probe = FastSurface(bowl, (-3, 3), (-3, 3), res, vectorized=True)
    return height_color(probe.face_centers()[:, 2], 0.0, 3.0)


def _stock_surface(res: int) -> Surface:
    surface = Surface(lambda u, v: bowl(u, v), (-3, 3), (-3, 3), resolution=res)
    for face, rgb in zip(surface, _colors(res), strict=True):
        face.set_color(rgb_to_color(rgb))
    return surface


def _fast_surface(res: int) -> FastSurface:
    return FastSurface(bowl, (-3, 3), (-3, 3), res, vectorized=True).set_face_colors(_colors(res))


# -- projection ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        {"phi": PHI, "theta": THETA},
        {"phi": 30 * DEGREES, "theta": 110 * DEGREES, "gamma": 0.3, "zoom": 1.7},
        {"phi": 80 * DEGREES, "theta": -2.0, "focal_distance": 6.0, "frame_center": [0.5, -1, 2]},
        {"phi": 50 * DEGREES, "theta": 0.4, "exponential_projection": True},
    ],
)
def test_project_matches_stock_camera(state: dict[str, Any]) -> None:
    cam_kwargs = {k: v for k, v in state.items() if k != "frame_center"}
    stock = ThreeDCamera(**cam_kwargs)
    if "frame_center" in state:
        stock.frame_center = state["frame_center"]
    rng = np.random.default_rng(7)
    points = rng.uniform(-4, 4, size=(500, 3))
    want = stock.project_points(points)
    got = project(
        points,
        stock.get_rotation_matrix(),
        np.asarray(stock.frame_center),
        stock.get_focal_distance(),
        stock.get_zoom(),
        stock.exponential_projection,
    )
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_fast_surface_faces_are_the_stock_faces_projected_alike() -> None:
    res = 12
    stock = _stock_surface(res)
    fast = _fast_surface(res)
    assert fast.n_faces == len(stock) == res * res
    # corners of stock face k are its anchors 0, 4, 8, 12 (set_points_as_corners of 5 points)
    stock_corners = np.array([face.points[[0, 4, 8, 12]] for face in stock])
    np.testing.assert_allclose(fast.face_corners(), stock_corners, atol=1e-12)

    camera = FastThreeDCamera(phi=PHI, theta=THETA, zoom=1.3)
    got = camera.project_vertices(fast.points)[fast.faces]
    want = np.array([camera.project_points(c) for c in stock_corners])
    np.testing.assert_allclose(got, want, atol=1e-12)


# -- a frame of both ---------------------------------------------------------------------------


def _bowl_scene(kind: str, theta: float = THETA) -> type[ThreeDScene]:
    base: type[ThreeDScene] = FastThreeDScene if kind == "fast" else ThreeDScene

    class Bowl(base):  # type: ignore[valid-type,misc]
        def construct(self) -> None:
            self.set_camera_orientation(phi=PHI, theta=theta)
            self.add(_fast_surface(RES) if kind == "fast" else _stock_surface(RES))

    return Bowl


#: Largest accepted mean absolute difference (0-255, over RGB) between a FastSurface frame and a
#: stock Surface frame at 854x480. Measured: 0.55 with 24x24 faces, the surface covering 15% of
#: the frame (so about 3.7 per surface pixel). The two differ only in flat versus two-corner
#: gradient shading inside each face and in anti-aliasing along face edges. For scale, turning
#: the camera by 3 degrees changes the frame by 3.2, and a wrong face order, projection or
#: colour map changes it by more, so the bound sits between the two.
FRAME_TOLERANCE = 1.0


def test_fast_frame_close_to_stock(render_scene: Callable[..., Any]) -> None:
    _, stock = render_scene(_bowl_scene("stock"))
    _, fast = render_scene(_bowl_scene("fast"))
    _, turned = render_scene(_bowl_scene("fast", THETA + 3 * DEGREES))
    covered = float((stock.max(axis=-1) > 30).mean())
    assert covered > 0.1, f"the surface should fill a good part of the frame, got {covered:.0%}"
    diff = float(np.abs(stock.astype(np.int16) - fast.astype(np.int16)).mean())
    turn = float(np.abs(turned.astype(np.int16) - fast.astype(np.int16)).mean())
    assert diff < FRAME_TOLERANCE, f"FastSurface vs stock Surface: mean |diff| {diff:.2f}"
    assert turn > 2 * FRAME_TOLERANCE, f"a 3 degree turn should show, got {turn:.2f}"


# -- occlusion -------------------------------------------------------------------------------------


def _pixels(camera: ThreeDCamera, points: np.ndarray) -> np.ndarray:
    """Pixel (row, col) of scene points under ``camera`` (frame centre at the origin)."""
    proj = camera.project_points(np.asarray(points, dtype=float))
    col = proj[:, 0] * camera.pixel_width / camera.frame_width + camera.pixel_width / 2
    row = -proj[:, 1] * camera.pixel_height / camera.frame_height + camera.pixel_height / 2
    return np.stack([np.floor(row), np.floor(col)], axis=1).astype(int)  # pixel i spans [i, i+1)


def _share_with_color(frame: np.ndarray, pixels: np.ndarray, color: np.ndarray) -> float:
    h, w = frame.shape[:2]
    ok = (pixels[:, 0] >= 0) & (pixels[:, 0] < h) & (pixels[:, 1] >= 0) & (pixels[:, 1] < w)
    px = frame[pixels[ok, 0], pixels[ok, 1]].astype(float)
    return float((np.abs(px - color).max(axis=1) < 40).mean())


ORANGE_RGB = np.array([int(ORANGE.to_hex()[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _on_bowl(x: np.ndarray, y: np.ndarray, lift: float = 0.02) -> np.ndarray:
    return np.stack([x, y, (x**2 + y**2) / 6 + lift], axis=-1)


class _LowCamera(FastThreeDScene):
    """A bowl seen from low down: the near rim hides the bottom; one path on the far wall,
    one across the bottom."""

    def construct(self) -> None:
        self.set_camera_orientation(phi=78 * DEGREES, theta=-90 * DEGREES)
        surface = _fast_surface(32)
        t = np.linspace(-1.5, 1.5, 60)
        far = VMobject(stroke_color=ORANGE, stroke_width=6)
        far.set_points_as_corners(_on_bowl(t, np.full_like(t, 2.4)))
        bottom = VMobject(stroke_color=ORANGE, stroke_width=6)
        bottom.set_points_as_corners(_on_bowl(t, np.full_like(t, -0.3)))
        surface.add_overlay(far, bottom)
        self.add(surface, far, bottom)
        self.far_points = np.asarray(far.get_anchors())
        self.bottom_points = np.asarray(bottom.get_anchors())


def test_path_on_visible_side_shows_and_path_behind_rim_is_hidden(
    render_scene: Callable[..., Any],
) -> None:
    scene, frame = render_scene(_LowCamera)
    camera = scene.renderer.camera
    # the far wall faces the camera: its path is drawn over the faces it lies on
    assert _share_with_color(frame, _pixels(camera, scene.far_points), ORANGE_RGB) > 0.95
    # the bottom of the bowl is behind the near rim from this low camera: the rim covers it
    assert _share_with_color(frame, _pixels(camera, scene.bottom_points), ORANGE_RGB) < 0.05


@pytest.mark.parametrize("turn", [-25, 0, 25])
def test_scene_path_is_drawn_in_front(render_scene: Callable[..., Any], turn: int) -> None:
    """The last frame, from the scene's own orbit and from 25 degrees either side of it."""

    class Turned(SurfaceDescent3D):
        theta_start = SurfaceDescent3D.theta_start + turn * DEGREES

    scene, frame = render_scene(Turned, save_last_frame=True)
    camera = scene.renderer.camera
    color = np.array(scene.path.get_stroke_color().to_rgb()) * 255
    anchors = np.asarray(scene.path.get_anchors())
    # leave out the part under the dot and its dark ring at the end of the path (on screen)
    px = _pixels(camera, anchors)
    dot_px = _pixels(camera, scene.dot.get_center()[None, :])
    ring = (scene.dot.width / 2) * camera.pixel_width / camera.frame_width + 3
    clear = np.linalg.norm(px - dot_px, axis=1) > ring
    assert clear.sum() > 100
    share = _share_with_color(frame, px[clear], color)
    assert share > 0.98, f"only {share:.0%} of the path's pixels have the path colour"
    # the dot itself is visible at the end of the run
    assert _share_with_color(frame, dot_px, color) == 1.0


# -- fixed-in-frame mobjects drawn from cached images --------------------------------------------


class _Hud(FastThreeDScene):
    """A surface under an orbiting camera, with text, a formula, overlapping shapes and a
    number fixed in the frame; the number changes and the title turns red on the third frame."""

    hud_cache = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.renderer.camera.hud_cache = self.hud_cache

    def construct(self) -> None:
        self.set_camera_orientation(phi=PHI, theta=THETA)
        surface = _fast_surface(16)
        title = Text("Race A: a bowl", font_size=40).to_corner(UL)
        formula = MathTex(r"f(x, y) = \frac{x^2 + y^2}{6}").next_to(title, DOWN)
        box = Rectangle(width=3, height=1.2, stroke_width=6, fill_opacity=0.5, fill_color=BLUE)
        box.set_stroke(YELLOW, width=6, background=True).to_corner(DR)
        number = DecimalNumber(0.0, num_decimal_places=3).to_corner(UR)
        # drawn the ordinary way (its shading follows the camera), between cached ones that
        # overlap it: the painter's order must hold
        under = Square(1.5, fill_opacity=1, fill_color=GREEN).move_to(box.get_left())
        under.set_shade_in_3d(True)
        over = Circle(0.5, fill_opacity=1, fill_color=ORANGE).move_to(under.get_left())
        self.add(surface)
        self.add_fixed_in_frame_mobjects(title, formula, box, under, over, number)
        self.frames: list[np.ndarray] = []
        for k in range(4):
            self.renderer.camera.set_theta(THETA + k * 2 * DEGREES)
            number.set_value(0.125 * k)
            if k == 2:
                title.set_color(RED)
            self.renderer.update_frame(self)
            self.frames.append(np.array(self.renderer.get_frame())[..., :3].copy())


class _HudDirect(_Hud):
    hud_cache = False


def test_fixed_in_frame_cache_draws_the_same_pixels(render_scene: Callable[..., Any]) -> None:
    cached, _ = render_scene(_Hud)
    direct, _ = render_scene(_HudDirect)
    assert len(cached.renderer.camera._hud_images) > 10, "the HUD should come from the cache"
    assert not direct.renderer.camera._hud_images
    for k, (a, b) in enumerate(zip(cached.frames, direct.frames, strict=True)):
        diff = np.abs(a.astype(np.int16) - b.astype(np.int16))
        assert diff.max() <= 2, f"frame {k}: cached HUD differs by up to {diff.max()}"
    # what changes is redrawn: the number each frame, the title when it turns red
    changed = [np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=-1) > 40
               for a, b in it.pairwise(cached.frames)]
    h, w = changed[0].shape
    assert all(c[: h // 6, -w // 4 :].any() for c in changed), "the number should update"
    assert changed[1][: h // 6, : w // 3].sum() > 200, "the red title should show"
    red = cached.frames[3][: h // 6, : w // 3].astype(int)
    assert ((red[..., 0] > 150) & (red[..., 1] < 100)).sum() > 200


# -- scene content and golden frame ---------------------------------------------------------


def test_scene_content(render_scene: Callable[..., Any]) -> None:
    scene, _ = render_scene(SurfaceDescent3D, save_last_frame=True)
    data = scene.setup_data
    want = descend(objectives.get("bowl"), optimizers.sgd(lr=0.1), [2.0, 2.0], 100)
    assert scene.path_xy.shape == (101, 2)
    np.testing.assert_array_equal(scene.path_xy, want.points)
    np.testing.assert_allclose(scene.path_xy[:, 0], 2.0 * 0.8 ** np.arange(101), rtol=1e-12)
    assert scene.tracker.get_value() == pytest.approx(100.0)
    box = data.box
    end = scene.path_xy[-1]
    end_on_surface = box.to_scene(end[0], end[1], data.objective.value(end))
    anchors = np.asarray(scene.path.get_anchors())
    # the path starts above (2, 2) on the surface and ends where the dot is, at the run's end
    start_xy = np.array([anchors[0, 0] / box.sx, anchors[0, 1] / box.sy])
    np.testing.assert_allclose(start_xy, [2.0, 2.0], atol=0.02)
    np.testing.assert_allclose(anchors[-1], scene.dot.get_center(), atol=1e-9)
    np.testing.assert_allclose(scene.dot.get_center()[:2], end_on_surface[:2], atol=1e-6)
    assert 0 < scene.dot.get_center()[2] - end_on_surface[2] < 0.05  # lifted, not buried
    # the shadow lies on the floor, under the path
    shadow = np.asarray(scene.shadow.get_anchors())
    assert np.allclose(shadow[:, 2], box.floor_z, atol=0.02)
    np.testing.assert_allclose(shadow[-1, :2], scene.shadow_dot.get_center()[:2], atol=1e-9)
    # the path, the dot and the shadow are drawn by the surfaces, in depth order
    assert scene.path in scene.surface.overlays and scene.dot in scene.surface.overlays
    assert scene.shadow in scene.floor.overlays


def test_golden_last_frame(render_scene: Callable[..., Any], golden: Callable[..., Any]) -> None:
    _, frame = render_scene(SurfaceDescent3D, save_last_frame=True)
    golden("SurfaceDescent3D", frame)
