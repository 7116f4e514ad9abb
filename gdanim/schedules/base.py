r"""The base of every schedule: the :class:`Schedule` class and its :class:`ScheduleState`."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import ClassVar, NamedTuple

import numpy as np

from gdanim._typing import FloatArray
from gdanim.optimizers import Rate

__all__ = ["Schedule", "ScheduleState"]


class ScheduleState(NamedTuple):
    """Where a schedule stands between two optimizer steps (torch's scheduler attributes).

    Attributes
    ----------
    epoch
        torch's ``last_epoch``: the number of :meth:`Schedule.update` calls so far (0 right
        after :meth:`Schedule.init`).
    lr
        The learning rate of the next optimizer step (torch's ``param_group["lr"]``): a
        float, or an array with one rate per run when :meth:`Schedule.init` got an array.
    momentum
        :class:`OneCycleLR`'s momentum (or :math:`\\beta_1`) for the next step; ``None`` for
        schedules that leave the momentum alone.
    step_count
        torch's ``_step_count`` (one more than ``epoch`` for a schedule used on its own).
    base_lr
        torch's ``base_lrs[0]``, the ``initial_lr`` of the param group.
    parts
        For :class:`SequentialLR`, the states of its schedules (their own ``epoch`` and
        ``step_count``); empty otherwise.
    """

    epoch: int
    lr: Rate
    momentum: float | None
    step_count: int
    base_lr: Rate
    parts: tuple[ScheduleState, ...] = ()


def _rate(lr: Rate) -> Rate:
    """A float, or a read-only float64 copy of an array of rates."""
    arr = np.array(lr, dtype=np.float64)
    if arr.ndim == 0:
        return float(arr)
    arr.flags.writeable = False
    return arr


def _int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


# --------------------------------------------------------------------------------------------
# The base class
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule: a pure pair :meth:`init` / :meth:`update`.

    Subclasses mirror one ``torch.optim.lr_scheduler`` class each.  Two schedules are equal
    when their class and keywords are.
    """

    torch_name: ClassVar[str] = ""
    short_name: ClassVar[str] = ""

    # -- torch's two formulas; single schedules override them ---------------------------------

    def _lr(self, lr: Rate, base: Rate, epoch: int, count: int, initial: bool) -> Rate:
        """torch's chainable ``get_lr``: the new ``param_group["lr"]`` from the current one."""
        raise NotImplementedError

    def _closed(self, base: Rate, epoch: int) -> Rate:
        """torch's ``_get_closed_form_lr`` (what SequentialLR uses at a milestone)."""
        raise NotImplementedError

    # -- the pure interface -------------------------------------------------------------------

    def init(self, lr: Rate) -> ScheduleState:
        """The state before the first optimizer step (what torch's constructor sets up).

        Parameters
        ----------
        lr
            The optimizer's learning rate (torch's ``initial_lr``), or an array of rates, one
            per run of a batch.

        Returns
        -------
        ScheduleState
            ``epoch == 0`` and ``lr`` the rate of the first optimizer step.
        """
        base = _rate(lr)
        return ScheduleState(0, self._lr(base, base, 0, 1, True), None, 1, base)

    def update(self, state: ScheduleState) -> ScheduleState:
        """``scheduler.step()``: the state for the next optimizer step.

        Parameters
        ----------
        state
            The state from :meth:`init` or the previous :meth:`update`.

        Returns
        -------
        ScheduleState
            ``epoch`` one higher, and the new rate.
        """
        epoch, count = state.epoch + 1, state.step_count + 1
        lr = self._lr(state.lr, state.base_lr, epoch, count, False)
        return ScheduleState(epoch, lr, None, count, state.base_lr)

    def values(self, lr: Rate, steps: int) -> tuple[FloatArray, FloatArray | None]:
        """The rate (and momentum) of each of ``steps`` optimizer steps.

        Runs torch's loop: the rate of step ``t`` (0-based) is the state's after ``t``
        updates, and the schedule is stepped after the last optimizer step too, so a run
        longer than :class:`OneCycleLR`'s ``total_steps`` raises the :class:`ValueError`
        torch raises.

        Parameters
        ----------
        lr
            The optimizer's learning rate, or one per run.
        steps
            Number of optimizer steps (>= 0).

        Returns
        -------
        tuple of ndarray and (ndarray or None)
            The rates, shape ``(steps,) + shape(lr)`` (``(steps,)`` for OneCycleLR, which
            ignores ``lr``), and the momenta, shape ``(steps,)``, or ``None`` when the
            schedule does not cycle the momentum.
        """
        steps = _int("steps", steps, 0)
        state = self.init(lr)
        rates: list[Rate] = []
        momenta: list[float] = []
        for _ in range(steps):
            rates.append(state.lr)
            if state.momentum is not None:
                momenta.append(state.momentum)
            state = self.update(state)
        out = np.array(rates, dtype=np.float64).reshape((steps, *np.shape(state.lr)))
        return out, (np.array(momenta, dtype=np.float64) if self.cycles_momentum else None)

    def rates(self, lr: Rate, steps: int) -> FloatArray:
        """The learning rate of each of ``steps`` optimizer steps (see :meth:`values`).

        Examples
        --------
        >>> from gdanim.schedules import ExponentialLR
        >>> ExponentialLR(gamma=0.5).rates(1.0, 4).tolist()
        [1.0, 0.5, 0.25, 0.125]
        """
        return self.values(lr, steps)[0]

    @property
    def cycles_momentum(self) -> bool:
        """Whether the schedule sets the momentum (Adam's :math:`\\beta_1`) as well."""
        return False

    @property
    def hyperparameters(self) -> dict[str, object]:
        """The keywords and their values, in torch's order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def spec(self) -> str:
        """A spec string that :func:`from_spec` turns back into an equal schedule.

        Examples
        --------
        >>> from gdanim.schedules import CosineAnnealingLR
        >>> CosineAnnealingLR(T_max=200).spec
        'cosine:T_max=200'
        """
        parts = [
            f"{key}={_fmt(value)}"
            for key, value in self.hyperparameters.items()
            if _shown(self, key, value)
        ]
        return self.short_name + (":" + ",".join(parts) if parts else "")

    @property
    def label(self) -> str:
        """Legend text, e.g. ``'CosineAnnealingLR (T_max=200)'``."""
        parts = [
            f"{key}={_fmt(value, label=True)}"
            for key, value in self.hyperparameters.items()
            if _shown(self, key, value)
        ]
        return f"{self.torch_name} ({', '.join(parts)})" if parts else self.torch_name

    @property
    def latex(self) -> str:
        r"""The rate as a formula of the step :math:`t` (LaTeX, no ``$``), :math:`\eta` the
        optimizer's rate; the closed form that torch's recursion follows.

        Examples
        --------
        >>> from gdanim.schedules import OneCycleLR
        >>> print(OneCycleLR(max_lr=0.1, total_steps=100).latex)
        \eta_t:\ 0.004 \nearrow 0.1 \searrow 4 \cdot 10^{-7}
        """
        return self._latex("t")

    def _latex(self, t: str) -> str:
        """:attr:`latex` with ``t`` standing for the step (e.g. ``"(t - 50)"`` in a chain)."""
        raise NotImplementedError


def _tex(value: float) -> str:
    """A number for LaTeX: ``0.1``, ``4 \\cdot 10^{-7}``."""
    text = f"{value:g}"
    if "e" not in text:
        return text
    mantissa, _, exponent = text.partition("e")
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else f"{mantissa} \\cdot {power}"


def _shown(schedule: Schedule, key: str, value: object) -> bool:
    """Whether a spec or label shows ``key``: required keywords and non-default values."""
    for f in fields(schedule):
        if f.name == key:
            if f.default is MISSING:
                return True
            return bool(value != f.default)
    return True


def _fmt(value: object, label: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "/".join(_fmt(v, label) for v in value)
    if isinstance(value, float):
        return f"{value:g}" if label else repr(value)
    return str(value)
