r"""Learning-rate analysis and convergence measures: the numbers the videos print.

Near a minimum a smooth function looks like a parabola with curvature :math:`L` (``f''`` in 1D,
the largest eigenvalue of the Hessian in more dimensions). Gradient descent with rate
:math:`\eta` multiplies the distance to the minimum by :math:`1 - \eta L` each step, so

============================  =====================  ==========================================
:math:`\eta L`                regime                 what a viewer sees
============================  =====================  ==========================================
:math:`< 1/2`                 ``slow``               small steps, monotone, many of them
:math:`[1/2, 1)`              ``monotone``           steady steps that never pass the minimum
:math:`= 1`                   ``one step``           lands on the minimum at once
:math:`(1, 2)`                ``oscillating``        jumps across the minimum, converging
:math:`= 2`                   ``bouncing``           jumps between two points for ever
:math:`> 2`                   ``diverging``          each jump is longer than the last
============================  =====================  ==========================================

The critical rate is :math:`\eta_c = 2 / L`. Where :math:`L \le 0` there is no minimum to
converge to (``concave``) and every rate moves away.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from gdanim._typing import ArrayLike, FloatArray

if TYPE_CHECKING:
    from gdanim.objectives import Objective
    from gdanim.trajectory import Trajectory

__all__ = [
    "Regime",
    "critical_lr",
    "curvature",
    "overshoot",
    "path_length",
    "regime",
    "saddle_escape_step",
    "steps_to_tolerance",
]

_REL = 1e-9


class Regime(StrEnum):
    """The behaviour of gradient descent on a quadratic for a given :math:`\\eta L`."""

    SLOW = "slow"
    MONOTONE = "monotone"
    ONE_STEP = "one step"
    OSCILLATING = "oscillating"
    BOUNCING = "bouncing"
    DIVERGING = "diverging"
    CONCAVE = "concave"


def curvature(objective: Objective, point: ArrayLike) -> float:
    r"""Curvature :math:`L` of ``objective`` at ``point``.

    :math:`L = f''(x)` in 1D and :math:`L = \lambda_{\max}(\nabla^2 f(x))` otherwise.

    Examples
    --------
    >>> from gdanim import objectives
    >>> curvature(objectives.get("parabola"), [4.0])
    2.0
    >>> curvature(objectives.get("long_valley"), [-7.0, 2.0])
    2.0
    """
    h = np.asarray(objective.hessian(np.asarray(point, dtype=np.float64)), dtype=np.float64)
    if h.shape != (objective.dim, objective.dim):
        raise ValueError(f"curvature needs one point of dimension {objective.dim}")
    if objective.dim == 1:
        return float(h[0, 0])
    sym = (h + h.T) / 2.0
    return float(np.linalg.eigvalsh(sym)[-1])


def critical_lr(curvature: float) -> float:
    r"""The critical learning rate :math:`\eta_c = 2 / L`; ``inf`` where :math:`L \le 0`.

    Examples
    --------
    >>> critical_lr(2.0)
    1.0
    """
    if curvature <= 0.0:
        return math.inf
    return 2.0 / curvature


def regime(lr: float, curvature: float) -> Regime:
    r"""Classify the learning rate ``lr`` against the curvature :math:`L`.

    Uses :math:`\eta L` as in the module table; the boundaries 1 and 2 are matched with a relative
    tolerance of 1e-9 so that, for example, ``regime(0.5, 2.0)`` is ``one step``.

    Examples
    --------
    >>> [str(regime(lr, 2.0)) for lr in (0.1, 0.3, 0.5, 0.9, 1.0, 1.1)]
    ['slow', 'monotone', 'one step', 'oscillating', 'bouncing', 'diverging']
    """
    if lr <= 0.0:
        raise ValueError(f"learning rate must be positive, got {lr}")
    if curvature <= 0.0:
        return Regime.CONCAVE
    r = lr * curvature
    if math.isclose(r, 1.0, rel_tol=_REL):
        return Regime.ONE_STEP
    if math.isclose(r, 2.0, rel_tol=_REL):
        return Regime.BOUNCING
    if r < 0.5:
        return Regime.SLOW
    if r < 1.0:
        return Regime.MONOTONE
    if r < 2.0:
        return Regime.OSCILLATING
    return Regime.DIVERGING


def _single(traj: Trajectory) -> tuple[FloatArray, FloatArray]:
    if traj.batched:
        raise ValueError("this measure takes a single run; index the batch first")
    end = traj.points.shape[0] if traj.stopped_at is None else int(traj.stopped_at)
    return traj.points[:end], traj.values[:end]


def steps_to_tolerance(traj: Trajectory, f_min: float, tol: float) -> int | None:
    r"""First step :math:`t` with :math:`f(x_t) - f_{\min} \le \mathrm{tol}`, or ``None``.

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.1), [4.0], 100)
    >>> steps_to_tolerance(t, 0.0, 1e-6)
    38
    """
    _, values = _single(traj)
    hit = np.flatnonzero(values - f_min <= tol)
    return int(hit[0]) if hit.size else None


def path_length(traj: Trajectory) -> float:
    r"""Length of the path, :math:`\sum_t \lVert x_{t+1} - x_t \rVert_2`, up to where it stopped.

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.5), [4.0], 5)
    >>> path_length(t)
    4.0
    """
    points, _ = _single(traj)
    if len(points) < 2:
        return 0.0
    return float(np.linalg.norm(np.diff(points, axis=0), axis=-1).sum())


def overshoot(traj: Trajectory, minimum: Sequence[float] | FloatArray) -> float:
    r"""How far the run went past ``minimum`` in its direction of approach.

    With :math:`u = (x^* - x_0) / \lVert x^* - x_0 \rVert` the direction from the start to the
    minimum, the overshoot is :math:`\max(0, \max_t \langle x_t - x^*, u \rangle)`: zero for a run
    that never passes the minimum, positive for one that flies beyond it.

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.9), [4.0], 10)
    >>> round(overshoot(t, [0.0]), 6)
    3.2
    """
    points, _ = _single(traj)
    x_star = np.asarray(minimum, dtype=np.float64)
    direction = x_star - points[0]
    norm = float(np.linalg.norm(direction))
    if norm == 0.0:
        return float(np.linalg.norm(points - x_star, axis=-1).max())
    u = direction / norm
    return max(0.0, float(((points - x_star) @ u).max()))


def saddle_escape_step(
    traj: Trajectory, saddle: Sequence[float] | FloatArray, radius: float = 0.25
) -> int | None:
    r"""The step at which a run leaves a saddle point behind, or ``None`` if it never does.

    A run has left the saddle :math:`s` at the first step :math:`t` with
    :math:`\lVert x_t - s \rVert > r` *and* :math:`f(x_t) < f(s)`: outside the ball of radius
    :math:`r` around the saddle and already below the saddle's height, so on its way down the
    unstable direction rather than still sliding in along the stable one.

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> f = objectives.get("saddle")
    >>> t = descend(f, optimizers.sgd(lr=0.05), [1e-5, 0.5], 500)
    >>> saddle_escape_step(t, [0.0, 0.0], radius=0.25)
    208
    >>> t = descend(f, optimizers.adam(lr=0.05, betas=(0.9, 0.99)), [1e-5, 0.5], 500)
    >>> saddle_escape_step(t, [0.0, 0.0], radius=0.25)
    7
    """
    if radius <= 0.0:
        raise ValueError("radius must be positive")
    points, values = _single(traj)
    s = np.asarray(saddle, dtype=np.float64)
    dist = np.linalg.norm(points - s, axis=-1)
    level = _value_at(traj, s)
    hit = np.flatnonzero((dist > radius) & (values < level))
    return int(hit[0]) if hit.size else None


def _value_at(traj: Trajectory, point: FloatArray) -> float:
    """Objective value at ``point``, evaluated from the trajectory's own expression."""
    from gdanim import objectives

    variables = list(traj.variables) or None
    return float(objectives.parse(traj.expression, variables).value(point))
