r"""Learning-rate schedules that mirror :mod:`torch.optim.lr_scheduler`, as pure objects.

Each class carries the name, the keywords, the defaults and the validation messages of the
torch scheduler it mirrors (without the ``optimizer`` argument) and computes the rate the way
torch does, step by step: torch's schedulers are *chainable*, each step multiplies or shifts the
current ``param_group["lr"]`` (for example :math:`\eta_t = \gamma\, \eta_{t-1}`), and that
recursion rounds differently from the closed form (:math:`\eta_0 \gamma^t`) in the last bits.
We run the same recursion with the same floating point operations, so the rates agree with
torch's bit for bit and a float64 run under a schedule matches ``torch.optim`` to about 1e-12.

A schedule is a pure ``init`` / ``update`` pair, like an optimizer:

* :meth:`Schedule.init` takes the optimizer's learning rate (torch's ``initial_lr``; a number,
  or an array holding one rate per run of a batch) and returns a :class:`ScheduleState` whose
  ``lr`` is the rate of the first optimizer step (torch's scheduler constructor);
* :meth:`Schedule.update` is ``scheduler.step()``: the state for the next optimizer step.

Used the way torch documents it (``optimizer.step()`` then ``scheduler.step()``), optimizer
step :math:`t = 1, 2, \dots` runs at the rate of the state after :math:`t - 1` updates;
:meth:`Schedule.rates` gives all of them at once and :func:`gdanim.descend` takes a schedule.
:class:`OneCycleLR` also cycles the momentum (SGD's and RMSprop's ``momentum``, Adam's
:math:`\beta_1`), given in :attr:`ScheduleState.momentum`.

Spec strings (:func:`from_spec`) name a schedule after ``@`` in an optimizer spec
(:func:`gdanim.optimizers.from_spec_with_schedule`)::

    adam:lr=0.1 @ cosine:T_max=200
    sgd:lr=0.05 @ linear:start_factor=0.1,total_iters=20 until 20 then cosine:T_max=180

Examples
--------
>>> sched = CosineAnnealingLR(T_max=4)
>>> sched.rates(0.1, 6).round(6).tolist()
[0.1, 0.085355, 0.05, 0.014645, 0.0, 0.014645]
>>> StepLR(step_size=2, gamma=0.5).rates(1.0, 5).tolist()
[1.0, 1.0, 0.5, 0.5, 0.25]
>>> from_spec("linear:start_factor=0.5,total_iters=2 until 3 then exponential:gamma=0.5"
...           ).rates(1.0, 6).tolist()
[0.5, 0.75, 1.0, 1.0, 0.5, 0.25]
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import TYPE_CHECKING, ClassVar, Final, NamedTuple

import numpy as np

from gdanim._typing import FloatArray
from gdanim.optimizers import OptimizerSpecError, Rate

if TYPE_CHECKING:
    from gdanim.optimizers import Optimizer

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "Schedule",
    "ScheduleState",
    "SequentialLR",
    "StepLR",
    "bind",
    "from_spec",
    "names",
]


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


# --------------------------------------------------------------------------------------------
# Single schedules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepLR(Schedule):
    r"""Multiply the rate by ``gamma`` every ``step_size`` steps, like ``StepLR``.

    .. math::
        \eta_t = \eta\, \gamma^{\lfloor t / s \rfloor}

    computed as torch does, :math:`\eta_t = \gamma\, \eta_{t-1}` when :math:`t` is a
    positive multiple of :math:`s`, else :math:`\eta_t = \eta_{t-1}`.

    Parameters
    ----------
    step_size
        Period :math:`s` of the decay (an integer >= 1; torch does not check it and
        divides by it).
    gamma
        Factor :math:`\gamma` (default 0.1).

    Examples
    --------
    >>> StepLR(step_size=3).rates(1.0, 7).tolist()
    [1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.010000000000000002]
    """

    step_size: int
    gamma: float = 0.1

    torch_name: ClassVar[str] = "StepLR"
    short_name: ClassVar[str] = "step"

    def __post_init__(self) -> None:
        object.__setattr__(self, "step_size", _int("step_size", self.step_size, 1))
        object.__setattr__(self, "gamma", _number("gamma", self.gamma))

    def _lr(self, lr: Rate, base: Rate, epoch: int, count: int, initial: bool) -> Rate:
        if epoch == 0 or epoch % self.step_size != 0:
            return lr
        return lr * self.gamma

    def _closed(self, base: Rate, epoch: int) -> Rate:
        return base * self.gamma ** (epoch // self.step_size)

    def _latex(self, t: str) -> str:
        return rf"\eta_t = \eta \cdot {_tex(self.gamma)}^{{\lfloor {t} / {self.step_size} \rfloor}}"


@dataclass(frozen=True)
class MultiStepLR(Schedule):
    r"""Multiply the rate by ``gamma`` at each milestone, like ``MultiStepLR``.

    .. math::
        \eta_t = \eta\, \gamma^{\#\{i : m_i \le t\}}

    computed as torch does: at a step that is a milestone (listed :math:`n` times),
    :math:`\eta_t = \gamma^n \eta_{t-1}`.

    Parameters
    ----------
    milestones
        Step indices :math:`m_i` (integers >= 0, in any order; a repeated one decays
        repeatedly).
    gamma
        Factor :math:`\gamma` (default 0.1).

    Examples
    --------
    >>> MultiStepLR(milestones=(2, 4)).rates(1.0, 5).tolist()
    [1.0, 1.0, 0.1, 0.1, 0.010000000000000002]
    """

    milestones: tuple[int, ...]
    gamma: float = 0.1

    torch_name: ClassVar[str] = "MultiStepLR"
    short_name: ClassVar[str] = "multistep"

    def __post_init__(self) -> None:
        raw: object = self.milestones
        if isinstance(raw, str) or not isinstance(raw, Iterable):
            raise ValueError(f"milestones must be a list of integers, got {raw!r}")
        ms = tuple(_int("milestones", m, 0) for m in raw)
        object.__setattr__(self, "milestones", ms)
        object.__setattr__(self, "gamma", _number("gamma", self.gamma))

    def _lr(self, lr: Rate, base: Rate, epoch: int, count: int, initial: bool) -> Rate:
        counts = Counter(self.milestones)
        if epoch not in counts:
            return lr
        return lr * self.gamma ** counts[epoch]

    def _closed(self, base: Rate, epoch: int) -> Rate:
        return base * self.gamma ** bisect_right(sorted(self.milestones), epoch)

    def _latex(self, t: str) -> str:
        ms = ", ".join(str(m) for m in sorted(self.milestones))
        return (
            rf"\eta_t = \eta \cdot {_tex(self.gamma)}"
            rf"^{{\#\{{m \in \{{{ms}\}} \,:\, m \le {t}\}}}}"
        )


@dataclass(frozen=True)
class LinearLR(Schedule):
    r"""Scale the rate by a factor moving linearly, like ``LinearLR`` (a warm-up).

    .. math::
        \eta_t = \eta \left(f_0 + (f_1 - f_0) \frac{\min(t, T)}{T}\right)

    computed as torch does: :math:`\eta_0 = f_0 \eta` and, for :math:`1 \le t \le T`,

    .. math::
        \eta_t = \eta_{t-1} \left(1 + \frac{f_1 - f_0}{T f_0 + (t - 1)(f_1 - f_0)}\right).

    Parameters
    ----------
    start_factor
        :math:`f_0`, in (0, 1] (default 1/3).
    end_factor
        :math:`f_1`, in [0, 1] (default 1).
    total_iters
        :math:`T`, the number of steps to go from :math:`f_0` to :math:`f_1` (an integer
        >= 1, default 5).

    Raises
    ------
    ValueError
        torch's messages, e.g. ``Starting multiplicative factor expected to be greater than
        0 and less or equal to 1.``

    Examples
    --------
    >>> LinearLR(start_factor=0.25, total_iters=3).rates(1.0, 5).tolist()
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    start_factor: float = 1.0 / 3
    end_factor: float = 1.0
    total_iters: int = 5

    torch_name: ClassVar[str] = "LinearLR"
    short_name: ClassVar[str] = "linear"

    def __post_init__(self) -> None:
        start = _number("start_factor", self.start_factor)
        end = _number("end_factor", self.end_factor)
        if start > 1.0 or start <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or "
                "equal to 1."
            )
        if end > 1.0 or end < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        object.__setattr__(self, "start_factor", start)
        object.__setattr__(self, "end_factor", end)
        object.__setattr__(self, "total_iters", _int("total_iters", self.total_iters, 1))

    def _lr(self, lr: Rate, base: Rate, epoch: int, count: int, initial: bool) -> Rate:
        if epoch == 0:
            return lr * self.start_factor
        if initial or epoch > self.total_iters:
            return lr
        return lr * (
            1.0
            + (self.end_factor - self.start_factor)
            / (
                self.total_iters * self.start_factor
                + (epoch - 1) * (self.end_factor - self.start_factor)
            )
        )

    def _closed(self, base: Rate, epoch: int) -> Rate:
        return base * (
            self.start_factor
            + (self.end_factor - self.start_factor)
            * min(self.total_iters, epoch)
            / self.total_iters
        )

    def _latex(self, t: str) -> str:
        f0, f1, n = self.start_factor, self.end_factor, self.total_iters
        return (
            rf"\eta_t = \eta \left({_tex(f0)} + {_tex(f1 - f0)} \cdot "
            rf"\frac{{\min({t.strip('()')}, {n})}}{{{n}}}\right)"
        ).replace("+ -", "- ")


@dataclass(frozen=True)
class ExponentialLR(Schedule):
    r"""Multiply the rate by ``gamma`` every step, like ``ExponentialLR``.

    .. math::
        \eta_t = \eta\, \gamma^t

    computed as torch does, :math:`\eta_t = \gamma\, \eta_{t-1}` (which rounds differently
    from :math:`\eta \gamma^t`).

    Parameters
    ----------
    gamma
        Factor :math:`\gamma` (no default, as in torch).

    Examples
    --------
    >>> ExponentialLR(gamma=0.9).rates(1.0, 3).tolist()
    [1.0, 0.9, 0.81]
    """

    gamma: float

    torch_name: ClassVar[str] = "ExponentialLR"
    short_name: ClassVar[str] = "exponential"

    def __post_init__(self) -> None:
        object.__setattr__(self, "gamma", _number("gamma", self.gamma))

    def _lr(self, lr: Rate, base: Rate, epoch: int, count: int, initial: bool) -> Rate:
        if initial:
            return lr
        return lr * self.gamma

    def _closed(self, base: Rate, epoch: int) -> Rate:
        return base * self.gamma**epoch

    def _latex(self, t: str) -> str:
        return rf"\eta_t = \eta \cdot {_tex(self.gamma)}^{{{t}}}"


@dataclass(frozen=True)
class CosineAnnealingLR(Schedule):
    r"""Cosine annealing from the rate down to ``eta_min``, like ``CosineAnnealingLR``.

    .. math::
        \eta_t = \eta_{\min} + \tfrac12 (\eta - \eta_{\min})
        \left(1 + \cos \frac{\pi t}{T_{\max}}\right)

    computed as torch does, by the recursion

    .. math::
        \eta_t = \eta_{\min} + (\eta_{t-1} - \eta_{\min})
        \frac{1 + \cos(\pi t / T_{\max})}{1 + \cos(\pi (t - 1) / T_{\max})}

    (with torch's special case :math:`\eta_t = \eta_{t-1} + \tfrac12 (\eta - \eta_{\min})
    (1 - \cos(\pi / T_{\max}))` at :math:`t = T_{\max} + 1, 3 T_{\max} + 1, \dots`, where the
    denominator vanishes).  As in torch there is no restart: after :math:`T_{\max}` steps the
    rate climbs back up along the cosine.

    Parameters
    ----------
    T_max
        Half period :math:`T_{\max}` in steps (an integer >= 1; torch does not check it).
    eta_min
        Lowest rate :math:`\eta_{\min}` (default 0).

    Examples
    --------
    >>> CosineAnnealingLR(T_max=2, eta_min=0.5).rates(1.0, 4).tolist()
    [1.0, 0.75, 0.5, 0.75]
    """

    T_max: int
    eta_min: float = 0.0

    torch_name: ClassVar[str] = "CosineAnnealingLR"
    short_name: ClassVar[str] = "cosine"

    def __post_init__(self) -> None:
        object.__setattr__(self, "T_max", _int("T_max", self.T_max, 1))
        object.__setattr__(self, "eta_min", _number("eta_min", self.eta_min))

    def _lr(self, lr: Rate, base: Rate, epoch: int, count: int, initial: bool) -> Rate:
        if initial:
            return lr
        if count == 1 and epoch > 0:
            return (
                self.eta_min
                + (base - self.eta_min) * (1 + math.cos(epoch * math.pi / self.T_max)) / 2
            )
        if (epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            return lr + (base - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
        return (1 + math.cos(math.pi * epoch / self.T_max)) / (
            1 + math.cos(math.pi * (epoch - 1) / self.T_max)
        ) * (lr - self.eta_min) + self.eta_min

    def _closed(self, base: Rate, epoch: int) -> Rate:
        return (
            self.eta_min
            + (base - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2
        )

    def _latex(self, t: str) -> str:
        cos = rf"\left(1 + \cos \frac{{\pi {t}}}{{{self.T_max}}}\right)"
        if self.eta_min == 0:
            return rf"\eta_t = \tfrac{{1}}{{2}}\, \eta {cos}"
        m = _tex(self.eta_min)
        return rf"\eta_t = {m} + \tfrac{{1}}{{2}} (\eta - {m}) {cos}"


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


# --------------------------------------------------------------------------------------------
# SequentialLR
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SequentialLR(Schedule):
    r"""Schedules one after another, switching at milestones, like ``SequentialLR``.

    Schedule :math:`i` runs from step :math:`m_i` (with :math:`m_0 = 0`) to
    :math:`m_{i+1} - 1`.  As in torch, the schedule that takes over at a milestone restarts
    from its own step 0 with the closed form of its rate at step 0 computed from the
    *optimizer's* rate (so a cosine after a warm-up starts at :math:`\eta`, a linear
    warm-up after a decay starts at :math:`f_0 \eta`), then continues by its recursion.

    Parameters
    ----------
    schedulers
        The schedules (at least one; :class:`OneCycleLR` and :class:`SequentialLR` are not
        allowed inside: torch documents OneCycleLR as not chainable, its constructor
        rewrites the group's ``initial_lr`` that every other schedule starts from, and a
        nested SequentialLR has no closed form to restart from).
    milestones
        The steps :math:`m_1 < m_2 < \dots` at which the next schedule takes over: one fewer
        than the schedules, positive and increasing (torch does not check the order).

    Raises
    ------
    ValueError
        torch's messages for the counts, ours for the rest.

    Examples
    --------
    >>> warm = LinearLR(start_factor=0.5, total_iters=2)
    >>> chain = SequentialLR((warm, StepLR(step_size=2, gamma=0.5)), milestones=(3,))
    >>> chain.rates(1.0, 8).tolist()
    [0.5, 0.75, 1.0, 1.0, 1.0, 0.5, 0.5, 0.25]
    >>> chain.spec
    'linear:start_factor=0.5,total_iters=2 until 3 then step:step_size=2,gamma=0.5'
    """

    schedulers: tuple[Schedule, ...]
    milestones: tuple[int, ...]

    torch_name: ClassVar[str] = "SequentialLR"
    short_name: ClassVar[str] = "sequential"

    def __post_init__(self) -> None:
        scheds = tuple(self.schedulers)
        if len(scheds) < 1:
            raise ValueError("SequentialLR expects at least one scheduler, but got no scheduler.")
        for i, s in enumerate(scheds):
            if not isinstance(s, Schedule):
                raise TypeError(f"SequentialLR at index {i} should be a Schedule, got {s!r}")
            if isinstance(s, OneCycleLR | SequentialLR):
                raise ValueError(
                    f"SequentialLR cannot hold {s.torch_name} (at index {i}): it does not "
                    "chain"
                )
        raw: object = self.milestones
        if isinstance(raw, str) or not isinstance(raw, Iterable):
            raise ValueError(f"milestones must be a list of integers, got {raw!r}")
        ms = tuple(_int("milestones", m, 1) for m in raw)
        if len(ms) != len(scheds) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                f"than the number of milestone points, but got number of schedulers "
                f"{len(scheds)} and the number of milestones to be equal to {len(ms)}"
            )
        if any(b <= a for a, b in zip(ms, ms[1:], strict=False)):
            raise ValueError(f"milestones must increase, got {list(ms)}")
        object.__setattr__(self, "schedulers", scheds)
        object.__setattr__(self, "milestones", ms)

    @property
    def hyperparameters(self) -> dict[str, object]:
        """``schedulers`` and ``milestones``."""
        return {"schedulers": self.schedulers, "milestones": self.milestones}

    def init(self, lr: Rate) -> ScheduleState:
        base = _rate(lr)
        # torch: every schedule is built (last_epoch 0), SequentialLR resets the rate to
        # initial_lr, undoes one step of each, and re-runs the first one's initial step
        parts = [ScheduleState(-1, base, None, 1, base) for _ in self.schedulers]
        first = self.schedulers[0]._lr(base, base, 0, 1, True)
        parts[0] = ScheduleState(0, first, None, 1, base)
        return ScheduleState(0, first, None, 1, base, tuple(parts))

    def update(self, state: ScheduleState) -> ScheduleState:
        epoch = state.epoch + 1
        idx = bisect_right(self.milestones, epoch)
        sched, part = self.schedulers[idx], state.parts[idx]
        if idx > 0 and self.milestones[idx - 1] == epoch:
            lr = sched._closed(state.base_lr, 0)
            new_part = ScheduleState(0, lr, None, part.step_count, part.base_lr)
        else:
            count, part_epoch = part.step_count + 1, part.epoch + 1
            lr = sched._lr(state.lr, state.base_lr, part_epoch, count, False)
            new_part = ScheduleState(part_epoch, lr, None, count, part.base_lr)
        parts = state.parts[:idx] + (new_part,) + state.parts[idx + 1 :]
        return ScheduleState(epoch, lr, None, state.step_count + 1, state.base_lr, parts)

    @property
    def spec(self) -> str:
        out = self.schedulers[0].spec
        for m, s in zip(self.milestones, self.schedulers[1:], strict=True):
            out += f" until {m} then {s.spec}"
        return out

    @property
    def label(self) -> str:
        out = self.schedulers[0].label
        for m, s in zip(self.milestones, self.schedulers[1:], strict=True):
            out += f" until {m}, then {s.label}"
        return out

    def _latex(self, t: str) -> str:
        """One line per schedule, each restarted at its milestone (``t - m`` for ``t``)."""
        lines = []
        bounds = (0, *self.milestones)
        for i, s in enumerate(self.schedulers):
            when = (
                rf"{bounds[i]} \le t < {bounds[i + 1]}" if i + 1 < len(bounds)
                else rf"t \ge {bounds[i]}"
            )
            local = t if bounds[i] == 0 else f"({t} - {bounds[i]})"
            lines.append(rf"{s._latex(local)} \quad ({when})")
        return r" \\ ".join(lines)


# --------------------------------------------------------------------------------------------
# Binding to an optimizer
# --------------------------------------------------------------------------------------------


def bind(schedule: Schedule, optimizer: Optimizer) -> Optimizer:
    """The optimizer as torch leaves it once the scheduler is constructed.

    Only :class:`OneCycleLR` with ``cycle_momentum`` changes anything: it needs a momentum
    (SGD, RMSprop) or a :math:`\\beta_1` (Adam, AdamW) and sets it to ``max_momentum``, so
    plain SGD becomes SGD with momentum, as in torch.

    Parameters
    ----------
    schedule
        Any schedule.
    optimizer
        The optimizer it will drive.

    Returns
    -------
    Optimizer
        ``optimizer`` itself, or a copy with ``momentum`` or ``betas[0]`` replaced.

    Raises
    ------
    ValueError
        torch's ``optimizer must support momentum or beta1 with `cycle_momentum` option
        enabled`` for AdaGrad and Adadelta.

    Examples
    --------
    >>> from gdanim import optimizers
    >>> bind(OneCycleLR(max_lr=0.1, total_steps=100), optimizers.sgd()).label
    'Momentum (lr=0.001, momentum=0.95)'
    """
    if not schedule.cycles_momentum:
        return optimizer
    assert isinstance(schedule, OneCycleLR)
    hp = optimizer.hyperparameters
    if "momentum" in hp:
        return optimizer.replace(momentum=schedule.max_momentum)
    if "betas" in hp:
        betas = hp["betas"]
        assert isinstance(betas, tuple)
        return optimizer.replace(betas=(schedule.max_momentum, betas[1]))
    raise ValueError(
        "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
    )


# --------------------------------------------------------------------------------------------
# Spec strings
# --------------------------------------------------------------------------------------------

_CLASSES: Final[tuple[type[Schedule], ...]] = (
    StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, OneCycleLR,
)
_BY_NAME: Final[Mapping[str, type[Schedule]]] = {
    **{c.short_name: c for c in _CLASSES},
    **{c.torch_name.lower(): c for c in _CLASSES},
}

# key -> kind: "int1" (integer >= 1), "ints" (integers >= 0 joined by '/'), "float", "bool",
# "choice" (anneal_strategy)
_KINDS: Final[Mapping[str, str]] = {
    "step_size": "int1", "gamma": "float", "milestones": "ints", "start_factor": "float",
    "end_factor": "float", "total_iters": "int1", "T_max": "int1", "eta_min": "float",
    "max_lr": "float", "total_steps": "int1", "epochs": "int1", "steps_per_epoch": "int1",
    "pct_start": "float", "anneal_strategy": "choice", "cycle_momentum": "bool",
    "base_momentum": "float", "max_momentum": "float", "div_factor": "float",
    "final_div_factor": "float", "three_phase": "bool",
}

_REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {
    "step": ("step_size",),
    "multistep": ("milestones",),
    "exponential": ("gamma",),
    "cosine": ("T_max",),
    "linear": (),
    "onecycle": ("max_lr",),
}

_EXAMPLE: Final[Mapping[str, str]] = {
    "step": "step:step_size=30,gamma=0.1",
    "multistep": "multistep:milestones=30/80,gamma=0.1",
    "exponential": "exponential:gamma=0.99",
    "cosine": "cosine:T_max=200",
    "linear": "linear:start_factor=0.1,total_iters=20",
    "onecycle": "onecycle:max_lr=0.1,total_steps=300",
}

_NUMBER: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INT: Final = re.compile(r"\+?\d+")
_UNTIL: Final = re.compile(r"^(?P<body>.*?)\s+until\s+(?P<m>\S+)$", re.IGNORECASE | re.DOTALL)
_THEN: Final = re.compile(r"\s+then\s+", re.IGNORECASE)


def names() -> list[str]:
    """The short names :func:`from_spec` accepts (torch's lower-cased class names too).

    Examples
    --------
    >>> names()
    ['step', 'multistep', 'exponential', 'cosine', 'linear', 'onecycle']
    """
    return [c.short_name for c in _CLASSES]


def _parse_value(
    key: str, kind: str, text: str, fail: Callable[[str], OptimizerSpecError]
) -> object:
    text = text.strip()
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            raise fail(f"{key}={text} is not allowed; {key} must be true or false")
        return text.lower() == "true"
    if kind == "choice":
        if text.lower() not in ("cos", "linear"):
            raise fail(f"{key}={text} is not allowed; {key} must be cos or linear")
        return text.lower()
    if kind == "int1":
        if not _INT.fullmatch(text) or int(text) < 1:
            raise fail(f"{key}={text} is not allowed; {key} must be an integer >= 1")
        return int(text)
    if kind == "ints":
        pieces = [p.strip() for p in text.split("/")]
        if not all(_INT.fullmatch(p) for p in pieces):
            raise fail(
                f"{key}={text} is not allowed; {key} must be integers >= 0 joined by '/', "
                f"e.g. {key}=30/80"
            )
        return tuple(int(p) for p in pieces)
    if not _NUMBER.fullmatch(text):
        raise fail(f"{key}={text} is not a number; write e.g. {key}=0.1")
    value = float(text)
    if not math.isfinite(value):
        raise fail(f"{key}={text} is not allowed; {key} must be a finite number")
    return value


def _parse_single(
    text: str, fail: Callable[[str], OptimizerSpecError], remaining: int | None
) -> Schedule:
    head, _, tail = text.partition(":")
    name = head.strip().lower()
    if not name:
        raise fail(f"no schedule name; write name[:key=value,...] with name one of "
                   f"{', '.join(names())}")
    if name not in _BY_NAME:
        raise fail(f"unknown schedule {head.strip()!r}; allowed: {', '.join(names())}")
    cls = _BY_NAME[name]
    short = cls.short_name
    allowed = [f.name for f in fields(cls) if f.init]
    lookup = {k.lower(): k for k in allowed}
    kwargs: dict[str, object] = {}
    if tail.strip():
        for piece in tail.split(","):
            k, eq, value = piece.partition("=")
            k = k.strip()
            if not eq or not k:
                raise fail(f"{piece.strip()!r} is not key=value; allowed keys for {short}: "
                           f"{', '.join(allowed)}")
            key = lookup.get(k.lower())
            if key is None:
                raise fail(f"unknown key {k!r} for {short}; allowed keys: {', '.join(allowed)}")
            if key in kwargs:
                raise fail(f"{key} is given twice")
            kwargs[key] = _parse_value(key, _KINDS[key], value, fail)
    # the run's length stands in for a missing T_max / total_steps when it is known
    if remaining is not None:
        if short == "cosine" and "T_max" not in kwargs:
            kwargs["T_max"] = max(1, remaining)
        if short == "onecycle" and not (
            "total_steps" in kwargs or ("epochs" in kwargs and "steps_per_epoch" in kwargs)
        ):
            kwargs["total_steps"] = max(1, remaining)
    missing = [k for k in _REQUIRED[short] if k not in kwargs]
    if missing:
        raise fail(f"{short} needs {missing[0]}, e.g. {_EXAMPLE[short]}")
    try:
        return cls(**kwargs)
    except ValueError as exc:
        raise fail(str(exc)) from None


def from_spec(spec: str, *, steps: int | None = None) -> Schedule:
    """Build a schedule from a spec string.

    One schedule is ``name[:key=value,...]``: ``name`` one of :func:`names` (``step``,
    ``multistep``, ``exponential``, ``cosine``, ``linear``, ``onecycle``) or torch's class
    name in any case (``CosineAnnealingLR``), keys torch's keywords in any case
    (``T_max``, ``t_max``), values numbers, ``true``/``false``, ``cos``/``linear`` for
    ``anneal_strategy`` and integers joined by ``/`` for ``milestones``.

    A chain (:class:`SequentialLR`) lists schedules in the order they run, each but the
    last followed by ``until N``, the step at which the next one takes over, joined by
    ``then``::

        linear:start_factor=0.1,total_iters=20 until 20 then cosine:T_max=180

    Nothing is evaluated as Python.

    Parameters
    ----------
    spec
        The spec.
    steps
        The length of the run, if known: then ``cosine`` without ``T_max`` anneals over the
        steps left when it starts, and ``onecycle`` without ``total_steps`` spans the run.

    Returns
    -------
    Schedule

    Raises
    ------
    OptimizerSpecError
        One line naming the offending piece and what is allowed.

    Examples
    --------
    >>> from_spec("cosine:T_max=200")
    CosineAnnealingLR(T_max=200, eta_min=0.0)
    >>> from_spec("linear:start_factor=0.1,total_iters=20 until 20 then cosine", steps=300).spec
    'linear:start_factor=0.1,total_iters=20 until 20 then cosine:T_max=280'
    >>> try:
    ...     from_spec("cosine:T_max=0")
    ... except OptimizerSpecError as exc:
    ...     print(exc)
    schedule spec 'cosine:T_max=0': T_max=0 is not allowed; T_max must be an integer >= 1
    """
    if not isinstance(spec, str):
        raise OptimizerSpecError(f"schedule spec must be a string, not {type(spec).__name__}")

    def fail(detail: str) -> OptimizerSpecError:
        return OptimizerSpecError(f"schedule spec {spec!r}: {detail}")

    if steps is not None:
        steps = _int("steps", steps, 0)
    pieces = _THEN.split(spec.strip())
    parts: list[tuple[str, int | None]] = []
    for i, piece in enumerate(pieces):
        match = _UNTIL.match(piece.strip())
        last = i == len(pieces) - 1
        if match is None:
            if not last:
                raise fail(f"{piece.strip()!r} is followed by 'then' but has no 'until N'; "
                           "write e.g. linear:total_iters=20 until 20 then cosine:T_max=180")
            parts.append((piece, None))
            continue
        if last:
            raise fail(f"the last schedule cannot have 'until {match['m']}'; add 'then' and "
                       "the schedule that takes over")
        if not _INT.fullmatch(match["m"]) or int(match["m"]) < 1:
            raise fail(f"until {match['m']}: the step must be an integer >= 1")
        parts.append((match["body"], int(match["m"])))
    milestones = [m for _, m in parts if m is not None]
    for a, b in zip(milestones, milestones[1:], strict=False):
        if b <= a:
            raise fail(f"until {b} comes after until {a}; the steps must increase")
    schedules = []
    start = 0
    for body, m in parts:
        remaining = None if steps is None else steps - start
        sched = _parse_single(body, fail, remaining)
        if len(parts) > 1 and isinstance(sched, OneCycleLR):
            raise fail("onecycle cannot be part of a chain (torch's OneCycleLR does not chain)")
        schedules.append(sched)
        if m is not None:
            start = m
    if len(schedules) == 1:
        return schedules[0]
    try:
        return SequentialLR(tuple(schedules), tuple(milestones))
    except ValueError as exc:  # pragma: no cover - the checks above come first
        raise fail(str(exc)) from None
