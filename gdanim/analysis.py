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


def hessian_at(objective: Objective, point: ArrayLike) -> FloatArray:
    r"""The Hessian :math:`\nabla^2 f(x)` of ``objective`` at one ``point``, shape ``(d, d)``.

    The exact (sympy) second derivatives, symmetrised as :math:`(H + H^\top)/2`.

    Examples
    --------
    >>> from gdanim import objectives
    >>> hessian_at(objectives.get("long_valley"), [-7.0, 2.0]).tolist()
    [[0.1, 0.0], [0.0, 2.0]]
    """
    h = np.asarray(objective.hessian(np.asarray(point, dtype=np.float64)), dtype=np.float64)
    if h.shape != (objective.dim, objective.dim):
        raise ValueError(f"hessian_at needs one point of dimension {objective.dim}")
    sym: FloatArray = (h + h.T) / 2.0
    return sym


def _square(hessian: ArrayLike) -> FloatArray:
    h = np.asarray(hessian, dtype=np.float64)
    if h.ndim == 0:
        h = h.reshape(1, 1)
    if h.ndim != 2 or h.shape[0] != h.shape[1] or h.shape[0] == 0:
        raise ValueError(f"a Hessian must be a square matrix, got shape {h.shape}")
    if not np.all(np.isfinite(h)):
        raise ValueError("a Hessian must be finite")
    sym: FloatArray = (h + h.T) / 2.0
    return sym


def hessian_eigen(hessian: ArrayLike) -> tuple[FloatArray, FloatArray]:
    r"""Curvatures and principal directions of a Hessian: :math:`H = V \Lambda V^\top`.

    Returns the eigenvalues in ascending order, :math:`\mu = \lambda_1 \le \dots \le
    \lambda_d = L`, and the unit eigenvectors as the columns of :math:`V`, each signed so that
    its largest component is positive (the same basis on every call).

    Examples
    --------
    >>> values, vectors = hessian_eigen([[2.0, 0.0], [0.0, 0.1]])
    >>> values.tolist(), vectors.tolist()
    ([0.1, 2.0], [[0.0, 1.0], [1.0, 0.0]])
    """
    values, vectors = np.linalg.eigh(_square(hessian))
    big = np.argmax(np.abs(vectors), axis=0)
    signs = np.sign(vectors[big, np.arange(vectors.shape[1])])
    signs[signs == 0] = 1.0
    return np.asarray(values, dtype=np.float64), np.asarray(vectors * signs, dtype=np.float64)


def condition_number(hessian: ArrayLike) -> float:
    r"""The condition number :math:`\kappa = L / \mu = \lambda_{\max} / \lambda_{\min}`.

    ``inf`` when :math:`\mu \le 0` (no strict minimum: a flat or a downhill direction).

    Examples
    --------
    >>> from gdanim import objectives
    >>> condition_number(hessian_at(objectives.get("long_valley"), [0.0, 0.0]))
    20.0
    >>> condition_number([[2.0, 0.0], [0.0, 2.0]])
    1.0
    """
    values, _ = hessian_eigen(hessian)
    mu, big = float(values[0]), float(values[-1])
    if mu <= 0.0:
        return math.inf
    return big / mu


def best_fixed_lr(mu: float, L: float) -> float:
    r"""The fixed rate :math:`\eta^* = 2 / (\mu + L)` that makes gradient descent fastest.

    It balances the two ends of the spectrum, :math:`1 - \eta^*\mu = \eta^* L - 1`, so that the
    flattest and the steepest directions both shrink by :func:`best_contraction` a step; any
    other fixed rate leaves one of them slower.

    Examples
    --------
    >>> round(best_fixed_lr(0.1, 2.0), 6)
    0.952381
    """
    if not 0.0 < mu <= L:
        raise ValueError(f"best_fixed_lr needs 0 < mu <= L, got mu={mu}, L={L}")
    return 2.0 / (mu + L)


def best_contraction(kappa: float) -> float:
    r"""The factor :math:`(\kappa - 1)/(\kappa + 1)` of the best fixed rate, per step.

    The slowest direction keeps this fraction of its distance to the minimum every step at
    :func:`best_fixed_lr`; it tends to 1 as :math:`\kappa` grows.

    Examples
    --------
    >>> round(best_contraction(20.0), 6)
    0.904762
    >>> best_contraction(1.0)
    0.0
    """
    if not kappa >= 1.0:
        raise ValueError(f"a condition number is at least 1, got {kappa}")
    if math.isinf(kappa):
        return 1.0
    return (kappa - 1.0) / (kappa + 1.0)


def contraction_factors(lr: float, eigenvalues: ArrayLike) -> FloatArray:
    r"""Per-direction factors :math:`|1 - \eta \lambda_i|` of gradient descent on a quadratic.

    Along eigenvector :math:`v_i` the distance to the minimum is multiplied by
    :math:`1 - \eta\lambda_i` every step: it shrinks where the factor's size is below 1, flips
    side where :math:`1 - \eta\lambda_i < 0`, and grows where :math:`\eta\lambda_i > 2`.

    Examples
    --------
    >>> contraction_factors(0.95, [0.1, 2.0]).round(6).tolist()
    [0.905, 0.9]
    """
    if lr <= 0.0:
        raise ValueError(f"learning rate must be positive, got {lr}")
    lam = np.asarray(eigenvalues, dtype=np.float64)
    factors: FloatArray = np.abs(1.0 - lr * lam)
    return factors


def equivalent_lr(lr: float, curvature: float, new_curvature: float) -> float:
    r"""The rate with the same :math:`\eta L` on a new curvature: :math:`\eta L / L'`.

    Two problems stepped at the same :math:`\eta L` sit at the same fraction of their critical
    rates :math:`2/L` and shrink their steepest directions by the same factor.

    Examples
    --------
    >>> equivalent_lr(0.01, 68.0, 2.0)
    0.34
    """
    if lr <= 0.0 or curvature <= 0.0 or new_curvature <= 0.0:
        raise ValueError("equivalent_lr needs a positive rate and positive curvatures")
    return lr * curvature / new_curvature


def eigen_coordinates(points: ArrayLike, minimum: ArrayLike, hessian: ArrayLike) -> FloatArray:
    r"""Coordinates :math:`c_t = V^\top (x_t - x^*)` of a run in the Hessian's eigenbasis.

    ``points`` has shape ``(T, d)`` (a run's points, or a training run's parameters); the
    columns of the result follow :func:`hessian_eigen`'s ascending order, flattest first.

    Examples
    --------
    >>> eigen_coordinates([[3.0, 4.0]], [0.0, 0.0], [[2.0, 0.0], [0.0, 0.1]]).tolist()
    [[4.0, 3.0]]
    """
    _, vectors = hessian_eigen(hessian)
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != vectors.shape[0]:
        raise ValueError(f"points must have shape (T, {vectors.shape[0]}), got {pts.shape}")
    coords: FloatArray = (pts - np.asarray(minimum, dtype=np.float64)) @ vectors
    return coords


def measured_contraction(
    points: ArrayLike, minimum: ArrayLike, hessian: ArrayLike, floor: float = 1e-9
) -> FloatArray:
    r"""Per-direction contraction factors read off a run, flattest direction first.

    With :math:`c_t` the :func:`eigen_coordinates`, the factor of direction :math:`i` is the
    median over the steps of :math:`|c_{t+1,i}| / |c_{t,i}|`, taken over the steps where
    :math:`|c_{t,i}|` is still above ``floor`` times its largest value (below that, rounding
    noise is all that is left). On a quadratic every ratio equals
    :func:`contraction_factors`, :math:`|1 - \eta\lambda_i|`. A direction whose coordinate is
    zero from the start has no factor (``nan``).

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> f = objectives.get("long_valley")
    >>> run = descend(f, optimizers.sgd(lr=0.95), [-7.0, 2.0], 50)
    >>> measured_contraction(run.points, [0.0, 0.0], hessian_at(f, [0.0, 0.0])).round(6).tolist()
    [0.905, 0.9]
    """
    coords = np.abs(eigen_coordinates(points, minimum, hessian))
    out = np.full(coords.shape[1], np.nan)
    for i in range(coords.shape[1]):
        c = coords[:, i]
        top = float(c.max()) if c.size else 0.0
        if top == 0.0:
            continue
        alive = np.flatnonzero(c[:-1] > floor * top)
        if alive.size:
            out[i] = float(np.median(c[alive + 1] / c[alive]))
    return out


def steps_to_point(points: ArrayLike, target: ArrayLike, tol: float) -> int | None:
    r"""First step :math:`t` from which the run stays within ``tol`` of ``target``.

    Within means :math:`\max_i |x_{s,i} - x^*_i| \le \mathrm{tol}` (every coordinate) for every
    step :math:`s \ge t` of the run; ``None`` if the run's last point is not within.

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> run = descend(objectives.get("parabola"), optimizers.sgd(lr=0.1), [4.0], 100)
    >>> steps_to_point(run.points, [0.0], 1e-3)  # 4 * 0.8**t <= 1e-3
    38
    """
    if tol < 0.0:
        raise ValueError("tol must not be negative")
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim == 1:
        pts = pts[:, None]
    dist = np.abs(pts - np.asarray(target, dtype=np.float64)).max(axis=-1)
    outside = np.flatnonzero(~(dist <= tol))
    if outside.size == 0:
        return 0
    last = int(outside[-1])
    return None if last == len(dist) - 1 else last + 1


def line_fit_hessian(x: ArrayLike) -> FloatArray:
    r"""Hessian of the mean squared error of a line :math:`y = m x + b` in :math:`(m, b)`.

    With the design matrix :math:`A = [x, 1]` (one row :math:`(x_i, 1)` per sample),
    :math:`L(m, b) = \frac{1}{n}\lVert A (m, b)^\top - y\rVert^2` is a quadratic whose Hessian
    is the same everywhere and does not depend on :math:`y`:

    .. math::

        H = \frac{2}{n} A^\top A
          = \frac{2}{n}\begin{pmatrix} \sum x_i^2 & \sum x_i \\ \sum x_i & n \end{pmatrix}.

    Examples
    --------
    >>> line_fit_hessian([1.0, 2.0, 3.0, 4.0]).tolist()
    [[15.0, 5.0], [5.0, 2.0]]
    """
    xs = np.asarray(x, dtype=np.float64).reshape(-1)
    if xs.size == 0:
        raise ValueError("line_fit_hessian needs at least one sample")
    design = np.stack([xs, np.ones_like(xs)], axis=1)
    hessian: FloatArray = 2.0 / xs.size * (design.T @ design)
    return hessian
