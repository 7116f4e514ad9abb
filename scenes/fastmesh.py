"""The fast shaded surface mobject: a whole vertex grid as one mobject (see ``scenes.fastsurface``).

:class:`FastSurface` holds the grid, its faces, colours and overlays; :func:`project` and
:func:`shade` are the vectorised projection and light model the camera
(``scenes.fastcamera.FastThreeDCamera``) draws it with; :func:`lift_onto` puts marks just above
it. How the pieces fit is told in :mod:`scenes.fastsurface`, which re-exports them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
from manim import BLUE_D, ManimColor, Mobject, ParsableManimColor, color_to_rgba

__all__ = [
    "FloatArray",
    "FastSurface",
    "OverlayMode",
    "lift_onto",
    "project",
    "shade",
]

FloatArray = npt.NDArray[np.float64]
#: How a surface draws an overlay: see :meth:`FastSurface.add_overlay`.
OverlayMode = Literal["on", "depth", "over"]


def project(
    points: FloatArray,
    rotation: FloatArray,
    frame_center: FloatArray,
    focal_distance: float,
    zoom: float,
    exponential: bool = False,
) -> FloatArray:
    """Project 3D points to the frame, exactly as ``ThreeDCamera.project_points`` does.

    With :math:`R` the camera rotation, :math:`c` the frame centre, :math:`d` the focal distance
    and :math:`s` the zoom, a point :math:`p` becomes :math:`q = R (p - c)` and

    .. math:: x' = s\\, q_x \\frac{d}{d - q_z}, \\qquad y' = s\\, q_y \\frac{d}{d - q_z},
              \\qquad z' = q_z ,

    with the factor set to :math:`10^6` behind the camera (:math:`q_z > d`), as Manim does.

    Parameters
    ----------
    points
        ``(n, 3)`` points in scene coordinates.
    rotation
        The camera's ``(3, 3)`` rotation matrix.
    frame_center, focal_distance, zoom
        The camera's frame centre, focal distance and zoom.
    exponential
        Manim's ``exponential_projection`` option.

    Returns
    -------
    numpy.ndarray
        ``(n, 3)``: the projected x, y, and the camera-space depth (larger is nearer).

    Examples
    --------
    >>> import numpy as np
    >>> project(np.array([[1.0, 2.0, 0.0]]), np.eye(3), np.zeros(3), 20.0, 1.0).tolist()
    [[1.0, 2.0, 0.0]]
    """
    q = (np.asarray(points, dtype=np.float64) - frame_center) @ np.asarray(rotation).T
    zs = q[:, 2]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if exponential:
            factor = np.exp(zs / focal_distance)
            behind = zs < 0
            factor[behind] = focal_distance / (focal_distance - zs[behind])
        else:
            factor = focal_distance / (focal_distance - zs)
            factor[(focal_distance - zs) < 0] = 10**6
    q[:, :2] *= (factor * zoom)[:, None]
    return q


def shade(
    rgb: FloatArray,
    centers: FloatArray,
    normals: FloatArray,
    light_source: FloatArray,
    strength: float = 1.0,
) -> FloatArray:
    """Manim's light shading, vectorised over faces.

    The formula of :func:`manim.utils.color.get_shaded_rgb`:
    :math:`c' = c + \\ell`, :math:`\\ell = \\tfrac12 (n \\cdot \\hat s)^3`, halved when negative,
    with :math:`n` the unit face normal and :math:`\\hat s` the unit vector from the face to the
    light. The result is clipped to ``[0, 1]`` (Cairo clamps the same way).

    Parameters
    ----------
    rgb
        ``(f, 3)`` base colours in ``[0, 1]``.
    centers, normals
        ``(f, 3)`` face centres and unit normals.
    light_source
        ``(3,)`` position of the light.
    strength
        Multiplies :math:`\\ell`; 1 is Manim's shading.

    Returns
    -------
    numpy.ndarray
        ``(f, 3)`` shaded colours.

    Examples
    --------
    >>> import numpy as np
    >>> out = shade(np.full((1, 3), 0.2), np.zeros((1, 3)), np.array([[0.0, 0.0, 1.0]]),
    ...             np.array([0.0, 0.0, 5.0]))
    >>> out.round(3).tolist()
    [[0.7, 0.7, 0.7]]
    """
    to_sun = light_source - centers
    to_sun /= np.maximum(np.linalg.norm(to_sun, axis=1, keepdims=True), 1e-12)
    light = 0.5 * np.einsum("ij,ij->i", normals, to_sun) ** 3
    light = strength * np.where(light < 0, 0.5 * light, light)
    shaded: FloatArray = np.clip(rgb + light[:, None], 0.0, 1.0)
    return shaded


def lift_onto(points: FloatArray, normals: FloatArray, height: float) -> FloatArray:
    """Move points a small ``height`` along unit ``normals`` (both ``(n, 3)``).

    Scenes put descent paths on a surface this way so that they sit just above the faces.

    Examples
    --------
    >>> import numpy as np
    >>> lift_onto(np.zeros((1, 3)), np.array([[0.0, 0.0, 2.0]]), 0.1).tolist()
    [[0.0, 0.0, 0.1]]
    """
    n = np.asarray(normals, dtype=np.float64)
    n = n / np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-12)
    lifted: FloatArray = np.asarray(points, dtype=np.float64) + height * n
    return lifted


class FastSurface(Mobject):
    """A parametric surface drawn as one mobject by :class:`FastThreeDCamera`.

    The vertex grid ``func(u, v)`` on ``(resolution_u + 1) x (resolution_v + 1)`` samples is the
    mobject's ``points``, so ``shift``, ``scale``, ``rotate``, ``apply_function`` and
    ``Transform``/``FadeIn``/``FadeOut`` behave as for any mobject. Face ``(i, j)`` has the
    corners ``(u_i, v_j), (u_{i+1}, v_j), (u_{i+1}, v_{j+1}), (u_i, v_{j+1})`` — the same faces,
    in the same order, as the stock ``Surface``.

    Where ``func`` gives a point that is not finite (a function undefined there, such as
    :math:`\\log x` for :math:`x \\le 0`), the surface has a hole: every face with such a
    corner is left out (:attr:`faces` lists the faces drawn), and the vertex is moved to the
    mean of the finite ones so that the mobject's points, bounding box and transforms stay
    finite.

    Parameters
    ----------
    func
        ``(u, v) -> (x, y, z)`` in scene coordinates. With ``vectorized=True`` it is called once
        with two arrays of shape ``(nu + 1, nv + 1)`` and must return ``(nu + 1, nv + 1, 3)``.
    u_range, v_range
        Parameter ranges.
    resolution
        Faces along ``u`` and ``v`` (an int for both).
    fill_color
        One colour for every face (see :meth:`set_face_colors` for a colour per face).
    fill_opacity
        Face opacity.
    checkerboard_colors
        Alternate these colours like the stock ``Surface``; ``None`` for a plain fill.
    stroke_color
        Colour of the mesh lines; ``None`` strokes each face in its own colour, which hides the
        hairline seams between anti-aliased faces (the look of a stock ``Surface`` coloured with
        ``set_fill_by_value``).
    stroke_width
        Width of the face outlines in Manim stroke units (the stock default is 0.5); 0 for none.
    stroke_opacity
        Opacity of the mesh lines.
    shade_in_3d
        Apply Manim's light shading per face.
    shading
        Strength of the shading (1 is Manim's; less keeps the colours of a colour map truer).
    vectorized
        Whether ``func`` accepts arrays.
    """

    def __init__(
        self,
        func: Callable[..., Any],
        u_range: Sequence[float] = (0.0, 1.0),
        v_range: Sequence[float] = (0.0, 1.0),
        resolution: int | Sequence[int] = 32,
        fill_color: ParsableManimColor = BLUE_D,
        fill_opacity: float = 1.0,
        checkerboard_colors: Sequence[ParsableManimColor] | None = None,
        stroke_color: ParsableManimColor | None = None,
        stroke_width: float = 0.5,
        stroke_opacity: float = 1.0,
        shade_in_3d: bool = True,
        shading: float = 1.0,
        vectorized: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        nu, nv = (resolution, resolution) if isinstance(resolution, int) else resolution
        self.resolution = (int(nu), int(nv))
        self.u_range = (float(u_range[0]), float(u_range[1]))
        self.v_range = (float(v_range[0]), float(v_range[1]))
        u = np.linspace(*self.u_range, nu + 1)
        v = np.linspace(*self.v_range, nv + 1)
        uu, vv = np.meshgrid(u, v, indexing="ij")
        if vectorized:
            grid = np.asarray(func(uu, vv), dtype=np.float64)
        else:
            grid = np.array(
                [
                    [func(a, b) for a, b in zip(ru, rv, strict=True)]
                    for ru, rv in zip(uu, vv, strict=True)
                ],
                dtype=np.float64,
            )
        if grid.shape != (nu + 1, nv + 1, 3):
            raise ValueError(
                f"FastSurface: func must give points of shape {(nu + 1, nv + 1, 3)}, "
                f"got {grid.shape}"
            )
        points = grid.reshape(-1, 3).copy()
        #: Whether each vertex is a finite point (``False`` where ``func`` is undefined).
        self.defined = np.all(np.isfinite(points), axis=1)
        if not self.defined.all():
            fill = points[self.defined].mean(axis=0) if self.defined.any() else np.zeros(3)
            points[~self.defined] = fill
        self.points = points
        self.uv = np.stack([uu, vv], axis=-1).reshape(-1, 2)
        ii, jj = np.meshgrid(np.arange(nu), np.arange(nv), indexing="ij")
        i, j = ii.ravel(), jj.ravel()
        w = nv + 1
        #: ``(f, 4)`` vertex indices of each face, stock ``Surface`` face order and corner order;
        #: faces with a corner where ``func`` is undefined are left out.
        self.faces = np.stack(
            [i * w + j, (i + 1) * w + j, (i + 1) * w + j + 1, i * w + j + 1], axis=1
        )
        self.face_ij = np.stack([i, j], axis=1)
        keep = self.defined[self.faces].all(axis=1)
        if not keep.all():
            self.faces, self.face_ij = self.faces[keep], self.face_ij[keep]
        self.shade_in_3d_faces = shade_in_3d
        self.shading = float(shading)
        self.stroke_width = float(stroke_width)
        self.stroke_rgba: FloatArray | None = (
            None if stroke_color is None else self._rgba(stroke_color, stroke_opacity)
        )
        self.face_rgbas = np.tile(self._rgba(fill_color, fill_opacity), (len(self.faces), 1))
        if checkerboard_colors:
            self.set_fill_by_checkerboard(*checkerboard_colors, opacity=fill_opacity)
        self._overlays: list[tuple[Mobject, OverlayMode]] = []

    # -- construction helpers -------------------------------------------------------------------

    @staticmethod
    def _rgba(color: ParsableManimColor, opacity: float) -> FloatArray:
        rgba = np.array(color_to_rgba(ManimColor(color)), dtype=np.float64)
        rgba[3] = opacity
        return rgba

    def __deepcopy__(self, memo: dict[int, Any]) -> FastSurface:
        # Copies (FadeIn's starting copy, Transform targets) share the overlay list: the marks
        # on a surface are scene objects of their own and must not be duplicated.
        overlays = self._overlays
        self._overlays = []
        try:
            result = super().__deepcopy__(memo)
        finally:
            self._overlays = overlays
        result._overlays = overlays
        return result

    # -- geometry -------------------------------------------------------------------------------

    @property
    def n_faces(self) -> int:
        """Number of faces."""
        return len(self.faces)

    def face_corners(self) -> FloatArray:
        """``(f, 4, 3)`` corners of every face in scene coordinates."""
        corners: FloatArray = self.points[self.faces]
        return corners

    def face_centers(self) -> FloatArray:
        """``(f, 3)`` mean of each face's corners."""
        centers: FloatArray = self.face_corners().mean(axis=1)
        return centers

    def face_normals(self) -> FloatArray:
        """``(f, 3)`` unit normals (cross product of the diagonals, ``du x dv`` orientation)."""
        c = self.face_corners()
        n = np.cross(c[:, 2] - c[:, 0], c[:, 3] - c[:, 1])
        norm = np.linalg.norm(n, axis=1, keepdims=True)
        out: FloatArray = np.divide(n, norm, out=np.zeros_like(n), where=norm > 0)
        out[norm[:, 0] == 0] = (0.0, 0.0, 1.0)
        return out

    def face_reach(self) -> float:
        """Largest distance from a face centre to one of its corners."""
        c = self.face_corners()
        return float(np.linalg.norm(c - c.mean(axis=1, keepdims=True), axis=2).max())

    # -- colour ---------------------------------------------------------------------------------

    def set_face_colors(self, rgb: npt.ArrayLike, opacity: float | None = None) -> FastSurface:
        """Give each face its own colour.

        Parameters
        ----------
        rgb
            ``(f, 3)`` floats in ``[0, 1]`` (face order of :attr:`faces`), or a sequence of ``f``
            Manim colours.
        opacity
            New fill opacity; ``None`` keeps the current one.
        """
        arr = np.asarray(rgb)
        if arr.dtype.kind not in "fiu":
            colors = cast(Sequence[ParsableManimColor], rgb)  # not numbers: Manim colours
            arr = np.array([color_to_rgba(ManimColor(c))[:3] for c in colors], dtype=np.float64)
        arr = np.asarray(arr, dtype=np.float64)
        if arr.shape != (self.n_faces, 3):
            raise ValueError(
                f"set_face_colors: expected shape {(self.n_faces, 3)}, got {arr.shape}"
            )
        self.face_rgbas[:, :3] = arr
        if opacity is not None:
            self.face_rgbas[:, 3] = opacity
        return self

    def set_fill_by_value(
        self,
        values: npt.ArrayLike | Callable[[FloatArray], FloatArray],
        colormap: Callable[[FloatArray, float, float], npt.ArrayLike],
        vmin: float | None = None,
        vmax: float | None = None,
    ) -> FastSurface:
        """Colour faces by a value: ``colormap(values, vmin, vmax) -> (f, 3)``.

        ``values`` is an ``(f,)`` array, or a function of the ``(f, 3)`` face centres.
        """
        vals = np.asarray(values(self.face_centers()) if callable(values) else values, dtype=float)
        lo = float(np.min(vals)) if vmin is None else vmin
        hi = float(np.max(vals)) if vmax is None else vmax
        return self.set_face_colors(np.asarray(colormap(vals, lo, hi), dtype=np.float64)[:, :3])

    def set_fill_by_checkerboard(
        self, *colors: ParsableManimColor, opacity: float | None = None
    ) -> FastSurface:
        """Alternate ``colors`` like the stock ``Surface``."""
        rgbs = np.array([color_to_rgba(ManimColor(c))[:3] for c in colors])
        idx = (self.face_ij[:, 0] + self.face_ij[:, 1]) % len(colors)
        return self.set_face_colors(rgbs[idx], opacity)

    def set_fill(
        self,
        color: ParsableManimColor | None = None,
        opacity: float | None = None,
        family: bool = True,
    ) -> FastSurface:
        """One fill colour and/or opacity for every face."""
        if color is not None:
            self.face_rgbas[:, :3] = color_to_rgba(ManimColor(color))[:3]
        if opacity is not None:
            self.face_rgbas[:, 3] = opacity
        return self

    def set_stroke(
        self,
        color: ParsableManimColor | None = None,
        width: float | None = None,
        opacity: float | None = None,
        family: bool = True,
    ) -> FastSurface:
        """Mesh colour, width and opacity (colour ``None`` keeps the current mesh colour)."""
        if color is not None:
            alpha = 1.0 if self.stroke_rgba is None else float(self.stroke_rgba[3])
            self.stroke_rgba = self._rgba(color, alpha)
        if opacity is not None and self.stroke_rgba is not None:
            self.stroke_rgba[3] = opacity
        if width is not None:
            self.stroke_width = float(width)
        return self

    def set_color(
        self, color: ParsableManimColor = BLUE_D, alpha: Any = None, family: bool = True
    ) -> FastSurface:
        return self.set_fill(color)

    def get_color(self) -> ManimColor:
        return ManimColor(self.face_rgbas[:, :3].mean(axis=0))

    def set_opacity(self, opacity: float, family: bool = True) -> FastSurface:
        self.face_rgbas[:, 3] = opacity
        if self.stroke_rgba is not None:
            self.stroke_rgba[3] = opacity
        return self

    def fade(self, darkness: float = 0.5, family: bool = True) -> FastSurface:
        factor = 1.0 - darkness
        self.face_rgbas[:, 3] *= factor
        if self.stroke_rgba is not None:
            self.stroke_rgba[3] *= factor
        return self

    def interpolate_color(self, mobject1: Mobject, mobject2: Mobject, alpha: float) -> FastSurface:
        if isinstance(mobject1, FastSurface) and isinstance(mobject2, FastSurface):
            self.face_rgbas = (1 - alpha) * mobject1.face_rgbas + alpha * mobject2.face_rgbas
            s1, s2 = mobject1.stroke_rgba, mobject2.stroke_rgba
            if s1 is not None and s2 is not None:
                self.stroke_rgba = (1 - alpha) * s1 + alpha * s2
            self.stroke_width = (1 - alpha) * mobject1.stroke_width + alpha * mobject2.stroke_width
        return self

    # -- overlays -------------------------------------------------------------------------------

    def add_overlay(self, *mobjects: Mobject, mode: OverlayMode = "on") -> FastSurface:
        """Let this surface draw ``mobjects`` in its own turn, between or after its faces.

        Parameters
        ----------
        mobjects
            Mobjects to draw (with their families). Each is drawn only while it is in the scene.
        mode
            ``"on"``: marks lying on the surface (paths, dots). Depth order, and never before a
            face within their reach, so the surface they lie on cannot hide them.
            ``"depth"``: free 3D objects (an axis through the surface): plain depth order,
            piece by piece.
            ``"over"``: after every face, in the order given (lines drawn on a flat floor).
        """
        if mode not in ("on", "depth", "over"):
            raise ValueError(f"add_overlay: mode must be 'on', 'depth' or 'over', got {mode!r}")
        known = {id(m) for m, _ in self._overlays}
        for mob in mobjects:
            if id(mob) not in known:
                self._overlays.append((mob, mode))
        return self

    def remove_overlay(self, *mobjects: Mobject) -> FastSurface:
        """Stop drawing ``mobjects`` as overlays (the camera draws them normally again)."""
        drop = {id(m) for m in mobjects}
        self._overlays = [(m, s) for m, s in self._overlays if id(m) not in drop]
        return self

    @property
    def overlays(self) -> list[Mobject]:
        """The registered overlay mobjects."""
        return [m for m, _ in self._overlays]

