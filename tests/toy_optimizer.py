"""signSGD, a toy optimizer with no torch counterpart, as one record: the tests register it to
show that one record is all an optimizer needs to appear in the spec parser, the labels and
colours, the command line's checks and the race legend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

import numpy as np

from gdanim import optimizers, palette
from gdanim.optimizers import OptState

__all__ = ["SIGNSGD", "registered", "signsgd"]


class _SignKernel:
    """signSGD: each coordinate moves by the rate against the sign of its gradient."""

    def __init__(self, hp: Any) -> None:
        self.lr = float(hp["lr"])
        self.maximize = bool(hp["maximize"])

    def init(self, x: np.ndarray) -> OptState:
        return OptState(0, MappingProxyType({}))

    def update(self, grad: np.ndarray, state: OptState, x: np.ndarray, lr: Any,
               momentum: float | None) -> tuple[np.ndarray, OptState]:
        optimizers.base.no_momentum("signsgd", momentum)
        g = -grad if self.maximize else grad
        step = self.lr if lr is None else lr
        return x - step * np.sign(g), OptState(state.step + 1, state.buffers)


def signsgd(lr: float = 0.01, *, maximize: bool = False) -> optimizers.Optimizer:
    """signSGD (no torch counterpart): the toy optimizer of these tests."""
    if lr < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    return optimizers.build("signsgd", lr=lr, maximize=maximize)


SIGNSGD = optimizers.OptimizerRecord(
    name="signsgd",
    factory=signsgd,
    params={"lr": optimizers.Param.number(), "maximize": optimizers.Param.flag()},
    kernel=_SignKernel,
    rule=lambda hp: [r"g_t &\leftarrow \nabla f(\theta_{t-1})",
                     r"\theta_t &\leftarrow \theta_{t-1} - \eta\, \operatorname{sign}(g_t)"],
    variants=(optimizers.Variant("signSGD", palette.WHITE),),
)


@contextmanager
def registered() -> Iterator[optimizers.OptimizerRecord]:
    """signSGD registered for the duration of a ``with`` block."""
    optimizers.register(SIGNSGD)
    try:
        yield SIGNSGD
    finally:
        optimizers.unregister("signsgd")
