r"""SequentialLR: schedules one after the other, switching at milestones."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from gdanim.optimizers import Rate
from gdanim.schedules.base import Schedule, ScheduleState, _int, _rate
from gdanim.schedules.onecycle import OneCycleLR

__all__ = ["SequentialLR"]


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
    >>> from gdanim.schedules import LinearLR, StepLR
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
