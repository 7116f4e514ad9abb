"""Each patch of manim or Pillow in scenes/patches.py: what it assumes of upstream, what it does,
and its version guard.

For every patch there are two kinds of test. One asserts what the patch takes for granted about
manim or Pillow (a signature, the line of code it works around, the way a module global is
looked up), so it fails as soon as an upgrade changes that; the other asserts the patched
behaviour. The guard tests run :func:`scenes.patches.apply` afresh with made-up versions.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from manim import (
    Camera,
    DecimalNumber,
    ImageMobject,
    Integer,
    Mobject,
    Square,
    ThreeDAxes,
    ThreeDCamera,
    VMobject,
    tempconfig,
)
from manim.camera import camera as manim_camera
from manim.utils import hashing
from PIL import Image

from scenes import patches
from scenes.fastsurface import FastSurface, FastThreeDCamera
from scenes.style import FastDecimalNumber, FastInteger


def _code(func: Any) -> list[str]:
    """The statements of a function's body as ``ast.unparse`` writes them (no docstring, no
    comments), one line each."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return [line.strip() for stmt in body for line in ast.unparse(stmt).splitlines()]


class _State:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)


# --------------------------------------------------------------------------------------------
# The pinned environment is the tested one
# --------------------------------------------------------------------------------------------


def test_the_installed_manim_and_pillow_are_the_versions_the_patches_were_tested_with() -> None:
    versions = patches.installed_versions()
    assert versions["manim"].startswith(patches.TESTED["manim"])
    assert versions["pillow"].startswith(patches.TESTED["pillow"])
    assert patches.apply() == {p.name: True for p in patches.PATCHES}


# --------------------------------------------------------------------------------------------
# array-hash
# --------------------------------------------------------------------------------------------


def test_upstream_hashes_arrays_exactly_through_the_module_global(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exact = patches._hash_ndarray_exact
    assert list(inspect.signature(exact).parameters) == ["array"]
    a = np.array([0.1, 0.2, 0.3])
    assert exact(a) != exact(a + 1e-15), "manim's array hash should see the last bits"
    # the encoder looks the hash function up as a module global at call time
    monkeypatch.setattr(hashing, "_hash_ndarray", lambda array: "SENTINEL")
    assert "SENTINEL" in hashing.get_json(_State(points=a))


def test_the_cache_key_rounds_floats_to_nine_decimals() -> None:
    assert hashing._hash_ndarray is patches.hash_ndarray_rounded
    a = np.array([[0.1, -0.0, 3.0]])
    key = hashing.get_json(_State(points=a))
    assert hashing.get_json(_State(points=a + 1e-13)) == key
    assert hashing.get_json(_State(points=np.array([[0.1, 0.0, 3.0]]))) == key
    assert hashing.get_json(_State(points=a + 1e-6)) != key
    ints = np.array([1, 2, 3])
    assert patches.hash_ndarray_rounded(ints) == patches._hash_ndarray_exact(ints)


# --------------------------------------------------------------------------------------------
# hash-keys
# --------------------------------------------------------------------------------------------


def test_upstream_leaves_the_keys_of_its_filter_set_out_of_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert isinstance(hashing.KEYS_TO_FILTER_OUT, set)
    monkeypatch.setattr(hashing, "KEYS_TO_FILTER_OUT", {*hashing.KEYS_TO_FILTER_OUT, "zz_probe"})
    assert "zz_probe" not in hashing.get_json(_State(zz_probe=1, kept=2))
    assert "kept" in hashing.get_json(_State(zz_probe=1, kept=2))


def test_the_fast_cameras_per_frame_state_is_left_out_of_the_key() -> None:
    assert patches.CAMERA_STATE_KEYS <= hashing.KEYS_TO_FILTER_OUT
    with tempconfig({"pixel_width": 64, "pixel_height": 36}):
        camera = FastThreeDCamera()
        camera.capture_mobjects([Square()])
    # the names still are the camera's attributes
    assert patches.CAMERA_STATE_KEYS <= set(vars(camera))
    key = hashing.get_json(camera)
    assert all(f'"{k}"' not in key for k in patches.CAMERA_STATE_KEYS)


# --------------------------------------------------------------------------------------------
# pillow-canvas
# --------------------------------------------------------------------------------------------


def test_upstream_builds_its_image_canvas_in_a_way_pillow_rejects() -> None:
    assert patches.pillow_rejects_float_canvas()
    with pytest.raises((TypeError, ValueError)):
        Image.fromarray(np.zeros((2, 3)), mode="RGBA")
    assert (
        "full_image = Image.fromarray(np.zeros((self.pixel_height, self.pixel_width)), "
        "mode='RGBA')"
    ) in _code(Camera.display_image_mobject)


def test_manims_camera_draws_images_with_the_canvas_patch() -> None:
    assert isinstance(manim_camera.Image, patches.PillowCompat)  # type: ignore[attr-defined]
    canvas = patches.PillowCompat.fromarray(np.zeros((2, 3)), mode="RGBA")
    assert (canvas.mode, canvas.size) == ("RGBA", (3, 2))
    assert not np.asarray(canvas).any()
    red = np.zeros((8, 8, 4), dtype=np.uint8)
    red[..., 0], red[..., 3] = 255, 255
    with tempconfig({"pixel_width": 64, "pixel_height": 36}):
        camera = Camera()
        camera.capture_mobjects([ImageMobject(red).scale_to_fit_height(4.0)])
    assert camera.pixel_array[18, 32].tolist() == [255, 0, 0, 255]


# --------------------------------------------------------------------------------------------
# number-glyphs
# --------------------------------------------------------------------------------------------


def test_upstream_builds_numbers_one_string_to_mob_call_per_character() -> None:
    params = inspect.signature(DecimalNumber._string_to_mob).parameters
    assert list(params) == ["self", "string", "mob_class", "kwargs"]
    assert params["mob_class"].default is None
    assert "self.add(*map(self._string_to_mob, num_string))" in _code(
        DecimalNumber._set_submobjects_from_number
    )


@pytest.mark.parametrize("value", [3.25, -0.5, 1234.5])
def test_cached_glyphs_draw_what_decimal_number_draws(value: float) -> None:
    fast, stock = FastDecimalNumber(value, font_size=31), DecimalNumber(value, font_size=31)
    assert ("5", 31.0) in patches.CachedGlyphs._glyphs, "the override was not called"
    fast.set_value(value * 2)
    stock.set_value(value * 2)
    for a, b in zip(fast.family_members_with_points(), stock.family_members_with_points(),
                    strict=True):
        np.testing.assert_allclose(a.points, b.points, atol=1e-9)
        np.testing.assert_array_equal(a.fill_rgbas, b.fill_rgbas)
    assert isinstance(FastInteger(7), Integer)


# --------------------------------------------------------------------------------------------
# axis-shading
# --------------------------------------------------------------------------------------------


def test_upstream_three_d_axes_put_shading_functions_on_each_piece() -> None:
    axis = ThreeDAxes().x_axis
    pieces = axis.family_members_with_points()
    assert all("get_gradient_start_and_end_points" in vars(m) for m in pieces)
    assert all("get_unit_normal" in vars(m) for m in pieces)


def test_drop_axis_shading_gives_each_piece_its_class_methods_back() -> None:
    axis = ThreeDAxes().z_axis
    for mob in axis.get_family():
        patches.drop_axis_shading(mob)
    for mob in axis.family_members_with_points():
        assert "get_gradient_start_and_end_points" not in vars(mob)
        assert "get_unit_normal" not in vars(mob)
        method = mob.get_gradient_start_and_end_points
        assert method.__func__ is type(mob).get_gradient_start_and_end_points


# --------------------------------------------------------------------------------------------
# camera-capture
# --------------------------------------------------------------------------------------------


def test_upstream_capture_is_the_loop_capture_by_kind_extends() -> None:
    assert _code(ThreeDCamera.capture_mobjects) == [
        "self.reset_rotation_matrix()",
        "super().capture_mobjects(mobjects, **kwargs)",
    ]
    assert _code(Camera.capture_mobjects) == [
        "mobjects = self.get_mobjects_to_display(mobjects, **kwargs)",
        "for group_type, group in it.groupby(mobjects, self.type_or_raise):",
        "self.display_funcs[group_type](list(group), self.pixel_array)",
    ]


def test_capture_by_kind_draws_what_the_three_d_camera_draws_and_hands_runs_over() -> None:
    def scene() -> list[Mobject]:
        return [Square(fill_opacity=1, color="#ff0000"), Square(side_length=1).shift([1, 0, 0])]

    with tempconfig({"pixel_width": 96, "pixel_height": 54}):
        stock, ours = ThreeDCamera(), ThreeDCamera()
        stock.capture_mobjects(scene())
        patches.capture_by_kind(ours, scene(), {})
        np.testing.assert_array_equal(ours.pixel_array, stock.pixel_array)

        surface = FastSurface(lambda u, v: np.stack([u, v, 0 * u], axis=-1), resolution=2,
                              vectorized=True)
        a, b, c = Square(), Square(), Square(side_length=0.5)
        runs: list[tuple[str, list[Mobject]]] = []
        patches.capture_by_kind(ThreeDCamera(), [a, surface, b, c], {
            FastSurface: lambda run: runs.append(("surface", run)),
            VMobject: lambda run: runs.append(("v", run)),
        })
    assert runs == [("v", [a]), ("surface", [surface]), ("v", [b, c])]


# --------------------------------------------------------------------------------------------
# still-frames
# --------------------------------------------------------------------------------------------


def test_upstream_converts_a_repeated_frame_once_per_repeat() -> None:
    code = _code(patches._write_frame_upstream)
    loop = next(i for i, line in enumerate(code) if line == "for _ in range(repeat):")
    assert code[loop + 1] == "frame = av.VideoFrame.from_ndarray(pixels, format='rgba')"
    assert "self._stream.encode(frame)" in " ".join(code[loop:])


def _segment(path: Path, frames: list[tuple[np.ndarray, int]]) -> bytes:
    """The bytes of an MP4 segment written by manim's encoder from (frame, repeat) pairs."""
    from manim._config.output import OutputFormat, OutputSpec
    from manim._config.video_encoder import resolve_video_encoder
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    spec = resolve_video_encoder(OutputSpec(OutputFormat.MP4, False, False, False),
                                 width=96, height=54, frame_rate=15)
    assert spec is not None
    encoder = VideoSegmentEncoder(target=path, spec=spec)
    for pixels, repeat in frames:
        encoder.write_frame(pixels, repeat=repeat)
    encoder.finish()
    return path.read_bytes()


def test_a_held_frame_is_encoded_to_the_same_packets(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    rng = np.random.default_rng(3)
    frames = [(rng.integers(0, 256, (54, 96, 4), dtype=np.uint8), n) for n in (1, 12, 1, 30)]
    assert VideoSegmentEncoder.write_frame is patches._write_frame_converted_once
    ours = _segment(tmp_path / "ours.mp4", frames)
    monkeypatch.setattr(VideoSegmentEncoder, "write_frame", patches._write_frame_upstream)
    theirs = _segment(tmp_path / "theirs.mp4", frames)
    assert ours == theirs
    with av.open(str(tmp_path / "ours.mp4")) as container:
        assert sum(1 for _ in container.decode(video=0)) == 44


# --------------------------------------------------------------------------------------------
# lean-paths
# --------------------------------------------------------------------------------------------


def test_upstream_splits_subpaths_with_the_vectorised_isclose_it_replaces() -> None:
    code = " ".join(_code(patches._set_path_upstream))
    assert "vmobject.get_subpath_split_indices_from_points(points, n_dims=2)" in code
    assert "vmobject.consider_points_equals_2d(points[start_idx], points[end_idx - 1])" in code
    split = " ".join(_code(VMobject.get_subpath_split_indices_from_points))
    assert "rtol = 1e-05" in split and "atol = self.tolerance_for_point_equality" in split
    assert manim_camera.Camera.set_cairo_context_path is patches._set_path_lean


def _path_mobjects() -> list[VMobject]:
    """Paths of every shape the lean tracer must handle like manim's."""
    from manim import LEFT, RIGHT, UP, Arrow, Circle, DashedLine, Dot, Line, Text

    rng = np.random.default_rng(7)
    odd = VMobject()
    odd.points = rng.normal(size=(10, 3))  # two pieces and a stray point
    touching = VMobject()  # anchors equal within isclose but not exactly
    touching.points = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0],
                                [1e-9, 1 + 1e-9, 0], [0, 2, 0], [2, 2, 0], [0, 0, 0]], float)
    closed_twice = VMobject()
    closed_twice.points = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 0, 0]] * 3, float)
    infinite = VMobject()
    infinite.points = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [np.inf, 0, 0]] * 2, float)
    short = VMobject()
    short.points = np.zeros((3, 3))
    mobs: list[Any] = [Text("gd ŋ"), Circle(), Dot(), DashedLine(LEFT, RIGHT), Square(),
                       Line(LEFT, UP), Arrow(LEFT, RIGHT), DecimalNumber(3.14), VMobject(), odd,
                       touching, closed_twice, infinite, short]
    return [m for mob in mobs for m in mob.get_family() if isinstance(m, VMobject)]


def test_lean_paths_hand_cairo_the_path_manim_would() -> None:
    import cairo

    camera = Camera()
    target = cairo.ImageSurface(cairo.FORMAT_ARGB32, 16, 16)

    def traced(trace: Any, mob: VMobject) -> list[Any]:
        ctx = cairo.Context(target)
        ctx.move_to(1, 1)  # a path left over from before must be cleared, as manim clears it
        trace(camera, ctx, mob)
        return list(ctx.copy_path())

    mobs = _path_mobjects()
    assert len(mobs) > 20
    for mob in mobs:
        assert traced(patches._set_path_lean, mob) == traced(patches._set_path_upstream, mob)
    # and the stock camera draws with it: the same frame either way
    with tempconfig({"pixel_width": 160, "pixel_height": 90}):
        frames = []
        for trace in (patches._set_path_lean, patches._set_path_upstream):
            camera = Camera()
            camera.set_cairo_context_path = lambda ctx, m, t=trace, c=camera: t(c, ctx, m)
            camera.capture_mobjects(mobs[:12])
            frames.append(camera.pixel_array.copy())
        assert frames[0].any() and np.array_equal(frames[0], frames[1])


# --------------------------------------------------------------------------------------------
# The version guard
# --------------------------------------------------------------------------------------------


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """No patch decided yet, and installers that only record that they ran."""
    installed: list[str] = []

    def recorder(name: str) -> Any:
        return lambda: installed.append(name)

    table = tuple(
        replace(p, install=recorder(p.name)) if p.install is not None else p
        for p in patches.PATCHES
    )
    monkeypatch.setattr(patches, "PATCHES", table)
    monkeypatch.setattr(patches, "_STATE", {})
    monkeypatch.setattr(patches.CachedGlyphs, "_glyphs", {})
    yield installed


def test_on_the_tested_versions_every_patch_is_installed_without_a_warning(
    fresh: list[str],
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        state = patches.apply({"manim": "0.22.7", "pillow": "13.2.0"})
    assert all(state.values())
    assert fresh == ["array-hash", "hash-keys", "pillow-canvas", "number-glyphs",
                     "still-frames", "lean-paths"]
    assert patches.apply() == state and len(fresh) == 6, "apply must be idempotent"


def test_on_another_manim_nothing_is_installed_one_warning_says_so_and_the_camera_raises(
    fresh: list[str],
) -> None:
    with pytest.warns(patches.UntestedVersionWarning) as caught:
        state = patches.apply({"manim": "0.23.0", "pillow": "13.0.0"})
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "manim 0.23.0" in message and "manim 0.22.x" in message
    for p in patches.PATCHES:
        assert p.name in message
    assert not any(state.values()) and fresh == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert patches.apply() == state  # decided once: no second warning
    # warn: the stock behaviour comes back
    FastDecimalNumber(2.5, font_size=29)
    assert patches.CachedGlyphs._glyphs == {}
    mob = ThreeDAxes().x_axis.family_members_with_points()[0]
    patches.drop_axis_shading(mob)
    assert "get_unit_normal" in vars(mob)
    # raise: the fast camera would draw wrong frames without its tested capture loop
    with pytest.raises(patches.UntestedVersionError, match="camera-capture.*manim 0.22.x"):
        FastThreeDCamera()
    with pytest.raises(patches.UntestedVersionError):
        patches.capture_by_kind(ThreeDCamera(), [], {})


def test_on_another_pillow_only_the_pillow_patch_is_left_out(fresh: list[str]) -> None:
    with pytest.warns(patches.UntestedVersionWarning, match="left out: pillow-canvas$"):
        state = patches.apply({"manim": "0.22.0", "pillow": "14.0.0"})
    assert [n for n, on in state.items() if not on] == ["pillow-canvas"]
    assert "pillow-canvas" not in fresh and "array-hash" in fresh
