"""Trajectories: run an optimizer on an objective and keep every step.

A :class:`Trajectory` holds the points, values, gradients and optimizer buffers of a run,
step by step, ready for a scene to animate. Divergence is a result, not an exception: the first
step that is non-finite or leaves the ``bound`` box is recorded in ``stopped_at`` and the point is
held there for the rest of the run, and the reason is recorded with it
(:class:`~gdanim.stops.Stop`: the run left the box, reached a point where the function is
undefined, overflowed, or divided 0 by 0).

A trajectory may hold a batch of runs. Its typed accessors read one run at a time:
:meth:`Trajectory.run` takes run ``i`` of a batch, :attr:`Trajectory.stop_step` and
:attr:`Trajectory.stop` say where and why a run stopped, :meth:`Trajectory.valid_points`
gives its points before that step.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from gdanim._typing import ArrayLike, FloatArray, IntArray
from gdanim.stops import Stop, StopReason, classify, from_arrays, to_arrays

if TYPE_CHECKING:
    from gdanim.objectives import Objective
    from gdanim.optimizers import Optimizer
    from gdanim.schedules import Schedule

__all__ = [
    "Differentiable",
    "Stop",
    "StopReason",
    "Trajectory",
    "TrajectoryError",
    "descend",
    "why_stopped",
]


class Differentiable(Protocol):
    """What :func:`descend` needs of an objective: an :class:`~gdanim.objectives.Objective`,
    or any loss with the same vectorised interface (e.g. :class:`gdanim.regression.MSELoss`).

    ``value`` maps points of shape ``(..., dim)`` to shape ``(...)``, ``grad`` to shape
    ``(..., dim)``; ``text`` and ``variables`` describe it in the trajectory's metadata.
    """

    @property
    def dim(self) -> int: ...

    @property
    def text(self) -> str: ...

    @property
    def variables(self) -> Sequence[object]: ...

    def value(self, p: ArrayLike) -> FloatArray: ...

    def grad(self, p: ArrayLike) -> FloatArray: ...


class TrajectoryError(ValueError):
    """Invalid arguments to :func:`descend` (wrong shapes, a bad step count or bound)."""


def _json_default(value: object) -> object:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in trajectory metadata")


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The record of one run (or a batch of runs) of an optimizer on an objective.

    Attributes
    ----------
    points : ndarray
        Shape ``(steps + 1, d)`` for a single run or ``(steps + 1, k, d)`` for a batch of ``k``.
        ``points[0]`` is the start ``x0``.
    values : ndarray
        Objective value at every point, shape ``points.shape[:-1]``.
    grads : ndarray
        Gradient at every point, same shape as ``points``.
    buffers : dict of str to ndarray
        The optimizer's state buffers after each step (``buffers[name][t]`` is the buffer after
        update ``t``; zeros at ``t = 0``), same shape as ``points``.
    diverged : bool or ndarray of bool
        Whether the run (each run of a batch) stopped because it became non-finite or left
        ``bound``. Typed per run by :attr:`stop_step` and :attr:`stop_steps`.
    stopped_at : int or None, or ndarray of int
        First step index whose point was non-finite or outside ``bound``; ``None`` (single run) or
        ``-1`` (batch) when the run never stopped. From that step on the point is held at the last
        valid one. :attr:`stop_step` (one run, ``int | None``) and :attr:`stop_steps` (every
        run, ``-1`` for none) read it with one type each; :meth:`valid_points` cuts a run there.
    expression, variables, optimizer_name, optimizer_label, hyperparameters, x0, steps, bound
        Metadata describing what was run (``objectives.parse(expression, variables)`` gives the
        objective back).
    lrs : ndarray
        The learning rate of each update: ``lrs[t]`` took ``points[t]`` to ``points[t + 1]``.
        Shape ``(steps,)``, or ``(steps, k)`` when each run of a batch had its own rate.
        Constant without a schedule.
    momenta : ndarray or None
        Shape ``(steps,)``: the momentum (Adam's :math:`\beta_1`) of each update when the
        schedule cycles it (OneCycleLR), else ``None``.
    schedule : str
        The schedule's spec (:attr:`gdanim.schedules.Schedule.spec`), ``""`` without one.
    stops : tuple of (Stop or None), or None
        Why each run stopped, as :func:`descend` found it at the step (one entry per run,
        ``None`` for a run that never stopped); ``None`` when not recorded (a trajectory
        built by hand or read from a file written before gdanim recorded it). Read one run's
        with :attr:`stop`.

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> f = objectives.get("parabola")
    >>> batch = descend(f, optimizers.sgd(), [[4.0], [4.0]], 40, bound=(-10, 10), lr=[0.1, 1.1])
    >>> batch.n_runs, batch.stop_steps.tolist()
    (2, [-1, 6])
    >>> run = batch.run(1)
    >>> run.stop_step, run.stop.reason, len(run.valid_points())
    (6, 'left', 6)
    >>> run.valid_points()[-1].round(4).tolist(), run.last_valid_step
    ([-9.9533], 5)
    """

    points: FloatArray
    values: FloatArray
    grads: FloatArray
    buffers: dict[str, FloatArray]
    diverged: Any
    stopped_at: Any
    expression: str
    optimizer_name: str
    optimizer_label: str
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    x0: FloatArray = field(default_factory=lambda: np.zeros(0))
    steps: int = 0
    bound: tuple[float, ...] | None = None
    variables: tuple[str, ...] = ()
    lrs: FloatArray = field(default_factory=lambda: np.zeros(0))
    momenta: FloatArray | None = None
    schedule: str = ""
    stops: tuple[Stop | None, ...] | None = None

    @property
    def batched(self) -> bool:
        """True when the trajectory holds a batch of runs, ``points`` of shape ``(T, k, d)``."""
        return self.points.ndim == 3

    @property
    def dim(self) -> int:
        """Dimension ``d`` of the parameter space."""
        return int(self.points.shape[-1])

    @property
    def final_point(self) -> FloatArray:
        """The last point (``points[-1]``)."""
        last: FloatArray = self.points[-1]
        return last

    @property
    def final_value(self) -> Any:
        """The objective value at the last point."""
        return self.values[-1]

    # ----------------------------------------------------------------------------------------
    # Typed per-run accessors: one run of a batch, where a run stopped, its valid points
    # ----------------------------------------------------------------------------------------

    @property
    def n_runs(self) -> int:
        """How many runs the trajectory holds: ``k`` for a batch, 1 for a single run."""
        return int(self.points.shape[1]) if self.batched else 1

    def run(self, i: int) -> Trajectory:
        """Run ``i`` of a batch as a single-run trajectory (a single run is its own run 0).

        Points, values, gradients and buffers are the batch's column ``i`` (views, not
        copies); ``stopped_at`` and ``diverged`` become ``int | None`` and ``bool``, ``x0``
        that run's start, ``lrs`` that run's rates, and :attr:`stop` that run's stop.
        Metadata (the optimizer's label and hyperparameters) stays the batch's: with a rate
        per run, ``lrs`` holds the rate that run used.

        Raises
        ------
        TrajectoryError
            If there is no run ``i``.

        Examples
        --------
        >>> from gdanim import descend, objectives, optimizers
        >>> t = descend(objectives.get("parabola"), optimizers.sgd(), [[4.0], [4.0]], 2,
        ...             lr=[0.25, 0.5])
        >>> one = t.run(1)
        >>> one.points[:, 0].tolist(), one.lrs.tolist(), one.stop_step
        ([4.0, 0.0, 0.0], [0.5, 0.5], None)
        """
        if isinstance(i, bool) or not isinstance(i, int | np.integer) \
                or not -self.n_runs <= i < self.n_runs:
            raise TrajectoryError(f"run {i!r}: the trajectory holds runs 0 to {self.n_runs - 1}")
        i = int(i) % self.n_runs
        if not self.batched:
            return self
        step = int(self.stop_steps[i])
        return dataclasses.replace(
            self,
            points=self.points[:, i],
            values=self.values[:, i],
            grads=self.grads[:, i],
            buffers={name: buf[:, i] for name, buf in self.buffers.items()},
            diverged=step >= 0,
            stopped_at=None if step < 0 else step,
            x0=self.x0[i] if np.ndim(self.x0) == 2 else self.x0,
            lrs=self.lrs[:, i] if self.lrs.ndim == 2 else self.lrs,
            stops=None if self.stops is None else (self.stops[i],),
        )

    def _single(self, what: str) -> None:
        if self.batched:
            raise TrajectoryError(
                f"{what} takes a single run; take one run of the batch with run(i)"
            )

    @property
    def stop_steps(self) -> IntArray:
        """The step at which each run stopped, ``-1`` for a run that never did; shape ``(k,)``.

        A single run gives one entry.

        Examples
        --------
        >>> from gdanim import descend, objectives, optimizers
        >>> t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.1), [4.0], 5)
        >>> t.stop_steps.tolist()
        [-1]
        """
        if self.batched:
            return np.asarray(self.stopped_at, dtype=np.int64).reshape(self.n_runs)
        return np.array([-1 if self.stopped_at is None else int(self.stopped_at)],
                        dtype=np.int64)

    @property
    def stop_step(self) -> int | None:
        """The step at which this single run stopped, or ``None`` if it never did.

        Raises
        ------
        TrajectoryError
            For a batch (use :attr:`stop_steps`, or :meth:`run`).
        """
        self._single("stop_step")
        return None if self.stopped_at is None else int(self.stopped_at)

    @property
    def stop(self) -> Stop | None:
        """Why this single run stopped (recorded by :func:`descend`), or ``None`` if it did not.

        Raises
        ------
        TrajectoryError
            For a batch, or for a stopped run whose reason was not recorded (replay it with
            :func:`why_stopped`).

        Examples
        --------
        >>> from gdanim import descend, objectives, optimizers
        >>> run = descend(objectives.parse("log(x)"), optimizers.sgd(lr=0.5), [1.0], 5)
        >>> run.stop.sentence()
        'diverged at step 2: f is undefined at x = -0.5'
        """
        step = self.stop_step
        if step is None:
            return None
        if self.stops is None or self.stops[0] is None:
            raise TrajectoryError(
                f"the run stopped at step {step} but why was not recorded; replay it with "
                "why_stopped(objective, optimizer, trajectory)"
            )
        return self.stops[0]

    @property
    def last_valid_step(self) -> int:
        """Index of the last point before the run stopped (``steps`` if it never did).

        Examples
        --------
        >>> from gdanim import descend, objectives, optimizers
        >>> f = objectives.get("parabola")
        >>> descend(f, optimizers.sgd(lr=1.1), [4.0], 50, bound=(-10, 10)).last_valid_step
        5
        """
        return len(self.valid_points()) - 1

    def valid_points(self) -> FloatArray:
        """The points of this single run up to (not including) the step at which it stopped.

        The points held after a run stopped are not motion; every measure of a run's path
        reads these. All ``steps + 1`` points for a run that never stopped.

        Raises
        ------
        TrajectoryError
            For a batch (take a run with :meth:`run`).
        """
        self._single("valid_points")
        pts: FloatArray = self.points[: self._end()]
        return pts

    def valid_values(self) -> FloatArray:
        """The objective values at :meth:`valid_points`."""
        self._single("valid_values")
        vals: FloatArray = self.values[: self._end()]
        return vals

    def valid_grads(self) -> FloatArray:
        """The gradients at :meth:`valid_points`."""
        self._single("valid_grads")
        grads: FloatArray = self.grads[: self._end()]
        return grads

    def _end(self) -> int:
        return int(self.points.shape[0]) if self.stopped_at is None else int(self.stopped_at)

    def save(self, path: str | Path) -> Path:
        """Write the trajectory to a ``.npz`` file with its metadata and return the path.

        Examples
        --------
        >>> from gdanim import descend, objectives, optimizers
        >>> t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.1), [4.0], 10)
        >>> import tempfile, os
        >>> p = t.save(os.path.join(tempfile.mkdtemp(), "run.npz"))
        >>> bool(Trajectory.load(p).points[-1, 0] == t.points[-1, 0])
        True
        """
        path = Path(path)
        meta = {
            "expression": self.expression,
            "optimizer_name": self.optimizer_name,
            "optimizer_label": self.optimizer_label,
            "hyperparameters": self.hyperparameters,
            "steps": self.steps,
            "bound": self.bound,
            "variables": list(self.variables),
            "buffers": sorted(self.buffers),
            "schedule": self.schedule,
        }
        arrays: dict[str, Any] = {
            "points": self.points,
            "values": self.values,
            "grads": self.grads,
            "x0": self.x0,
            "diverged": np.asarray(self.diverged),
            "stopped_at": np.asarray(-1 if self.stopped_at is None else self.stopped_at),
            "meta": np.array(json.dumps(meta, default=_json_default)),
            "lrs": self.lrs,
        }
        if self.momenta is not None:
            arrays["momenta"] = self.momenta
        if self.stops is not None:
            arrays.update(to_arrays(self.stops, self.dim))
        for name, buf in self.buffers.items():
            arrays[f"buffer__{name}"] = buf
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, path: str | Path) -> Trajectory:
        """Read a trajectory written by :meth:`save`."""
        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            buffers = {name: np.array(data[f"buffer__{name}"]) for name in meta["buffers"]}
            points = np.array(data["points"])
            diverged_arr = np.array(data["diverged"])
            stopped_arr = np.array(data["stopped_at"])
            values = np.array(data["values"])
            grads = np.array(data["grads"])
            x0 = np.array(data["x0"])
            lrs = np.array(data["lrs"]) if "lrs" in data else None
            momenta = np.array(data["momenta"]) if "momenta" in data else None
            stops = from_arrays(data) if "stop_reason" in data else None
        if points.ndim == 2:
            diverged: Any = bool(diverged_arr)
            stopped: Any = None if int(stopped_arr) < 0 else int(stopped_arr)
        else:
            diverged, stopped = diverged_arr, stopped_arr
        bound = meta["bound"]
        hyper = {
            k: tuple(v) if isinstance(v, list) else v for k, v in meta["hyperparameters"].items()
        }
        if lrs is None:  # written before rates were recorded: the optimizer's constant rate
            lrs = np.full(int(meta["steps"]), meta["hyperparameters"].get("lr", np.nan), float)
        return cls(
            points=points,
            values=values,
            grads=grads,
            buffers=buffers,
            diverged=diverged,
            stopped_at=stopped,
            expression=meta["expression"],
            optimizer_name=meta["optimizer_name"],
            optimizer_label=meta["optimizer_label"],
            hyperparameters=hyper,
            x0=x0,
            steps=int(meta["steps"]),
            bound=None if bound is None else tuple(float(b) for b in bound),
            variables=tuple(meta.get("variables", ())),
            lrs=lrs,
            momenta=momenta,
            schedule=str(meta.get("schedule", "")),
            stops=stops,
        )


def _check_bound(bound: Sequence[float] | None, dim: int) -> FloatArray | None:
    if bound is None:
        return None
    b = np.asarray(bound, dtype=np.float64)
    if b.shape != (2 * dim,):
        raise TrajectoryError(
            f"bound must have {2 * dim} numbers (min, max per coordinate) for a {dim}D "
            f"objective, got {b.size}"
        )
    box = b.reshape(dim, 2)
    if not np.all(box[:, 0] < box[:, 1]):
        raise TrajectoryError("bound: each minimum must be below its maximum")
    return box


def descend(
    objective: Objective | Differentiable,
    optimizer: Optimizer,
    x0: ArrayLike,
    steps: int,
    *,
    bound: Sequence[float] | None = None,
    schedule: Schedule | None = None,
    lr: ArrayLike | None = None,
) -> Trajectory:
    r"""Run ``optimizer`` on ``objective`` from ``x0`` for ``steps`` updates.

    Each step evaluates :math:`g_t = \nabla f(x_t)` and applies the optimizer's update
    :math:`x_{t+1} = \mathrm{update}(g_t, s_t, x_t; \eta_t)`. A batch of starts runs all at
    once.

    With a ``schedule`` the rate :math:`\eta_t` of update ``t`` is the schedule's after ``t``
    steps, exactly as in torch's loop ``optimizer.step(); scheduler.step()`` (the scheduler
    constructed before the first step sets :math:`\eta_0`); see :mod:`gdanim.schedules`.

    Parameters
    ----------
    objective : Objective or Differentiable
        The function to minimise (an objective, or a loss such as
        :class:`gdanim.regression.MSELoss`).
    optimizer : Optimizer
        A gdanim optimizer (pure ``init``/``update`` pair).
    x0 : array_like
        Start point of shape ``(d,)``, or a batch of starts of shape ``(k, d)``. A scalar is taken
        as a 1D start.
    steps : int
        Number of updates (0 <= steps <= 1,000,000).
    bound : sequence of float, optional
        A box ``(xmin, xmax[, ymin, ymax[, zmin, zmax]])``. A run that leaves it, or whose point
        or value becomes non-finite, is stopped: ``stopped_at`` records the step and the point is
        held at the last valid one.
    schedule : Schedule, optional
        A learning-rate schedule (:mod:`gdanim.schedules`), stepped once per update.
        :class:`~gdanim.schedules.OneCycleLR` also sets the momentum (see
        :func:`gdanim.schedules.bind`).
    lr : float or array_like, optional
        The learning rate instead of the optimizer's (the schedule's starting rate, if there
        is one); for a batch of ``k`` starts, an array of shape ``(k,)`` gives each run its
        own rate, all advanced in one vectorised loop (as :func:`gdanim.tune` does).

    Returns
    -------
    Trajectory
        Points ``(steps + 1, d)`` or ``(steps + 1, k, d)``, values, gradients, buffers.

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.5), [4.0], 3)
    >>> t.points[:, 0].tolist()
    [4.0, 0.0, 0.0, 0.0]
    >>> t = descend(objectives.get("parabola"), optimizers.sgd(lr=1.1), [4.0], 50, bound=(-10, 10))
    >>> t.diverged, t.stopped_at
    (True, 6)
    >>> from gdanim.schedules import StepLR
    >>> t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.25), [4.0], 4,
    ...             schedule=StepLR(step_size=2, gamma=0.4))
    >>> t.lrs.tolist(), t.points[:, 0].tolist()
    ([0.25, 0.25, 0.1, 0.1], [4.0, 2.0, 1.0, 0.8, 0.64])
    >>> t = descend(objectives.get("parabola"), optimizers.sgd(), [[4.0], [4.0]], 1,
    ...             lr=[0.25, 0.5])
    >>> t.points[-1, :, 0].tolist()
    [2.0, 0.0]
    """
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise TrajectoryError(f"steps must be an integer, got {steps!r}")
    steps = int(steps)
    if not 0 <= steps <= 1_000_000:
        raise TrajectoryError(f"steps must be between 0 and 1,000,000, got {steps}")
    dim = objective.dim
    start = np.array(x0, dtype=np.float64)
    if start.ndim == 0:
        start = start.reshape(1)
    if start.ndim not in (1, 2) or start.shape[-1] != dim:
        raise TrajectoryError(
            f"start point has shape {start.shape}; a {dim}D objective needs ({dim},) or (k, {dim})"
        )
    if not np.all(np.isfinite(start)):
        raise TrajectoryError("start point must be finite")
    box = _check_bound(bound, dim)
    if box is not None and not np.all((start >= box[:, 0]) & (start <= box[:, 1])):
        raise TrajectoryError("start point lies outside the bound")

    batch_shape = start.shape[:-1]
    base: float | FloatArray
    if lr is None:
        base = float(optimizer.hyperparameters["lr"])  # type: ignore[arg-type]
    else:
        base_arr = np.array(lr, dtype=np.float64)
        if base_arr.ndim > 0 and base_arr.shape != batch_shape:
            raise TrajectoryError(
                f"lr has shape {base_arr.shape}; give one number"
                + (f", or one per start (shape {batch_shape})" if batch_shape else "")
            )
        if not np.all(base_arr >= 0):
            raise TrajectoryError("lr must be >= 0 (every rate)")
        base = float(base_arr) if base_arr.ndim == 0 else base_arr
    momenta: FloatArray | None = None
    if schedule is not None:
        from gdanim.schedules import bind

        try:
            optimizer = bind(schedule, optimizer)
            lrs, momenta = schedule.values(base, steps)
        except ValueError as exc:
            raise TrajectoryError(str(exc)) from None
    else:
        lrs = np.broadcast_to(np.asarray(base, dtype=np.float64), (steps, *np.shape(base))).copy()
    # per-step rates as the optimizer takes them: None (its own), a number, or (k, 1) arrays
    step_lrs: list[float | FloatArray | None]
    if schedule is None and lr is None:
        step_lrs = [None] * steps
    elif lrs.ndim == 1:
        step_lrs = [float(v) for v in lrs]
    else:
        step_lrs = list(lrs.reshape(steps, *batch_shape, 1))
    step_momenta: list[float | None] = (
        [None] * steps if momenta is None else [float(m) for m in momenta]
    )
    points = np.empty((steps + 1, *start.shape))
    grads = np.empty_like(points)
    values = np.empty((steps + 1, *batch_shape))
    stopped = np.full(batch_shape, -1, dtype=np.int64)
    active = np.ones(batch_shape, dtype=bool)
    stops: list[Stop | None] = [None] * int(np.prod(batch_shape, dtype=np.int64))
    eps = optimizer.hyperparameters.get("eps")
    eps_zero = isinstance(eps, int | float) and float(eps) == 0.0
    lo = hi = None
    if box is not None:
        lo, hi = box[:, 0], box[:, 1]

    x = start.copy()
    state = optimizer.init(x)
    buffers: dict[str, FloatArray] = {name: np.empty_like(points) for name in state.buffers}
    for name, buf in state.buffers.items():
        buffers[name][0] = buf
    with np.errstate(all="ignore"):
        g = np.asarray(objective.grad(x), dtype=np.float64)
        points[0] = x
        grads[0] = g
        values[0] = objective.value(x)
        last = steps
        for t in range(1, steps + 1):
            x_new, state = optimizer.update(
                g, state, x, lr=step_lrs[t - 1], momentum=step_momenta[t - 1]
            )
            for name, buf in state.buffers.items():
                buffers[name][t] = buf
            g_new = objective.grad(x_new)
            v_new = objective.value(x_new)
            # fast path: one whole-array test per step; per-run tests only when something failed
            ok = bool(np.isfinite(v_new).all()) and bool(np.isfinite(g_new).all())
            if ok and lo is not None and hi is not None:
                ok = bool((x_new >= lo).all()) and bool((x_new <= hi).all())
            if not ok:
                bad = ~np.isfinite(v_new) | ~np.all(np.isfinite(g_new), axis=-1)
                bad |= ~np.all(np.isfinite(x_new), axis=-1)
                if lo is not None and hi is not None:
                    bad |= ~np.all((x_new >= lo) & (x_new <= hi), axis=-1)
                newly = bad & active
                stopped[newly] = t
                active &= ~bad
                for i in np.flatnonzero(newly.reshape(-1)).tolist():
                    at = np.unravel_index(i, batch_shape) if batch_shape else ()
                    stops[i] = classify(t, x_new[at], g[at], np.asarray(v_new)[at],
                                        np.asarray(g_new)[at], box, eps_zero)
            if not active.all():
                hold = ~active
                x_new = np.where(hold[..., None], points[t - 1], x_new)
                g_new = np.where(hold[..., None], grads[t - 1], g_new)
                v_new = np.where(hold, values[t - 1], v_new)
            points[t] = x_new
            grads[t] = g_new
            values[t] = v_new
            if not active.any():
                last = t
                break
            x, g = x_new, g_new
        if last < steps:
            # every run has stopped: hold the rest of the record
            points[last + 1 :] = points[last]
            grads[last + 1 :] = grads[last]
            values[last + 1 :] = values[last]
            for buf in buffers.values():
                buf[last + 1 :] = buf[last]

    diverged_arr = stopped >= 0
    if batch_shape == ():
        diverged: Any = bool(diverged_arr)
        stopped_at: Any = None if int(stopped) < 0 else int(stopped)
    else:
        diverged, stopped_at = diverged_arr, stopped
    hyper = dict(optimizer.hyperparameters)
    return Trajectory(
        points=points,
        values=values,
        grads=grads,
        buffers=buffers,
        diverged=diverged,
        stopped_at=stopped_at,
        expression=objective.text,
        optimizer_name=optimizer.name,
        optimizer_label=optimizer.label,
        hyperparameters=hyper,
        x0=start,
        steps=steps,
        bound=None if box is None else tuple(float(b) for b in box.ravel()),
        variables=tuple(str(v) for v in objective.variables),
        lrs=lrs,
        momenta=momenta,
        schedule="" if schedule is None else schedule.spec,
        stops=tuple(stops),
    )


def why_stopped(
    objective: Objective | Differentiable,
    optimizer: Optimizer,
    trajectory: Trajectory,
    *,
    replay: bool = False,
) -> Stop | None:
    r"""Say why a single run stopped: the reason :func:`descend` recorded, or a replay.

    A run from :func:`descend` carries its reason (:attr:`Trajectory.stop`), which is
    returned as it is. Without one (a trajectory saved before reasons were recorded), or with
    ``replay=True``, the run's updates are repeated up to ``stopped_at`` with ``optimizer``
    from the same start, at the recorded rates (and momenta): every step before it is the
    recorded one, the step at ``stopped_at`` is the one :func:`descend` refused, and its raw
    result :math:`x` tells why:

    - :math:`x` not finite, a ``nan`` where the gradient component before it was 0: the update
      was :math:`0/0` (``"zero_by_zero"``; Adam, RMSprop or AdaGrad with ``eps = 0``);
    - otherwise :math:`x` not finite: ``"overflow"``;
    - :math:`x` outside ``bound``: ``"left"``;
    - :math:`f(x)` or :math:`\nabla f(x)` not finite: ``"undefined"`` (``infinite`` when
      neither is ``nan``).

    :func:`descend` applies the same rules at the step itself, so the two agree.

    Returns ``None`` for a run that never stopped. A batch is not supported (take one run
    with :meth:`Trajectory.run`).

    Examples
    --------
    >>> from gdanim import objectives, optimizers
    >>> f = objectives.parse("log(x)")
    >>> run = descend(f, optimizers.sgd(lr=0.5), [1.0], 5, bound=(-20, 20))
    >>> stop = why_stopped(f, optimizers.sgd(lr=0.5), run)
    >>> stop.reason, stop.step, stop.point.tolist()
    ('undefined', 2, [-0.5])
    >>> why_stopped(f, optimizers.sgd(lr=0.5), run, replay=True) == run.stop
    True
    """
    if trajectory.batched:
        raise TrajectoryError("why_stopped: one run at a time, not a batch")
    stop = trajectory.stop_step
    if stop is None:
        return None
    if not replay and trajectory.stops is not None and trajectory.stops[0] is not None:
        return trajectory.stops[0]
    x = np.array(trajectory.x0, dtype=np.float64).reshape(-1)
    hyper = optimizer.hyperparameters
    eps = hyper.get("eps")
    eps_zero = isinstance(eps, int | float) and float(eps) == 0.0
    box = None if trajectory.bound is None else \
        np.asarray(trajectory.bound, dtype=np.float64).reshape(-1, 2)
    with np.errstate(all="ignore"):
        state = optimizer.init(x)
        g = np.asarray(objective.grad(x), dtype=np.float64)
        for t in range(1, stop + 1):
            # the recorded rate (and momentum) of each update, as a schedule gave them
            lr = float(trajectory.lrs[t - 1]) if len(trajectory.lrs) >= t else None
            mom = None if trajectory.momenta is None else float(trajectory.momenta[t - 1])
            x_new, state = optimizer.update(g, state, x, lr=lr, momentum=mom)
            x_new = np.asarray(x_new, dtype=np.float64)
            g_new = np.asarray(objective.grad(x_new), dtype=np.float64)
            if t < stop:
                x, g = x_new, g_new
                continue
            v = np.asarray(objective.value(x_new), dtype=np.float64)
            return classify(stop, x_new, g, v, g_new, box, eps_zero)
    raise TrajectoryError("why_stopped: stopped_at must be at least 1")  # pragma: no cover
