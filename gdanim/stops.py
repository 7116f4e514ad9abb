r"""Why a run stopped: the reasons :func:`gdanim.descend` records at the step it refuses.

A run stops at the first update whose point is not finite, leaves the ``bound`` box, or lands
where the function or its gradient is not a finite number. :func:`classify` names the reason
from the raw update and the gradient it came from; :class:`Stop` holds it with the step and
the point, and says it in a legend's few words or a caption's clause.

Examples
--------
>>> import numpy as np
>>> stop = classify(3, np.array([11.0]), np.array([2.0]), np.array(121.0), np.array([22.0]),
...                 box=np.array([[-10.0, 10.0]]), eps_zero=False)
>>> stop.reason, stop.short()
('left', 'diverged at step 3')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from gdanim._typing import FloatArray

__all__ = ["Stop", "StopReason", "classify", "from_arrays", "to_arrays"]


#: Why a run stopped: it left the ``bound`` box; it reached a point where the function or its
#: gradient is not a finite number; its update overflowed to infinity; or its update was 0/0
#: (an optimizer with ``eps = 0`` where a gradient component and its running averages are 0).
StopReason = Literal["left", "undefined", "overflow", "zero_by_zero"]


@dataclass(frozen=True, eq=False)
class Stop:
    """What happened at the step where a run stopped.

    :func:`gdanim.descend` records one for every run that stops
    (:attr:`gdanim.Trajectory.stop`); :func:`gdanim.trajectory.why_stopped` returns it. Two
    stops are equal when every field is (``nan`` in ``point`` equal to ``nan``).

    Attributes
    ----------
    step
        The step index (``Trajectory.stop_step``).
    reason
        ``"left"``, ``"undefined"``, ``"overflow"`` or ``"zero_by_zero"`` (see
        :data:`StopReason`).
    point
        Where the update went, shape ``(d,)``; it may hold ``inf`` or ``nan``.
    eps_zero
        The optimizer has an ``eps`` hyperparameter and it is 0.
    infinite
        For ``"undefined"``: f or its gradient is infinite there (a pole, or a value too
        large for float64) rather than not a number.
    """

    step: int
    reason: StopReason
    point: FloatArray
    eps_zero: bool = False
    infinite: bool = False

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Stop):
            return NotImplemented
        return (self.step, self.reason, self.eps_zero, self.infinite) == (
            other.step, other.reason, other.eps_zero, other.infinite
        ) and bool(np.array_equal(self.point, other.point, equal_nan=True))

    __hash__ = None  # type: ignore[assignment]

    @property
    def diverged(self) -> bool:
        """Whether the run truly ran away (left the box, undefined there, or overflowed).

        A 0/0 update is not divergence: the run stopped because its update was undefined.
        """
        return self.reason != "zero_by_zero"

    def short(self) -> str:
        """A few words for a legend: ``"diverged at step 5"``, ``"stopped at step 1: 0/0"``.

        Examples
        --------
        >>> Stop(5, "left", np.array([11.0])).short()
        'diverged at step 5'
        >>> Stop(3, "undefined", np.array([-1.0])).short()
        'diverged at step 3: f undefined there'
        """
        n = self.step
        return {
            "left": f"diverged at step {n}",
            "undefined": f"diverged at step {n}: f "
                         f"{'not finite' if self.infinite else 'undefined'} there",
            "overflow": f"diverged at step {n}: overflow",
            "zero_by_zero": f"stopped at step {n}: 0/0",
        }[self.reason]

    def sentence(self) -> str:
        """What happened, in one clause, with the point reached where it is finite.

        Examples
        --------
        >>> Stop(1, "undefined", np.array([-9.0])).sentence()
        'diverged at step 1: f is undefined at x = -9'
        >>> Stop(1, "zero_by_zero", np.array([np.nan, 1.0]), eps_zero=True).sentence()
        'stopped at step 1: the update was 0/0 (eps = 0 where the gradient is 0)'
        """
        n = self.step
        if self.reason == "left":
            return f"diverged at step {n}"
        if self.reason == "undefined":
            what = "not finite" if self.infinite else "undefined"
            return f"diverged at step {n}: f is {what} at {_where(self.point)}"
        if self.reason == "overflow":
            return f"diverged at step {n}: the step overflowed"
        why = " (eps = 0 where the gradient is 0)" if self.eps_zero else " (at a zero gradient)"
        return f"stopped at step {n}: the update was 0/0{why}"


def _where(p: FloatArray) -> str:
    vals = [f"{float(v):.4g}" for v in np.ravel(p)]
    if len(vals) == 1:
        return f"x = {vals[0]}"
    return "(" + ", ".join(vals) + ")"


_REASONS: tuple[StopReason, ...] = ("left", "undefined", "overflow", "zero_by_zero")


def to_arrays(stops: tuple[Stop | None, ...], dim: int) -> dict[str, Any]:
    """The recorded stops as arrays for a ``.npz`` file (reason code -1: never stopped)."""
    reason = np.array([-1 if s is None else _REASONS.index(s.reason) for s in stops], np.int8)
    point = np.array([np.full(dim, np.nan) if s is None else s.point for s in stops],
                     dtype=np.float64).reshape(len(stops), dim)
    flags = np.array([(False, False) if s is None else (s.eps_zero, s.infinite) for s in stops],
                     dtype=bool).reshape(len(stops), 2)
    steps = np.array([-1 if s is None else s.step for s in stops], dtype=np.int64)
    return {"stop_reason": reason, "stop_point": point, "stop_flags": flags, "stop_step": steps}


def from_arrays(data: Any) -> tuple[Stop | None, ...]:
    reason = np.array(data["stop_reason"])
    point = np.array(data["stop_point"])
    flags = np.array(data["stop_flags"])
    steps = np.array(data["stop_step"])
    return tuple(
        None if int(r) < 0 else Stop(int(steps[i]), _REASONS[int(r)], point[i],
                                     bool(flags[i, 0]), bool(flags[i, 1]))
        for i, r in enumerate(reason)
    )


def classify(
    t: int,
    x_new: FloatArray,
    g: FloatArray,
    v_new: FloatArray,
    g_new: FloatArray,
    box: FloatArray | None,
    eps_zero: bool,
) -> Stop:
    r"""Why one run's update ``t`` was refused: ``x_new`` came from the gradient ``g``.

    In this order: :math:`x` not finite with a ``nan`` where the gradient component before it
    was 0 (``"zero_by_zero"``), else not finite (``"overflow"``); :math:`x` outside the box
    (``"left"``); otherwise :math:`f(x)` or :math:`\nabla f(x)` is not finite
    (``"undefined"``, ``infinite`` when neither is ``nan``).
    """
    point = np.array(x_new, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(point)):
        if np.any(np.isnan(point) & (np.asarray(g).reshape(-1) == 0.0)):
            return Stop(t, "zero_by_zero", point, eps_zero)
        return Stop(t, "overflow", point, eps_zero)
    if box is not None and not np.all((point >= box[:, 0]) & (point <= box[:, 1])):
        return Stop(t, "left", point, eps_zero)
    undefined = bool(np.any(np.isnan(v_new)) or np.any(np.isnan(g_new)))
    return Stop(t, "undefined", point, eps_zero, infinite=not undefined)
