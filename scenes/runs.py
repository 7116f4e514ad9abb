"""One run of an optimizer as a scene draws it, and what it did in a few words.

A :class:`Run` holds the optimizer (and its schedule, if any), how the run is drawn (label,
colour, head shape), its trajectory and, when it stopped early, why
(:func:`gdanim.trajectory.why_stopped`). :func:`verdict` says what the run did, from its
numbers. Scenes draw ``run.points`` and ``run.values``: the points up to the last one inside
the view.

Examples
--------
>>> from gdanim import descend, objectives, optimizers
>>> f = objectives.parse("x**2")
>>> opt = optimizers.sgd(lr=0.5)
>>> run = Run(opt, "lr 0.5", "#E69F00", "circle", descend(f, opt, [4.0], 3, bound=(-5, 5)))
>>> run.last, run.points[:, 0].tolist(), run.lr
(3, [4.0, 0.0, 0.0, 0.0], 0.5)
>>> verdict(f, run, (-5.0, 5.0))
'settled in a minimum at 0.000'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from gdanim import Trajectory
from gdanim._typing import FloatArray
from gdanim.objectives import Objective
from gdanim.optimizers import Optimizer
from gdanim.schedules import Schedule
from gdanim.trajectory import Stop
from scenes.style import fmt

__all__ = ["Run", "point_text", "verdict"]


@dataclass
class Run:
    """One path of a scene: its optimizer, how it is drawn, its trajectory, and (if it stopped)
    why it stopped."""

    optimizer: Optimizer
    label: str
    color: str
    head: str
    trajectory: Trajectory
    stop: Stop | None = None
    schedule: Schedule | None = None

    @property
    def status(self) -> str:
        """A few words for a legend: ``"diverged at step 5"``, ``"stopped at step 1: 0/0"``."""
        return "" if self.stop is None else self.stop.short()

    @property
    def last(self) -> int:
        """Index of the last point inside the view (the end, or the step before it left)."""
        t = self.trajectory
        return t.steps if t.stopped_at is None else int(t.stopped_at) - 1

    @property
    def stopped_at(self) -> int | None:
        """The step at which the run left the view or stopped being finite, if it did."""
        s = self.trajectory.stopped_at
        return None if s is None else int(s)

    @property
    def points(self) -> FloatArray:
        """The points drawn: ``points[: last + 1]``."""
        return np.asarray(self.trajectory.points[: self.last + 1])

    @property
    def values(self) -> FloatArray:
        """The values of f at :attr:`points`."""
        return np.asarray(self.trajectory.values[: self.last + 1])

    @property
    def lr(self) -> float:
        """The optimizer's learning rate (the schedule's base rate when there is one)."""
        return float(cast(float, self.optimizer.hyperparameters["lr"]))


def point_text(p: FloatArray) -> str:
    """A point for sentences: ``1.500`` in 1D, ``(1.500, -2.000)`` in 2D.

    Examples
    --------
    >>> point_text(np.array([1.5, -2.0]))
    '(1.500, -2.000)'
    """
    vals = [fmt(float(v), 3) for v in np.ravel(p)]
    return vals[0] if len(vals) == 1 else "(" + ", ".join(vals) + ")"


def verdict(f: Objective, run: Run, view: Sequence[float]) -> str:
    """What a run did, in a few words, from its numbers.

    "diverged at step N" when it left the view (": f is undefined at x = ..." when it reached a
    point where f is not defined; "stopped at step N: the update was 0/0 ..." when its update
    divided 0 by 0); "settled in a minimum" when its last steps are negligible and the gradient
    vanishes with positive curvature; "oscillating" (inward or outward) when its last steps flip
    direction; "converging" when they shrink in one direction; otherwise "still moving".
    """
    if run.stopped_at is not None:
        return run.stop.sentence() if run.stop is not None else \
            f"diverged at step {run.stopped_at}"
    pts = run.points
    span = max(view[2 * i + 1] - view[2 * i] for i in range(f.dim))
    where = point_text(pts[-1])
    if len(pts) < 3:
        return f"ended at {where}"
    steps = np.diff(pts[-6:], axis=0)
    lengths = np.linalg.norm(steps, axis=1)
    if lengths[-1] < 1e-4 * span:
        g = float(np.linalg.norm(f.grad(pts[-1])))
        h = np.atleast_2d(np.asarray(f.hessian(pts[-1]), dtype=np.float64))
        if g < 1e-3 * max(1.0, span) and bool(np.all(np.linalg.eigvalsh(h) > 0)):
            return f"settled in a minimum at {where}"
        return f"came to rest at {where}"
    flips = np.einsum("ij,ij->i", steps[1:], steps[:-1]) < 0
    shrinking = bool(np.all(np.diff(lengths) <= 1e-12))
    growing = bool(np.all(np.diff(lengths) > 0))
    if len(flips) and flips.all():
        if growing:
            return f"oscillating outward, now at {where}"
        if shrinking:
            return f"oscillating inward, now at {where}"
        return f"oscillating, now at {where}"
    if shrinking and not flips.any():
        return f"converging, now at {where}"
    return f"still moving, now at {where}"
