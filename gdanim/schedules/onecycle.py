r"""OneCycleLR: warm up to a peak rate, then anneal far below it, cycling the momentum."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import ClassVar, NamedTuple

from gdanim.optimizers import Rate
from gdanim.schedules.base import Schedule, ScheduleState, _number, _tex

__all__ = ["OneCycleLR"]


class _Phase(NamedTuple):
    end_step: float
    start_lr: str
    end_lr: str
    start_momentum: str
    end_momentum: str


@dataclass(frozen=True)
class OneCycleLR(Schedule):
    r"""The 1cycle policy, like ``OneCycleLR``: warm up to ``max_lr``, then anneal far below.

    With :math:`T` = ``total_steps``, :math:`p` = ``pct_start``,
    :math:`\eta_0 = \eta_{\max} / d` (``div_factor``) and
    :math:`\eta_{\min} = \eta_0 / d_f` (``final_div_factor``), the rate goes from
    :math:`\eta_0` to :math:`\eta_{\max}` over steps :math:`0 \dots pT - 1`, then to
    :math:`\eta_{\min}` at step :math:`T - 1`, each phase along

    .. math::
        a(s, e, \pi_t) = e + \tfrac12 (s - e) (1 + \cos \pi \pi_t)
        \quad\text{(``cos'')}, \qquad
        a(s, e, \pi_t) = (e - s)\, \pi_t + s \quad\text{(``linear'')},

    where :math:`\pi_t` is the fraction of the phase done.  With ``three_phase`` the rate
    comes back to :math:`\eta_0` at step :math:`2pT - 2` before the final fall.  The
    momentum moves the other way, from ``max_momentum`` down to ``base_momentum`` while the
    rate rises and back up (:attr:`ScheduleState.momentum`; for Adam it is :math:`\beta_1`).

    The optimizer's own learning rate is ignored, as in torch (the constructor overwrites
    the param group's ``initial_lr`` with :math:`\eta_{\max} / d`), and with
    ``cycle_momentum`` the optimizer's momentum (or :math:`\beta_1`) is replaced too
    (:func:`bind`).  torch allows ``total_steps`` scheduler steps: a run of more optimizer
    steps raises ``ValueError: Tried to step ...``.

    Parameters
    ----------
    max_lr
        Peak rate :math:`\eta_{\max}`.
    total_steps
        :math:`T`; or give ``epochs`` and ``steps_per_epoch`` instead.
    epochs, steps_per_epoch
        :math:`T` = ``epochs * steps_per_epoch`` when ``total_steps`` is not given.
    pct_start
        :math:`p`, the fraction of the cycle spent warming up (a float in [0, 1], default
        0.3).
    anneal_strategy
        ``"cos"`` (default) or ``"linear"``.
    cycle_momentum
        Cycle the momentum inversely to the rate (default true).
    base_momentum, max_momentum
        The momentum at the peak rate (0.85) and at the ends (0.95).
    div_factor
        :math:`d` (25).
    final_div_factor
        :math:`d_f` (1e4).
    three_phase
        Use the symmetric three-phase schedule of the paper.

    Raises
    ------
    ValueError
        torch's messages (``Expected positive integer total_steps, but got 0``, ``You must
        define either total_steps OR (epochs AND steps_per_epoch)``, ...), and ours for a
        phase of zero length (``pct_start * total_steps == 1``, where torch divides by zero).

    Examples
    --------
    >>> sched = OneCycleLR(max_lr=1.0, total_steps=10, anneal_strategy="linear")
    >>> sched.rates(0.0, 4).round(4).tolist()
    [0.04, 0.52, 1.0, 0.8571]
    >>> sched.values(0.0, 4)[1].round(4).tolist()
    [0.95, 0.9, 0.85, 0.8643]
    """

    max_lr: float
    total_steps: int | None = None
    epochs: int | None = None
    steps_per_epoch: int | None = None
    pct_start: float = 0.3
    anneal_strategy: str = "cos"
    cycle_momentum: bool = True
    base_momentum: float = 0.85
    max_momentum: float = 0.95
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False
    _phases: tuple[_Phase, ...] = field(init=False, repr=False, compare=False)
    _total: int = field(init=False, repr=False, compare=False)

    torch_name: ClassVar[str] = "OneCycleLR"
    short_name: ClassVar[str] = "onecycle"

    def __post_init__(self) -> None:
        total_steps, epochs, per = self.total_steps, self.epochs, self.steps_per_epoch
        if total_steps is not None:
            if (
                isinstance(total_steps, bool)
                or not isinstance(total_steps, int)
                or total_steps <= 0
            ):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            total = total_steps
        elif epochs is not None and per is not None:
            if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(per, int) or isinstance(per, bool) or per <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got {per}")
            total = epochs * per
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        pct = self.pct_start
        phases: tuple[_Phase, ...]
        if three_phase := bool(self.three_phase):
            phases = (
                _Phase(float(pct * total) - 1, "initial_lr", "max_lr", "max_m", "base_m"),
                _Phase(float(2 * pct * total) - 2, "max_lr", "initial_lr", "base_m", "max_m"),
                _Phase(total - 1, "initial_lr", "min_lr", "max_m", "max_m"),
            )
        else:
            phases = (
                _Phase(float(pct * total) - 1, "initial_lr", "max_lr", "max_m", "base_m"),
                _Phase(total - 1, "max_lr", "min_lr", "base_m", "max_m"),
            )
        if pct < 0 or pct > 1 or not isinstance(pct, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct}")
        if self.anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                "anneal_strategy must be one of 'cos' or 'linear', instead got "
                f"{self.anneal_strategy}"
            )
        start = 0.0
        for phase in phases:
            if phase.end_step == start:
                raise ValueError(
                    f"OneCycleLR: pct_start={pct} with total_steps={total} leaves a phase of "
                    "zero steps (torch divides by zero there)"
                )
            start = phase.end_step
        for name in ("max_lr", "base_momentum", "max_momentum", "div_factor",
                     "final_div_factor"):
            object.__setattr__(self, name, _number(name, getattr(self, name)))
        object.__setattr__(self, "cycle_momentum", bool(self.cycle_momentum))
        object.__setattr__(self, "three_phase", three_phase)
        object.__setattr__(self, "_phases", phases)
        object.__setattr__(self, "_total", total)

    @property
    def hyperparameters(self) -> dict[str, object]:
        """The keywords and their values, in torch's order."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.init}

    @property
    def cycles_momentum(self) -> bool:
        """``cycle_momentum``."""
        return self.cycle_momentum

    @property
    def steps_total(self) -> int:
        """:math:`T`: ``total_steps``, or ``epochs * steps_per_epoch``."""
        return self._total

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            cos_out = math.cos(math.pi * pct) + 1
            return end + (start - end) / 2.0 * cos_out
        return (end - start) * pct + start

    def _at(self, step_num: int) -> tuple[float, float]:
        if step_num > self._total:
            raise ValueError(
                f"Tried to step {step_num} times. The specified number of total steps is "
                f"{self._total}"
            )
        initial = self.max_lr / self.div_factor
        group = {
            "initial_lr": initial,
            "max_lr": self.max_lr,
            "min_lr": initial / self.final_div_factor,
            "max_m": self.max_momentum,
            "base_m": self.base_momentum,
        }
        start_step = 0.0
        last = len(self._phases) - 1
        for i, phase in enumerate(self._phases):
            end_step = phase.end_step
            if step_num <= end_step or i == last:
                pct = (step_num - start_step) / (end_step - start_step)
                lr = self._anneal(group[phase.start_lr], group[phase.end_lr], pct)
                momentum = self._anneal(
                    group[phase.start_momentum], group[phase.end_momentum], pct
                )
                return lr, momentum
            start_step = phase.end_step
        raise AssertionError("unreachable")

    def init(self, lr: Rate) -> ScheduleState:
        """The state before the first step; ``lr`` is ignored (see the class notes)."""
        initial = self.max_lr / self.div_factor
        rate, momentum = self._at(0)
        return ScheduleState(0, rate, momentum if self.cycle_momentum else None, 1, initial)

    def update(self, state: ScheduleState) -> ScheduleState:
        """``scheduler.step()``; raises torch's ``ValueError`` past ``total_steps``."""
        epoch = state.epoch + 1
        rate, momentum = self._at(epoch)
        return ScheduleState(
            epoch, rate, momentum if self.cycle_momentum else None, state.step_count + 1,
            state.base_lr,
        )

    def _latex(self, t: str) -> str:
        initial = self.max_lr / self.div_factor
        down = (rf" \searrow {_tex(initial)}" if self.three_phase else "")
        return (
            rf"\eta_t:\ {_tex(initial)} \nearrow {_tex(self.max_lr)}{down} \searrow "
            + _tex(initial / self.final_div_factor)
        )
