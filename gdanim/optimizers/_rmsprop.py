r"""RMSprop, like ``torch.optim.RMSprop``: kernel, update rule, factory and record."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gdanim import palette
from gdanim._typing import FloatArray
from gdanim.optimizers.base import (
    LR_TEX,
    Lerp,
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

__all__ = ["RECORD", "rmsprop"]


class _RMSpropKernel:
    __slots__ = ("neg_lr", "alpha", "one_minus_alpha", "lerp", "eps", "weight_decay",
                 "momentum", "centered", "maximize")

    def __init__(self, hp: Mapping[str, object]) -> None:
        self.neg_lr = -as_float(hp["lr"])
        self.alpha = as_float(hp["alpha"])
        self.one_minus_alpha = 1 - self.alpha
        self.lerp = Lerp(self.one_minus_alpha)
        self.eps = as_float(hp["eps"])
        self.weight_decay = as_float(hp["weight_decay"])
        self.momentum = as_float(hp["momentum"])
        self.centered = bool(hp["centered"])
        self.maximize = bool(hp["maximize"])

    def init(self, x: FloatArray) -> OptState:
        buffers = {"square_avg": zeros_like(x)}
        if self.momentum > 0:
            buffers["momentum_buffer"] = zeros_like(x)
        if self.centered:
            buffers["grad_avg"] = zeros_like(x)
        return new_state(0, **buffers)

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
        buffers = state.buffers
        sq: FloatArray = g * self.one_minus_alpha
        sq *= g
        sq += buffers["square_avg"] * self.alpha
        new = {"square_avg": sq}
        if self.centered:
            ga = self.lerp(buffers["grad_avg"], g)
            new["grad_avg"] = ga
            avg: FloatArray = sq - ga * ga
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(sq)
        avg += self.eps
        if "momentum_buffer" in buffers and mu <= 0:
            new["momentum_buffer"] = buffers["momentum_buffer"]
        if mu > 0:
            prev = buffers["momentum_buffer"] if "momentum_buffer" in buffers else zeros_like(x)
            buf: FloatArray = prev * mu
            buf += g / avg
            new["momentum_buffer"] = buf
            return x + neg_lr * buf, new_state(state.step + 1, **new)
        t: FloatArray = g * neg_lr
        t /= avg
        t += x
        return t, new_state(state.step + 1, **new)


def _rule(hp: Mapping[str, object]) -> list[str]:
    lines = gradient_lines(hp)
    lines.append(r"v_t &\leftarrow \alpha v_{t-1} + (1-\alpha)\, g_t^2")
    v = "v_t"
    if hp["centered"]:
        lines.append(r"\bar g_t &\leftarrow \alpha \bar g_{t-1} + (1-\alpha)\, g_t")
        lines.append(r"\tilde v_t &\leftarrow v_t - \bar g_t^2")
        v = r"\tilde v_t"
    if as_float(hp["momentum"]) > 0:
        lines.append(rf"b_t &\leftarrow \mu b_{{t-1}} + \frac{{g_t}}{{\sqrt{{{v}}} + \epsilon}}")
        lines.append(rf"\theta_t &\leftarrow \theta_{{t-1}} - {LR_TEX}\, b_t")
    else:
        lines.append(
            rf"\theta_t &\leftarrow \theta_{{t-1}} - {LR_TEX} "
            rf"\frac{{g_t}}{{\sqrt{{{v}}} + \epsilon}}"
        )
    return lines


def rmsprop(
    lr: float = 1e-2,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
    *,
    maximize: bool = False,
) -> Optimizer:
    r"""RMSprop, like ``torch.optim.RMSprop``.

    .. math::
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        v_t &\leftarrow \alpha v_{t-1} + (1-\alpha)\, g_t^2 \\
        \theta_t &\leftarrow \theta_{t-1} - \eta \frac{g_t}{\sqrt{v_t} + \epsilon}

    Centered: :math:`\bar g_t \leftarrow \alpha \bar g_{t-1} + (1-\alpha) g_t` and
    :math:`v_t - \bar g_t^2` replaces :math:`v_t` under the root.  With momentum:
    :math:`b_t \leftarrow \mu b_{t-1} + g_t / (\sqrt{v_t} + \epsilon)`,
    :math:`\theta_t \leftarrow \theta_{t-1} - \eta b_t`.  The square root is taken before
    :math:`\epsilon` is added (TensorFlow and some tutorials do it the other way round).
    What tutorials call the decay rate :math:`\beta` is ``alpha`` here.

    Parameters
    ----------
    lr
        Learning rate :math:`\eta` (>= 0).
    alpha
        Smoothing constant :math:`\alpha` (>= 0).
    eps
        :math:`\epsilon` (>= 0).
    weight_decay
        L2 penalty :math:`\lambda` (>= 0).
    momentum
        Momentum factor :math:`\mu` (>= 0).
    centered
        Normalise by an estimate of the variance instead of the second moment.
    maximize
        Ascend instead: use :math:`-\nabla f`.

    Returns
    -------
    Optimizer
        Display name ``"RMSprop"``; its state holds ``"square_avg"``, plus
        ``"momentum_buffer"`` (momentum > 0) and ``"grad_avg"`` (centered).

    Raises
    ------
    ValueError
        With torch's message, e.g. ``Invalid alpha value: -0.5``.

    Examples
    --------
    >>> rmsprop(lr=0.1, alpha=0.9).label
    'RMSprop (lr=0.1, alpha=0.9)'
    """
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= momentum:
        raise ValueError(f"Invalid momentum value: {momentum}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
    if not 0.0 <= alpha:
        raise ValueError(f"Invalid alpha value: {alpha}")
    return build("rmsprop", lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                 momentum=momentum, centered=centered, maximize=maximize)


RECORD = register(OptimizerRecord(
    name="rmsprop",
    factory=rmsprop,
    params={
        "lr": Param.number(),
        "alpha": Param.number(),
        "eps": Param.number(),
        "weight_decay": Param.number(),
        "momentum": Param.number(),
        "centered": Param.flag(),
        "maximize": Param.flag(),
    },
    kernel=_RMSpropKernel,
    rule=_rule,
    variants=(Variant("RMSprop", palette.PURPLE),),
))
