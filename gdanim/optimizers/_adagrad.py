r"""AdaGrad, like ``torch.optim.Adagrad``: kernel, update rule, factory and record."""

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

__all__ = ["RECORD", "adagrad"]


class _AdagradKernel:
    __slots__ = ("lr", "lr_decay", "weight_decay", "initial", "eps", "maximize")

    def __init__(self, hp: Mapping[str, object]) -> None:
        self.lr = as_float(hp["lr"])
        self.lr_decay = as_float(hp["lr_decay"])
        self.weight_decay = as_float(hp["weight_decay"])
        self.initial = as_float(hp["initial_accumulator_value"])
        self.eps = as_float(hp["eps"])
        self.maximize = bool(hp["maximize"])

    def init(self, x: FloatArray) -> OptState:
        return new_state(0, sum=np.full(np.shape(x), self.initial, dtype=np.float64))

    def update(
        self,
        grad: FloatArray,
        state: OptState,
        x: FloatArray,
        lr: Rate | None,
        momentum: float | None,
    ) -> tuple[FloatArray, OptState]:
        no_momentum("adagrad", momentum)
        step = state.step + 1
        g = -grad if self.maximize else grad
        if self.weight_decay != 0:
            g = g + self.weight_decay * x
        clr = (self.lr if lr is None else lr) / (1 + (step - 1) * self.lr_decay)
        s: FloatArray = g * g
        s += state.buffers["sum"]
        std: FloatArray = np.sqrt(s)
        std += self.eps
        t: FloatArray = g * -clr
        t /= std
        t += x
        return t, new_state(step, sum=s)


def _rule(hp: Mapping[str, object]) -> list[str]:
    lines = gradient_lines(hp)
    lr = LR_TEX
    if as_float(hp["lr_decay"]) != 0:
        lines.insert(1, r"\tilde\eta_t &\leftarrow \eta / (1 + (t-1)\,\delta)")
        lr = r"\tilde\eta_t"
    init = r" \quad (s_0 = \tau)" if as_float(hp["initial_accumulator_value"]) != 0 else ""
    lines.append(rf"s_t &\leftarrow s_{{t-1}} + g_t^2{init}")
    lines.append(
        rf"\theta_t &\leftarrow \theta_{{t-1}} - {lr} \frac{{g_t}}{{\sqrt{{s_t}} + \epsilon}}"
    )
    return lines


def adagrad(
    lr: float = 1e-2,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
    *,
    maximize: bool = False,
) -> Optimizer:
    r"""AdaGrad, like ``torch.optim.Adagrad``.

    .. math::
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        \tilde\eta_t &\leftarrow \eta / (1 + (t-1)\,\delta) \\
        s_t &\leftarrow s_{t-1} + g_t^2 \quad (s_0 = \tau) \\
        \theta_t &\leftarrow \theta_{t-1} - \tilde\eta_t \frac{g_t}{\sqrt{s_t} + \epsilon}

    :math:`\epsilon` is added outside the square root (some tutorials write
    :math:`\sqrt{s_t + \epsilon}`).

    Parameters
    ----------
    lr
        Learning rate :math:`\eta` (>= 0).
    lr_decay
        Learning-rate decay :math:`\delta` (>= 0).
    weight_decay
        L2 penalty :math:`\lambda` (>= 0).
    initial_accumulator_value
        Starting value :math:`\tau` of the sum of squares (>= 0).
    eps
        :math:`\epsilon` (>= 0).
    maximize
        Ascend instead: use :math:`-\nabla f`.

    Returns
    -------
    Optimizer
        Display name ``"AdaGrad"``; its state holds ``"sum"``.

    Raises
    ------
    ValueError
        With torch's message, e.g. ``Invalid lr_decay value: -1``.

    Examples
    --------
    >>> adagrad(lr=0.5).label
    'AdaGrad (lr=0.5)'
    """
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= lr_decay:
        raise ValueError(f"Invalid lr_decay value: {lr_decay}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
    if not 0.0 <= initial_accumulator_value:
        raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    return build("adagrad", lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                 initial_accumulator_value=initial_accumulator_value, eps=eps,
                 maximize=maximize)


RECORD = register(OptimizerRecord(
    name="adagrad",
    factory=adagrad,
    params={
        "lr": Param.number(),
        "lr_decay": Param.number(),
        "weight_decay": Param.number(),
        "initial_accumulator_value": Param.number(),
        "eps": Param.number(),
        "maximize": Param.flag(),
    },
    kernel=_AdagradKernel,
    rule=_rule,
    variants=(Variant("AdaGrad", palette.YELLOW),),
))
