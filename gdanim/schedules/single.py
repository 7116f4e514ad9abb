r"""The single schedules: StepLR, MultiStepLR, LinearLR, ExponentialLR, CosineAnnealingLR."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from gdanim.optimizers import Rate
from gdanim.schedules.base import Schedule, _int, _number, _tex

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LinearLR", "MultiStepLR", "StepLR"]


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
