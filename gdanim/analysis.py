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
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from gdanim._typing import ArrayLike, FloatArray
from gdanim.conditioning import (
    best_contraction,
    best_fixed_lr,
    condition_number,
    contraction_factors,
    eigen_coordinates,
    equivalent_lr,
    hessian_at,
    hessian_eigen,
    line_fit_hessian,
    measured_contraction,
    steps_to_point,
)

if TYPE_CHECKING:
    from gdanim.objectives import Objective
    from gdanim.trajectory import Trajectory

__all__ = [
    "Regime",
    "RunVerdict",
    "Verdict",
    "best_contraction",
    "best_fixed_lr",
    "condition_number",
    "contraction_factors",
    "critical_lr",
    "curvature",
    "distance_factor",
    "eigen_coordinates",
    "equivalent_lr",
    "first_order_prediction",
    "hessian_at",
    "hessian_eigen",
    "line_fit_hessian",
    "measured_contraction",
    "nearest_flat_spot",
    "nearest_minimum",
    "overshoot",
    "path_length",
    "regime",
    "saddle_escape_step",
    "steps_to_point",
    "steps_to_tolerance",
    "verdict",
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
    """A single run's points and values up to where it stopped."""
    return traj.valid_points(), traj.valid_values()


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


# --------------------------------------------------------------------------------------------
# The verdict of a run: converged, still moving, bouncing without settling, or diverged
# --------------------------------------------------------------------------------------------


class Verdict(StrEnum):
    """What a run did by its last step, as :func:`verdict` reads it from the run's data."""

    CONVERGED = "converged"
    STILL_MOVING = "still moving"
    BOUNCING = "bouncing without settling"
    DIVERGED = "diverged"


@dataclass(frozen=True)
class RunVerdict:
    r"""The verdict of a run and the numbers it rests on (see :func:`verdict`).

    Attributes
    ----------
    verdict : Verdict
        What the run did.
    steps : int
        Steps the run took (up to where it stopped).
    last_step : float
        Length of its last step, :math:`\ell_T = \lVert x_T - x_{T-1} \rVert`.
    slope : float
        Norm of the gradient at its last point, :math:`\lVert \nabla f(x_T) \rVert`.
    tol : float
        The tolerance the verdict was judged with.
    turned_back : bool
        Whether the run turned back (two consecutive steps at an obtuse angle,
        :math:`\langle d_t, d_{t-1} \rangle < 0`) within the window of its last steps.
    shrinking : bool
        Whether every step of the window was shorter than the one before it.
    factor : float or None
        For plain gradient descent, :func:`distance_factor` at the last point: the factor by
        which one step multiplies a small distance there; ``None`` for other optimizers.
    stopped_at : int or None
        The step at which a diverged run stopped (:attr:`Trajectory.stop_step`), else ``None``.
    """

    verdict: Verdict
    steps: int
    last_step: float
    slope: float
    tol: float
    turned_back: bool
    shrinking: bool
    factor: float | None
    stopped_at: int | None

    def __str__(self) -> str:
        return str(self.verdict)


def distance_factor(objective: Objective, point: ArrayLike, lr: float) -> float:
    r"""How much one gradient descent step near ``point`` multiplies a small distance.

    Near a point :math:`p` the step :math:`x \mapsto x - \eta \nabla f(x)` changes a small
    displacement :math:`\delta` into :math:`(I - \eta \nabla^2 f(p))\,\delta`, so the largest
    factor is the spectral radius

    .. math:: q = \max_i \lvert 1 - \eta \lambda_i \rvert,

    with :math:`\lambda_i` the eigenvalues of the Hessian (:math:`|1 - \eta f''(p)|` in 1D). At a
    flat spot :math:`x^*` the distance to it is multiplied by :math:`q` each step: below 1 the
    runs nearby close in (a minimum with :math:`\eta \lambda_{\max} < 2`), above 1 they move
    away (a maximum, a saddle, or a minimum with :math:`\eta \lambda_{\max} > 2`).

    Examples
    --------
    >>> from gdanim import objectives
    >>> distance_factor(objectives.get("parabola"), [0.0], 0.1)
    0.8
    >>> distance_factor(objectives.get("parabola"), [0.0], 1.1)
    1.2000000000000002
    >>> round(distance_factor(objectives.get("saddle"), [0.0, 0.0], 0.05), 12)
    1.05
    """
    if lr <= 0.0:
        raise ValueError(f"learning rate must be positive, got {lr}")
    h = np.asarray(objective.hessian(np.asarray(point, dtype=np.float64)), dtype=np.float64)
    if h.shape != (objective.dim, objective.dim):
        raise ValueError(f"distance_factor needs one point of dimension {objective.dim}")
    eig = np.linalg.eigvalsh((h + h.T) / 2.0)
    return float(np.abs(1.0 - lr * eig).max())


def nearest_flat_spot(
    objective: Objective, point: ArrayLike, tol: float = 1e-12, max_iter: int = 100
) -> FloatArray:
    r"""The flat spot (:math:`\nabla f = 0`) that Newton's method reaches from ``point``.

    Newton's method on the gradient, :math:`x \leftarrow x - (\nabla^2 f(x))^{-1} \nabla f(x)`,
    until the step is below ``tol`` (relative to :math:`1 + \lVert x \rVert`). From a point in a
    convex stretch around a minimum it lands on that minimum in a few iterations; use
    :func:`curvature` on the result to tell a minimum from a maximum or a saddle.

    Raises
    ------
    ValueError
        If the Hessian is singular on the way or the iteration does not settle in
        ``max_iter`` steps.

    Examples
    --------
    >>> from gdanim import objectives
    >>> wavy = objectives.get("wavy")
    >>> round(float(nearest_flat_spot(wavy, [20.09])[0]), 6)
    20.221876
    >>> round(float(nearest_flat_spot(wavy, [-3.2])[0]), 6)
    -1.825685
    """
    x = np.array(point, dtype=np.float64).reshape(objective.dim)
    for _ in range(max_iter):
        g = np.asarray(objective.grad(x), dtype=np.float64)
        h = np.asarray(objective.hessian(x), dtype=np.float64)
        try:
            dx = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            raise ValueError(f"the Hessian is singular at {x.tolist()}") from None
        x = x - dx
        if not np.all(np.isfinite(x)):
            break
        if float(np.linalg.norm(dx)) <= tol * (1.0 + float(np.linalg.norm(x))):
            return x
    raise ValueError(f"Newton's method found no flat spot from {np.asarray(point).tolist()}")


def _plain_lr(traj: Trajectory) -> float | None:
    """The learning rate of a plain gradient descent run (SGD without extras), else ``None``."""
    hp = traj.hyperparameters
    if traj.optimizer_name != "sgd":
        return None
    extras = (hp.get("momentum", 0.0), hp.get("weight_decay", 0.0))
    if any(float(v) != 0.0 for v in extras) or hp.get("nesterov") or hp.get("maximize"):
        return None
    return float(hp["lr"])


def verdict(
    traj: Trajectory,
    tol: float = 1e-3,
    window: int = 3,
    objective: Objective | None = None,
) -> RunVerdict:
    r"""What a run did by its last step: converged, still moving, bouncing, or diverged.

    With :math:`x_0, \dots, x_T` the points up to where the run stopped, :math:`d_t = x_t -
    x_{t-1}` its steps and :math:`\ell_t = \lVert d_t \rVert` their lengths, the rules are tried
    in this order:

    1. ``diverged`` - the run stopped: a point became non-finite or left the run's bound
       (:attr:`Trajectory.stop_step`); or, still inside, each of the last ``window`` steps was
       longer than the one before and turned back from it (an oscillation whose every jump
       is longer than the last, as gradient descent with :math:`\eta L > 2`).
    2. ``converged`` - the last step and the gradient at the last point are both within
       ``tol``: :math:`\ell_T \le \mathrm{tol}` and :math:`\lVert \nabla f(x_T) \rVert \le
       \mathrm{tol}`.
    3. ``bouncing without settling`` - the run turned back within the last ``window`` steps
       (:math:`\langle d_t, d_{t-1} \rangle < 0`) and either its steps there did not all shrink
       (:math:`\ell_t \ge \ell_{t-1}` for one of them) or, for plain gradient descent, one step
       at its last point multiplies a small distance by :func:`distance_factor` :math:`> 1`, so
       that a shrink there cannot last. It goes back and forth over the same stretch.
    4. ``still moving`` - anything else: its steps shrink but the last is longer than ``tol``
       (on its way to a flat spot), or it moves on without turning back.

    Only the run's own data are used, plus the Hessian at its last point for plain gradient
    descent (SGD without momentum, weight decay or maximize). A momentum run's step lengths
    swing while it converges; judge it with a ``window`` longer than its swing.

    Parameters
    ----------
    traj
        A single run of at least one step.
    tol
        Tolerance on the last step's length and on the gradient's norm at the last point.
    window
        How many of the last steps are examined (at least 1; fewer if the run is shorter).
    objective
        The run's objective; parsed from ``traj.expression`` when not given.

    Returns
    -------
    RunVerdict
        The verdict and the numbers behind it.

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> f = objectives.get("parabola")
    >>> def judge(lr, steps=10, **kw):
    ...     return verdict(descend(f, optimizers.sgd(lr=lr), [4.0], steps, **kw))
    >>> [str(judge(lr)) for lr in (0.1, 0.5, 0.9, 1.0)]
    ['still moving', 'converged', 'still moving', 'bouncing without settling']
    >>> str(judge(1.1, bound=(-10.0, 10.0))), judge(1.1, bound=(-10.0, 10.0)).stopped_at
    ('diverged', 6)
    >>> str(judge(1.1))
    'diverged'
    >>> str(judge(0.1, steps=60))
    'converged'
    >>> v = judge(0.1)
    >>> round(v.last_step, 6), v.shrinking, v.turned_back, v.factor
    (0.107374, True, False, 0.8)
    """
    if tol <= 0.0:
        raise ValueError(f"tol must be positive, got {tol}")
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    points = traj.valid_points()
    steps = len(points) - 1
    if steps < 1:
        raise ValueError("verdict needs a run of at least one step")
    if objective is None:
        from gdanim import objectives

        objective = objectives.parse(traj.expression, list(traj.variables) or None)
    moves = np.diff(points, axis=0)
    lengths = np.linalg.norm(moves, axis=-1)
    last = points[-1]
    slope = float(np.linalg.norm(np.asarray(traj.valid_grads()[-1], dtype=np.float64)))
    lr = _plain_lr(traj)
    factor = None if lr is None else distance_factor(objective, last, lr)

    w = min(window, steps - 1)
    if w >= 1:
        recent = lengths[-w - 1 :]
        turns = np.einsum("ij,ij->i", moves[-w:], moves[-w - 1 : -1]) < 0.0
        shrinking = bool(np.all(recent[1:] < recent[:-1]))
        growing = bool(np.all(recent[1:] > recent[:-1]))
        turned_back, always_back = bool(turns.any()), bool(turns.all())
    else:
        shrinking = growing = turned_back = always_back = False
    stopped = traj.stop_step

    if stopped is not None or (w == window and growing and always_back):
        result = Verdict.DIVERGED
    elif float(lengths[-1]) <= tol and slope <= tol:
        result = Verdict.CONVERGED
    elif turned_back and (not shrinking or (factor is not None and factor > 1.0)):
        result = Verdict.BOUNCING
    else:
        result = Verdict.STILL_MOVING
    return RunVerdict(
        verdict=result,
        steps=steps,
        last_step=float(lengths[-1]),
        slope=slope,
        tol=tol,
        turned_back=turned_back,
        shrinking=shrinking,
        factor=factor,
        stopped_at=stopped,
    )


# --------------------------------------------------------------------------------------------
# Steepest descent, convexity and conditioning: why -grad f goes down, where runs end, and
# the curvatures of the Hessian that set how fast
# --------------------------------------------------------------------------------------------
#
# To first order f(x - eta g) = f(x) - eta ||g||^2 + O(eta^2), g = grad f(x): a small enough
# step against the gradient lowers f wherever g != 0. How small is small enough is set by the
# curvature, as below.
#
# Near a minimum x* a smooth function is the quadratic f(x*) + (x - x*)^T H (x - x*) / 2. In
# the eigenbasis of H, with eigenvalues mu = lambda_min <= ... <= lambda_max = L, gradient
# descent with rate eta acts on each coordinate c_i = v_i^T (x - x*) separately:
#
#     c_i <- (1 - eta lambda_i) c_i .
#
# The steepest direction caps the rate (|1 - eta L| < 1 needs eta < 2/L), the flattest sets
# the speed (|1 - eta mu| is close to 1 when mu is small), and their ratio kappa = L / mu, the
# condition number, says how far apart the two are: the best fixed rate 2/(mu + L) shrinks the
# slowest coordinate by (kappa - 1)/(kappa + 1) a step, and no fixed rate does better.


def first_order_prediction(objective: Objective, point: ArrayLike, lr: float) -> float:
    r"""The first-order estimate of :math:`f` after one gradient step from ``point``.

    .. math::

        f(x - \eta \nabla f(x)) \approx f(x) - \eta \lVert \nabla f(x) \rVert^2 ,

    the tangent (plane) evaluated one step away. The error is
    :math:`\tfrac{1}{2}\eta^2 g^\top \nabla^2 f\, g + O(\eta^3)`: small for a small step,
    and for a large one the true value can even exceed :math:`f(x)`.

    Examples
    --------
    >>> from gdanim import objectives
    >>> round(first_order_prediction(objectives.get("parabola"), [4.0], 0.1), 12)
    9.6
    """
    x = np.asarray(point, dtype=np.float64)
    g = np.asarray(objective.grad(x), dtype=np.float64)
    return float(objective.value(x)) - lr * float(g @ g)


def nearest_minimum(
    points: ArrayLike, minima: Sequence[Sequence[float]], tol: float = 1e-3
) -> list[int]:
    r"""For each end point, the index of the minimum within ``tol`` of it, or ``-1``.

    Distances are :math:`\max_i |x_i - x^*_i|`; ``points`` is ``(k, d)`` (a batch's last
    points) and ``minima`` a list of points such as ``Objective.minima``. Runs that end at
    different indices have settled in different valleys.

    Examples
    --------
    >>> nearest_minimum([[0.1], [-2.0], [5.0]], [(-2.0,), (0.0,)], tol=0.2)
    [1, 0, -1]
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim == 1:
        pts = pts[:, None]
    mins = np.asarray(minima, dtype=np.float64).reshape(len(minima), -1)
    out: list[int] = []
    for p in pts:
        if mins.size == 0:
            out.append(-1)
            continue
        dist = np.abs(mins - p).max(axis=-1)
        k = int(np.argmin(dist))
        out.append(k if dist[k] <= tol else -1)
    return out
