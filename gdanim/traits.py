r"""Measures of a run's character: how long its steps are, how often it turns back, where it is.

:mod:`gdanim.analysis` answers *how well* a run did (steps to a tolerance, overshoot, the step
at which it left a saddle); the measures here describe *how it moved*, the traits that tell one
optimizer from another on the same surface:

* :func:`step_lengths` - the length :math:`\lVert x_t - x_{t-1} \rVert` of every step; AdaGrad's
  shrink for good, RMSprop's and Adam's stay put.
* :func:`step_ratio` - one step's length as a fraction of another's.
* :func:`direction_reversals` - how many times the motion along one coordinate turns back: the
  zig-zag of plain gradient descent across a narrow valley, the swing of momentum.
* :func:`displacement` - how far a run has moved along one coordinate after some steps: plain
  gradient descent crawling off a saddle.
* :func:`farthest_step` - the step at which a run was farthest past a minimum, where
  :func:`gdanim.analysis.overshoot` is attained.

Every measure looks at a single run up to where it stopped
(:meth:`Trajectory.valid_points <gdanim.trajectory.Trajectory.valid_points>`): the points held
after a run left its bound are not motion.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from gdanim._typing import FloatArray

if TYPE_CHECKING:
    from gdanim.trajectory import Trajectory

__all__ = [
    "direction_reversals",
    "displacement",
    "farthest_step",
    "step_lengths",
    "step_ratio",
]


def _points(traj: Trajectory) -> FloatArray:
    """The points of a single run up to (not including) the step at which it stopped."""
    return traj.valid_points()


def _axis(traj: Trajectory, axis: int) -> int:
    if not -traj.dim <= axis < traj.dim:
        raise ValueError(f"axis {axis} is out of range for a run in {traj.dim} dimensions")
    return axis % traj.dim


def step_lengths(traj: Trajectory) -> FloatArray:
    r"""The length of every step: :math:`\ell_t = \lVert x_t - x_{t-1} \rVert_2`, :math:`t \ge 1`.

    Parameters
    ----------
    traj
        A single run.

    Returns
    -------
    ndarray
        ``ell[t - 1]`` is the length of step ``t``; as many entries as steps the run took
        before it stopped (empty for a run of no steps).

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.25), [4.0], 3)
    >>> step_lengths(t).tolist()
    [2.0, 1.0, 0.5]
    """
    pts = _points(traj)
    if len(pts) < 2:
        return np.zeros(0, dtype=np.float64)
    lengths: FloatArray = np.linalg.norm(np.diff(pts, axis=0), axis=-1)
    return lengths


def step_ratio(traj: Trajectory, step: int, reference: int = 1) -> float:
    r"""How long step ``step`` is compared with step ``reference``: :math:`\ell_s / \ell_r`.

    Parameters
    ----------
    traj
        A single run.
    step, reference
        Step numbers, counted from 1 (step :math:`t` moves :math:`x_{t-1}` to :math:`x_t`).

    Returns
    -------
    float
        The ratio of the two step lengths (``inf`` or ``nan`` if the reference step has length 0).

    Raises
    ------
    ValueError
        If either step was not taken (before 1, or after the run stopped).

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.25), [4.0], 3)
    >>> step_ratio(t, 3)
    0.25
    """
    lengths = step_lengths(traj)
    for s in (step, reference):
        if not 1 <= s <= len(lengths):
            raise ValueError(f"step {s} was not taken; the run has steps 1 to {len(lengths)}")
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(lengths[step - 1]) / np.float64(lengths[reference - 1]))


def direction_reversals(traj: Trajectory, axis: int = -1) -> int:
    r"""How many times the motion along coordinate ``axis`` turns back.

    With :math:`\delta_t = x_{t, a} - x_{t-1, a}` the moves along the axis (moves of exactly zero
    left out), a reversal is a pair of consecutive moves of opposite sign. Plain gradient descent
    with :math:`\eta L > 1` across a valley reverses at every step; momentum swings with a period
    of many steps.

    Parameters
    ----------
    traj
        A single run.
    axis
        The coordinate (``-1``, the last, by default; ``y`` for a 2D run).

    Returns
    -------
    int
        The number of reversals, at most ``steps - 1``.

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> f = objectives.get("parabola")
    >>> direction_reversals(descend(f, optimizers.sgd(lr=0.9), [4.0], 10))
    9
    >>> direction_reversals(descend(f, optimizers.sgd(lr=0.1), [4.0], 10))
    0
    """
    a = _axis(traj, axis)
    moves = np.diff(_points(traj)[:, a])
    signs = np.sign(moves[moves != 0.0])
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def displacement(traj: Trajectory, step: int, axis: int = 0) -> float:
    r"""How far the run has moved along coordinate ``axis`` after ``step`` steps.

    That is :math:`x_{s,a} - x_{0,a}`, signed.

    Parameters
    ----------
    traj
        A single run.
    step
        Number of steps taken (0 to the last step before the run stopped).
    axis
        The coordinate (``0``, the first, by default).

    Returns
    -------
    float
        The signed distance moved along the axis.

    Raises
    ------
    ValueError
        If the run did not reach ``step`` (it stopped earlier, or ``step`` is negative).

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.25), [4.0], 3)
    >>> displacement(t, 2)
    -3.0
    """
    a = _axis(traj, axis)
    pts = _points(traj)
    if not 0 <= step < len(pts):
        raise ValueError(f"step {step} was not reached; the run has points 0 to {len(pts) - 1}")
    return float(pts[step, a] - pts[0, a])


def farthest_step(traj: Trajectory, minimum: Sequence[float] | FloatArray) -> int:
    r"""The step at which the run was farthest past ``minimum`` in its direction of approach.

    With :math:`u = (x^* - x_0) / \lVert x^* - x_0 \rVert` as in
    :func:`gdanim.analysis.overshoot`, this is :math:`\arg\max_t \langle x_t - x^*, u \rangle`
    (the first such step), the point at which the overshoot is measured. For a run that never
    passes the minimum it is the step that came closest to passing it.

    Parameters
    ----------
    traj
        A single run.
    minimum
        The minimum :math:`x^*` (different from the start).

    Returns
    -------
    int
        The step index :math:`t`.

    Raises
    ------
    ValueError
        If the run starts at ``minimum`` (there is no direction of approach).

    Examples
    --------
    >>> from gdanim import descend, objectives, optimizers
    >>> t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.9), [4.0], 10)
    >>> farthest_step(t, [0.0])
    1
    """
    pts = _points(traj)
    x_star = np.asarray(minimum, dtype=np.float64)
    direction = x_star - pts[0]
    norm = float(np.linalg.norm(direction))
    if norm == 0.0:
        raise ValueError("the run starts at the minimum; there is no direction of approach")
    return int(np.argmax((pts - x_star) @ (direction / norm)))
