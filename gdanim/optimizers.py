r"""Optimizers that mirror :mod:`torch.optim`, as pure ``init`` / ``update`` pairs.

Every factory here is named after a ``torch.optim`` class (lower-cased) and takes the same
keywords with the same defaults, runs the same documented algorithm in the same order of
floating point operations as torch's single-tensor code path, and rejects the same bad values
with the same :class:`ValueError` messages.  A float64 run agrees with ``torch.optim`` in
float64 to :data:`TORCH_PARITY_RTOL` (1e-10) relative at every step, which the test suite checks
for every optimizer and option over 500-step paths; measured differences are far smaller,
around 1e-11 at most (torch's CPU kernels fuse some multiply-adds, numpy does not, so the last
bit can differ and a long path can carry it along).

An :class:`Optimizer` holds no mutable state.  :meth:`Optimizer.init` builds an
:class:`OptState` for a starting point and :meth:`Optimizer.update` maps
``(grad, state, x)`` to ``(x_new, new_state)`` without touching its inputs.  The state's
buffers carry torch's names (``"momentum_buffer"``, ``"exp_avg"``, ``"exp_avg_sq"``, ...) so a
scene can draw a velocity or a second moment next to the point it belongs to.  All the
arithmetic is elementwise, so ``x`` may have shape ``(d,)`` for one run or ``(k, d)`` for
``k`` runs advanced together in one call.

Conventions that differ from many tutorials (we follow torch):

* The :math:`\epsilon` of AdaGrad, RMSprop and Adam is added *outside* the square root,
  :math:`g / (\sqrt{v} + \epsilon)`, not :math:`g / \sqrt{v + \epsilon}`.  Adadelta is the
  exception: torch (like the paper) adds it inside, :math:`\sqrt{v + \epsilon}`.
* SGD momentum accumulates gradients, :math:`b_t = \mu b_{t-1} + g_t`, and the step is
  :math:`\eta b_t`, rather than accumulating :math:`\eta g_t`; the buffer starts as the first
  gradient (not zero), so dampening applies from the second step on.
* Nesterov momentum uses torch's form :math:`\theta_t = \theta_{t-1} - \eta (g_t + \mu b_t)`
  (gradient at the current point), not a gradient evaluated at a look-ahead point.

Examples
--------
>>> import numpy as np
>>> from gdanim import optimizers
>>> opt = optimizers.from_spec("adam:lr=0.1,betas=0.9/0.99")
>>> opt.label
'Adam (lr=0.1, betas=0.9/0.99)'
>>> x = np.array([2.0, 3.0])
>>> state = opt.init(x)
>>> x, state = opt.update(2 * x, state, x)   # gradient of x^2 + y^2
>>> x
array([1.9, 2.9])
>>> sorted(state.buffers)
['exp_avg', 'exp_avg_sq']
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Protocol

import numpy as np

from gdanim._typing import FloatArray

if TYPE_CHECKING:
    from gdanim.schedules import Schedule

__all__ = [
    "TORCH_PARITY_RTOL",
    "OptState",
    "Optimizer",
    "OptimizerSpecError",
    "Rate",
    "adadelta",
    "adagrad",
    "adam",
    "adamw",
    "from_spec",
    "from_spec_with_schedule",
    "make",
    "names",
    "rmsprop",
    "sgd",
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
        Number of updates done so far (``0`` right after :meth:`Optimizer.init`).
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


_EMPTY: Final[Mapping[str, FloatArray]] = MappingProxyType({})


def _frozen(a: FloatArray) -> FloatArray:
    """Mark a freshly computed array read-only and return it."""
    if isinstance(a, np.ndarray):
        a.flags.writeable = False
    return a


def _state(step: int, **buffers: FloatArray) -> OptState:
    for a in buffers.values():
        _frozen(a)
    return OptState(step, MappingProxyType(buffers))


def _zeros(x: FloatArray) -> FloatArray:
    return np.zeros(np.shape(x), dtype=np.float64)


class _Lerp:
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


class _Kernel(Protocol):
    def init(self, x: FloatArray) -> OptState: ...

    def update(
        self,
        grad: FloatArray,
        state: OptState,
        x: FloatArray,
        lr: Rate | None,
        momentum: float | None,
    ) -> tuple[FloatArray, OptState]: ...


# --------------------------------------------------------------------------------------------
# Kernels: one per algorithm, constants computed once; each update is a handful of numpy ops
# in the order torch's ``_single_tensor_*`` functions use.
# --------------------------------------------------------------------------------------------


class _SGDKernel:
    __slots__ = ("neg_lr", "momentum", "one_minus_dampening", "weight_decay", "nesterov",
                 "maximize")

    def __init__(self, hp: Mapping[str, object]) -> None:
        self.neg_lr = -_f(hp["lr"])
        self.momentum = _f(hp["momentum"])
        self.one_minus_dampening = 1 - _f(hp["dampening"])
        self.weight_decay = _f(hp["weight_decay"])
        self.nesterov = bool(hp["nesterov"])
        self.maximize = bool(hp["maximize"])

    def init(self, x: FloatArray) -> OptState:
        if self.momentum != 0:
            return _state(0, momentum_buffer=_zeros(x))
        return OptState(0, _EMPTY)

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
        return x + neg_lr * g, _state(state.step + 1, momentum_buffer=buf)


class _AdagradKernel:
    __slots__ = ("lr", "lr_decay", "weight_decay", "initial", "eps", "maximize")

    def __init__(self, hp: Mapping[str, object]) -> None:
        self.lr = _f(hp["lr"])
        self.lr_decay = _f(hp["lr_decay"])
        self.weight_decay = _f(hp["weight_decay"])
        self.initial = _f(hp["initial_accumulator_value"])
        self.eps = _f(hp["eps"])
        self.maximize = bool(hp["maximize"])

    def init(self, x: FloatArray) -> OptState:
        return _state(0, sum=np.full(np.shape(x), self.initial, dtype=np.float64))

    def update(
        self,
        grad: FloatArray,
        state: OptState,
        x: FloatArray,
        lr: Rate | None,
        momentum: float | None,
    ) -> tuple[FloatArray, OptState]:
        _no_momentum("adagrad", momentum)
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
        return t, _state(step, sum=s)


class _RMSpropKernel:
    __slots__ = ("neg_lr", "alpha", "one_minus_alpha", "lerp", "eps", "weight_decay",
                 "momentum", "centered", "maximize")

    def __init__(self, hp: Mapping[str, object]) -> None:
        self.neg_lr = -_f(hp["lr"])
        self.alpha = _f(hp["alpha"])
        self.one_minus_alpha = 1 - self.alpha
        self.lerp = _Lerp(self.one_minus_alpha)
        self.eps = _f(hp["eps"])
        self.weight_decay = _f(hp["weight_decay"])
        self.momentum = _f(hp["momentum"])
        self.centered = bool(hp["centered"])
        self.maximize = bool(hp["maximize"])

    def init(self, x: FloatArray) -> OptState:
        buffers = {"square_avg": _zeros(x)}
        if self.momentum > 0:
            buffers["momentum_buffer"] = _zeros(x)
        if self.centered:
            buffers["grad_avg"] = _zeros(x)
        return _state(0, **buffers)

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
            prev = buffers["momentum_buffer"] if "momentum_buffer" in buffers else _zeros(x)
            buf: FloatArray = prev * mu
            buf += g / avg
            new["momentum_buffer"] = buf
            return x + neg_lr * buf, _state(state.step + 1, **new)
        t: FloatArray = g * neg_lr
        t /= avg
        t += x
        return t, _state(state.step + 1, **new)


class _AdadeltaKernel:
    __slots__ = ("neg_lr", "rho", "one_minus_rho", "eps", "weight_decay", "maximize")

    def __init__(self, hp: Mapping[str, object]) -> None:
        self.neg_lr = -_f(hp["lr"])
        self.rho = _f(hp["rho"])
        self.one_minus_rho = 1 - self.rho
        self.eps = _f(hp["eps"])
        self.weight_decay = _f(hp["weight_decay"])
        self.maximize = bool(hp["maximize"])

    def init(self, x: FloatArray) -> OptState:
        return _state(0, square_avg=_zeros(x), acc_delta=_zeros(x))

    def update(
        self,
        grad: FloatArray,
        state: OptState,
        x: FloatArray,
        lr: Rate | None,
        momentum: float | None,
    ) -> tuple[FloatArray, OptState]:
        _no_momentum("adadelta", momentum)
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
        return x + neg_lr * delta, _state(state.step + 1, square_avg=sq, acc_delta=acc)


class _AdamKernel:
    __slots__ = ("lr", "beta1", "beta2", "one_minus_beta2", "lerp", "eps", "weight_decay",
                 "amsgrad", "maximize", "decoupled", "decay_factor")

    def __init__(self, hp: Mapping[str, object], decoupled: bool) -> None:
        self.lr = _f(hp["lr"])
        betas = hp["betas"]
        assert isinstance(betas, tuple)
        self.beta1 = _f(betas[0])
        self.beta2 = _f(betas[1])
        self.one_minus_beta2 = 1 - self.beta2
        self.lerp = _Lerp(1 - self.beta1)
        self.eps = _f(hp["eps"])
        self.weight_decay = _f(hp["weight_decay"])
        self.amsgrad = bool(hp["amsgrad"])
        self.maximize = bool(hp["maximize"])
        self.decoupled = decoupled
        self.decay_factor = 1 - self.lr * self.weight_decay

    def init(self, x: FloatArray) -> OptState:
        if self.amsgrad:
            return _state(0, exp_avg=_zeros(x), exp_avg_sq=_zeros(x), max_exp_avg_sq=_zeros(x))
        return _state(0, exp_avg=_zeros(x), exp_avg_sq=_zeros(x))

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
        lerp = self.lerp if momentum is None else _Lerp(1 - momentum)
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
            new = _state(step, exp_avg=m, exp_avg_sq=v, max_exp_avg_sq=vmax)
        else:
            denom = np.sqrt(v)
            new = _state(step, exp_avg=m, exp_avg_sq=v)
        denom /= bias_correction2_sqrt
        denom += self.eps
        t: FloatArray = m * -step_size
        t /= denom
        t += x
        return t, new


def _f(value: object) -> float:
    assert isinstance(value, (int, float))
    return float(value)


def _no_momentum(name: str, momentum: float | None) -> None:
    if momentum is not None:
        raise ValueError(f"{name} has neither momentum nor beta1 to set")


# --------------------------------------------------------------------------------------------
# Parameter tables: defaults, what is allowed, LaTeX symbols.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Param:
    kind: str  # "float", "bool" or "pair"
    default: object
    allowed: str = ""  # e.g. ">= 0"; empty for booleans and unrestricted numbers
    check: Callable[[float], bool] = field(default=lambda v: True)


def _nonneg(v: float) -> bool:
    return v >= 0.0


def _unit_open(v: float) -> bool:
    return 0.0 <= v < 1.0


def _unit_closed(v: float) -> bool:
    return 0.0 <= v <= 1.0


def _p_float(default: float, allowed: str = ">= 0") -> _Param:
    check = {">= 0": _nonneg, "in [0, 1)": _unit_open, "in [0, 1]": _unit_closed}.get(
        allowed, lambda v: True
    )
    return _Param("float", default, allowed, check)


_BOOL_FALSE: Final = _Param("bool", False)
_BETAS: Final = _Param("pair", (0.9, 0.999), "in [0, 1)", _unit_open)

_PARAMS: Final[Mapping[str, Mapping[str, _Param]]] = {
    "sgd": {
        "lr": _p_float(1e-3),
        "momentum": _p_float(0.0),
        "dampening": _p_float(0.0, "any number"),
        "weight_decay": _p_float(0.0),
        "nesterov": _BOOL_FALSE,
        "maximize": _BOOL_FALSE,
    },
    "adagrad": {
        "lr": _p_float(1e-2),
        "lr_decay": _p_float(0.0),
        "weight_decay": _p_float(0.0),
        "initial_accumulator_value": _p_float(0.0),
        "eps": _p_float(1e-10),
        "maximize": _BOOL_FALSE,
    },
    "rmsprop": {
        "lr": _p_float(1e-2),
        "alpha": _p_float(0.99),
        "eps": _p_float(1e-8),
        "weight_decay": _p_float(0.0),
        "momentum": _p_float(0.0),
        "centered": _BOOL_FALSE,
        "maximize": _BOOL_FALSE,
    },
    "adadelta": {
        "lr": _p_float(1.0),
        "rho": _p_float(0.9, "in [0, 1]"),
        "eps": _p_float(1e-6),
        "weight_decay": _p_float(0.0),
        "maximize": _BOOL_FALSE,
    },
    "adam": {
        "lr": _p_float(1e-3),
        "betas": _BETAS,
        "eps": _p_float(1e-8),
        "weight_decay": _p_float(0.0),
        "amsgrad": _BOOL_FALSE,
        "maximize": _BOOL_FALSE,
        "decoupled_weight_decay": _BOOL_FALSE,
    },
    "adamw": {
        "lr": _p_float(1e-3),
        "betas": _BETAS,
        "eps": _p_float(1e-8),
        "weight_decay": _p_float(1e-2),
        "amsgrad": _BOOL_FALSE,
        "maximize": _BOOL_FALSE,
    },
}

_ALIASES: Final[Mapping[str, tuple[str, Mapping[str, object]]]] = {
    "momentum": ("sgd", {"momentum": 0.9}),
    "nesterov": ("sgd", {"momentum": 0.9, "nesterov": True}),
}

_KERNELS: Final[Mapping[str, Callable[[Mapping[str, object]], _Kernel]]] = {
    "sgd": _SGDKernel,
    "adagrad": _AdagradKernel,
    "rmsprop": _RMSpropKernel,
    "adadelta": _AdadeltaKernel,
    "adam": lambda hp: _AdamKernel(hp, bool(hp["decoupled_weight_decay"])),
    "adamw": lambda hp: _AdamKernel(hp, True),
}


def _display_name(name: str, hp: Mapping[str, object]) -> str:
    if name == "sgd":
        if hp["nesterov"]:
            return "Nesterov"
        return "Momentum" if _f(hp["momentum"]) > 0 else "SGD"
    return {
        "adagrad": "AdaGrad",
        "rmsprop": "RMSprop",
        "adadelta": "Adadelta",
        "adam": "Adam",
        "adamw": "AdamW",
    }[name]


# --------------------------------------------------------------------------------------------
# Update rules as LaTeX (the branch the hyperparameters select), after torch's documentation.
# --------------------------------------------------------------------------------------------

_LR: Final = r"\eta"


def _grad_lines(hp: Mapping[str, object], coupled_decay: bool = True) -> list[str]:
    sign = "-" if hp["maximize"] else ""
    lines = [rf"g_t &\leftarrow {sign}\nabla f(\theta_{{t-1}})"]
    if coupled_decay and _f(hp["weight_decay"]) != 0:
        lines.append(r"g_t &\leftarrow g_t + \lambda \theta_{t-1}")
    return lines


def _rule_sgd(hp: Mapping[str, object]) -> list[str]:
    lines = _grad_lines(hp)
    momentum = _f(hp["momentum"])
    if momentum == 0:
        return [*lines, rf"\theta_t &\leftarrow \theta_{{t-1}} - {_LR}\, g_t"]
    damp = r"(1-\tau)\, " if _f(hp["dampening"]) != 0 else ""
    lines.append(rf"b_t &\leftarrow \mu b_{{t-1}} + {damp}g_t \quad (b_1 = g_1)")
    if hp["nesterov"]:
        return [*lines, rf"\theta_t &\leftarrow \theta_{{t-1}} - {_LR}\, (g_t + \mu b_t)"]
    return [*lines, rf"\theta_t &\leftarrow \theta_{{t-1}} - {_LR}\, b_t"]


def _rule_adagrad(hp: Mapping[str, object]) -> list[str]:
    lines = _grad_lines(hp)
    lr = _LR
    if _f(hp["lr_decay"]) != 0:
        lines.insert(1, r"\tilde\eta_t &\leftarrow \eta / (1 + (t-1)\,\delta)")
        lr = r"\tilde\eta_t"
    init = r" \quad (s_0 = \tau)" if _f(hp["initial_accumulator_value"]) != 0 else ""
    lines.append(rf"s_t &\leftarrow s_{{t-1}} + g_t^2{init}")
    lines.append(
        rf"\theta_t &\leftarrow \theta_{{t-1}} - {lr} \frac{{g_t}}{{\sqrt{{s_t}} + \epsilon}}"
    )
    return lines


def _rule_rmsprop(hp: Mapping[str, object]) -> list[str]:
    lines = _grad_lines(hp)
    lines.append(r"v_t &\leftarrow \alpha v_{t-1} + (1-\alpha)\, g_t^2")
    v = "v_t"
    if hp["centered"]:
        lines.append(r"\bar g_t &\leftarrow \alpha \bar g_{t-1} + (1-\alpha)\, g_t")
        lines.append(r"\tilde v_t &\leftarrow v_t - \bar g_t^2")
        v = r"\tilde v_t"
    if _f(hp["momentum"]) > 0:
        lines.append(rf"b_t &\leftarrow \mu b_{{t-1}} + \frac{{g_t}}{{\sqrt{{{v}}} + \epsilon}}")
        lines.append(rf"\theta_t &\leftarrow \theta_{{t-1}} - {_LR}\, b_t")
    else:
        lines.append(
            rf"\theta_t &\leftarrow \theta_{{t-1}} - {_LR} \frac{{g_t}}{{\sqrt{{{v}}} + \epsilon}}"
        )
    return lines


def _rule_adadelta(hp: Mapping[str, object]) -> list[str]:
    return [
        *_grad_lines(hp),
        r"v_t &\leftarrow \rho v_{t-1} + (1-\rho)\, g_t^2",
        r"\Delta_t &\leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t",
        r"u_t &\leftarrow \rho u_{t-1} + (1-\rho)\, \Delta_t^2",
        rf"\theta_t &\leftarrow \theta_{{t-1}} - {_LR}\, \Delta_t",
    ]


def _rule_adam(hp: Mapping[str, object], decoupled: bool) -> list[str]:
    lines = _grad_lines(hp, coupled_decay=not decoupled)
    prev = r"\theta_{t-1}"
    if decoupled and _f(hp["weight_decay"]) != 0:
        lines.append(rf"\theta_t &\leftarrow \theta_{{t-1}} - {_LR} \lambda \theta_{{t-1}}")
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
        rf"\theta_t &\leftarrow {prev} - {_LR} \frac{{\hat m_t}}{{\sqrt{{\hat v_t}} + \epsilon}}"
    )
    return lines


_RULES: Final[Mapping[str, Callable[[Mapping[str, object]], list[str]]]] = {
    "sgd": _rule_sgd,
    "adagrad": _rule_adagrad,
    "rmsprop": _rule_rmsprop,
    "adadelta": _rule_adadelta,
    "adam": lambda hp: _rule_adam(hp, bool(hp["decoupled_weight_decay"])),
    "adamw": lambda hp: _rule_adam(hp, True),
}


# --------------------------------------------------------------------------------------------
# The optimizer object.
# --------------------------------------------------------------------------------------------


def _fmt_label(value: object) -> str:
    if isinstance(value, tuple):
        return "/".join(_fmt_label(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _fmt_spec(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "/".join(_fmt_spec(v) for v in value)
    return repr(float(_f(value)))


@dataclass(frozen=True)
class Optimizer:
    r"""A first-order optimizer: a pure pair of functions ``init`` and ``update``.

    Build one with a factory (:func:`sgd`, :func:`adagrad`, :func:`rmsprop`,
    :func:`adadelta`, :func:`adam`, :func:`adamw`) or :func:`from_spec`.  Two optimizers are
    equal when their name and hyperparameters are.

    Attributes
    ----------
    name
        The factory name: ``"sgd"``, ``"adagrad"``, ``"rmsprop"``, ``"adadelta"``, ``"adam"``
        or ``"adamw"``.
    display_name
        What a legend calls it: ``"SGD"``, ``"Momentum"`` (SGD with momentum > 0),
        ``"Nesterov"`` (SGD with ``nesterov=True``), ``"AdaGrad"``, ``"RMSprop"``,
        ``"Adadelta"``, ``"Adam"`` or ``"AdamW"``.
    hyperparameters
        Every keyword of the factory with its value, in torch's order (read-only).

    Examples
    --------
    >>> import numpy as np
    >>> opt = sgd(lr=0.1, momentum=0.9)
    >>> opt.display_name, opt.label
    ('Momentum', 'Momentum (lr=0.1, momentum=0.9)')
    >>> x = np.array([[1.0, 1.0], [2.0, -2.0]])   # two runs at once
    >>> state = opt.init(x)
    >>> x, state = opt.update(2 * x, state, x)
    >>> x
    array([[ 0.8,  0.8],
           [ 1.6, -1.6]])
    >>> state.buffers["momentum_buffer"]
    array([[ 2.,  2.],
           [ 4., -4.]])
    """

    name: str
    display_name: str
    hyperparameters: Mapping[str, object]
    _kernel: _Kernel = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.name not in _PARAMS:
            raise ValueError(f"unknown optimizer {self.name!r}; allowed: {', '.join(names())}")
        hp = MappingProxyType(dict(self.hyperparameters))
        if set(hp) != set(_PARAMS[self.name]):
            raise ValueError(
                f"{self.name} needs exactly the hyperparameters "
                f"{', '.join(_PARAMS[self.name])}; build it with {self.name}(...)"
            )
        object.__setattr__(self, "hyperparameters", hp)
        object.__setattr__(self, "_kernel", _KERNELS[self.name](hp))

    def __hash__(self) -> int:
        return hash((self.name, self.display_name, tuple(self.hyperparameters.items())))

    @property
    def label(self) -> str:
        """Legend text: the display name, ``lr`` and every non-default hyperparameter.

        Numbers are formatted with ``:g``; a switched-on flag shows as its bare name, and a
        flag the display name already says (``nesterov``) is left out.

        Examples
        --------
        >>> adam(lr=0.3, betas=(0.9, 0.99)).label
        'Adam (lr=0.3, betas=0.9/0.99)'
        >>> rmsprop(lr=0.1, alpha=0.9, centered=True).label
        'RMSprop (lr=0.1, alpha=0.9, centered)'
        """
        parts = [f"lr={_fmt_label(self.hyperparameters['lr'])}"]
        for key, value in self._non_defaults():
            if key == "nesterov":
                continue
            parts.append(key if value is True else f"{key}={_fmt_label(value)}")
        return f"{self.display_name} ({', '.join(parts)})"

    @property
    def spec(self) -> str:
        """A spec string that :func:`from_spec` turns back into an equal optimizer.

        Examples
        --------
        >>> opt = sgd(lr=0.05, momentum=0.9, nesterov=True)
        >>> opt.spec
        'sgd:lr=0.05,momentum=0.9,nesterov=true'
        >>> from_spec(opt.spec) == opt
        True
        """
        parts = [f"lr={_fmt_spec(self.hyperparameters['lr'])}"]
        parts += [f"{key}={_fmt_spec(value)}" for key, value in self._non_defaults()]
        return f"{self.name}:{','.join(parts)}"

    @property
    def update_rule_lines(self) -> tuple[str, ...]:
        r"""The update rule torch documents, one LaTeX line per assignment (no ``$``).

        Only the branch these hyperparameters select is given (no momentum line for plain
        SGD, an AMSGrad line only with ``amsgrad=True``).  Each line has an ``&`` before its
        :math:`\leftarrow`, so the lines align in an ``align*`` environment such as manim's
        ``MathTex``.  Symbols: :math:`\eta` learning rate, :math:`\lambda` weight decay,
        :math:`\mu` momentum, :math:`\tau` dampening (SGD) or initial accumulator (AdaGrad),
        :math:`\delta` AdaGrad's ``lr_decay``, :math:`\alpha`, :math:`\rho`,
        :math:`\beta_1, \beta_2`, :math:`\epsilon` as in torch.

        Examples
        --------
        >>> for line in sgd(lr=0.1, momentum=0.9).update_rule_lines:
        ...     print(line)
        g_t &\leftarrow \nabla f(\theta_{t-1})
        b_t &\leftarrow \mu b_{t-1} + g_t \quad (b_1 = g_1)
        \theta_t &\leftarrow \theta_{t-1} - \eta\, b_t
        """
        return tuple(_RULES[self.name](self.hyperparameters))

    @property
    def update_rule_latex(self) -> str:
        r"""The lines of :attr:`update_rule_lines` joined with ``\\``, ready for ``MathTex``.

        Examples
        --------
        >>> print(adagrad(lr=0.5).update_rule_latex)  # doctest: +NORMALIZE_WHITESPACE
        g_t &\leftarrow \nabla f(\theta_{t-1}) \\
        s_t &\leftarrow s_{t-1} + g_t^2 \\
        \theta_t &\leftarrow \theta_{t-1} - \eta \frac{g_t}{\sqrt{s_t} + \epsilon}
        """
        return " \\\\\n".join(self.update_rule_lines)

    def init(self, x: FloatArray) -> OptState:
        """The state before the first update, with buffers shaped like ``x``.

        Parameters
        ----------
        x
            The starting point, any shape: ``(d,)`` for one run, ``(k, d)`` for ``k`` runs.

        Returns
        -------
        OptState
            ``step == 0`` and torch's buffers (zeros; AdaGrad's ``sum`` holds
            ``initial_accumulator_value``).

        Examples
        --------
        >>> import numpy as np
        >>> state = adagrad(initial_accumulator_value=0.1).init(np.zeros(2))
        >>> state.step, state.buffers["sum"]
        (0, array([0.1, 0.1]))
        """
        return self._kernel.init(x)

    def update(
        self,
        grad: FloatArray,
        state: OptState,
        x: FloatArray,
        *,
        lr: Rate | None = None,
        momentum: float | None = None,
    ) -> tuple[FloatArray, OptState]:
        r"""One optimizer step: the new point and the new state.

        Elementwise, so ``x`` (and ``grad``, of the same shape) may hold a batch of runs.
        Nothing passed in is modified; the returned state's arrays are read-only.  No
        checks are made here, to keep the step cheap: pass a state made by this optimizer's
        :meth:`init` or :meth:`update` for an ``x`` of the same shape.

        ``lr`` and ``momentum`` replace the hyperparameters for this one step, the way a
        ``torch.optim.lr_scheduler`` writes ``param_group["lr"]`` (and OneCycleLR's
        ``"momentum"`` or ``"betas"[0]``) before ``optimizer.step()``: every use of the rate
        in the step takes the new value (AdaGrad's decayed rate, AdamW's decay factor
        :math:`1 - \eta\lambda`, Adam's step size :math:`\eta / (1 - \beta_1^t)`, whose
        bias correction uses this step's :math:`\beta_1`).

        Parameters
        ----------
        grad
            The gradient of the objective at ``x``.
        state
            The state returned by the previous call (or by :meth:`init`).
        x
            The current point.
        lr
            The learning rate of this step instead of ``hyperparameters["lr"]``: a number,
            or an array broadcast against ``x`` to give each run of a batch its own rate
            (shape ``(k, 1)`` for ``x`` of shape ``(k, d)``).
        momentum
            SGD's or RMSprop's ``momentum``, or Adam's and AdamW's :math:`\beta_1`, for this
            step.  AdaGrad and Adadelta have neither and raise :class:`ValueError`.

        Returns
        -------
        tuple of (ndarray, OptState)
            The point after the step and the state after it (``step`` one higher).

        Examples
        --------
        >>> import numpy as np
        >>> opt = sgd(lr=0.1)
        >>> x = np.array([4.0])
        >>> x_new, state = opt.update(2 * x, opt.init(x), x)
        >>> x_new, state.step, x
        (array([3.2]), 1, array([4.]))
        >>> opt.update(2 * x, opt.init(x), x, lr=0.5)[0]
        array([0.])
        >>> xs = np.array([[4.0], [4.0]])               # two runs, two rates
        >>> opt.update(2 * xs, opt.init(xs), xs, lr=np.array([[0.1], [0.5]]))[0]
        array([[3.2],
               [0. ]])
        """
        return self._kernel.update(grad, state, x, lr, momentum)

    def replace(self, **changes: object) -> Optimizer:
        """The same optimizer with some hyperparameters changed, validated by the factory.

        Parameters
        ----------
        **changes
            Keywords of this optimizer's factory, e.g. ``lr=0.05``.

        Returns
        -------
        Optimizer

        Raises
        ------
        ValueError
            An unknown keyword, or a value the factory rejects (torch's message).

        Examples
        --------
        >>> adam(lr=0.1, betas=(0.9, 0.99)).replace(lr=0.01).label
        'Adam (lr=0.01, betas=0.9/0.99)'
        """
        unknown = sorted(set(changes) - set(self.hyperparameters))
        if unknown:
            raise ValueError(
                f"{self.name} has no hyperparameter {unknown[0]!r}; allowed: "
                f"{', '.join(self.hyperparameters)}"
            )
        kwargs = dict(self.hyperparameters)
        kwargs.update(changes)
        return _FACTORIES[self.name](**kwargs)

    def _non_defaults(self) -> list[tuple[str, object]]:
        params = _PARAMS[self.name]
        return [
            (key, value)
            for key, value in self.hyperparameters.items()
            if key != "lr" and value != params[key].default
        ]


def _make(name: str, hp: dict[str, object]) -> Optimizer:
    return Optimizer(name, _display_name(name, hp), hp)


# --------------------------------------------------------------------------------------------
# Factories (torch's keywords, defaults and validation messages).
# --------------------------------------------------------------------------------------------


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
    return _make(
        "sgd",
        {
            "lr": float(lr),
            "momentum": float(momentum),
            "dampening": float(dampening),
            "weight_decay": float(weight_decay),
            "nesterov": bool(nesterov),
            "maximize": bool(maximize),
        },
    )


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
    return _make(
        "adagrad",
        {
            "lr": float(lr),
            "lr_decay": float(lr_decay),
            "weight_decay": float(weight_decay),
            "initial_accumulator_value": float(initial_accumulator_value),
            "eps": float(eps),
            "maximize": bool(maximize),
        },
    )


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
    return _make(
        "rmsprop",
        {
            "lr": float(lr),
            "alpha": float(alpha),
            "eps": float(eps),
            "weight_decay": float(weight_decay),
            "momentum": float(momentum),
            "centered": bool(centered),
            "maximize": bool(maximize),
        },
    )


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
    return _make(
        "adadelta",
        {
            "lr": float(lr),
            "rho": float(rho),
            "eps": float(eps),
            "weight_decay": float(weight_decay),
            "maximize": bool(maximize),
        },
    )


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
    return _make(
        "adam",
        {
            "lr": float(lr),
            "betas": (float(betas[0]), float(betas[1])),
            "eps": float(eps),
            "weight_decay": float(weight_decay),
            "amsgrad": bool(amsgrad),
            "maximize": bool(maximize),
            "decoupled_weight_decay": bool(decoupled_weight_decay),
        },
    )


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
    return _make(
        "adamw",
        {
            "lr": float(lr),
            "betas": (float(betas[0]), float(betas[1])),
            "eps": float(eps),
            "weight_decay": float(weight_decay),
            "amsgrad": bool(amsgrad),
            "maximize": bool(maximize),
        },
    )


_FACTORIES: Final[Mapping[str, Callable[..., Optimizer]]] = {
    "sgd": sgd,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adadelta": adadelta,
    "adam": adam,
    "adamw": adamw,
}


def make(name: str, **hyperparameters: object) -> Optimizer:
    """Build an optimizer from a factory name or alias and keyword hyperparameters.

    ``"momentum"`` and ``"nesterov"`` are the aliases of :func:`from_spec` (SGD with
    ``momentum=0.9``, plus ``nesterov=True``), overridable by the keywords.

    Parameters
    ----------
    name
        One of :func:`names` or an alias, case-insensitive.
    **hyperparameters
        Keywords of the factory; torch's defaults for the rest.

    Returns
    -------
    Optimizer

    Raises
    ------
    ValueError
        An unknown name or keyword, or a value the factory rejects.

    Examples
    --------
    >>> make("nesterov", lr=0.01).label
    'Nesterov (lr=0.01, momentum=0.9)'
    >>> make("Adam").hyperparameters["lr"]
    0.001
    """
    key = name.strip().lower()
    if key in _ALIASES:
        base, preset = _ALIASES[key]
    elif key in _FACTORIES:
        base, preset = key, {}
    else:
        raise ValueError(
            f"unknown optimizer {name!r}; allowed: {', '.join([*_FACTORIES, *_ALIASES])}"
        )
    unknown = sorted(set(hyperparameters) - set(_PARAMS[base]))
    if unknown:
        raise ValueError(
            f"{base} has no hyperparameter {unknown[0]!r}; allowed: {', '.join(_PARAMS[base])}"
        )
    return _FACTORIES[base](**{**preset, **hyperparameters})


def names() -> list[str]:
    """The factory names, in the order torch's documentation lists them.

    :func:`from_spec` also accepts the aliases ``"momentum"`` and ``"nesterov"``.

    Examples
    --------
    >>> names()
    ['sgd', 'adagrad', 'rmsprop', 'adadelta', 'adam', 'adamw']
    """
    return list(_FACTORIES)


# --------------------------------------------------------------------------------------------
# Spec strings.
# --------------------------------------------------------------------------------------------

_NUMBER: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _parse_number(key: str, text: str, fail: Callable[[str], OptimizerSpecError]) -> float:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise fail(f"{key}={text} is not a number; write e.g. {key}=0.1")
    value = float(text)
    if not math.isfinite(value):
        raise fail(f"{key}={text} is not allowed; {key} must be a finite number")
    return value


def _parse_value(
    key: str, param: _Param, text: str, fail: Callable[[str], OptimizerSpecError]
) -> object:
    if param.kind == "bool":
        word = text.strip().lower()
        if word not in ("true", "false"):
            raise fail(f"{key}={text.strip()} is not allowed; {key} must be true or false")
        return word == "true"
    if param.kind == "pair":
        pieces = text.split("/")
        if len(pieces) != 2:
            raise fail(
                f"{key}={text.strip()} is not allowed; {key} must be two numbers joined by '/', "
                f"e.g. {key}=0.9/0.999"
            )
        pair = (_parse_number(key, pieces[0], fail), _parse_number(key, pieces[1], fail))
        for v in pair:
            if not param.check(v):
                raise fail(
                    f"{key}={text.strip()} is out of range; both {key} must be {param.allowed}"
                )
        return pair
    value = _parse_number(key, text, fail)
    if not param.check(value):
        raise fail(f"{key}={text.strip()} is out of range; {key} must be {param.allowed}")
    return value


def from_spec(spec: str) -> Optimizer:
    """Build an optimizer from ``"name[:key=value,...]"``.

    ``name`` is a factory name (:func:`names`) or an alias, case-insensitive:
    ``"momentum"`` is :func:`sgd` with ``momentum=0.9`` unless given, ``"nesterov"`` is
    :func:`sgd` with ``momentum=0.9, nesterov=True``.  Keys are the factory's keywords;
    values are numbers (``0.1``, ``1e-3``), ``true``/``false``, or for ``betas`` two numbers
    joined by ``/``.  Nothing is evaluated as Python.

    Parameters
    ----------
    spec
        The spec, e.g. ``"adam:lr=0.1,betas=0.9/0.99"`` or ``"sgd:lr=0.05,momentum=0.9"``.

    Returns
    -------
    Optimizer

    Raises
    ------
    OptimizerSpecError
        One line naming the offending piece and what is allowed: an unknown optimizer or
        key, a value that does not parse, a value out of range, a key given twice.

    Examples
    --------
    >>> from_spec("adam:lr=0.1,betas=0.9/0.99").label
    'Adam (lr=0.1, betas=0.9/0.99)'
    >>> from_spec("Nesterov:lr=0.01").label
    'Nesterov (lr=0.01, momentum=0.9)'
    >>> try:
    ...     from_spec("adam:lr=-1")
    ... except OptimizerSpecError as exc:
    ...     print(exc)
    optimizer spec 'adam:lr=-1': lr=-1 is out of range; lr must be >= 0
    """
    if not isinstance(spec, str):
        raise OptimizerSpecError(f"optimizer spec must be a string, not {type(spec).__name__}")

    def fail(detail: str) -> OptimizerSpecError:
        return OptimizerSpecError(f"optimizer spec {spec!r}: {detail}")

    head, _, tail = spec.partition(":")
    key = head.strip().lower()
    allowed_names = ", ".join([*_FACTORIES, *_ALIASES])
    if key in _ALIASES:
        name, preset = _ALIASES[key]
    elif key in _FACTORIES:
        name, preset = key, {}
    elif not key:
        raise fail(f"no optimizer name; write name[:key=value,...] with name one of "
                   f"{allowed_names}")
    else:
        raise fail(f"unknown optimizer {head.strip()!r}; allowed: {allowed_names}")

    params = _PARAMS[name]
    kwargs: dict[str, object] = dict(preset)
    given: set[str] = set()
    if tail.strip():
        for piece in tail.split(","):
            k, eq, text = piece.partition("=")
            k = k.strip().lower()
            if not eq or not k:
                raise fail(f"{piece.strip()!r} is not key=value; allowed keys for {name}: "
                           f"{', '.join(params)}")
            if k not in params:
                raise fail(f"unknown key {k!r} for {name}; allowed keys: {', '.join(params)}")
            if k in given:
                raise fail(f"{k} is given twice")
            given.add(k)
            kwargs[k] = _parse_value(k, params[k], text, fail)

    if name == "sgd" and kwargs.get("nesterov") and (
        _f(kwargs.get("momentum", 0.0)) <= 0 or _f(kwargs.get("dampening", 0.0)) != 0
    ):
        raise fail("nesterov=true needs momentum > 0 and dampening=0")
    try:
        return _FACTORIES[name](**kwargs)
    except ValueError as exc:  # cross-checks the table above does not cover
        raise fail(str(exc)) from None


def from_spec_with_schedule(
    spec: str, *, steps: int | None = None
) -> tuple[Optimizer, Schedule | None]:
    """Build an optimizer and, after ``@``, a learning-rate schedule from one spec string.

    ``"optimizer spec [@ schedule spec]"``: the part before ``@`` is read by
    :func:`from_spec`, the part after it by :func:`gdanim.schedules.from_spec` (one
    schedule such as ``cosine:T_max=200``, or a chain
    ``linear:start_factor=0.1,total_iters=20 until 20 then cosine:T_max=180``).  The pair
    is checked together: OneCycleLR's ``cycle_momentum`` needs an optimizer with a momentum
    or a :math:`\\beta_1`.

    Parameters
    ----------
    spec
        E.g. ``"adam:lr=0.1 @ cosine:T_max=200"`` or just ``"adam:lr=0.1"``.
    steps
        The run's length, if known (see :func:`gdanim.schedules.from_spec`).

    Returns
    -------
    tuple of (Optimizer, Schedule or None)
        The optimizer as written (pass both to :func:`gdanim.descend`) and the schedule, or
        ``None`` without ``@``.

    Raises
    ------
    OptimizerSpecError
        One line naming the offending piece, for either part or the pair.

    Examples
    --------
    >>> opt, sched = from_spec_with_schedule("adam:lr=0.1 @ cosine:T_max=200")
    >>> opt.label, sched.label
    ('Adam (lr=0.1)', 'CosineAnnealingLR (T_max=200)')
    >>> from_spec_with_schedule("sgd:lr=0.1")[1] is None
    True
    >>> try:
    ...     from_spec_with_schedule("adagrad:lr=0.1 @ onecycle:max_lr=1,total_steps=100")
    ... except OptimizerSpecError as exc:
    ...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
    spec 'adagrad:lr=0.1 @ onecycle:max_lr=1,total_steps=100': optimizer must support momentum
    or beta1 with `cycle_momentum` option enabled; add cycle_momentum=false to the schedule
    """
    from gdanim import schedules

    if not isinstance(spec, str):
        raise OptimizerSpecError(f"optimizer spec must be a string, not {type(spec).__name__}")
    head, at, tail = spec.partition("@")
    optimizer = from_spec(head.strip())
    if not at:
        return optimizer, None
    if not tail.strip():
        raise OptimizerSpecError(
            f"spec {spec!r}: nothing after '@'; write e.g. {head.strip()} @ cosine:T_max=200"
        )
    if "@" in tail:
        raise OptimizerSpecError(f"spec {spec!r}: more than one '@'; chain schedules with "
                                 "'until N then'")
    schedule = schedules.from_spec(tail.strip(), steps=steps)
    try:
        schedules.bind(schedule, optimizer)
    except ValueError as exc:
        raise OptimizerSpecError(
            f"spec {spec!r}: {exc}; add cycle_momentum=false to the schedule"
        ) from None
    return optimizer, schedule
