r"""SGD, with momentum and Nesterov momentum, like ``torch.optim.SGD``.

One module per optimizer: the kernel (the arithmetic, in the order of torch's
``_single_tensor_sgd``), the update rule as LaTeX, the factory (torch's keywords, defaults and
messages) and the :class:`~gdanim.optimizers.registry.OptimizerRecord` that registers them with
their display names, colours and spec aliases.  Adding an optimizer is one such module.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gdanim import palette
from gdanim._typing import FloatArray
from gdanim.optimizers.base import (
    EMPTY_BUFFERS,
    LR_TEX,
    OptState,
    Rate,
    as_float,
    gradient_lines,
    new_state,
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

__all__ = ["RECORD", "sgd"]


class _SGDKernel:
    __slots__ = ("neg_lr", "momentum", "one_minus_dampening", "weight_decay", "nesterov",
                 "maximize")

    def __init__(self, hp: Mapping[str, object]) -> None:
        self.neg_lr = -as_float(hp["lr"])
        self.momentum = as_float(hp["momentum"])
        self.one_minus_dampening = 1 - as_float(hp["dampening"])
        self.weight_decay = as_float(hp["weight_decay"])
        self.nesterov = bool(hp["nesterov"])
        self.maximize = bool(hp["maximize"])

    def init(self, x: FloatArray) -> OptState:
        if self.momentum != 0:
            return new_state(0, momentum_buffer=zeros_like(x))
        return OptState(0, EMPTY_BUFFERS)

    def update(
        self,
        grad: FloatArray,
        state: OptState,
        x: FloatArray,
        lr: Rate | None,
        momentum: float | None,
    ) -> tuple[FloatArray, OptState]:
        neg_lr = self.neg_lr if lr is None else -lr
        mu = self.momentum if momentum is None else momentum
        g = -grad if self.maximize else grad
        if self.weight_decay != 0:
            g = g + self.weight_decay * x
        if mu == 0:
            return x + neg_lr * g, OptState(state.step + 1, state.buffers)
        if state.step == 0 or "momentum_buffer" not in state.buffers:
            buf: FloatArray = np.array(g, dtype=np.float64, copy=True)
        else:
            buf = state.buffers["momentum_buffer"] * mu
            buf += self.one_minus_dampening * g
        if self.nesterov:
            g = g + mu * buf
        else:
            g = buf
        return x + neg_lr * g, new_state(state.step + 1, momentum_buffer=buf)


def _rule(hp: Mapping[str, object]) -> list[str]:
    lines = gradient_lines(hp)
    momentum = as_float(hp["momentum"])
    if momentum == 0:
        return [*lines, rf"\theta_t &\leftarrow \theta_{{t-1}} - {LR_TEX}\, g_t"]
    damp = r"(1-\tau)\, " if as_float(hp["dampening"]) != 0 else ""
    lines.append(rf"b_t &\leftarrow \mu b_{{t-1}} + {damp}g_t \quad (b_1 = g_1)")
    if hp["nesterov"]:
        return [*lines, rf"\theta_t &\leftarrow \theta_{{t-1}} - {LR_TEX}\, (g_t + \mu b_t)"]
    return [*lines, rf"\theta_t &\leftarrow \theta_{{t-1}} - {LR_TEX}\, b_t"]


def sgd(
    lr: float = 1e-3,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    *,
    maximize: bool = False,
) -> Optimizer:
    r"""Stochastic gradient descent, optionally with momentum, like ``torch.optim.SGD``.

    .. math::
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        b_t &\leftarrow \mu b_{t-1} + (1-\tau) g_t \quad (b_1 = g_1) \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\, b_t
        \quad\text{or, with Nesterov,}\quad
        \theta_t \leftarrow \theta_{t-1} - \eta\, (g_t + \mu b_t)

    Without momentum (:math:`\mu = 0`) the step is :math:`\eta g_t`.  As in torch (and
    unlike Sutskever et al. and many tutorials) the buffer accumulates gradients, not
    :math:`\eta g_t`; it starts as the first gradient, so dampening applies from step 2;
    and Nesterov uses the gradient at the current point, not at a look-ahead point.

    Parameters
    ----------
    lr
        Learning rate :math:`\eta` (>= 0).
    momentum
        Momentum factor :math:`\mu` (>= 0).
    dampening
        Dampening :math:`\tau` for momentum.
    weight_decay
        L2 penalty :math:`\lambda` (>= 0), added to the gradient.
    nesterov
        Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``.
    maximize
        Ascend instead: use :math:`-\nabla f`.

    Returns
    -------
    Optimizer
        Display name ``"SGD"``, ``"Momentum"`` (momentum > 0) or ``"Nesterov"``; its state
        holds ``"momentum_buffer"`` when momentum is non-zero.

    Raises
    ------
    ValueError
        With torch's message, e.g. ``Invalid learning rate: -1``.

    Examples
    --------
    >>> opt = sgd(lr=0.01, momentum=0.9, nesterov=True)
    >>> opt.display_name, opt.label
    ('Nesterov', 'Nesterov (lr=0.01, momentum=0.9)')
    """
    if lr < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if momentum < 0.0:
        raise ValueError(f"Invalid momentum value: {momentum}")
    if weight_decay < 0.0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    return build("sgd", lr=lr, momentum=momentum, dampening=dampening,
                 weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)


def _check_spec(hp: Mapping[str, object]) -> str | None:
    if hp["nesterov"] and (as_float(hp["momentum"]) <= 0 or as_float(hp["dampening"]) != 0):
        return "nesterov=true needs momentum > 0 and dampening=0"
    return None


RECORD = register(OptimizerRecord(
    name="sgd",
    factory=sgd,
    params={
        "lr": Param.number(),
        "momentum": Param.number(),
        "dampening": Param.number("any number"),
        "weight_decay": Param.number(),
        "nesterov": Param.flag(),
        "maximize": Param.flag(),
    },
    kernel=_SGDKernel,
    rule=_rule,
    variants=(
        Variant("Momentum", palette.SKY,
                when=lambda hp: as_float(hp["momentum"]) > 0 and not hp["nesterov"],
                alias="momentum", preset={"momentum": 0.9}),
        Variant("Nesterov", palette.GREEN, when=lambda hp: bool(hp["nesterov"]),
                alias="nesterov", preset={"momentum": 0.9, "nesterov": True}),
        Variant("SGD", palette.ORANGE),
    ),
    label_hidden=frozenset({"nesterov"}),
    check_spec=_check_spec,
))
