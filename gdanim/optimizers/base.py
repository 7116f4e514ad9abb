r"""The pieces every optimizer is made of: its state, the kernel protocol and small helpers.

An optimizer's arithmetic is a kernel (:class:`Kernel`): ``init`` builds the :class:`OptState`
for a starting point, ``update`` maps ``(grad, state, x)`` to ``(x_new, new_state)``.  The
helpers here are the ones the algorithm modules share: read-only states
(:func:`new_state`), torch's ``lerp_`` (:class:`Lerp`) and the first lines of an update rule
(:func:`gradient_lines`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Protocol

import numpy as np

from gdanim._typing import FloatArray

__all__ = [
    "EMPTY_BUFFERS",
    "LR_TEX",
    "TORCH_PARITY_RTOL",
    "Kernel",
    "Lerp",
    "OptState",
    "OptimizerSpecError",
    "Rate",
    "as_float",
    "gradient_lines",
    "new_state",
    "no_momentum",
    "zeros_like",
]


#: The relative tolerance to which every path of these optimizers matches ``torch.optim``'s in
#: float64: the tests compare each point of 500-step runs, every optimizer and option, with it.
TORCH_PARITY_RTOL: Final = 1e-10


class OptimizerSpecError(ValueError):
    """A bad optimizer spec string; the message is one line naming the offending piece."""


@dataclass(frozen=True, slots=True, eq=False)
class OptState:
    """The state of an optimizer between two updates.

    Attributes
    ----------
    step
        Number of updates done so far (``0`` right after ``Optimizer.init``).
    buffers
        Read-only mapping from torch's state names to read-only arrays shaped like the
        parameters: ``"momentum_buffer"`` (SGD, RMSprop), ``"sum"`` (AdaGrad),
        ``"square_avg"`` (RMSprop, Adadelta), ``"grad_avg"`` (centered RMSprop),
        ``"acc_delta"`` (Adadelta), ``"exp_avg"``, ``"exp_avg_sq"`` and
        ``"max_exp_avg_sq"`` (Adam, AdamW).  Buffers torch creates lazily (SGD's momentum
        buffer) are zeros before the first update.
    """

    step: int
    buffers: Mapping[str, FloatArray]


EMPTY_BUFFERS: Final[Mapping[str, FloatArray]] = MappingProxyType({})


def _frozen(a: FloatArray) -> FloatArray:
    """Mark a freshly computed array read-only and return it."""
    if isinstance(a, np.ndarray):
        a.flags.writeable = False
    return a


def new_state(step: int, **buffers: FloatArray) -> OptState:
    """An :class:`OptState` whose buffers (freshly computed arrays) are made read-only."""
    for a in buffers.values():
        _frozen(a)
    return OptState(step, MappingProxyType(buffers))


def zeros_like(x: FloatArray) -> FloatArray:
    """A float64 array of zeros shaped like ``x``."""
    return np.zeros(np.shape(x), dtype=np.float64)


class Lerp:
    """torch's ``lerp_(end, weight)``: the form depends on whether ``|weight| < 0.5``."""

    __slots__ = ("small", "weight", "one_minus_weight")

    def __init__(self, weight: float) -> None:
        self.weight = weight
        self.one_minus_weight = 1.0 - weight
        self.small = abs(weight) < 0.5

    def __call__(self, start: FloatArray, end: FloatArray) -> FloatArray:
        t: FloatArray = end - start
        if self.small:
            t *= self.weight
            t += start  # start + w * (end - start)
            return t
        t *= self.one_minus_weight
        out: FloatArray = end - t  # end - (end - start) * (1 - w)
        return out


Rate = float | FloatArray
"""A learning rate: one number, or one per run of a batch (broadcast against the parameters)."""


class Kernel(Protocol):
    """The arithmetic of one optimizer for fixed hyperparameters (``OptimizerRecord.kernel``).

    ``update`` takes this step's ``lr`` (``None``: the hyperparameter) and ``momentum``
    (``None``: the hyperparameter; an optimizer without one raises :class:`ValueError` via
    :func:`no_momentum`).
    """

    def init(self, x: FloatArray) -> OptState: ...

    def update(
        self,
        grad: FloatArray,
        state: OptState,
        x: FloatArray,
        lr: Rate | None,
        momentum: float | None,
    ) -> tuple[FloatArray, OptState]: ...


def as_float(value: object) -> float:
    """A hyperparameter known to be a number, as a float."""
    assert isinstance(value, (int, float))
    return float(value)


def no_momentum(name: str, momentum: float | None) -> None:
    """Refuse a per-step momentum for an optimizer that has neither momentum nor beta1."""
    if momentum is not None:
        raise ValueError(f"{name} has neither momentum nor beta1 to set")


#: The learning rate's symbol in the update rules.
LR_TEX: Final = r"\eta"


def gradient_lines(hp: Mapping[str, object], coupled_decay: bool = True) -> list[str]:
    r"""The first lines of an update rule: the gradient, negated to maximise, plus L2 decay.

    Examples
    --------
    >>> gradient_lines({"maximize": True, "weight_decay": 0.1})
    ['g_t &\\leftarrow -\\nabla f(\\theta_{t-1})', 'g_t &\\leftarrow g_t + \\lambda \\theta_{t-1}']
    """
    sign = "-" if hp["maximize"] else ""
    lines = [rf"g_t &\leftarrow {sign}\nabla f(\theta_{{t-1}})"]
    if coupled_decay and as_float(hp["weight_decay"]) != 0:
        lines.append(r"g_t &\leftarrow g_t + \lambda \theta_{t-1}")
    return lines
