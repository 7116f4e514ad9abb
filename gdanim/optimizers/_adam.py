r"""Adam and AdamW, like ``torch.optim.Adam`` and ``torch.optim.AdamW``: one kernel, two rules
as LaTeX, two factories and two records."""

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

__all__ = ["ADAMW_RECORD", "ADAM_RECORD", "adam", "adamw"]


class _AdamKernel:
    __slots__ = ("lr", "beta1", "beta2", "one_minus_beta2", "lerp", "eps", "weight_decay",
                 "amsgrad", "maximize", "decoupled", "decay_factor")

    def __init__(self, hp: Mapping[str, object], decoupled: bool) -> None:
        self.lr = as_float(hp["lr"])
        betas = hp["betas"]
        assert isinstance(betas, tuple)
        self.beta1 = as_float(betas[0])
        self.beta2 = as_float(betas[1])
        self.one_minus_beta2 = 1 - self.beta2
        self.lerp = Lerp(1 - self.beta1)
        self.eps = as_float(hp["eps"])
        self.weight_decay = as_float(hp["weight_decay"])
        self.amsgrad = bool(hp["amsgrad"])
        self.maximize = bool(hp["maximize"])
        self.decoupled = decoupled
        self.decay_factor = 1 - self.lr * self.weight_decay

    def init(self, x: FloatArray) -> OptState:
        if self.amsgrad:
            return new_state(0, exp_avg=zeros_like(x), exp_avg_sq=zeros_like(x),
                             max_exp_avg_sq=zeros_like(x))
        return new_state(0, exp_avg=zeros_like(x), exp_avg_sq=zeros_like(x))

    def update(
        self,
        grad: FloatArray,
        state: OptState,
        x: FloatArray,
        lr: Rate | None,
        momentum: float | None,
    ) -> tuple[FloatArray, OptState]:
        step = state.step + 1
        beta1 = self.beta1 if momentum is None else momentum
        lerp = self.lerp if momentum is None else Lerp(1 - momentum)
        g = -grad if self.maximize else grad
        if self.weight_decay != 0:
            if self.decoupled:
                x = x * (self.decay_factor if lr is None else 1 - lr * self.weight_decay)
            else:
                g = g + self.weight_decay * x
        buffers = state.buffers
        m = lerp(buffers["exp_avg"], g)
        v: FloatArray = g * self.one_minus_beta2
        v *= g
        v += buffers["exp_avg_sq"] * self.beta2
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - self.beta2**step
        step_size = (self.lr if lr is None else lr) / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        if self.amsgrad:
            vmax = np.maximum(buffers["max_exp_avg_sq"], v)
            denom: FloatArray = np.sqrt(vmax)
            new = new_state(step, exp_avg=m, exp_avg_sq=v, max_exp_avg_sq=vmax)
        else:
            denom = np.sqrt(v)
            new = new_state(step, exp_avg=m, exp_avg_sq=v)
        denom /= bias_correction2_sqrt
        denom += self.eps
        t: FloatArray = m * -step_size
        t /= denom
        t += x
        return t, new


def _rule(hp: Mapping[str, object], decoupled: bool) -> list[str]:
    lines = gradient_lines(hp, coupled_decay=not decoupled)
    prev = r"\theta_{t-1}"
    if decoupled and as_float(hp["weight_decay"]) != 0:
        lines.append(rf"\theta_t &\leftarrow \theta_{{t-1}} - {LR_TEX} \lambda \theta_{{t-1}}")
        prev = r"\theta_t"
    lines += [
        r"m_t &\leftarrow \beta_1 m_{t-1} + (1-\beta_1)\, g_t",
        r"v_t &\leftarrow \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2",
        r"\hat m_t &\leftarrow m_t / (1-\beta_1^t)",
    ]
    if hp["amsgrad"]:
        lines.append(r"v_t^{\max} &\leftarrow \max(v_{t-1}^{\max}, v_t)")
        lines.append(r"\hat v_t &\leftarrow v_t^{\max} / (1-\beta_2^t)")
    else:
        lines.append(r"\hat v_t &\leftarrow v_t / (1-\beta_2^t)")
    lines.append(
        rf"\theta_t &\leftarrow {prev} - {LR_TEX} \frac{{\hat m_t}}{{\sqrt{{\hat v_t}} + \epsilon}}"
    )
    return lines


def _check_adam(lr: float, betas: tuple[float, float], eps: float, weight_decay: float) -> None:
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair of numbers, got {betas!r}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
def adam(
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    *,
    maximize: bool = False,
    decoupled_weight_decay: bool = False,
) -> Optimizer:
    r"""Adam, like ``torch.optim.Adam``.

    .. math::
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        \hat m_t &\leftarrow m_t / (1-\beta_1^t), \quad
        \hat v_t \leftarrow v_t / (1-\beta_2^t) \\
        \theta_t &\leftarrow \theta_{t-1} - \eta \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    With AMSGrad, :math:`v_t^{\max} \leftarrow \max(v_{t-1}^{\max}, v_t)` replaces
    :math:`v_t` in :math:`\hat v_t`.  :math:`\epsilon` is added after the square root of the
    bias-corrected second moment (some tutorials put it inside the root, or add it to the
    uncorrected one).  With ``decoupled_weight_decay=True`` this is :func:`adamw`.

    Parameters
    ----------
    lr
        Learning rate :math:`\eta` (>= 0).
    betas
        :math:`(\beta_1, \beta_2)`, each in [0, 1).
    eps
        :math:`\epsilon` (>= 0).
    weight_decay
        L2 penalty :math:`\lambda` (>= 0), added to the gradient.
    amsgrad
        Use the AMSGrad variant.
    maximize
        Ascend instead: use :math:`-\nabla f`.
    decoupled_weight_decay
        Shrink the parameters directly (AdamW) instead of adding to the gradient.

    Returns
    -------
    Optimizer
        Display name ``"Adam"``; its state holds ``"exp_avg"``, ``"exp_avg_sq"`` and, with
        AMSGrad, ``"max_exp_avg_sq"``.

    Raises
    ------
    ValueError
        With torch's message, e.g. ``Invalid beta parameter at index 1: 1.0``.

    Examples
    --------
    >>> adam(lr=0.1).label
    'Adam (lr=0.1)'
    """
    _check_adam(lr, betas, eps, weight_decay)
    return build("adam", lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                 amsgrad=amsgrad, maximize=maximize,
                 decoupled_weight_decay=decoupled_weight_decay)


def adamw(
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
    amsgrad: bool = False,
    *,
    maximize: bool = False,
) -> Optimizer:
    r"""AdamW (Adam with decoupled weight decay), like ``torch.optim.AdamW``.

    .. math::
        g_t &\leftarrow \nabla f(\theta_{t-1}) \\
        \theta_t &\leftarrow \theta_{t-1} - \eta \lambda \theta_{t-1} \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        \theta_t &\leftarrow \theta_t - \eta \frac{m_t / (1-\beta_1^t)}
        {\sqrt{v_t / (1-\beta_2^t)} + \epsilon}

    The decay multiplies the parameters by :math:`1 - \eta\lambda` before the Adam step,
    so it never enters the moments.  AMSGrad and :math:`\epsilon` as in :func:`adam`.

    Parameters
    ----------
    lr
        Learning rate :math:`\eta` (>= 0).
    betas
        :math:`(\beta_1, \beta_2)`, each in [0, 1).
    eps
        :math:`\epsilon` (>= 0).
    weight_decay
        Decoupled decay :math:`\lambda` (>= 0; torch's default 0.01).
    amsgrad
        Use the AMSGrad variant.
    maximize
        Ascend instead: use :math:`-\nabla f`.

    Returns
    -------
    Optimizer
        Display name ``"AdamW"``; state as for :func:`adam`.

    Raises
    ------
    ValueError
        With torch's message, e.g. ``Invalid epsilon value: -1e-08``.

    Examples
    --------
    >>> adamw(lr=0.01).label
    'AdamW (lr=0.01)'
    """
    _check_adam(lr, betas, eps, weight_decay)
    return build("adamw", lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                 amsgrad=amsgrad, maximize=maximize)


def _params(**extra: Param) -> dict[str, Param]:
    return {
        "lr": Param.number(),
        "betas": Param.pair("in [0, 1)"),
        "eps": Param.number(),
        "weight_decay": Param.number(),
        "amsgrad": Param.flag(),
        "maximize": Param.flag(),
        **extra,
    }


ADAM_RECORD = register(OptimizerRecord(
    name="adam",
    factory=adam,
    params=_params(decoupled_weight_decay=Param.flag()),
    kernel=lambda hp: _AdamKernel(hp, bool(hp["decoupled_weight_decay"])),
    rule=lambda hp: _rule(hp, bool(hp["decoupled_weight_decay"])),
    variants=(Variant("Adam", palette.VERMILLION),),
))

ADAMW_RECORD = register(OptimizerRecord(
    name="adamw",
    factory=adamw,
    params=_params(),
    kernel=lambda hp: _AdamKernel(hp, True),
    rule=lambda hp: _rule(hp, True),
    variants=(Variant("AdamW", palette.BLUE_LIGHT),),
))
