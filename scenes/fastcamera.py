"""The camera and scene that draw ``FastSurface`` and its overlays (see ``scenes.fastsurface``).

:class:`FastThreeDCamera` projects, shades and fills a :class:`~scenes.fastmesh.FastSurface` with
whole-array numpy work, draws the marks registered as its overlays between its faces, and
paints fixed-in-frame text (the heads-up display) from cached images;
:class:`FastThreeDScene` is the ``ThreeDScene`` that uses it and counts frames the same way
whether an animation is rendered or taken from the partial-movie cache.
"""

from __future__ import annotations

import itertools as it
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import cairo
import numpy as np
import numpy.typing as npt
from manim import Mobject, ThreeDCamera, ThreeDScene, VMobject, config
from manim.animation.animation import Animation
from scipy.spatial import cKDTree

from scenes import patches
from scenes.fastmesh import FastSurface, FloatArray, OverlayMode, project, shade

__all__ = ["FastThreeDCamera", "FastThreeDScene"]

# the camera's per-frame state stays out of manim's cache key (patches.filter_camera_state)
patches.apply()


class _Stroke:
    """An open stroke overlay prepared once per frame: projected pieces and stroke styles."""

    __slots__ = ("curves", "mob", "n", "new_subpath", "styles")

    def __init__(self, camera: FastThreeDCamera, mob: VMobject) -> None:
        pts = camera.transform_points_pre_display(mob, mob.points)
        self.mob = mob
        self.n = len(pts) // 4
        xy = pts[: 4 * self.n, :2].reshape(self.n, 4, 2)
        gap = np.ones(self.n, dtype=bool)
        gap[1:] = np.abs(xy[1:, 0] - xy[:-1, 3]).max(axis=1) > 1e-9
        self.curves: list[list[list[float]]] = xy.tolist()
        self.new_subpath: list[bool] = gap.tolist()
        self.styles: list[tuple[bool, float, Any]] = []
        for background in (True, False):
            width = mob.get_stroke_width(background) * camera.cairo_line_width_multiple
            if width > 0:
                self.styles.append((background, width, camera.get_stroke_rgbas(mob, background)))


class _Unit:
    """One thing to draw between faces: a run of stroke pieces or a whole mobject.

    ``key`` is the number of faces drawn before it; ``order`` sorts units with the same key
    (depth for ``"on"``/``"depth"`` overlays, the order given for ``"over"`` overlays).
    ``stroke`` is set for a run ``start:end`` of an open stroke's pieces.
    """

    __slots__ = ("end", "key", "mob", "order", "start", "stroke")

    def __init__(
        self,
        mob: VMobject,
        key: int,
        order: tuple[int, float],
        stroke: _Stroke | None = None,
        start: int = 0,
        end: int = 0,
    ) -> None:
        self.mob = mob
        self.key = key
        self.order = order
        self.stroke = stroke
        self.start = start
        self.end = end


class _FaceIndex:
    """Face centres in a k-d tree, to find the faces near a mark quickly."""

    #: Most faces looked at around one probe; a regular grid has about 4 to 12 within reach.
    NEIGHBOURS = 32

    def __init__(self, centers: FloatArray, rank_plus_one: npt.NDArray[np.int64]) -> None:
        self.tree = cKDTree(centers)
        self.n = len(centers)
        # rank of each face in the drawing order plus one, and 0 for "no face"
        self.rank = np.append(rank_plus_one, 0)

    def last_rank_within(self, points: FloatArray, reach: float) -> npt.NDArray[np.int64]:
        """For each point, the largest ``rank + 1`` of the faces within ``reach`` (0 if none)."""
        k = min(self.NEIGHBOURS, self.n)
        _, idx = self.tree.query(points, k=k, distance_upper_bound=reach)
        idx = np.asarray(idx).reshape(len(points), k)
        result: npt.NDArray[np.int64] = self.rank[idx].max(axis=1)
        return result


class _HudImage:
    """A fixed-in-frame mobject drawn once: its image and where its top-left pixel goes."""

    __slots__ = ("drawn", "nbytes", "surface", "x", "y")

    def __init__(
        self, surface: cairo.ImageSurface | None, x: int, y: int, drawn: bool = True
    ) -> None:
        self.surface = surface
        self.x = x
        self.y = y
        self.drawn = drawn  # False: draw the mobject directly instead
        self.nbytes = 0 if surface is None else surface.get_stride() * surface.get_height()


class FastThreeDCamera(ThreeDCamera):
    """A ``ThreeDCamera`` that draws :class:`FastSurface` mobjects with vectorised numpy.

    Everything else is drawn exactly as by ``ThreeDCamera``. Two additions:

    - overlays of a displayed :class:`FastSurface` are taken out of the normal drawing order and
      drawn by the surface between its faces (see :meth:`FastSurface.add_overlay`);
    - with ``hud_on_top=True`` (default) mobjects fixed in frame are drawn after everything else,
      so a caption or a formula is never painted over by a surface added later.
    """

    #: Most bytes of pixels kept for fixed-in-frame mobjects (see :meth:`hud_image`).
    HUD_CACHE_BYTES = 32 * 2**20

    def __init__(
        self, *args: Any, hud_on_top: bool = True, hud_cache: bool = True, **kwargs: Any
    ) -> None:
        patches.require("camera-capture")  # its capture_mobjects is manim 0.22's, extended
        super().__init__(*args, **kwargs)
        self.hud_on_top = hud_on_top
        self.hud_cache = hud_cache
        self._overlay_members: dict[int, list[tuple[Mobject, OverlayMode]]] = {}
        self._hud_images: OrderedDict[tuple[Any, ...], _HudImage] = OrderedDict()
        self._hud_bytes = 0
        self._hud_last: dict[int, tuple[Any, ...]] = {}  # each fixed mobject's key last frame

    # -- which mobjects, in which order ---------------------------------------------------------

    def get_mobjects_to_display(self, *args: Any, **kwargs: Any) -> list[Mobject]:
        mobjects = super().get_mobjects_to_display(*args, **kwargs)
        surfaces = [m for m in mobjects if isinstance(m, FastSurface)]
        self._overlay_members = {}
        if surfaces:
            present = {id(m) for m in mobjects}
            claimed: set[int] = set()
            for surface in surfaces:
                members: list[tuple[Mobject, OverlayMode]] = []
                for overlay, mode in surface._overlays:
                    for member in overlay.get_family():
                        key = id(member)
                        if key in present and key not in claimed:
                            claimed.add(key)
                            members.append((member, mode))
                self._overlay_members[id(surface)] = members
            mobjects = [m for m in mobjects if id(m) not in claimed]
        if self.hud_on_top and self.fixed_in_frame_mobjects:
            fixed = self.fixed_in_frame_mobjects
            mobjects = [m for m in mobjects if m not in fixed] + [m for m in mobjects if m in fixed]
        return mobjects

    def capture_mobjects(self, mobjects: Iterable[Mobject], **kwargs: Any) -> None:
        """Draw ``mobjects`` as ``ThreeDCamera`` does, but surfaces and HUD images its own way."""
        drawers: dict[type[Mobject], patches.Drawer] = {FastSurface: self._display_fast_surfaces}
        if self.hud_cache and self.fixed_in_frame_mobjects:
            drawers[VMobject] = self._display_vmobjects
        patches.capture_by_kind(self, mobjects, drawers, **kwargs)

    def _display_fast_surfaces(self, surfaces: list[FastSurface]) -> None:
        ctx = self.get_cairo_context(self.pixel_array)
        for surface in surfaces:
            self.display_fast_surface(surface, ctx)

    # -- fixed-in-frame mobjects ----------------------------------------------------------------

    def _display_vmobjects(self, vmobjects: list[VMobject]) -> None:
        """Draw ``vmobjects`` in order; the fixed-in-frame ones from :meth:`hud_image`."""
        fixed = self.fixed_in_frame_mobjects
        ctx = self.get_cairo_context(self.pixel_array)
        m = ctx.get_matrix()
        matrix = (m.xx, m.yx, m.xy, m.yy, m.x0, m.y0)  # tuple(m), which pycairo's stubs lack
        pending: list[VMobject] = []
        last, seen = self._hud_last, {}
        for mob in vmobjects:
            key = self._hud_key(mob, matrix) if mob in fixed else None
            image = None
            if key is not None:
                seen[id(mob)] = key
                # a mobject that changes every frame (a running number) is drawn directly: an
                # image of it would never be used twice
                if key in self._hud_images or last.get(id(mob)) == key:
                    image = self.hud_image(mob, ctx, key)
            if image is None or not image.drawn:
                pending.append(mob)
                continue
            if pending:  # painter's order: whatever came before is drawn first
                self.display_multiple_vectorized_mobjects(pending, self.pixel_array)
                pending = []
            if image.surface is not None:
                ctx.save()
                ctx.identity_matrix()
                ctx.set_source_surface(image.surface, image.x, image.y)
                ctx.paint()
                ctx.restore()
        if pending:
            self.display_multiple_vectorized_mobjects(pending, self.pixel_array)
        self._hud_last = seen

    @staticmethod
    def _hud_key(mob: VMobject, matrix: tuple[float, ...]) -> tuple[Any, ...] | None:
        """Everything that decides the pixels of a fixed-in-frame ``mob``, or None if uncachable.

        A mobject with a background image or with 3D shading (whose colours follow the camera)
        is drawn directly.
        """
        try:
            if mob.background_image is not None or mob.shade_in_3d:
                return None
            return (
                matrix,
                mob.points.tobytes(),
                mob.fill_rgbas.tobytes(),
                mob.stroke_rgbas.tobytes(),
                mob.background_stroke_rgbas.tobytes(),
                mob.stroke_width,
                mob.background_stroke_width,
                tuple(mob.sheen_direction),
                mob.joint_type,
                mob.cap_style,
            )
        except (AttributeError, TypeError):
            return None

    def hud_image(
        self, mob: VMobject, ctx: cairo.Context[cairo.ImageSurface], key: tuple[Any, ...]
    ) -> _HudImage:
        """A small image of a fixed-in-frame ``mob``, made the first time it is asked for.

        A heads-up display (titles, formulas, legends) is the same from frame to frame while the
        camera orbits, yet Manim builds every glyph's Cairo path again each frame. Here each
        fixed-in-frame vector mobject is rasterised once, with the frame's own transform shifted
        by whole pixels (so anti-aliasing is the same), into an image just big enough for it,
        and then painted with one Cairo call as long as nothing that shapes it (``key``: points,
        colours, widths, sheen, joints) has changed. The camera asks for an image once a mobject
        has looked the same two frames running. Painting a premultiplied image over the
        frame gives the pixels drawing the paths would give, to within rounding.

        An image with ``drawn`` False means ``mob`` must be drawn the ordinary way (its points
        are not finite).
        """
        image = self._hud_images.get(key)
        if image is None:
            image = self._rasterise(mob, ctx)
            image.nbytes += len(key[1]) + 512
            self._hud_images[key] = image
            self._hud_bytes += image.nbytes
            while self._hud_bytes > self.HUD_CACHE_BYTES and len(self._hud_images) > 1:
                _, old = self._hud_images.popitem(last=False)
                self._hud_bytes -= old.nbytes
        else:
            self._hud_images.move_to_end(key)
        return image

    def _rasterise(self, mob: VMobject, ctx: cairo.Context[cairo.ImageSurface]) -> _HudImage:
        m = ctx.get_matrix()
        pts = np.asarray(mob.points, dtype=np.float64)
        if not np.all(np.isfinite(pts)):
            return _HudImage(None, 0, 0, drawn=False)
        dev_x = m.xx * pts[:, 0] + m.xy * pts[:, 1] + m.x0
        dev_y = m.yx * pts[:, 0] + m.yy * pts[:, 1] + m.y0
        # Bézier curves lie inside their control points' hull; strokes reach half their width
        # out, and a mitred corner up to five widths (Cairo's miter limit is 10)
        width = max(mob.get_stroke_width(), mob.get_stroke_width(background=True))
        width_px = width * self.cairo_line_width_multiple * abs(m.xx)
        pad = 3.0 + 5.0 * width_px
        x0 = max(int(np.floor(dev_x.min() - pad)), 0)
        y0 = max(int(np.floor(dev_y.min() - pad)), 0)
        x1 = min(int(np.ceil(dev_x.max() + pad)), self.pixel_width)
        y1 = min(int(np.ceil(dev_y.max() + pad)), self.pixel_height)
        if x1 <= x0 or y1 <= y0:
            return _HudImage(None, 0, 0)  # off the frame: nothing to draw
        surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, x1 - x0, y1 - y0)
        sub = cairo.Context(surface)
        sub.set_matrix(cairo.Matrix(m.xx, m.yx, m.xy, m.yy, m.x0 - x0, m.y0 - y0))
        self.display_vectorized(mob, sub)
        surface.flush()
        return _HudImage(surface, x0, y0)

    # -- projection of a surface ----------------------------------------------------------------

    def project_vertices(self, points: FloatArray) -> FloatArray:
        """:func:`project` with this camera's current state (``(n, 3)`` -> ``(n, 3)``)."""
        return project(
            points,
            self.get_rotation_matrix(),
            np.asarray(self.frame_center, dtype=np.float64),
            self.get_focal_distance(),
            self.get_zoom(),
            self.exponential_projection,
        )

    def surface_draw_data(
        self, surface: FastSurface
    ) -> tuple[npt.NDArray[np.intp], FloatArray, FloatArray]:
        """Per-frame arrays for ``surface``.

        Returns
        -------
        tuple
            ``order`` (face indices far to near), ``corners`` (``(f, 4, 3)`` projected corners:
            frame x, y and camera depth) and ``rgba`` (``(f, 4)`` shaded fill colours), the last
            two in face order.
        """
        proj = self.project_vertices(surface.points)
        corners = proj[surface.faces]  # (f, 4, 3)
        depth = corners[:, :, 2].mean(axis=1)
        order = np.argsort(depth, kind="stable")
        rgba = surface.face_rgbas.copy()
        if surface.shade_in_3d_faces and self.should_apply_shading:
            rgba[:, :3] = shade(
                rgba[:, :3],
                surface.face_centers(),
                surface.face_normals(),
                np.asarray(self.light_source.points[0], dtype=np.float64),
                surface.shading,
            )
        return order, corners, rgba

    # -- drawing --------------------------------------------------------------------------------

    def display_fast_surface(
        self, surface: FastSurface, ctx: cairo.Context[cairo.ImageSurface]
    ) -> None:
        """Draw ``surface`` and its overlays into ``ctx`` (painter's algorithm)."""
        if surface.n_faces == 0:
            return
        order, corners, rgba = self.surface_draw_data(surface)
        depth_sorted = corners[order, :, 2].mean(axis=1)
        units = self._overlay_units(surface, order, depth_sorted)

        fill = rgba[order]
        vis = (fill[:, 3] > 0).tolist()
        fill_list = fill[:, [2, 1, 0, 3]].tolist()  # Cairo's pixel array is BGRA, like Manim
        stroke_width = surface.stroke_width * self.cairo_line_width_multiple
        mesh = surface.stroke_rgba
        quad = corners[order, :, :2]
        mesh_list: list[list[float]] | None = None
        if mesh is not None and stroke_width > 0:
            mesh_rgb = np.broadcast_to(mesh[:3], fill[:, :3].shape)
            if surface.shade_in_3d_faces and self.should_apply_shading:
                # shade the mesh like the stock camera shades a face's stroke
                mesh_rgb = np.clip(mesh_rgb + (fill[:, :3] - surface.face_rgbas[order, :3]), 0, 1)
            alpha = np.full(len(order), mesh[3]) * (fill[:, 3] > 0)
            mesh_list = np.column_stack([mesh_rgb[:, ::-1], alpha]).tolist()
        elif fill[:, 3].min() >= 1.0:
            # Opaque faces in their own colour: instead of stroking every face (the stock way of
            # hiding the hairline seams between anti-aliased neighbours, and half the drawing
            # time), grow each face by half a pixel (or half the stroke width) away from its
            # centre; the nearer neighbour, drawn later, covers the overlap.
            grow = max(0.5 * stroke_width, 0.5 * self.frame_width / self.pixel_width)
            out = quad - quad.mean(axis=1, keepdims=True)
            length = np.linalg.norm(out, axis=2, keepdims=True)
            quad = quad + grow * np.divide(out, length, out=np.zeros_like(out), where=length > 0)
        xy = quad.reshape(len(order), 8).tolist()

        move_to, line_to, close = ctx.move_to, ctx.line_to, ctx.close_path
        set_rgba, fill_preserve, fill_only = ctx.set_source_rgba, ctx.fill_preserve, ctx.fill
        stroke, new_path = ctx.stroke, ctx.new_path

        def draw_faces(lo: int, hi: int) -> None:
            new_path()
            ctx.set_line_join(cairo.LINE_JOIN_ROUND)
            ctx.set_line_width(stroke_width)
            for k in range(lo, hi):
                if not vis[k]:
                    continue
                x0, y0, x1, y1, x2, y2, x3, y3 = xy[k]
                move_to(x0, y0)
                line_to(x1, y1)
                line_to(x2, y2)
                line_to(x3, y3)
                close()
                set_rgba(*fill_list[k])
                if mesh_list is not None:
                    fill_preserve()
                    set_rgba(*mesh_list[k])
                    stroke()
                else:
                    fill_only()
            new_path()

        done = 0
        for key, group in it.groupby(units, key=lambda u: u.key):
            draw_faces(done, key)
            done = key
            for unit in group:
                self._draw_unit(unit, ctx)
        draw_faces(done, len(order))

    def _overlay_units(
        self, surface: FastSurface, order: npt.NDArray[np.intp], depth_sorted: FloatArray
    ) -> list[_Unit]:
        """Cut the surface's displayed overlays into units and give each its draw position."""
        members = self._overlay_members.get(id(surface), [])
        if not members:
            return []
        rank_plus_one = np.empty(len(order), dtype=np.int64)
        rank_plus_one[order] = np.arange(1, len(order) + 1)
        centers = surface.face_centers()
        reach = surface.face_reach()
        tree = _FaceIndex(centers, rank_plus_one)
        rot = self.get_rotation_matrix()
        fc = np.asarray(self.frame_center, dtype=np.float64)
        units: list[_Unit] = []
        for seq, (mob, mode) in enumerate(members):
            if not isinstance(mob, VMobject) or mob.get_num_points() == 0:
                continue
            pts = np.asarray(mob.points, dtype=np.float64)
            if not np.all(np.isfinite(pts)):
                continue
            if mode == "over":
                units.append(_Unit(mob, len(order), (1, float(seq))))
                continue
            on_surface = mode == "on"
            if mob.get_fill_opacity() > 0 or mob.get_num_points() < 4:
                # a filled shape (dot, label) is one unit, keyed at its centre
                if mob in self.fixed_orientation_mobjects:
                    anchor = np.asarray(self.fixed_orientation_mobjects[mob](), dtype=np.float64)
                else:
                    anchor = mob.get_center()
                ring = 0.5 * mob.get_stroke_width(background=True) * self.cairo_line_width_multiple
                radius = 0.5 * max(mob.width, mob.height, mob.depth) + ring
                margin = 2.0 * radius / max(self.get_zoom(), 1e-6)  # as for strokes, below
                cam = ((anchor - fc) @ rot.T)[None, :]
                keys = self._keys(
                    anchor[None, None, :], cam, tree, depth_sorted, reach + margin, on_surface
                )
                units.append(_Unit(mob, int(keys[0]), (0, float(cam[0, 2]))))
                continue
            # an open stroke is cut into its Bézier pieces, each keyed on its own
            n_curves = len(pts) // 4
            curves = pts[: 4 * n_curves].reshape(n_curves, 4, 3)
            probes = np.stack([curves[:, 0], 0.5 * (curves[:, 0] + curves[:, 3]), curves[:, 3]], 1)
            cam_mid = (probes[:, 1] - fc) @ rot.T
            # The stroke's half-width (casing included) is in frame units; on a surface seen at a
            # slant it covers up to about twice that along the surface, and zoom scales it.
            widest = max(mob.get_stroke_width(), mob.get_stroke_width(background=True))
            half_width = 0.5 * widest * self.cairo_line_width_multiple
            margin = 2.0 * half_width / max(self.get_zoom(), 1e-6)
            keys = self._keys(probes, cam_mid, tree, depth_sorted, reach + margin, on_surface)
            # runs of consecutive pieces with the same key become one stroke (a gap between
            # pieces, as between the dashes of a dashed line, starts a new subpath in it)
            breaks = np.flatnonzero(np.diff(keys) != 0) + 1
            bounds = np.concatenate([[0], breaks, [n_curves]]).tolist()
            stroke = _Stroke(self, mob)
            for a, b in it.pairwise(bounds):
                depth = float(cam_mid[a:b, 2].mean())
                units.append(_Unit(mob, int(keys[a]), (0, depth), stroke, a, b))
        units.sort(key=lambda u: (u.key, u.order))
        return units

    @staticmethod
    def _keys(
        probes: FloatArray,
        cam_mid: FloatArray,
        faces: _FaceIndex,
        depth_sorted: FloatArray,
        reach: float,
        on_surface: bool,
    ) -> npt.NDArray[np.int64]:
        """Number of faces to draw before each unit.

        ``probes`` is ``(k, p, 3)`` points of each unit, ``cam_mid`` ``(k, 3)`` camera-space
        centres. Depth rule: after every face farther than the unit. Surface rule: after every
        face whose centre is within ``reach`` of one of the unit's probes.
        """
        keys = np.searchsorted(depth_sorted, cam_mid[:, 2], side="left").astype(np.int64)
        if on_surface:
            k, p, _ = probes.shape
            near = faces.last_rank_within(probes.reshape(-1, 3), reach)
            keys = np.maximum(keys, near.reshape(k, p).max(axis=1))
        return keys

    def _draw_unit(self, unit: _Unit, ctx: cairo.Context[cairo.ImageSurface]) -> None:
        stroke = unit.stroke
        if stroke is None:
            self.display_vectorized(unit.mob, ctx)
            ctx.new_path()  # display_vectorized leaves its path in the context
            return
        curves = stroke.curves[unit.start : unit.end]
        new_subpath = stroke.new_subpath[unit.start : unit.end]

        def trace() -> None:
            ctx.new_path()
            for k, (c, new) in enumerate(zip(curves, new_subpath, strict=True)):
                if new or k == 0:  # a run starts mid-path: move to its first point
                    ctx.move_to(c[0][0], c[0][1])
                ctx.curve_to(c[1][0], c[1][1], c[2][0], c[2][1], c[3][0], c[3][1])

        ctx.set_line_join(cairo.LINE_JOIN_ROUND)
        for background, width, rgbas in stroke.styles:
            self.set_cairo_context_color(ctx, rgbas, unit.mob)
            ctx.set_line_width(width)
            if background:
                # The casing of consecutive runs meets end to end (butt caps), so it never
                # paints over the line of the run before; the path's own two ends get round
                # casing caps.
                trace()
                ctx.set_line_cap(cairo.LINE_CAP_BUTT)
                ctx.stroke()
                ends = [curves[0][0]] if unit.start == 0 else []
                ends += [curves[-1][3]] if unit.end == stroke.n else []
                for x, y in ends:
                    ctx.new_path()
                    ctx.arc(x, y, width / 2, 0, 2 * np.pi)
                    ctx.fill()
            else:
                trace()
                ctx.set_line_cap(cairo.LINE_CAP_ROUND)  # pieces meet without a visible joint
                ctx.stroke()
        ctx.new_path()


class FastThreeDScene(ThreeDScene):
    """A ``ThreeDScene`` whose camera is :class:`FastThreeDCamera`.

    While anything moves, the whole scene is redrawn each frame (instead of Manim's cached
    static background), so a moving path is always depth-merged with the surface it lies on and
    the fixed-in-frame text stays on top.
    """

    def __init__(self, camera_class: type[ThreeDCamera] = FastThreeDCamera, **kwargs: Any) -> None:
        super().__init__(camera_class=camera_class, **kwargs)  # type: ignore[no-untyped-call]  # manim's ThreeDScene.__init__ is unannotated

    def frames_played(self) -> int:
        """Frames of video so far, counted as rendering makes them, cached animations included.

        Manim's clock (``renderer.time``) advances by whole frames while it renders an animation
        and by the exact run time when it takes one from the cache; the two differ whenever a
        run time is not a whole number of frames. This count is the same either way.
        """
        played: int = getattr(self, "_frames_before_play", 0)
        start: float = getattr(self, "_play_start_time", 0.0)
        return played + round((self.renderer.time - start) * config.frame_rate)

    def play(self, *args: Any, **kwargs: Any) -> None:
        self._frames_before_play = self.frames_played()
        self._play_start_time = self.renderer.time
        super().play(*args, **kwargs)
        fps = config.frame_rate
        duration = float(getattr(self, "duration", 0.0) or 0.0)
        self._frames_before_play += len(np.arange(0.0, duration, 1.0 / fps))
        self._play_start_time = self.renderer.time

    def begin_ambient_camera_rotation(self, rate: float = 0.02, about: str = "theta") -> None:
        """Turn the camera at ``rate`` radians per second about ``about`` (theta, phi or gamma).

        Unlike Manim's version, which adds ``rate * dt`` every frame, the angle is computed from
        the frames played since the rotation began (:meth:`frames_played`):
        ``angle0 + rate * frames / fps``. Adding per frame comes out differently when an
        animation is taken from the partial-movie cache instead of rendered, which changes the
        cache key of every later animation; counting frames gives the same angle either way.
        """
        trackers = {
            "theta": self.camera.theta_tracker,
            "phi": self.camera.phi_tracker,
            "gamma": self.camera.gamma_tracker,
        }
        if about.lower() not in trackers:
            raise ValueError(f"Invalid ambient rotation angle {about!r}: use theta, phi or gamma.")
        tracker = trackers[about.lower()]
        fps = float(config.frame_rate)
        frame0 = self.frames_played()
        angle0 = float(tracker.get_value())
        scene = self  # (the closure must not hold the renderer: its clock would enter the hash)

        def turn(m: Mobject, dt: float) -> None:
            m.set_value(angle0 + rate * (scene.frames_played() - frame0) / fps)

        tracker.add_updater(turn)
        self.add(tracker)

    def get_moving_mobjects(self, *animations: Animation) -> list[Mobject]:
        moving = super().get_moving_mobjects(*animations)
        return list(self.mobjects) if moving else moving
