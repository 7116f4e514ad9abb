r"""Adadelta, like ``torch.optim.Adadelta``: kernel, update rule, factory and record."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gdanim import palette
from gdanim._typing import FloatArray
from gdanim.optimizers.base import (
    LR_TEX,
    OptState,
    Rate,
    as_float,
    gradient_lines,
    new_state,
    no_momentum,
    zeros_like,
)
from gdanim.optimizers.optimizer import (
    Optimizer,
    build,
)
from gdanim.optimizers.registry import (
    OptimizerRecord,
    Param,
    Variant,
    register,
)

__all__ = ["RECORD", "adadelta"]


class _AdadeltaKernel:
    __slots__ = ("neg_lr", "rho", "one_minus_rho", "eps", "weight_decay", "maximize")

    def __init__(self, hp: Mapping[str, object]) -> None:
        self.neg_lr = -as_float(hp["lr"])
        self.rho = as_float(hp["rho"])
        self.one_minus_rho = 1 - self.rho
        self.eps = as_float(hp["eps"])
        self.weight_decay = as_float(hp["weight_decay"])
        self.maximize = bool(hp["maximize"])

    def init(self, x: FloatArray) -> OptState:
        return new_state(0, square_avg=zeros_like(x), acc_delta=zeros_like(x))

    def update(
        self,
        grad: FloatArray,
        state: OptState,
        x: FloatArray,
        lr: Rate | None,
        momentum: float | None,
    ) -> tuple[FloatArray, OptState]:
        no_momentum("adadelta", momentum)
        neg_lr = self.neg_lr if lr is None else -lr
        g = -grad if self.maximize else grad
        if self.weight_decay != 0:
            g = g + self.weight_decay * x
        buffers = state.buffers
        sq: FloatArray = g * self.one_minus_rho
        sq *= g
        sq += buffers["square_avg"] * self.rho
        std: FloatArray = sq + self.eps
        np.sqrt(std, out=std)
        acc_prev = buffers["acc_delta"]
        delta: FloatArray = acc_prev + self.eps
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        acc: FloatArray = delta * self.one_minus_rho
        acc *= delta
        acc += acc_prev * self.rho
        return x + neg_lr * delta, new_state(state.step + 1, square_avg=sq, acc_delta=acc)


def _rule(hp: Mapping[str, object]) -> list[str]:
    return [
        *gradient_lines(hp),
        r"v_t &\leftarrow \rho v_{t-1} + (1-\rho)\, g_t^2",
        r"\Delta_t &\leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t",
        r"u_t &\leftarrow \rho u_{t-1} + (1-\rho)\, \Delta_t^2",
        rf"\theta_t &\leftarrow \theta_{{t-1}} - {LR_TEX}\, \Delta_t",
    ]


def adadelta(
    lr: float = 1.0,
    rho: float = 0.9,
    eps: float = 1e-6,
    weight_decay: float = 0.0,
    *,
    maximize: bool = False,
) -> Optimizer:
    r"""Adadelta, like ``torch.optim.Adadelta``.

    .. math::
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        v_t &\leftarrow \rho v_{t-1} + (1-\rho)\, g_t^2 \\
        \Delta_t &\leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        u_t &\leftarrow \rho u_{t-1} + (1-\rho)\, \Delta_t^2 \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\, \Delta_t

    Here, as in the paper and in torch, :math:`\epsilon` sits inside the square roots.

    Parameters
    ----------
    lr
        Scale :math:`\eta` of the step (>= 0; the paper has none, torch's default is 1).
    rho
        Decay :math:`\rho` of both running averages, in [0, 1].
    eps
        :math:`\epsilon` (>= 0).
    weight_decay
        L2 penalty :math:`\lambda` (>= 0).
    maximize
        Ascend instead: use :math:`-\nabla f`.

    Returns
    -------
    Optimizer
        Display name ``"Adadelta"``; its state holds ``"square_avg"`` and ``"acc_delta"``.

    Raises
    ------
    ValueError
        With torch's message, e.g. ``Invalid rho value: 1.5``.

    Examples
    --------
    >>> adadelta().label
    'Adadelta (lr=1)'
    """
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= rho <= 1.0:
        raise ValueError(f"Invalid rho value: {rho}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
    return build("adadelta", lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                 maximize=maximize)


RECORD = register(OptimizerRecord(
    name="adadelta",
    factory=adadelta,
    params={
        "lr": Param.number(),
        "rho": Param.number("in [0, 1]"),
        "eps": Param.number(),
        "weight_decay": Param.number(),
        "maximize": Param.flag(),
    },
    kernel=_AdadeltaKernel,
    rule=_rule,
    variants=(Variant("Adadelta", palette.GREY),),
))
