"""The part of the plane a custom scene shows: a view given and checked, or one computed to
hold the start and the paths.

Examples
--------
>>> from gdanim import objectives, optimizers
>>> default_view(objectives.get("long_valley"), [-7.0, 2.0], [optimizers.sgd(lr=0.1)], 100)
(-10.0, 10.0, -5.0, 5.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from gdanim._typing import FloatArray
from gdanim.app.config.limits import (
    MAX_COORD,
    MAX_SPAN,
    MIN_SPAN,
    ConfigError,
    Style,
    num_text,
    point_text,
    signature,
)
from gdanim.objectives import Objective
from gdanim.optimizers import Optimizer
from gdanim.schedules import Schedule
from gdanim.trajectory import descend

__all__ = ["check_view", "default_view", "limit_view", "min_span"]


def check_view(
    view: Sequence[float], f: Objective, start: FloatArray, name: str, style: Style
) -> tuple[float, ...]:
    """A view given by the user, checked against ``f`` and the start; returned as floats."""
    v = tuple(float(x) for x in view)
    want = 2 * f.dim
    shape = "XMIN,XMAX" if f.dim == 1 else "XMIN,XMAX,YMIN,YMAX"
    if len(v) != want:
        raise ConfigError(f"{name}: {len(v)} numbers given; {signature(f)} needs {want} "
                          f"({shape})")
    if not all(math.isfinite(x) for x in v):
        raise ConfigError(f"{name}: numbers must be finite")
    for i, axis in enumerate(f.variable_names):
        lo, hi = v[2 * i], v[2 * i + 1]
        if not lo < hi:
            raise ConfigError(f"{name}: {axis} runs from {num_text(lo)} to {num_text(hi)}; the "
                              "minimum must be below the maximum")
        if max(abs(lo), abs(hi)) > MAX_COORD:
            raise ConfigError(f"{name}: {axis} runs from {num_text(lo)} to {num_text(hi)}; a "
                              f"view must lie within ±{MAX_COORD:,.0f}")
        if hi - lo > MAX_SPAN:
            raise ConfigError(f"{name}: {axis} spans {num_text(hi - lo)}; at most "
                              f"{MAX_SPAN:,.0f} is allowed")
        least = min_span(lo, hi)
        if hi - lo < least:
            raise ConfigError(f"{name}: {axis} spans only {num_text(hi - lo)}; a view must "
                              f"span at least {num_text(least)} along each axis")
        if not lo <= start[i] <= hi:
            box = " x ".join(f"[{num_text(v[2 * k])}, {num_text(v[2 * k + 1])}]"
                             for k in range(f.dim))
            raise ConfigError(
                f"{name}: the start {point_text(start)} lies outside the view {box}; widen the "
                "view so that it contains the start"
            )
    return v


def min_span(lo: float, hi: float) -> float:
    """The narrowest span allowed for an axis from ``lo`` to ``hi`` (see :data:`MIN_SPAN`)."""
    return max(MIN_SPAN, 1e-6 * max(abs(lo), abs(hi)))


def limit_view(view: Sequence[float], start: FloatArray) -> tuple[float, ...]:
    """A computed view held to the limits of a typed one, still containing ``start``.

    Each axis is cut to ±:data:`MAX_COORD`, then, if still wider than :data:`MAX_SPAN`, to a
    window of that width around the start.

    Examples
    --------
    >>> limit_view((-1.5e6, 1.5e6), np.array([9e5]))
    (0.0, 1000000.0)
    >>> limit_view((-4.0, 4.0, -2.0, 2.0), np.array([3.0, 1.0]))
    (-4.0, 4.0, -2.0, 2.0)
    """
    out: list[float] = []
    for i in range(len(view) // 2):
        lo = max(float(view[2 * i]), -MAX_COORD)
        hi = min(float(view[2 * i + 1]), MAX_COORD)
        if hi - lo > MAX_SPAN:
            s = float(start[i])
            lo = max(lo, s - MAX_SPAN / 2)
            hi = lo + MAX_SPAN
            if hi > MAX_COORD:
                hi, lo = MAX_COORD, MAX_COORD - MAX_SPAN
        out += [lo, hi]
    return tuple(out)


_VIEW_PROBE_STEPS = 2000


def _nice_step(span: float) -> float:
    raw = span / 8.0
    mag = 10.0 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= m * mag * (1 + 1e-9):
            return m * mag
    return 10.0 * mag


def _round_out(lo: float, hi: float) -> tuple[float, float]:
    step = _nice_step(hi - lo)
    return (math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step)


def default_view(
    objective: Objective,
    start: Sequence[float] | FloatArray,
    opts: Sequence[Optimizer],
    steps: int,
    schedules: Sequence[Schedule | None] | None = None,
) -> tuple[float, ...]:
    """A view that holds the start and the paths, unless a path runs away.

    The catalog view is used when it holds the start; otherwise a box about the origin that
    holds the start with some room (at most 2.5 times longer than wide). Each optimizer is run
    (with its schedule, if it has one; at most 2000 steps, without a bound) and the view grows
    to hold the visited points, up to three times its first size per axis; a run that goes
    further than that does not widen the view at all: it leaves the view, and the scene marks
    where it diverged.

    Returns
    -------
    tuple of float
        ``(xmin, xmax)`` or ``(xmin, xmax, ymin, ymax)`` on round numbers.

    Examples
    --------
    >>> from gdanim import objectives, optimizers
    >>> f = objectives.get("long_valley")
    >>> default_view(f, [-7.0, 2.0], [optimizers.sgd(lr=0.1)], 100)
    (-10.0, 10.0, -5.0, 5.0)
    >>> default_view(objectives.parse("x**2"), [3.0], [optimizers.sgd(lr=0.1)], 10)
    (-4.0, 4.0)
    """
    p0 = np.asarray(start, dtype=np.float64).ravel()
    d = objective.dim
    base: np.ndarray | None = None
    if objective.view is not None and len(objective.view) == 2 * d:
        cat = np.asarray(objective.view, dtype=np.float64).reshape(d, 2)
        if np.all((p0 >= cat[:, 0]) & (p0 <= cat[:, 1])):
            base = cat
    symmetric = base is None
    if base is None:
        # a box around the origin and the start, as wide as the start is far out along each
        # axis, but never more than 2.5 times longer than it is wide
        top = max(float(np.max(np.abs(p0))) * 1.25, 1.0)
        half = np.maximum(np.abs(p0) * 1.25, 0.4 * top)
        base = np.stack([-half, half], axis=1)
    centre = base.mean(axis=1)
    half_span = (base[:, 1] - base[:, 0]) / 2
    limit = np.stack([centre - 3 * half_span, centre + 3 * half_span], axis=1)

    visited = [p0[None, :]]
    probe = min(int(steps), _VIEW_PROBE_STEPS)
    for opt, schedule in zip(opts, schedules or [None] * len(opts), strict=True):
        run = descend(objective, opt, p0, probe, schedule=schedule)
        end = run.points.shape[0] if run.stopped_at is None else int(run.stopped_at)
        pts = run.points[:end]
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        inside = np.all((pts >= limit[:, 0]) & (pts <= limit[:, 1]), axis=1)
        # a run that goes beyond the limit diverges: the view is not stretched for it, so the
        # others stay readable and it is seen leaving the view
        if inside.all():
            visited.append(pts)
    allpts = np.vstack(visited)
    lo = np.minimum(base[:, 0], allpts.min(axis=0))
    hi = np.maximum(base[:, 1], allpts.max(axis=0))
    grown = (lo < base[:, 0]) | (hi > base[:, 1])
    out: list[float] = []
    for i in range(d):
        a, b = float(lo[i]), float(hi[i])
        if grown[i]:
            pad = 0.08 * (b - a)
            a, b = a - pad if lo[i] < base[i, 0] else a, b + pad if hi[i] > base[i, 1] else b
        if symmetric:
            m = max(abs(a), abs(b))
            a, b = -m, m
        if grown[i] or symmetric:
            a, b = _round_out(a, b)
        out += [a, b]
    return tuple(out)

