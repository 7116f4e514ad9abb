"""Every change gdanim makes to the inside of manim or Pillow, each behind a version check.

gdanim pins Manim Community 0.22 and is tested with Pillow 13. A few things it needs are not
reachable through manim's public API; each is done here, by one function whose docstring says
which upstream behaviour it works around and why:

- ``array-hash``, :func:`round_array_hash`: manim's partial-movie key rounds float arrays;
- ``hash-keys``, :func:`filter_camera_state`: the fast camera's bookkeeping stays out of the key;
- ``pillow-canvas``, :func:`pillow_canvas`: manim's image canvas made the way Pillow 12+ allows;
- ``number-glyphs``, :class:`CachedGlyphs`: ``DecimalNumber`` reuses its digits' glyphs;
- ``axis-shading``, :func:`drop_axis_shading`: ``ThreeDAxes``' per-piece shading taken off;
- ``camera-capture``, :func:`capture_by_kind`: the 3D camera's capture loop, extended;
- ``still-frames``, :func:`convert_still_frames_once`: a held frame is converted to the
  encoder's pixel format once, not once per frame it is held;
- ``lean-paths``, :func:`lean_cairo_paths`: the Cairo path of a ``VMobject`` is traced with a
  few whole-array operations instead of manim's many small ones (the same path, point for point).

:func:`apply` installs the global ones, once (it is idempotent); ``scenes.style``,
``scenes.mobjects``, ``scenes.fastsurface`` and ``scenes.fastcamera`` call it when they are
imported, which is where the patches used to be made. Where the installed manim (or Pillow)
is not the version tested, a patch is left out and a single :class:`UntestedVersionWarning`
names every patch left out (policy ``warn``: without the patch gdanim draws the same frames,
only slower or with fewer cache hits, or fails loudly), or using the code that needs it raises
:class:`UntestedVersionError` (policy ``raise``: without the patch the frames would be wrong and
nothing would say so).

``tests/scenes/test_patches.py`` checks, for each patch, that the upstream behaviour it assumes is
still there (so the test fails when manim or Pillow changes it) and that the patched behaviour
holds.
"""

from __future__ import annotations

import importlib.metadata
import itertools as it
import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, Literal

import av
import manim.camera.camera as manim_camera
import numpy as np
from manim import DecimalNumber, Mobject, SingleStringMathTex, ThreeDCamera, VMobject
from manim.scene.video_segment_encoder import VideoSegmentEncoder
from manim.utils import hashing
from PIL import Image

__all__ = [
    "CACHE_KEY_DECIMALS",
    "CAMERA_STATE_KEYS",
    "PATCHES",
    "TESTED",
    "CachedGlyphs",
    "Drawer",
    "Patch",
    "PillowCompat",
    "UntestedVersionError",
    "UntestedVersionWarning",
    "apply",
    "cached_number_glyphs",
    "capture_by_kind",
    "convert_still_frames_once",
    "drop_axis_shading",
    "enabled",
    "filter_camera_state",
    "hash_ndarray_rounded",
    "installed_versions",
    "lean_cairo_paths",
    "pillow_canvas",
    "plan",
    "require",
    "quick_copy",
    "round_array_hash",
]

#: The versions the patches were written against and tested with: distribution name -> prefix
#: of the version string (``"0.22."`` is any 0.22.x).
TESTED: dict[str, str] = {"manim": "0.22.", "pillow": "13."}


class UntestedVersionWarning(UserWarning):
    """Some patches were left out because manim or Pillow is not the version tested."""


class UntestedVersionError(RuntimeError):
    """Code that needs a patch was used with a manim or Pillow that the patch was not tested on."""


def installed_versions() -> dict[str, str]:
    """The installed versions of the distributions in :data:`TESTED` (``"?"`` if missing)."""
    out = {}
    for dist in TESTED:
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = "?"
    return out


# --------------------------------------------------------------------------------------------
# array-hash: manim's partial-movie cache key rounds float arrays
# --------------------------------------------------------------------------------------------

#: Decimals to which float arrays are rounded in manim's partial-movie cache key.
CACHE_KEY_DECIMALS = 9

#: manim's own array hash (``manim.utils.hashing._hash_ndarray``), kept before it is replaced.
_hash_ndarray_exact: Callable[[np.ndarray], str] = hashing._hash_ndarray


def hash_ndarray_rounded(array: np.ndarray) -> str:
    """manim's array hash of ``array`` rounded to :data:`CACHE_KEY_DECIMALS` decimals.

    A mobject moved by an updater ends up at the same place whether its animation was rendered
    frame by frame or taken from the cache in one step, but not to the last bit (``move_to``
    and friends shift by differences). Those last bits would change the key of every later
    animation; rounded away, a second render reuses them. A nanometre of frame width never
    shows in a pixel.
    """
    if array.dtype.kind == "f" and array.dtype.names is None:
        array = np.round(array.astype(np.float64), CACHE_KEY_DECIMALS) + 0.0  # and -0.0 -> 0.0
    return _hash_ndarray_exact(array)


def round_array_hash() -> None:
    """Make manim's partial-movie key hash float arrays rounded (:func:`hash_ndarray_rounded`).

    Upstream: ``manim.utils.hashing._hash_ndarray(array) -> str`` hashes an array's exact
    bytes, and ``_CustomEncoder`` calls it through the module global for every array in a
    scene's state. Without this patch a second render of a scene with updaters renders most of
    its animations again (same frames, more time).
    """
    hashing._hash_ndarray = hash_ndarray_rounded


# --------------------------------------------------------------------------------------------
# hash-keys: the fast camera's bookkeeping stays out of the cache key
# --------------------------------------------------------------------------------------------

#: Attributes left out of manim's cache key: the per-frame state of
#: ``scenes.fastcamera.FastThreeDCamera`` (overlay bookkeeping keyed by object ids, the images of
#: fixed-in-frame text) and the rotation matrix the camera caches between frames.
CAMERA_STATE_KEYS = frozenset(
    {"_overlay_members", "_hud_images", "_hud_last", "_hud_bytes", "rotation_matrix"}
)


def filter_camera_state() -> None:
    """Add :data:`CAMERA_STATE_KEYS` to ``manim.utils.hashing.KEYS_TO_FILTER_OUT``.

    Upstream: manim hashes the camera's ``__dict__`` into every animation's key, leaving out
    only the keys of the set ``KEYS_TO_FILTER_OUT``. The fast camera's per-frame state says
    nothing a partial movie depends on that is not hashed elsewhere (the overlays themselves,
    the camera's angles), yet it differs from run to run; left in, a second render of a 3D scene
    finds none of its cached animations (same frames, more time).
    """
    hashing.KEYS_TO_FILTER_OUT.update(CAMERA_STATE_KEYS)


# --------------------------------------------------------------------------------------------
# pillow-canvas: manim 0.22's image canvas under Pillow 12+
# --------------------------------------------------------------------------------------------


class PillowCompat:
    """``PIL.Image`` as manim's Cairo camera expects it (see :func:`pillow_canvas`)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(Image, name)

    @staticmethod
    def fromarray(obj: Any, mode: str | None = None) -> Image.Image:
        """``Image.fromarray``, with manim's empty float RGBA canvas made the way Pillow allows."""
        arr = np.asarray(obj)
        if mode == "RGBA" and arr.ndim == 2:
            canvas = np.zeros((*arr.shape, 4), dtype=np.uint8)
            return Image.fromarray(canvas)
        if mode is not None and arr.dtype == np.uint8 and arr.ndim == 3:
            expected = {"RGBA": 4, "RGB": 3}.get(mode)
            if expected == arr.shape[2]:
                return Image.fromarray(arr)
        return Image.fromarray(obj, mode) if mode is not None else Image.fromarray(obj)


def pillow_rejects_float_canvas() -> bool:
    """Whether ``Image.fromarray(np.zeros((1, 1)), mode="RGBA")`` fails (Pillow 12 and later)."""
    try:
        Image.fromarray(np.zeros((1, 1)), mode="RGBA")
    except (TypeError, ValueError):
        return True
    return False


def pillow_canvas() -> None:
    """Give manim's Cairo camera a ``PIL.Image`` whose ``fromarray`` makes its canvas.

    Upstream: manim 0.22's ``Camera.display_image_mobject`` pastes every
    :class:`~manim.ImageMobject` onto a canvas made by
    ``Image.fromarray(np.zeros((h, w)), mode="RGBA")``; Pillow 12 and later reject a 2D float
    array with an explicit RGBA mode ("Invalid mode for data type"), so no image (the contour
    maps' fill) could be drawn. :class:`PillowCompat` builds that empty canvas with a uint8
    array and passes everything else through. Only installed where Pillow rejects the call.
    """
    # manim's camera module imports PIL.Image without re-exporting it (attr-defined), and the
    # stand-in is not a module (assignment)
    if pillow_rejects_float_canvas() and not isinstance(manim_camera.Image, PillowCompat):  # type: ignore[attr-defined]
        manim_camera.Image = PillowCompat()  # type: ignore[attr-defined,assignment]


# --------------------------------------------------------------------------------------------
# number-glyphs: DecimalNumber reuses each character's glyphs
# --------------------------------------------------------------------------------------------


def quick_copy(mob: VMobject) -> VMobject:
    """A copy of a glyph tree holding only what drawing needs (far cheaper than ``copy()``)."""
    new = VMobject()
    new.points = mob.points.copy()
    new.fill_rgbas = mob.fill_rgbas.copy()
    new.stroke_rgbas = mob.stroke_rgbas.copy()
    new.background_stroke_rgbas = mob.background_stroke_rgbas.copy()
    new.stroke_width = mob.stroke_width
    new.background_stroke_width = mob.background_stroke_width
    new.submobjects = [quick_copy(sub) for sub in mob.submobjects]
    return new


class CachedGlyphs(DecimalNumber):
    """``DecimalNumber`` whose characters are cheap copies of cached glyphs (see below).

    Overrides the private ``DecimalNumber._string_to_mob``, which :func:`cached_number_glyphs`
    switches on.
    """

    _glyphs: ClassVar[dict[tuple[str, float], VMobject]] = {}

    def _string_to_mob(
        self, string: str, mob_class: type[SingleStringMathTex] | None = None, **kwargs: Any
    ) -> VMobject:
        if mob_class is not None or kwargs or not enabled("number-glyphs"):
            return super()._string_to_mob(string, mob_class, **kwargs)
        key = (string, float(self._font_size))
        if key not in CachedGlyphs._glyphs:
            CachedGlyphs._glyphs[key] = super()._string_to_mob(string)
        return quick_copy(CachedGlyphs._glyphs[key])


def cached_number_glyphs() -> None:
    """Let :class:`CachedGlyphs` reuse each digit's glyphs instead of deep-copying them.

    Upstream: ``DecimalNumber.set_value`` rebuilds the number from one mobject per character,
    each made by ``_string_to_mob(string, mob_class=None, **kwargs)`` as a ``copy()`` of a cached
    ``MathTex`` (about 8 ms apiece). A live readout updated every frame of a 1080p60 render
    spends most of the render there; :func:`quick_copy` takes a fraction of that and draws the
    same pixels. Without the patch the numbers look the same and cost more.
    """
    # nothing to install: CachedGlyphs._string_to_mob asks enabled("number-glyphs")


# --------------------------------------------------------------------------------------------
# axis-shading: ThreeDAxes' per-piece shading functions
# --------------------------------------------------------------------------------------------


def drop_axis_shading(mob: Mobject) -> None:
    """Remove the shading functions ``ThreeDAxes`` puts on each mobject of its axes.

    Upstream: ``ThreeDAxes._set_axis_shading`` sets two instance attributes on every mobject of
    an axis, ``get_gradient_start_and_end_points`` (a closure that recomputes the whole axis'
    bounding box) and ``get_unit_normal``, for its sheen. Scenes that draw the axes as plain
    lines drop them (and the sheen); left in, every piece recomputes the axis' bounding box on
    every frame, most of a 3D frame's time, with the same pixels.
    """
    if enabled("axis-shading"):
        mob.__dict__.pop("get_gradient_start_and_end_points", None)
        mob.__dict__.pop("get_unit_normal", None)


# --------------------------------------------------------------------------------------------
# camera-capture: the 3D camera's capture loop with drawers of its own
# --------------------------------------------------------------------------------------------

Drawer = Callable[[list[Any]], None]


def capture_by_kind(
    camera: ThreeDCamera,
    mobjects: Iterable[Mobject],
    drawers: Mapping[type[Mobject], Drawer],
    **kwargs: Any,
) -> None:
    """``ThreeDCamera.capture_mobjects`` with drawers of its own for some kinds of mobject.

    Upstream: ``ThreeDCamera.capture_mobjects`` resets the rotation matrix and calls
    ``Camera.capture_mobjects``, which takes ``get_mobjects_to_display(mobjects, **kwargs)``,
    cuts it into runs of one ``type_or_raise`` kind (keeping the order) and hands each run to
    ``display_funcs[kind](run, pixel_array)``. This does the same, except that a mobject that is
    an instance of a key of ``drawers`` (tried in order) is of that kind, and a run of such a
    kind goes to ``drawers[kind](run)``. The fast camera draws its surfaces and its cached
    heads-up display this way; should manim's capture do anything more, it would be silently
    missing, hence :class:`UntestedVersionError` on a manim other than the one tested.
    """
    require("camera-capture")
    camera.reset_rotation_matrix()
    to_display = camera.get_mobjects_to_display(mobjects, **kwargs)
    kinds = tuple(drawers)

    def kind(mob: Mobject) -> type[Mobject]:
        for k in kinds:
            if isinstance(mob, k):
                return k
        found: type[Mobject] = camera.type_or_raise(mob)
        return found

    for group_type, group in it.groupby(to_display, kind):
        draw = drawers.get(group_type)
        if draw is not None:
            draw(list(group))
        else:
            camera.display_funcs[group_type](list(group), camera.pixel_array)


# --------------------------------------------------------------------------------------------
# The table, the guard and apply()
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# still-frames: a held frame is converted for the encoder once
# --------------------------------------------------------------------------------------------

#: manim's own ``VideoSegmentEncoder.write_frame``, kept before it is replaced.
_write_frame_upstream = VideoSegmentEncoder.write_frame


def _write_frame_converted_once(self: VideoSegmentEncoder, pixels: np.ndarray, *,
                                repeat: int = 1) -> None:
    """``VideoSegmentEncoder.write_frame``, converting a repeated frame once.

    The RGBA frame becomes one ``av.VideoFrame`` in the stream's pixel format and size (what
    the codec context would convert it to on every ``encode``), then that frame is encoded
    ``repeat`` times at consecutive timestamps: the same packets, one conversion.
    """
    if repeat == 1:
        _write_frame_upstream(self, pixels, repeat=repeat)
        return
    self._validate_frame(pixels, repeat)
    spec, stream, container = self.spec, self._stream, self._container
    assert isinstance(stream, av.video.stream.VideoStream)
    time_base = Fraction(spec.frame_rate.denominator, spec.frame_rate.numerator)
    try:
        frame = av.VideoFrame.from_ndarray(pixels, format="rgba")
        if (stream.pix_fmt, stream.width, stream.height) != ("rgba", frame.width, frame.height):
            frame = frame.reformat(width=stream.width, height=stream.height,
                                   format=stream.pix_fmt)
        for _ in range(repeat):
            frame.pts = self._next_pts
            frame.time_base = time_base
            self._next_pts += 1
            for packet in stream.encode(frame):
                container.mux(packet)
    except BaseException as error:
        raise self._operation_error("encode", error) from error


def convert_still_frames_once() -> None:
    """Make manim's segment encoder convert a held frame once (:func:`_write_frame_converted_once`).

    Upstream: ``VideoSegmentEncoder.write_frame(pixels, repeat=n)`` (how a ``wait`` with nothing
    moving is written) builds an ``av.VideoFrame`` from the RGBA array and encodes it ``n``
    times, and PyAV converts it from RGBA to the stream's YUV on every encode: at 1080p that
    conversion is about half of what a held second costs. The packets are the same either way.
    """
    VideoSegmentEncoder.write_frame = _write_frame_converted_once  # type: ignore[method-assign]


#: manim's own ``Camera.set_cairo_context_path``, kept before it is replaced.
_set_path_upstream = manim_camera.Camera.set_cairo_context_path

#: ``np.isclose``'s default relative tolerance, which manim's subpath split uses.
_RTOL = 1.0e-5


def _set_path_lean(self: manim_camera.Camera, ctx: Any, vmobject: VMobject) -> manim_camera.Camera:
    """``Camera.set_cairo_context_path`` in a few array operations: the same path.

    A subpath ends where a cubic piece's last anchor ``e`` and the next piece's first anchor
    ``s`` differ in x or y by more than ``atol + rtol |s|`` (``np.isclose``, as manim splits);
    each subpath of at least one whole piece becomes ``move_to`` + one ``curve_to`` per piece,
    closed when its first and last points are equal in 2D. Points that are not finite (which
    manim's own comparison treats specially) go to manim's function.
    """
    points = self.transform_points_pre_display(vmobject, vmobject.points)
    n = len(points)
    if n == 0:
        return self
    xy = points[:, :2]
    flat = xy.ravel().tolist()
    # inf or nan somewhere (an overflowing sum too): manim's own comparison handles them
    if vmobject.n_points_per_cubic_curve != 4 or not math.isfinite(sum(flat)):
        return _set_path_upstream(self, ctx, vmobject)
    ctx.new_path()
    if n < 4:
        return self
    ends = xy[3 : n - 1 : 4]
    starts = xy[4:n:4]
    if (ends == starts).all():  # the usual case: every piece starts where the last one ended
        bounds = [0, n]
    else:
        atol = vmobject.tolerance_for_point_equality
        apart = (np.abs(ends - starts) > atol + _RTOL * np.abs(starts)).any(axis=1)
        bounds = [0, *(4 * np.flatnonzero(apart) + 4).tolist(), n]
    move_to, curve_to = ctx.move_to, ctx.curve_to
    new_sub_path, close_path = ctx.new_sub_path, ctx.close_path
    same = vmobject.consider_points_equals_2d
    for start, end in it.pairwise(bounds):
        if end - start < 4:
            continue
        new_sub_path()
        move_to(flat[2 * start], flat[2 * start + 1])
        for b in range(2 * start + 2, 2 * end - 5, 8):
            curve_to(*flat[b : b + 6])
        last = 2 * (end - 1)
        if same((flat[2 * start], flat[2 * start + 1]), (flat[last], flat[last + 1])):
            close_path()
    return self


def lean_cairo_paths() -> None:
    """Make every camera trace ``VMobject`` paths with :func:`_set_path_lean`.

    Upstream: ``Camera.set_cairo_context_path`` splits the points into subpaths with about
    fifteen small numpy operations and then reads every coordinate as a numpy scalar; for the
    small paths a frame is made of (a glyph, a dot, a tick) that overhead is several times the
    Cairo work (at 1080p60, 35% of the busiest race's drawing time). The path handed to Cairo
    is the same, so the pixels are too.
    """
    manim_camera.Camera.set_cairo_context_path = _set_path_lean  # type: ignore[method-assign,assignment]


@dataclass(frozen=True)
class Patch:
    """One patch: its name, what installs it, the distributions it was tested with, its policy.

    ``install`` is ``None`` for a patch that code asks for with :func:`enabled` or
    :func:`require` instead of a global change. ``policy`` says what happens on an untested
    version: ``"warn"`` leaves it out (with :class:`UntestedVersionWarning`), ``"raise"`` makes
    :func:`require` raise :class:`UntestedVersionError`.
    """

    name: str
    install: Callable[[], None] | None
    needs: tuple[str, ...]
    policy: Literal["warn", "raise"]


#: Every patch, in the order :func:`apply` installs them.
PATCHES: tuple[Patch, ...] = (
    Patch("array-hash", round_array_hash, ("manim",), "warn"),
    Patch("hash-keys", filter_camera_state, ("manim",), "warn"),
    Patch("pillow-canvas", pillow_canvas, ("manim", "pillow"), "warn"),
    Patch("number-glyphs", cached_number_glyphs, ("manim",), "warn"),
    Patch("axis-shading", None, ("manim",), "warn"),
    Patch("camera-capture", None, ("manim",), "raise"),
    Patch("still-frames", convert_still_frames_once, ("manim",), "warn"),
    Patch("lean-paths", lean_cairo_paths, ("manim",), "warn"),
)

#: Name -> whether the patch is in force; filled by the first :func:`apply`.
_STATE: dict[str, bool] = {}


def plan(versions: Mapping[str, str]) -> dict[str, bool]:
    """Which patches may be used with these installed ``versions`` (distribution -> version).

    Examples
    --------
    >>> plan({"manim": "0.22.0", "pillow": "13.0.0"})["array-hash"]
    True
    >>> plan({"manim": "0.23.1", "pillow": "13.0.0"})["array-hash"]
    False
    >>> plan({"manim": "0.22.0", "pillow": "14.0.0"})["pillow-canvas"]
    False
    """
    return {
        p.name: all(versions.get(d, "?").startswith(TESTED[d]) for d in p.needs) for p in PATCHES
    }


def apply(versions: Mapping[str, str] | None = None) -> dict[str, bool]:
    """Install every patch the installed versions allow, once; returns name -> in force.

    The first call decides and installs; later calls return the same answer and change nothing.
    Patches left out are named in one :class:`UntestedVersionWarning`. ``versions`` replaces the
    installed versions (for tests).
    """
    if _STATE:
        return dict(_STATE)
    found = installed_versions() if versions is None else dict(versions)
    usable = plan(found)
    for patch in PATCHES:
        if usable[patch.name] and patch.install is not None:
            patch.install()
    _STATE.update(usable)
    left_out = [p for p in PATCHES if not usable[p.name]]
    if left_out:
        have = ", ".join(f"{d} {v}" for d, v in sorted(found.items()))
        tested = ", ".join(f"{d} {v}x" for d, v in sorted(TESTED.items()))
        names = ", ".join(
            p.name + (" (its users will raise)" if p.policy == "raise" else "") for p in left_out
        )
        warnings.warn(
            f"gdanim: {have} installed, patches tested with {tested}; left out: {names}",
            UntestedVersionWarning,
            stacklevel=2,
        )
    return dict(_STATE)


def enabled(name: str) -> bool:
    """Whether patch ``name`` is in force (applying the patches first if no one has)."""
    if not _STATE:
        apply()
    return _STATE[name]


def require(name: str) -> None:
    """Raise :class:`UntestedVersionError` unless patch ``name`` is in force."""
    if not enabled(name):
        found = installed_versions()
        raise UntestedVersionError(
            f"gdanim's {name} code was written for "
            + ", ".join(f"{d} {TESTED[d]}x" for d in _patch(name).needs)
            + "; installed: "
            + ", ".join(f"{d} {found[d]}" for d in _patch(name).needs)
            + " (install the versions pinned in pyproject.toml)"
        )


def _patch(name: str) -> Patch:
    return next(p for p in PATCHES if p.name == name)

