"""Stochastic gradients: mini-batches, the spread of their gradients, and the noise ball."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from gdanim._typing import ArrayLike, FloatArray
from gdanim.optimizers import sgd
from gdanim.regression.data import IntArray, _float_array, _frozen, line_dataset
from gdanim.regression.model import LINE, LinearModel
from gdanim.regression.training import TrainingRun, train

if TYPE_CHECKING:
    from gdanim.schedules import Schedule

__all__ = [
    "GradientSpread",
    "distance_to",
    "gradient_noise",
    "gradient_spread",
    "minibatch_indices",
    "noise_ball_runs",
]


def minibatch_indices(
    n: int, batch_size: int, draws: int, *, seed: int | None = 0, replace: bool = False
) -> IntArray:
    """``draws`` independent random mini-batches of ``batch_size`` sample indices.

    Without replacement each row is a uniformly random subset of ``range(n)`` (distinct
    indices, as one batch of a shuffled epoch is); with replacement each index is drawn
    uniformly and independently.  One ``np.random.default_rng(seed)`` draws them all, so the
    same seed gives the same batches.

    Parameters
    ----------
    n : int
        Number of samples.
    batch_size : int
        Samples per batch (at most ``n`` without replacement).
    draws : int
        Number of batches.
    seed : int or None
        Seed of the generator.
    replace : bool
        Sample with replacement.

    Returns
    -------
    ndarray of int64
        Shape ``(draws, batch_size)``.

    Examples
    --------
    >>> b = minibatch_indices(10, 4, 3, seed=1)
    >>> b.shape, all(len(set(row)) == 4 for row in b.tolist())
    ((3, 4), True)
    >>> bool((minibatch_indices(10, 4, 3, seed=1) == b).all())
    True
    """
    if batch_size < 1 or draws < 0 or n < 1:
        raise ValueError(f"minibatch_indices: need n, batch_size >= 1, draws >= 0; "
                         f"got {n}, {batch_size}, {draws}")
    if not replace and batch_size > n:
        raise ValueError(f"minibatch_indices: batch_size {batch_size} > n = {n} without "
                         "replacement")
    rng = np.random.default_rng(seed)
    if replace:
        return rng.integers(0, n, size=(draws, batch_size), dtype=np.int64)
    table = np.tile(np.arange(n, dtype=np.int64), (draws, 1))
    out: IntArray = rng.permuted(table, axis=1)[:, :batch_size]
    return np.ascontiguousarray(out)


class GradientSpread(NamedTuple):
    r"""Mini-batch gradients at one point and their spread around the full gradient.

    Attributes
    ----------
    batch_size : int
        :math:`B`.
    grads : ndarray
        Shape ``(draws, n_params)``: the gradient of each random mini-batch.
    full_grad : ndarray
        Shape ``(n_params,)``: the full-batch gradient :math:`g`.
    spread : float
        Measured: :math:`\sqrt{\operatorname{mean} \lVert g_B - g \rVert^2}` over the
        draws.
    predicted : float
        The law: :math:`\sqrt{\operatorname{tr}\Sigma \,/\, B \cdot c_B}` with
        :math:`\Sigma` the covariance of the per-sample gradients over the data set and
        :math:`c_B` the finite-population correction.
    correction : float
        :math:`c_B = (N - B)/(N - 1)` without replacement, 1 with replacement.
    """

    batch_size: int
    grads: FloatArray
    full_grad: FloatArray
    spread: float
    predicted: float
    correction: float


def gradient_spread(
    params: ArrayLike = (0.0, 0.0),
    batch_sizes: Sequence[int] = (1, 4, 16, 64),
    *,
    model: LinearModel = LINE,
    x: ArrayLike | None = None,
    y: ArrayLike | None = None,
    draws: int = 4000,
    seed: int | None = 0,
    replace: bool = False,
) -> tuple[GradientSpread, ...]:
    r"""How far mini-batch gradients scatter around the full gradient, per batch size.

    At ``params`` every one of ``draws`` random mini-batches (:func:`minibatch_indices`,
    seeded) gives a gradient :math:`g_B`; its distance to the full gradient :math:`g` is
    measured, and the root mean square is the spread.  The law it follows: with
    :math:`g_n` the per-sample gradients and :math:`\operatorname{tr}\Sigma =
    \frac{1}{N} \sum_n \lVert g_n - g \rVert^2`,

    .. math::
        \mathbb{E} \lVert g_B - g \rVert^2
        = \frac{\operatorname{tr}\Sigma}{B} \cdot \frac{N - B}{N - 1}

    for a batch of :math:`B` distinct samples (without replacement), and
    :math:`\operatorname{tr}\Sigma / B` with replacement: the spread shrinks like
    :math:`1/\sqrt{B}`, times the finite-population correction
    :math:`\sqrt{(N-B)/(N-1)}` when a batch cannot repeat a sample (0.60 at
    :math:`B = 64` of :math:`N = 100`).

    Parameters
    ----------
    params : array_like
        Where the gradients are taken (default: :math:`m = b = 0`, the start of S4).
    batch_sizes : sequence of int
        The batch sizes (default 1, 4, 16, 64).
    model : LinearModel
        The model (default :data:`LINE`).
    x, y : array_like, optional
        The data; default :func:`line_dataset` (seed 0: :math:`Y = 3X + N(0, 1)`, 100 points).
    draws : int
        Mini-batches per batch size.
    seed : int or None
        Seed of the batch sampling (each batch size uses its own stream derived from it).
    replace : bool
        Sample with replacement.

    Returns
    -------
    tuple of GradientSpread
        One per batch size, in order.

    Examples
    --------
    >>> rows = gradient_spread(draws=2000)
    >>> [r.batch_size for r in rows]
    [1, 4, 16, 64]
    >>> all(abs(r.spread / r.predicted - 1) < 0.1 for r in rows)
    True
    """
    if x is None or y is None:
        if x is not None or y is not None:
            raise ValueError("gradient_spread: give both x and y, or neither")
        x, y = line_dataset()
    features = model.features(x)
    targets = _float_array(y, "y").reshape(-1)
    theta = model._params(params)
    n = features.shape[0]
    full = model.grad(theta, features, targets)
    # per-sample gradients: the model's gradient on each sample alone
    per_sample = np.stack([model.grad(theta, features[i : i + 1], targets[i : i + 1])
                           for i in range(n)])
    trace = float(np.mean(np.sum((per_sample - full) ** 2, axis=-1)))
    rows = []
    seeds = np.random.SeedSequence(seed).spawn(len(batch_sizes))
    for b, ss in zip(batch_sizes, seeds, strict=True):
        index = minibatch_indices(n, int(b), draws, seed=int(ss.generate_state(1)[0]),
                                  replace=replace)
        grads = per_sample[index].mean(axis=1)
        spread = float(np.sqrt(np.mean(np.sum((grads - full) ** 2, axis=-1))))
        correction = 1.0 if replace else (n - b) / (n - 1)
        predicted = float(np.sqrt(trace / b * correction))
        rows.append(GradientSpread(int(b), _frozen(grads), _frozen(full), spread, predicted,
                                   correction))
    return tuple(rows)


def gradient_noise(run: TrainingRun, x: ArrayLike, y: ArrayLike) -> FloatArray:
    r"""The noise of each step's gradient: :math:`g_{B_t}(\theta_t) - g(\theta_t)`.

    ``step_grad[t]`` of a run minus the full-batch gradient at the same parameters
    ``params[t]`` (computed for all steps at once).

    Parameters
    ----------
    run : TrainingRun
        A run of :func:`train`.
    x, y : array_like
        The training set it ran on.

    Returns
    -------
    ndarray
        Shape ``(steps, n_params)``; zero for a full-batch run.

    Examples
    --------
    >>> x, y = line_dataset()
    >>> run = train(LINE, sgd(lr=0.001), x, y, [0.0, 0.0], epochs=1, batch_size=10)
    >>> noise = gradient_noise(run, x, y)
    >>> noise.shape, bool(np.abs(noise).max() > 0)
    ((10, 2), True)
    """
    full = run.model.grad(run.params[:-1], x, y)
    noise: FloatArray = run.step_grad - full
    return noise


def distance_to(run: TrainingRun, point: ArrayLike) -> FloatArray:
    """Euclidean distance of every parameter vector of a run to ``point``, shape
    ``(steps + 1,)``."""
    target = np.asarray(point, dtype=np.float64)
    dist: FloatArray = np.linalg.norm(run.params - target, axis=-1)
    return dist


def noise_ball_runs(
    lr: float = 0.01,
    epochs: int = 60,
    batch_size: int = 1,
    *,
    seed: int = 0,
    decay: Schedule | None = None,
) -> dict[str, TrainingRun]:
    r"""Constant-rate SGD hovering around the minimum, and a decaying rate settling into it.

    Both runs fit :math:`y = m x + b` to :func:`line_dataset` from :math:`m = b = 0` with
    plain SGD at rate ``lr`` on shuffled mini-batches (the same batches, seeded).  With a
    constant rate the noise of the mini-batch gradients keeps kicking the parameters: they
    reach the least-squares minimum's neighbourhood and then wander in a ball around it whose
    size scales with :math:`\sqrt{\eta}`.  With a rate that decays to zero the kicks shrink
    and the parameters settle.

    Parameters
    ----------
    lr : float
        The rate (the decaying run's starting rate).  Below :math:`2/\lambda_{\max} = 0.029`
        for this data.
    epochs : int
        Passes over the 100 points.
    batch_size : int
        Samples per step.
    seed : int
        Seed of the shuffling.
    decay : Schedule, optional
        The decaying schedule; default cosine annealing to 0 over the whole run.

    Returns
    -------
    dict of str to TrainingRun
        ``"constant"`` and ``"decaying"``.

    Examples
    --------
    >>> from gdanim.regression import least_squares
    >>> runs = noise_ball_runs(epochs=30)
    >>> x, y = line_dataset()
    >>> star = least_squares(LINE, x, y)
    >>> hover = distance_to(runs["constant"], star)[-1000:].mean()
    >>> settled = distance_to(runs["decaying"], star)[-1]
    >>> bool(settled < hover / 5)
    True
    """
    from gdanim.schedules import CosineAnnealingLR

    x, y = line_dataset()
    steps = epochs * len(range(0, len(x), batch_size))
    schedule = CosineAnnealingLR(T_max=max(1, steps)) if decay is None else decay
    common = dict(epochs=epochs, batch_size=batch_size, shuffle=True, seed=seed)
    return {
        "constant": train(LINE, sgd(lr=lr), x, y, [0.0, 0.0], **common),  # type: ignore[arg-type]
        "decaying": train(LINE, sgd(lr=lr), x, y, [0.0, 0.0], schedule=schedule,
                          **common),  # type: ignore[arg-type]
    }
