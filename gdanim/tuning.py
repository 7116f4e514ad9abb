r"""Tuning the learning rate: a log grid of rates run as one vectorised batch.

A fair race tunes every optimizer before comparing them.  :func:`tune` (also
``gdanim.tune``) runs an optimizer
from one start at every rate of a grid (by default 48 rates spaced evenly in
:math:`\log \eta` from :math:`10^{-4}` to :math:`10`), all in one batched call of
:func:`gdanim.descend` (each run of the batch its own rate, the optimizer's update applied
elementwise), and picks the rate with the lowest final loss:

1. a run that became non-finite or left ``bound`` (diverged) never wins;
2. among the rest, the lowest final loss :math:`L^\ast` wins; every run whose final loss is
   within the tolerance, :math:`L \le L^\ast + \tau \max(1, |L^\ast|)`, counts as a tie;
3. ties go to the run that got within that tolerance first and stayed there (fewest steps),
   then to the smaller rate.

Each run of the batch is computed exactly as a run on its own would be (the arithmetic is
elementwise), so the choice equals the argmin over the grid run one rate at a time.

Examples
--------
>>> from gdanim import objectives
>>> result = tune(objectives.get("bowl"), "sgd", [2.0, 2.0], 50)
>>> result.grid.shape, result.best_lr
((48,), 0.5289373746757309)
>>> result.best_optimizer.label
'SGD (lr=0.528937)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gdanim import optimizers
from gdanim._typing import ArrayLike, BoolArray, FloatArray, IntArray
from gdanim.trajectory import Differentiable, Trajectory, TrajectoryError, descend

if TYPE_CHECKING:
    from gdanim.schedules import Schedule

__all__ = ["TuneResult", "choose", "default_grid", "tune"]


def default_grid(n: int = 48, low: float = 1e-4, high: float = 10.0) -> FloatArray:
    r"""``n`` rates evenly spaced in :math:`\log \eta` from ``low`` to ``high`` (both included).

    Examples
    --------
    >>> g = default_grid()
    >>> len(g), float(g[0]), float(g[-1])
    (48, 0.0001, 10.0)
    """
    if n < 1 or not 0 < low <= high:
        raise ValueError(f"default_grid: need n >= 1 and 0 < low <= high, got {n}, {low}, {high}")
    return np.logspace(np.log10(low), np.log10(high), n)


@dataclass(frozen=True, eq=False)
class TuneResult:
    """The outcome of :func:`tune`: the curve of final loss against rate, and the winner.

    Attributes
    ----------
    grid : ndarray
        The rates tried, shape ``(k,)``, in the order given.
    final_loss : ndarray
        The loss at the last point of each run, shape ``(k,)`` (for a diverged run, at the
        last point before it diverged).
    diverged : ndarray of bool
        Which runs became non-finite or left ``bound``.
    stopped_at : ndarray of int
        The step at which each run diverged, ``-1`` for those that did not.
    steps_to_tol : ndarray of int
        For each run, the first step from which its loss stayed within the tolerance of the
        best final loss (``-1`` for the runs that never got there, and for diverged ones):
        the tie-breaker.
    best_index : int or None
        Index of the winning rate in ``grid``; ``None`` when every run diverged.
    threshold : float
        :math:`L^\\ast + \\tau \\max(1, |L^\\ast|)`, the loss a run must reach to tie (``nan``
        when every run diverged).
    optimizer : Optimizer
        The optimizer tuned, with the hyperparameters used (its ``lr`` is the one it was
        given, not a tuned one; see :attr:`best_optimizer`).
    steps : int
        Number of steps of every run.
    tol : float
        The tolerance :math:`\\tau`.
    runs : Trajectory
        The whole batched run (``points`` of shape ``(steps + 1, k, d)``, ``lrs`` of shape
        ``(steps, k)``).
    """

    grid: FloatArray
    final_loss: FloatArray
    diverged: BoolArray
    stopped_at: IntArray
    steps_to_tol: IntArray
    best_index: int | None
    threshold: float
    optimizer: optimizers.Optimizer
    steps: int
    tol: float
    runs: Trajectory

    @property
    def best_lr(self) -> float | None:
        """The winning rate, or ``None`` when every run diverged."""
        return None if self.best_index is None else float(self.grid[self.best_index])

    @property
    def best_loss(self) -> float | None:
        """The final loss at the winning rate, or ``None`` when every run diverged."""
        return None if self.best_index is None else float(self.final_loss[self.best_index])

    @property
    def best_optimizer(self) -> optimizers.Optimizer | None:
        """The optimizer at the winning rate (other hyperparameters as tuned), or ``None``."""
        lr = self.best_lr
        return None if lr is None else self.optimizer.replace(lr=lr)

    @property
    def curve(self) -> tuple[FloatArray, FloatArray]:
        """``(grid, final_loss)``: the curve of final loss against rate."""
        return self.grid, self.final_loss


def _steps_within(values: FloatArray, threshold: float) -> IntArray:
    """First step from which each column of ``values`` stays <= threshold (-1: never)."""
    above = ~(values <= threshold)  # nan counts as above
    steps = values.shape[0] - 1
    # index of the last step above the threshold, per run
    any_above = above.any(axis=0)
    last_above = steps - np.argmax(above[::-1], axis=0)
    first_ok = np.where(any_above, last_above + 1, 0)
    return np.where(first_ok <= steps, first_ok, -1).astype(np.int64)


def choose(
    final_loss: FloatArray, diverged: BoolArray, values: FloatArray, tol: float
) -> tuple[int | None, float, IntArray]:
    r"""The selection rule of :func:`tune` on given runs.

    Parameters
    ----------
    final_loss
        Final loss per run, shape ``(k,)``.
    diverged
        Which runs diverged, shape ``(k,)``.
    values
        Loss of every run at every step, shape ``(steps + 1, k)``.
    tol
        The tolerance :math:`\tau`.

    Returns
    -------
    tuple
        ``(best_index or None, threshold, steps_to_tol)``.

    Examples
    --------
    >>> values = np.array([[4.0, 4.0, 4.0], [1.0, 0.0, 1e-12], [0.0, 0.0, 0.0]])
    >>> choose(values[-1], np.array([False, False, False]), values, 1e-9)[0]
    1
    """
    ok = ~diverged & np.isfinite(final_loss)
    if not ok.any():
        return None, float("nan"), np.full(final_loss.shape, -1, dtype=np.int64)
    best = float(np.min(final_loss[ok]))
    threshold = best + tol * max(1.0, abs(best))
    reach = _steps_within(values, threshold)
    reach[~ok] = -1
    tied = np.flatnonzero(ok & (final_loss <= threshold))
    # fewest steps to the tolerance, then the smaller rate (earlier in an ascending grid)
    winner = int(tied[np.argmin(reach[tied])])
    return winner, threshold, reach


def tune(
    objective: Differentiable,
    optimizer: str | optimizers.Optimizer,
    start: ArrayLike,
    steps: int,
    grid: ArrayLike | None = None,
    *,
    schedule: Schedule | None = None,
    bound: Sequence[float] | None = None,
    tol: float = 1e-9,
    **hyperparameters: object,
) -> TuneResult:
    r"""Run ``optimizer`` at every rate of ``grid`` in one batch and pick the best rate.

    Parameters
    ----------
    objective
        An objective (:mod:`gdanim.objectives`) or any loss with vectorised ``value`` and
        ``grad`` (e.g. :class:`gdanim.regression.MSELoss`).
    optimizer
        A factory name or alias (``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"adam"``, ...;
        other hyperparameters at torch's defaults unless given as keywords), or an
        :class:`~gdanim.optimizers.Optimizer` whose other hyperparameters are kept.
    start
        The start point, shape ``(d,)``, shared by every run.
    steps
        Steps per run.
    grid
        The rates, shape ``(k,)``, each >= 0; default :func:`default_grid` (48 rates from
        1e-4 to 10).
    schedule
        A learning-rate schedule applied to every run, starting from that run's rate.
    bound
        A box as in :func:`gdanim.descend`; a run leaving it counts as diverged.
    tol
        The tie tolerance :math:`\tau` (relative to the best final loss, absolute below 1).
    **hyperparameters
        Keywords of the optimizer other than ``lr``.

    Returns
    -------
    TuneResult

    Raises
    ------
    ValueError
        A bad optimizer name or keyword, a bad grid or start
        (:class:`~gdanim.trajectory.TrajectoryError` for the latter).

    Examples
    --------
    >>> from gdanim import objectives
    >>> r = tune(objectives.get("saddle"), "adam", [1e-5, 0.5], 100, [0.01, 0.1, 1.0],
    ...          betas=(0.9, 0.99))
    >>> r.best_lr, r.final_loss.round(2).tolist()
    (1.0, [-0.83, -82.63, -8263.19])
    """
    if "lr" in hyperparameters:
        raise ValueError("tune: give the rates as grid=..., not lr=")
    if isinstance(optimizer, str):
        opt = optimizers.make(optimizer, **hyperparameters)
    else:
        opt = optimizer.replace(**hyperparameters) if hyperparameters else optimizer
    rates = default_grid() if grid is None else np.array(grid, dtype=np.float64)
    if rates.ndim != 1 or rates.size == 0:
        raise ValueError(f"tune: grid must be a non-empty list of rates, got shape {rates.shape}")
    if not (np.all(np.isfinite(rates)) and np.all(rates >= 0)):
        raise ValueError("tune: every rate of the grid must be a finite number >= 0")
    if not tol >= 0:
        raise ValueError(f"tune: tol must be >= 0, got {tol}")
    x0 = np.array(start, dtype=np.float64)
    if x0.ndim == 0:
        x0 = x0.reshape(1)
    if x0.ndim != 1:
        raise TrajectoryError(f"tune: start must be one point, shape (d,), got {x0.shape}")
    starts = np.broadcast_to(x0, (rates.size, x0.size))
    runs = descend(objective, opt, starts, steps, bound=bound, schedule=schedule, lr=rates)
    final = np.array(runs.values[-1], dtype=np.float64)
    stop_steps = runs.stop_steps
    diverged = stop_steps >= 0
    best, threshold, reach = choose(final, diverged, runs.values, tol)
    return TuneResult(
        grid=rates,
        final_loss=final,
        diverged=diverged,
        stopped_at=stop_steps,
        steps_to_tol=reach,
        best_index=best,
        threshold=threshold,
        optimizer=opt,
        steps=int(steps),
        tol=float(tol),
        runs=runs,
    )
