r"""Contour lines and height grids of a 2D objective over a view box.

Pure numpy: a height grid is sampled once, and marching squares turns it into contour lines, one
list of polylines per level. A polyline is an ``(n, 2)`` array of ``(x, y)`` points in the
objective's own coordinates; a closed contour repeats its first point at the end.

On each grid edge whose end values :math:`z_a, z_b` straddle the level :math:`c`, the contour
crosses at the linear interpolation

.. math::

    p = p_a + \frac{c - z_a}{z_b - z_a}\,(p_b - p_a),

so a contour is exact up to the grid spacing. The ambiguous (saddle) cells are resolved by the
value at the cell centre, the mean of the four corners.

Examples
--------
>>> import numpy as np
>>> from gdanim import objectives
>>> from gdanim.contours import contour_lines
>>> bowl = objectives.get("bowl")
>>> [[ring]] = contour_lines(bowl, (-2, 2, -2, 2), [1.0])
>>> bool(np.allclose(np.hypot(ring[:, 0], ring[:, 1]), 1.0, atol=1e-3))
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from gdanim._typing import ArrayLike, FloatArray

__all__ = [
    "ContourError",
    "SupportsValue",
    "View",
    "contour_lines",
    "contour_lines_from_grid",
    "default_levels",
    "filled_levels",
    "height_grid",
    "level_fraction",
]

#: A 2D view box ``(xmin, xmax, ymin, ymax)``.
View = Sequence[float]

IntArray = npt.NDArray[np.int64]


class ContourError(ValueError):
    """Invalid input to a contour function (a bad view box, resolution or grid shape)."""


class SupportsValue(Protocol):
    """Anything with a vectorised ``value(p)`` for points ``p`` of shape ``(..., 2)``.

    :class:`gdanim.objectives.Objective` is one.
    """

    def value(self, p: FloatArray) -> FloatArray:
        """Return the function value at every point of ``p``, shape ``p.shape[:-1]``."""
        ...


def _check_view(view: View) -> tuple[float, float, float, float]:
    box = tuple(float(v) for v in view)
    if len(box) != 4:
        raise ContourError(f"view must be (xmin, xmax, ymin, ymax), got {len(box)} numbers")
    xmin, xmax, ymin, ymax = box
    if not all(np.isfinite(box)):
        raise ContourError("view must be finite")
    if not (xmin < xmax and ymin < ymax):
        raise ContourError(f"view must have xmin < xmax and ymin < ymax, got {box}")
    return xmin, xmax, ymin, ymax


def _check_resolution(resolution: int | tuple[int, int]) -> tuple[int, int]:
    if isinstance(resolution, tuple):
        nx, ny = resolution
    else:
        nx = ny = resolution
    if isinstance(nx, bool) or isinstance(ny, bool) or int(nx) != nx or int(ny) != ny:
        raise ContourError(f"resolution must be integers, got {resolution!r}")
    if not (2 <= nx <= 10_000 and 2 <= ny <= 10_000):
        raise ContourError(f"resolution must be between 2 and 10000 samples, got {resolution!r}")
    return int(nx), int(ny)


def height_grid(
    objective: SupportsValue, view: View, resolution: int | tuple[int, int] = 200
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Sample the objective on a regular grid covering ``view``, edges included.

    Parameters
    ----------
    objective : SupportsValue
        A 2D objective (anything with a vectorised ``value``).
    view : sequence of float
        ``(xmin, xmax, ymin, ymax)``.
    resolution : int or (int, int)
        Samples along x and y (one number for both).

    Returns
    -------
    xs : ndarray, shape (nx,)
    ys : ndarray, shape (ny,)
    z : ndarray, shape (ny, nx)
        ``z[i, j] = f(xs[j], ys[i])``; row ``i`` runs along x at height ``ys[i]`` (``ys``
        increasing, so row 0 is the bottom of the view). Non-finite values are kept as they are.

    Examples
    --------
    >>> from gdanim import objectives
    >>> xs, ys, z = height_grid(objectives.get("bowl"), (-1, 1, -1, 1), 3)
    >>> z.tolist()
    [[2.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 1.0, 2.0]]
    """
    xmin, xmax, ymin, ymax = _check_view(view)
    nx, ny = _check_resolution(resolution)
    xs = np.linspace(xmin, xmax, nx)
    ys = np.linspace(ymin, ymax, ny)
    gx, gy = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        z = np.asarray(objective.value(np.stack([gx, gy], axis=-1)), dtype=np.float64)
    z = np.broadcast_to(z, gx.shape).copy()
    return xs, ys, z


# Marching squares. Corners of cell (i, j): bit 0 = (i, j), bit 1 = (i, j+1), bit 2 = (i+1, j+1),
# bit 3 = (i+1, j); a bit is set when the corner is at or above the level. Edges: 0 bottom,
# 1 right, 2 top, 3 left. Each case maps to at most two segments (pairs of edges); the two saddle
# cases (5 and 10) have one table for "centre below" and one for "centre at or above".
_NONE = (-1, -1, -1, -1)
_SEGMENTS: tuple[tuple[int, int, int, int], ...] = (
    _NONE,  # 0
    (3, 0, -1, -1),  # 1
    (0, 1, -1, -1),  # 2
    (3, 1, -1, -1),  # 3
    (1, 2, -1, -1),  # 4
    (3, 0, 1, 2),  # 5, centre below: cut off corners 0 and 2
    (0, 2, -1, -1),  # 6
    (3, 2, -1, -1),  # 7
    (2, 3, -1, -1),  # 8
    (0, 2, -1, -1),  # 9
    (0, 1, 2, 3),  # 10, centre below: cut off corners 1 and 3
    (1, 2, -1, -1),  # 11
    (1, 3, -1, -1),  # 12
    (0, 1, -1, -1),  # 13
    (3, 0, -1, -1),  # 14
    _NONE,  # 15
)
_SADDLE_ABOVE = {5: (0, 1, 2, 3), 10: (3, 0, 1, 2)}


def _segment_table(centre_above: bool) -> IntArray:
    table = np.array(_SEGMENTS, dtype=np.int64)
    if centre_above:
        for case, segs in _SADDLE_ABOVE.items():
            table[case] = segs
    return table


_TABLE_BELOW = _segment_table(False)
_TABLE_ABOVE = _segment_table(True)


def _edge_points(
    xs: FloatArray, ys: FloatArray, z: FloatArray, level: float
) -> tuple[FloatArray, FloatArray]:
    """Crossing points on every horizontal and vertical grid edge (NaN where none)."""
    with np.errstate(all="ignore"):
        # horizontal edges (i, j) -> (i, j+1), shape (ny, nx-1)
        za, zb = z[:, :-1], z[:, 1:]
        t = (level - za) / (zb - za)
        hx = xs[:-1][None, :] + t * (xs[1:] - xs[:-1])[None, :]
        hy = np.broadcast_to(ys[:, None], hx.shape)
        h = np.stack([hx, hy], axis=-1)
        # vertical edges (i, j) -> (i+1, j), shape (ny-1, nx)
        za, zb = z[:-1, :], z[1:, :]
        t = (level - za) / (zb - za)
        vy = ys[:-1][:, None] + t * (ys[1:] - ys[:-1])[:, None]
        vx = np.broadcast_to(xs[None, :], vy.shape)
        v = np.stack([vx, vy], axis=-1)
    return h.reshape(-1, 2), v.reshape(-1, 2)


def _segments(z: FloatArray, level: float) -> IntArray:
    """Segments of one level as pairs of global edge ids, shape (m, 2)."""
    ny, nx = z.shape
    finite = np.isfinite(z)
    above = np.where(finite, z >= level, False)
    case = (
        above[:-1, :-1].astype(np.int64)
        | (above[:-1, 1:].astype(np.int64) << 1)
        | (above[1:, 1:].astype(np.int64) << 2)
        | (above[1:, :-1].astype(np.int64) << 3)
    )
    cell_ok = finite[:-1, :-1] & finite[:-1, 1:] & finite[1:, 1:] & finite[1:, :-1]
    case = np.where(cell_ok, case, 0)
    with np.errstate(all="ignore"):
        centre = 0.25 * (z[:-1, :-1] + z[:-1, 1:] + z[1:, 1:] + z[1:, :-1])
    segs = np.where((centre >= level)[..., None], _TABLE_ABOVE[case], _TABLE_BELOW[case])

    n_h = ny * (nx - 1)
    ii, jj = np.meshgrid(np.arange(ny - 1), np.arange(nx - 1), indexing="ij")
    # global edge id of each local edge 0..3 of every cell, shape (ny-1, nx-1, 4)
    edge_id = np.stack(
        [
            ii * (nx - 1) + jj,  # bottom: horizontal edge (i, j)
            n_h + ii * nx + jj + 1,  # right: vertical edge (i, j+1)
            (ii + 1) * (nx - 1) + jj,  # top: horizontal edge (i+1, j)
            n_h + ii * nx + jj,  # left: vertical edge (i, j)
        ],
        axis=-1,
    )
    out = []
    for k in (0, 2):
        a, b = segs[..., k], segs[..., k + 1]
        mask = a >= 0
        ids_a = np.take_along_axis(edge_id, np.where(mask, a, 0)[..., None], axis=-1)[..., 0]
        ids_b = np.take_along_axis(edge_id, np.where(mask, b, 0)[..., None], axis=-1)[..., 0]
        out.append(np.stack([ids_a[mask], ids_b[mask]], axis=-1))
    return np.concatenate(out, axis=0).astype(np.int64)


def _join(segments: IntArray, n_nodes: int) -> list[IntArray]:
    """Chain segments (pairs of node ids, every node of degree <= 2) into node paths."""
    if len(segments) == 0:
        return []
    nbr = np.full((n_nodes, 2), -1, dtype=np.int64)
    deg = np.zeros(n_nodes, dtype=np.int64)
    for a, b in segments.tolist():
        nbr[a, deg[a]] = b
        deg[a] += 1
        nbr[b, deg[b]] = a
        deg[b] += 1
    nbr_l = nbr.tolist()
    seen = np.zeros(n_nodes, dtype=bool)
    paths: list[IntArray] = []
    used = np.flatnonzero(deg > 0)
    # open chains first (they start at a node of degree 1), then closed loops
    starts = [int(n) for n in used if deg[n] == 1] + [int(n) for n in used if deg[n] == 2]
    for start in starts:
        if seen[start]:
            continue
        path = [start]
        seen[start] = True
        prev, cur = -1, start
        while True:
            a, b = nbr_l[cur]
            nxt = a if a != prev else b
            if nxt < 0 or (nxt == prev and a == b):
                break
            if seen[nxt]:
                if nxt == start:
                    path.append(start)  # close the loop
                break
            path.append(nxt)
            seen[nxt] = True
            prev, cur = cur, nxt
        paths.append(np.asarray(path, dtype=np.int64))
    return paths


def contour_lines_from_grid(
    xs: ArrayLike, ys: ArrayLike, z: ArrayLike, levels: Sequence[float] | ArrayLike
) -> list[list[FloatArray]]:
    """Contour lines of a sampled height grid, one list of polylines per level.

    Parameters
    ----------
    xs : array_like, shape (nx,)
        Increasing x coordinates of the grid columns.
    ys : array_like, shape (ny,)
        Increasing y coordinates of the grid rows.
    z : array_like, shape (ny, nx)
        Heights, ``z[i, j]`` at ``(xs[j], ys[i])``. Cells with a non-finite corner are skipped.
    levels : sequence of float
        The heights to trace.

    Returns
    -------
    list of list of ndarray
        ``result[k]`` holds the polylines of ``levels[k]``, each an ``(n, 2)`` array of points;
        a closed contour ends with its first point repeated.

    Examples
    --------
    >>> import numpy as np
    >>> xs = ys = np.linspace(-1.0, 1.0, 5)
    >>> z = xs[None, :] ** 2 + ys[:, None] ** 2
    >>> [[line]] = contour_lines_from_grid(xs, ys, z, [0.5])
    >>> line.shape[1], bool(np.all(line[0] == line[-1]))
    (2, True)
    """
    xa = np.asarray(xs, dtype=np.float64)
    ya = np.asarray(ys, dtype=np.float64)
    za = np.asarray(z, dtype=np.float64)
    if xa.ndim != 1 or ya.ndim != 1 or za.shape != (ya.size, xa.size):
        raise ContourError(
            f"z must have shape (len(ys), len(xs)) = ({ya.size}, {xa.size}), got {za.shape}"
        )
    if xa.size < 2 or ya.size < 2:
        raise ContourError("the grid needs at least 2 samples along each axis")
    lv = np.atleast_1d(np.asarray(levels, dtype=np.float64))
    if lv.ndim != 1:
        raise ContourError("levels must be a flat sequence of numbers")
    ny, nx = za.shape
    n_nodes = ny * (nx - 1) + (ny - 1) * nx
    result: list[list[FloatArray]] = []
    for level in lv.tolist():
        if not np.isfinite(level):
            result.append([])
            continue
        h, v = _edge_points(xa, ya, za, level)
        pts = np.concatenate([h, v], axis=0)
        lines = [pts[path] for path in _join(_segments(za, level), n_nodes) if len(path) >= 2]
        result.append(lines)
    return result


def contour_lines(
    objective: SupportsValue,
    view: View,
    levels: Sequence[float] | ArrayLike,
    resolution: int | tuple[int, int] = 200,
) -> list[list[FloatArray]]:
    """Contour lines of ``objective`` over ``view`` at the given levels.

    Parameters
    ----------
    objective : SupportsValue
        A 2D objective (anything with a vectorised ``value``).
    view : sequence of float
        ``(xmin, xmax, ymin, ymax)``.
    levels : sequence of float
        Heights to trace.
    resolution : int or (int, int)
        Grid samples along x and y; the lines are exact to about one grid spacing squared
        times the curvature.

    Returns
    -------
    list of list of ndarray
        One list of ``(n, 2)`` polylines per level (possibly empty).

    Examples
    --------
    >>> from gdanim import objectives
    >>> lines = contour_lines(objectives.get("saddle"), (-1, 2, -1, 1), [0.0, 0.5])
    >>> [len(per_level) for per_level in lines]
    [2, 2]
    """
    xs, ys, z = height_grid(objective, view, resolution)
    return contour_lines_from_grid(xs, ys, z, levels)


def default_levels(
    objective: SupportsValue,
    view: View,
    n: int = 12,
    *,
    method: Literal["auto", "quantile", "log", "linear"] = "auto",
    resolution: int = 120,
) -> FloatArray:
    r"""Pick ``n`` increasing contour levels that spread well over the view.

    ``"quantile"`` puts equal shares of the view's area between consecutive levels;
    ``"log"`` spaces the heights above the view's minimum geometrically,
    :math:`c_k = z_{\min} + d_{\mathrm{lo}}\,(d_{\mathrm{hi}} / d_{\mathrm{lo}})^{k/(n-1)}`,
    which suits steep valleys such as Rosenbrock's; ``"linear"`` spaces them evenly between
    the 2nd and 98th percentiles. ``"auto"`` uses ``"log"`` when the heights are strongly
    skewed - measured above the view's minimum, the median is more than 10 times the 10th
    percentile, or the 95th percentile more than 8 times the median (a bowl has 5 and 2.3) -
    and ``"quantile"`` otherwise.

    Parameters
    ----------
    objective : SupportsValue
        A 2D objective.
    view : sequence of float
        ``(xmin, xmax, ymin, ymax)``.
    n : int
        Number of levels (at least 1).
    method : {"auto", "quantile", "log", "linear"}
        Spacing rule.
    resolution : int
        Grid samples per axis used to estimate the distribution of heights.

    Returns
    -------
    ndarray, shape (m,)
        Strictly increasing finite levels, ``m <= n`` (fewer only for a constant function).

    Examples
    --------
    >>> from gdanim import objectives
    >>> levels = default_levels(objectives.get("bowl"), (-2, 2, -2, 2), 6)
    >>> len(levels), bool(levels[0] > 0), bool(levels[-1] < 8)
    (6, True, True)
    >>> str(default_levels(objectives.get("rosenbrock"), (-2, 2, -1, 3), 8, method="auto").dtype)
    'float64'
    """
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise ContourError(f"n must be a positive integer, got {n!r}")
    if method not in ("auto", "quantile", "log", "linear"):
        raise ContourError(
            f"method must be one of auto, quantile, log, linear; got {method!r}"
        )
    _, _, z = height_grid(objective, view, resolution)
    vals = z[np.isfinite(z)]
    if vals.size == 0:
        raise ContourError("the objective has no finite value in the view")
    zmin, zmax = float(vals.min()), float(vals.max())
    if not zmax > zmin:
        return np.array([zmin], dtype=np.float64)
    chosen = method
    if chosen == "auto":
        q10, q50, q95 = np.quantile(vals, [0.1, 0.5, 0.95]) - zmin
        low_skew = q50 / max(q10, 1e-300)
        high_skew = q95 / max(q50, 1e-300)
        chosen = "log" if low_skew > 10.0 or high_skew > 8.0 else "quantile"
    if chosen == "quantile":
        qs = np.linspace(0.0, 1.0, n + 2)[1:-1]
        levels = np.quantile(vals, qs)
    elif chosen == "linear":
        lo, hi = np.quantile(vals, [0.02, 0.98])
        levels = np.linspace(lo, hi, n)
    else:
        d = vals - zmin
        positive = d[d > 0]
        lo, hi = np.quantile(positive, [0.005, 0.98])
        if n == 1:
            levels = np.array([zmin + np.sqrt(lo * hi)])
        else:
            levels = zmin + np.geomspace(lo, hi, n)
    levels = np.unique(np.asarray(levels, dtype=np.float64))
    return levels[np.isfinite(levels)]


def filled_levels(z: ArrayLike, levels: Sequence[float] | ArrayLike) -> IntArray:
    """Index of the band between consecutive levels that each height falls in.

    Band 0 is below ``levels[0]``, band ``k`` is ``[levels[k-1], levels[k])`` and band
    ``len(levels)`` is at or above the last level; non-finite heights get ``-1``.

    Examples
    --------
    >>> filled_levels([0.0, 1.0, 2.5, 9.0, float("nan")], [1.0, 2.0, 3.0]).tolist()
    [0, 1, 2, 3, -1]
    """
    za = np.asarray(z, dtype=np.float64)
    lv = np.asarray(levels, dtype=np.float64)
    bands = np.digitize(za, lv).astype(np.int64)
    return np.where(np.isfinite(za), bands, -1)


def level_fraction(z: ArrayLike, levels: Sequence[float] | ArrayLike) -> FloatArray:
    """Map heights to ``[0, 1]`` piecewise linearly through the levels, for colouring.

    ``levels[k]`` maps to ``k / (len(levels) - 1)``; heights below the first level map to 0 and
    above the last to 1, so a colour map follows the same spacing as the contour lines (log
    levels give a log colour scale). Non-finite heights stay NaN.

    Examples
    --------
    >>> level_fraction([0.0, 1.0, 1.5, 3.0, 5.0], [1.0, 2.0, 3.0]).tolist()
    [0.0, 0.0, 0.25, 1.0, 1.0]
    """
    za = np.asarray(z, dtype=np.float64)
    lv = np.asarray(levels, dtype=np.float64)
    if lv.size < 2:
        return np.where(np.isfinite(za), 0.5, np.nan)
    frac = np.interp(za, lv, np.linspace(0.0, 1.0, lv.size))
    return np.where(np.isfinite(za), frac, np.nan)
