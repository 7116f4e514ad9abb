r"""The conditioning of a minimum: its Hessian, the condition number and what they mean for
gradient descent.

Near a minimum :math:`x^*` with Hessian :math:`H` (eigenvalues
:math:`\mu = \lambda_{\min} \le \dots \le L = \lambda_{\max}`), one step of gradient descent
with rate :math:`\eta` multiplies the error along the eigenvector of :math:`\lambda` by
:math:`1 - \eta\lambda`. The condition number :math:`\kappa = L / \mu` decides how fast the
best fixed rate :math:`\eta^* = 2 / (\mu + L)` can go: its slowest factor is
:math:`(\kappa - 1) / (\kappa + 1)`. This module measures these numbers from a Hessian and from
a run's points; :mod:`gdanim.analysis` re-exports every name.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from gdanim._typing import ArrayLike, FloatArray

if TYPE_CHECKING:
    from gdanim.objectives import Objective

__all__ = [
    "best_contraction",
    "best_fixed_lr",
    "condition_number",
    "contraction_factors",
    "eigen_coordinates",
    "equivalent_lr",
    "hessian_at",
    "hessian_eigen",
    "line_fit_hessian",
    "measured_contraction",
    "steps_to_point",
]


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
