r"""Tuning the learning rate: a log grid of rates run as one vectorised batch.

A fair race tunes every optimizer before comparing them.  :func:`tune` (also
``gdanim.tune``) runs an optimizer
from one start at every rate of a grid (by default 48 rates spaced evenly in
:math:`\log \eta` from :math:`10^{-4}` to :math:`10`), all in one batched call of
:func:`gdanim.descend` (each run of the batch its own rate, the optimizer's update applied
elementwise), and picks the best rate by one of two criteria.

**Final loss** (the default):

1. a run that became non-finite or left ``bound`` (diverged) never wins;
2. among the rest, the lowest final loss :math:`L^\ast` wins; every run whose final loss is
   within the tolerance, :math:`L \le L^\ast + \tau \max(1, |L^\ast|)`, counts as a tie;
3. ties go to the run that got within that tolerance first and stayed there (fewest steps),
   then to the smaller rate.

**Steps to a target** (``target=``), for functions where the lowest final loss means
nothing, such as a saddle, which has no lowest point (with the view as ``bound`` the run
that wins on final loss is the one that ends just inside the box):

1. a run counts once its loss is at or below the target and stays there for the rest of the
   run; a run stopped by ``bound`` or by a non-finite step is held at its last valid point
   (as :func:`gdanim.descend` records it), so reaching the target inside the view and then
   leaving the view counts, and leaving the view first does not;
2. the run that counts from the fewest steps wins;
3. ties go to the lower final loss, then to the smaller rate; no run reaching the target:
   no winner.

Each run of the batch is computed exactly as a run on its own would be (the arithmetic is
elementwise), so the choice equals the argmin over the grid run one rate at a time.

:func:`tune_race` tunes every optimizer of a race (a list of specs, as the command line and
TOML files give them) and compares the race at the rates given with the race at the tuned
rates: steps to the target (or final loss), ranks, and who overtook whom.

Examples
--------
>>> from gdanim import objectives
>>> result = tune(objectives.get("bowl"), "sgd", [2.0, 2.0], 50)
>>> result.grid.shape, result.best_lr
((48,), 0.5289373746757309)
>>> result.best_optimizer.label
'SGD (lr=0.528937)'
>>> saddle = tune(objectives.get("saddle"), "sgd", [1e-5, 0.5], 500,
...               bound=(-1, 2, -1, 1), target=-0.5)
>>> round(saddle.best_lr, 4), saddle.best_steps
(0.8633, 19)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from gdanim import optimizers
from gdanim._typing import ArrayLike, BoolArray, FloatArray, IntArray
from gdanim.trajectory import Differentiable, Trajectory, TrajectoryError, descend

if TYPE_CHECKING:
    from gdanim.schedules import Schedule

__all__ = [
    "RaceTuning",
    "TuneResult",
    "TunedEntry",
    "choose",
    "competition_ranks",
    "default_grid",
    "steps_within",
    "tune",
    "tune_race",
]

#: The two ways :func:`tune` picks a rate (see the module docstring).
Criterion = Literal["final loss", "steps to target"]

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
        For each run, the first step from which its loss stayed at or below
        :attr:`threshold` (``-1`` for the runs that never got there; by final loss also for
        diverged ones): the tie-breaker by final loss, the criterion itself with a target.
    best_index : int or None
        Index of the winning rate in ``grid``; ``None`` when no run qualifies (every run
        diverged; with a target, none reached it).
    threshold : float
        By final loss, :math:`L^\\ast + \\tau \\max(1, |L^\\ast|)`, the loss a run must
        reach to tie (``nan`` when every run diverged); with a target, the target.
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
    target : float or None
        The target loss of the criterion "steps to target", ``None`` for "final loss".
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
    target: float | None = None

    @property
    def criterion(self) -> Criterion:
        """``"final loss"`` or ``"steps to target"``."""
        return "final loss" if self.target is None else "steps to target"

    @property
    def best_lr(self) -> float | None:
        """The winning rate, or ``None`` when no run qualifies."""
        return None if self.best_index is None else float(self.grid[self.best_index])

    @property
    def best_loss(self) -> float | None:
        """The final loss at the winning rate, or ``None`` when no run qualifies."""
        return None if self.best_index is None else float(self.final_loss[self.best_index])

    @property
    def best_steps(self) -> int | None:
        """Steps of the winning run to :attr:`threshold` (and to stay there), or ``None``."""
        return None if self.best_index is None else int(self.steps_to_tol[self.best_index])

    @property
    def best_optimizer(self) -> optimizers.Optimizer | None:
        """The optimizer at the winning rate (other hyperparameters as tuned), or ``None``."""
        lr = self.best_lr
        return None if lr is None else self.optimizer.replace(lr=lr)

    @property
    def curve(self) -> tuple[FloatArray, FloatArray]:
        """``(grid, final_loss)``: the curve of final loss against rate."""
        return self.grid, self.final_loss

    @property
    def reached(self) -> BoolArray:
        """Which runs reached :attr:`threshold` and stayed there (``steps_to_tol >= 0``)."""
        out: BoolArray = self.steps_to_tol >= 0
        return out

    @property
    def left_first(self) -> BoolArray:
        """Which runs diverged (left ``bound`` or became non-finite) without reaching the
        threshold: with a target, the rates too large; the others that did not reach it were
        too slow."""
        out: BoolArray = self.diverged & ~self.reached
        return out


def steps_within(values: ArrayLike, threshold: float) -> IntArray:
    """First step from which each run's loss stays at or below ``threshold`` (-1: never).

    Parameters
    ----------
    values
        Loss of every run at every step, shape ``(steps + 1,)`` or ``(steps + 1, k)`` (a
        stopped run held at its last valid value, as :func:`gdanim.descend` records it).
    threshold
        The level; ``nan`` counts as above it.

    Returns
    -------
    ndarray of int
        Shape ``()`` or ``(k,)``.

    Examples
    --------
    >>> steps_within([4.0, 0.5, 2.0, 0.5, 0.1], 1.0).tolist()
    3
    >>> steps_within([[4.0, 0.0], [1.0, 5.0]], 1.0).tolist()
    [1, -1]
    """
    vals = np.asarray(values, dtype=np.float64)
    above = ~(vals <= threshold)  # nan counts as above
    steps = vals.shape[0] - 1
    # index of the last step above the threshold, per run
    any_above = above.any(axis=0)
    last_above = steps - np.argmax(above[::-1], axis=0)
    first_ok = np.where(any_above, last_above + 1, 0)
    return np.where(first_ok <= steps, first_ok, -1).astype(np.int64)


def choose(
    final_loss: FloatArray,
    diverged: BoolArray,
    values: FloatArray,
    tol: float,
    target: float | None = None,
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
        The tolerance :math:`\tau` (criterion "final loss").
    target
        ``None`` for the criterion "final loss"; a loss for "steps to target".

    Returns
    -------
    tuple
        ``(best_index or None, threshold, steps_to_tol)``.

    Examples
    --------
    >>> values = np.array([[4.0, 4.0, 4.0], [1.0, 0.0, 1e-12], [0.0, 0.0, 0.0]])
    >>> choose(values[-1], np.array([False, False, False]), values, 1e-9)[0]
    1
    >>> values = np.array([[4.0, 4.0, 4.0], [2.0, 0.5, 0.5], [1.0, 0.4, 0.2]])
    >>> choose(values[-1], np.array([False, False, True]), values, 1e-9, target=0.5)[0]
    2
    """
    if target is not None:
        return _choose_target(final_loss, values, float(target))
    ok = ~diverged & np.isfinite(final_loss)
    if not ok.any():
        return None, float("nan"), np.full(final_loss.shape, -1, dtype=np.int64)
    best = float(np.min(final_loss[ok]))
    threshold = best + tol * max(1.0, abs(best))
    reach = steps_within(values, threshold)
    reach[~ok] = -1
    tied = np.flatnonzero(ok & (final_loss <= threshold))
    # fewest steps to the tolerance, then the smaller rate (earlier in an ascending grid)
    winner = int(tied[np.argmin(reach[tied])])
    return winner, threshold, reach


def _choose_target(
    final_loss: FloatArray, values: FloatArray, target: float
) -> tuple[int | None, float, IntArray]:
    """Criterion "steps to target": fewest steps, then lower final loss, then earlier index."""
    if not np.isfinite(target):
        raise ValueError(f"tune: target must be a finite loss, got {target}")
    reach = steps_within(values, target)
    ok = (reach >= 0) & np.isfinite(final_loss)
    reach[~ok] = -1
    if not ok.any():
        return None, target, reach
    index = np.flatnonzero(ok)
    # np.lexsort sorts by the last key first: steps, then final loss, then position
    order = np.lexsort((index, final_loss[index], reach[index]))
    return int(index[order[0]]), target, reach


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
    target: float | None = None,
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
        The tie tolerance :math:`\tau` of the criterion "final loss" (relative to the best
        final loss, absolute below 1).
    target
        A loss: pick the rate by "steps to target" instead (fewest steps to get to or below
        ``target`` and stay there, inside ``bound``; ties by final loss, then the smaller
        rate).  Use it where the final loss means nothing, e.g. a function without a lowest
        point.
    **hyperparameters
        Keywords of the optimizer other than ``lr``.

    Returns
    -------
    TuneResult

    Raises
    ------
    ValueError
        A bad optimizer name or keyword, a bad grid, tolerance or target, or a bad start
        (:class:`~gdanim.trajectory.TrajectoryError` for the latter).

    Examples
    --------
    >>> from gdanim import objectives
    >>> r = tune(objectives.get("saddle"), "adam", [1e-5, 0.5], 100, [0.01, 0.1, 1.0],
    ...          betas=(0.9, 0.99))
    >>> r.best_lr, r.final_loss.round(2).tolist()
    (1.0, [-0.83, -82.63, -8263.19])
    >>> r = tune(objectives.get("saddle"), "adam", [1e-5, 0.5], 100, [0.01, 0.1, 1.0],
    ...          betas=(0.9, 0.99), bound=(-1, 2, -1, 1), target=-0.5)
    >>> r.criterion, r.best_lr, r.steps_to_tol.tolist()
    ('steps to target', 1.0, [81, 12, 2])
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
    if target is not None and not np.isfinite(target):
        raise ValueError(f"tune: target must be a finite loss, got {target}")
    if schedule is not None and schedule.rates(1.0, 1)[0] == schedule.rates(2.0, 1)[0]:
        raise ValueError(f"tune: {schedule.spec} sets the rate itself; there is no rate to tune")
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
    best, threshold, reach = choose(final, diverged, runs.values, tol, target)
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
        target=None if target is None else float(target),
    )


# --------------------------------------------------------------------------------------------
# A whole race, tuned
# --------------------------------------------------------------------------------------------


def competition_ranks(keys: Sequence[float | None]) -> tuple[int, ...]:
    """Ranks by ``keys``, smaller first, equal keys sharing a rank ("1, 2, 2, 4").

    ``None`` (did not qualify: never reached the target, or diverged) ranks after every
    number, all ``None`` sharing that last rank.

    Examples
    --------
    >>> competition_ranks([3.0, 1.0, 3.0, None, 7.0, None])
    (2, 1, 2, 5, 4, 5)
    """
    numbers = [k for k in keys if k is not None]
    return tuple(
        1 + (len(numbers) if k is None else sum(1 for v in numbers if v < k)) for k in keys
    )


@dataclass(frozen=True, eq=False)
class TunedEntry:
    """One optimizer of a race: at the rate it was given, and at its tuned rate.

    Attributes
    ----------
    given : Optimizer
        The optimizer as the race gave it.
    schedule : Schedule or None
        Its schedule, kept when tuning (the schedule starts from each rate tried).
    result : TuneResult
        The tuning of its rate.
    given_run : Trajectory
        The race's run at the given rate (same start, steps and bound).
    tuned_run : Trajectory or None
        The run at the tuned rate; ``None`` when no rate qualified.
    """

    given: optimizers.Optimizer
    schedule: Schedule | None
    result: TuneResult
    given_run: Trajectory
    tuned_run: Trajectory | None

    @property
    def name(self) -> str:
        """The optimizer's display name (``"Momentum"``, ``"Adam"``, ...)."""
        return self.given.display_name

    @property
    def given_lr(self) -> float:
        """The rate the race gave."""
        return float(self.given.hyperparameters["lr"])  # type: ignore[arg-type]

    @property
    def tuned_lr(self) -> float | None:
        """The tuned rate, or ``None``."""
        return self.result.best_lr

    @property
    def tuned(self) -> optimizers.Optimizer:
        """The optimizer at its tuned rate (the given one when no rate qualified)."""
        best = self.result.best_optimizer
        return self.given if best is None else best

    @property
    def spec(self) -> str:
        """The tuned optimizer as a spec, with its schedule after ``@``: what a race takes."""
        text = self.tuned.spec
        return text if self.schedule is None else f"{text} @ {self.schedule.spec}"

    @property
    def given_steps(self) -> int | None:
        """Steps of the given run to the tuning's threshold (and to stay there), or ``None``.

        With a target, the steps to the target; by final loss, the steps to within the
        tolerance of the best tuned final loss.
        """
        steps = int(steps_within(self.given_run.values, self.result.threshold))
        return None if steps < 0 else steps

    @property
    def tuned_steps(self) -> int | None:
        """Steps of the tuned run to the threshold, or ``None``."""
        return self.result.best_steps

    @property
    def given_final(self) -> float:
        """The given run's last loss (at its last valid point)."""
        return float(self.given_run.values[-1])

    @property
    def tuned_final(self) -> float | None:
        """The tuned run's last loss, or ``None``."""
        return None if self.tuned_run is None else float(self.tuned_run.values[-1])

    def key(self, which: Literal["given", "tuned"]) -> float | None:
        """What the race ranks by: steps to the target (with a target), else the final loss
        of a run that did not diverge; ``None`` when the run does not qualify."""
        if self.result.target is not None:
            steps = self.given_steps if which == "given" else self.tuned_steps
            return None if steps is None else float(steps)
        run = self.given_run if which == "given" else self.tuned_run
        if run is None or bool(run.diverged) or not np.isfinite(run.values[-1]):
            return None
        return float(run.values[-1])


@dataclass(frozen=True, eq=False)
class RaceTuning:
    """A race at its given rates and at tuned rates: what :func:`tune_race` returns.

    Attributes
    ----------
    entries : tuple of TunedEntry
        One per optimizer, in race order.
    start : ndarray
        The start point.
    steps : int
        Steps of every run.
    bound : tuple of float or None
        The box the runs were held to (the race's view).
    target : float or None
        The criterion's target (``None``: by final loss).
    grid : ndarray
        The rates tried.
    """

    entries: tuple[TunedEntry, ...]
    start: FloatArray
    steps: int
    bound: tuple[float, ...] | None
    target: float | None
    grid: FloatArray

    @property
    def criterion(self) -> Criterion:
        """``"final loss"`` or ``"steps to target"``."""
        return "final loss" if self.target is None else "steps to target"

    @property
    def specs(self) -> tuple[str, ...]:
        """The race's optimizers at their tuned rates, as specs (schedules kept)."""
        return tuple(e.spec for e in self.entries)

    def ranks(self, which: Literal["given", "tuned"]) -> tuple[int, ...]:
        """Each entry's rank in the race at the given or at the tuned rates (ties share)."""
        return competition_ranks([e.key(which) for e in self.entries])

    def order(self, which: Literal["given", "tuned"]) -> tuple[str, ...]:
        """Display names from first to last (equal ranks in race order)."""
        ranks = self.ranks(which)
        index = sorted(range(len(self.entries)), key=lambda i: (ranks[i], i))
        return tuple(self.entries[i].name for i in index)

    def overtakes(self) -> tuple[tuple[str, str], ...]:
        """Pairs ``(a, b)``: ``a`` finished behind ``b`` at the given rates and ahead of it
        tuned (strictly, both times)."""
        given, tuned = self.ranks("given"), self.ranks("tuned")
        out = []
        for i, a in enumerate(self.entries):
            for j, b in enumerate(self.entries):
                if i != j and given[i] > given[j] and tuned[i] < tuned[j]:
                    out.append((a.name, b.name))
        return tuple(out)

    def ties(self, which: Literal["given", "tuned"]) -> tuple[tuple[str, ...], ...]:
        """Groups of two or more display names sharing a rank, best rank first."""
        ranks = self.ranks(which)
        groups = []
        for rank in sorted(set(ranks)):
            names = tuple(e.name for e, r in zip(self.entries, ranks, strict=True) if r == rank)
            if len(names) > 1:
                groups.append(names)
        return tuple(groups)


def tune_race(
    objective: Differentiable,
    specs: Sequence[str | optimizers.Optimizer],
    start: ArrayLike,
    steps: int,
    *,
    bound: Sequence[float] | None = None,
    target: float | None = None,
    grid: ArrayLike | None = None,
    tol: float = 1e-9,
) -> RaceTuning:
    r"""Tune the rate of every optimizer of a race, and run the race both ways.

    Each optimizer keeps its other hyperparameters (and its schedule, after ``@`` in a spec);
    only its rate is searched, by :func:`tune` with the same start, steps, ``bound``, grid and
    criterion for all.  The result holds the runs at the given rates and at the tuned ones,
    the ranks of both races and :attr:`RaceTuning.specs`, the tuned race as specs.

    Parameters
    ----------
    objective
        The race's function (or any loss with vectorised ``value`` and ``grad``).
    specs
        The optimizers, as specs (``"adam:lr=0.05,betas=0.9/0.99"``, optionally
        ``"... @ cosine"``) or :class:`~gdanim.optimizers.Optimizer` objects.
    start
        The start point.
    steps
        Steps of every run.
    bound
        The race's view, as a box: runs are held to it (a run leaving it is stopped).
    target
        Rank and tune by steps to this loss (see :func:`tune`); ``None``: by final loss.
    grid
        The rates to try; default :func:`default_grid`.
    tol
        The tie tolerance of the criterion "final loss".

    Returns
    -------
    RaceTuning

    Raises
    ------
    OptimizerSpecError
        A bad spec (one line, as the command line reports it).
    ValueError
        A bad grid, tolerance or target, or a schedule that sets the rate itself.

    Examples
    --------
    >>> from gdanim import objectives
    >>> race = tune_race(objectives.get("long_valley"), ["sgd:lr=0.95", "adam:lr=0.3"],
    ...                  [-7.0, 2.0], 100, bound=(-10, 10, -5, 5), target=1e-3)
    >>> race.specs
    ('sgd:lr=0.8633168407011583', 'adam:lr=0.2536619455757799')
    >>> [(e.name, e.given_steps, e.tuned_steps) for e in race.entries]
    [('SGD', 43, 44), ('Adam', 82, 69)]
    >>> race.ranks("given"), race.ranks("tuned")
    ((1, 2), (1, 2))
    """
    entries = []
    x0 = np.array(start, dtype=np.float64)
    box = None if bound is None else tuple(float(b) for b in bound)
    rates = default_grid() if grid is None else np.array(grid, dtype=np.float64)
    for item in specs:
        schedule: Schedule | None
        if isinstance(item, str):
            opt, schedule = optimizers.from_spec_with_schedule(item, steps=steps)
        else:
            opt, schedule = item, None
        result = tune(objective, opt, x0, steps, rates, schedule=schedule, bound=box, tol=tol,
                      target=target)
        given = descend(objective, opt, x0, steps, bound=box, schedule=schedule)
        best = result.best_optimizer
        tuned = (None if best is None
                 else descend(objective, best, x0, steps, bound=box, schedule=schedule))
        entries.append(TunedEntry(opt, schedule, result, given, tuned))
    return RaceTuning(
        entries=tuple(entries),
        start=x0,
        steps=int(steps),
        bound=box,
        target=None if target is None else float(target),
        grid=rates,
    )
