"""The optimizer parity matrix shared by the live torch tests and the recorded references.

Three test functions (a formula that torch's autograd differentiates and a hand-written
gradient for numpy), the cases of hyperparameters, and the runs of both sides.  Nothing here
imports torch at module level: :func:`torch_run` imports it when called, so the tests that
compare with the recorded references (``tests/data/torch_refs/optimizers.npz``, written by
``scripts/torch_references.py``) run on a machine without torch.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from gdanim import optimizers
from gdanim.optimizers import OptState

STEPS = 500
REFS = Path(__file__).with_name("data") / "torch_refs" / "optimizers.npz"

FACTORY: dict[str, Callable[..., optimizers.Optimizer]] = {
    "sgd": optimizers.sgd,
    "adagrad": optimizers.adagrad,
    "rmsprop": optimizers.rmsprop,
    "adadelta": optimizers.adadelta,
    "adam": optimizers.adam,
    "adamw": optimizers.adamw,
}


# --------------------------------------------------------------------------------------------
# The three test functions: one formula for torch (autograd) and a hand-written gradient for
# numpy.  The hand gradients are written in the order autograd evaluates the chain rule, so
# both sides see bitwise-equal gradients (checked below); Rosenbrock's valley would otherwise
# amplify a last-bit difference of the gradient.
# --------------------------------------------------------------------------------------------


def bowl(x: Any, y: Any) -> Any:
    return x**2 + y**2


def bowl_grad(p: np.ndarray) -> np.ndarray:
    x, y = p[..., 0], p[..., 1]
    return np.stack([2 * x, 2 * y], axis=-1)


def rosenbrock(x: Any, y: Any) -> Any:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_grad(p: np.ndarray) -> np.ndarray:
    x, y = p[..., 0], p[..., 1]
    t = y - x**2
    return np.stack([-2 * (1 - x) - (200 * t) * (2 * x), 200 * t], axis=-1)


def saddle(x: Any, y: Any) -> Any:
    return -(x**2) / 2 + y**2


def saddle_grad(p: np.ndarray) -> np.ndarray:
    x, y = p[..., 0], p[..., 1]
    return np.stack([-x, 2 * y], axis=-1)


FUNCTIONS = {
    "bowl": (bowl, bowl_grad, (1.5, -2.0)),
    "rosenbrock": (rosenbrock, rosenbrock_grad, (-1.2, 1.0)),
    "saddle": (saddle, saddle_grad, (1e-5, 0.5)),
}


# --------------------------------------------------------------------------------------------
# The parity matrix: (id, factory, keywords, learning rate per function or None for torch's
# default).  ``maximize=True`` cases maximise -f, so they walk the same way as minimising f.
# --------------------------------------------------------------------------------------------

LR = dict[str, float] | float | None
Case = tuple[str, str, dict[str, Any], LR]

CASES: list[Case] = [
    # SGD
    ("defaults", "sgd", {}, None),
    ("lr", "sgd", {}, {"bowl": 0.1, "rosenbrock": 1e-4, "saddle": 0.05}),
    ("momentum", "sgd", {"momentum": 0.9}, {"bowl": 0.05, "rosenbrock": 1e-4, "saddle": 0.01}),
    ("dampening", "sgd", {"momentum": 0.9, "dampening": 0.5}, {"bowl": 0.05, "rosenbrock": 1e-4,
                                                              "saddle": 0.01}),
    ("nesterov", "sgd", {"momentum": 0.9, "nesterov": True}, {"bowl": 0.05, "rosenbrock": 1e-4,
                                                             "saddle": 0.01}),
    ("weight_decay", "sgd", {"weight_decay": 0.1}, {"bowl": 0.1, "rosenbrock": 1e-4,
                                                    "saddle": 0.05}),
    ("maximize", "sgd", {"maximize": True}, {"bowl": 0.1, "rosenbrock": 1e-4, "saddle": 0.05}),
    ("all", "sgd", {"momentum": 0.8, "dampening": 0.1, "weight_decay": 0.05, "maximize": True},
     {"bowl": 0.05, "rosenbrock": 1e-4, "saddle": 0.01}),
    # AdaGrad
    ("defaults", "adagrad", {}, None),
    ("lr", "adagrad", {}, 0.5),
    ("lr_decay", "adagrad", {"lr_decay": 0.01}, 0.1),
    ("initial_accumulator_value", "adagrad", {"initial_accumulator_value": 0.1}, 0.1),
    ("eps", "adagrad", {"eps": 1e-6}, 0.1),
    ("weight_decay", "adagrad", {"weight_decay": 0.1}, 0.1),
    ("maximize", "adagrad", {"maximize": True}, 0.5),
    ("all", "adagrad", {"lr_decay": 0.05, "weight_decay": 0.01, "initial_accumulator_value": 0.5,
                        "eps": 1e-8, "maximize": True}, 0.3),
    # RMSprop
    ("defaults", "rmsprop", {}, None),
    ("alpha", "rmsprop", {"alpha": 0.9}, {"bowl": 0.01, "rosenbrock": 1e-4, "saddle": 0.01}),
    ("centered", "rmsprop", {"centered": True}, 1e-3),
    # centered with a small alpha divides by the root of v - gbar^2, a difference that cancels
    # to a few ulps on Rosenbrock: torch's fused multiply-add and numpy's two roundings then
    # disagree from step ~80 on (and a one-ulp change of the start does the same), so that
    # pairing is left out; bowl and saddle are well conditioned
    ("centered_small_alpha", "rmsprop", {"centered": True, "alpha": 0.3},
     {"bowl": 1e-3, "saddle": 1e-3}),
    ("small_alpha", "rmsprop", {"alpha": 0.3}, 1e-4),
    ("momentum", "rmsprop", {"momentum": 0.5}, 1e-3),
    ("centered_momentum", "rmsprop", {"centered": True, "momentum": 0.5}, 1e-3),
    ("weight_decay_eps", "rmsprop", {"weight_decay": 0.1, "eps": 1e-4}, 1e-3),
    ("maximize", "rmsprop", {"maximize": True}, 1e-2),
    # Adadelta
    ("defaults", "adadelta", {}, None),
    ("rho_eps", "adadelta", {"rho": 0.5, "eps": 1e-4}, None),
    ("lr_weight_decay", "adadelta", {"weight_decay": 0.1}, 0.5),
    ("maximize", "adadelta", {"maximize": True}, None),
    # Adam
    ("defaults", "adam", {}, None),
    ("lr", "adam", {}, 1e-2),
    ("betas", "adam", {"betas": (0.9, 0.99)}, 1e-2),
    ("small_beta1", "adam", {"betas": (0.3, 0.99)}, 1e-2),
    ("amsgrad", "adam", {"amsgrad": True}, 1e-2),
    ("weight_decay", "adam", {"weight_decay": 0.1}, 1e-2),
    ("decoupled_weight_decay", "adam", {"weight_decay": 0.1, "decoupled_weight_decay": True},
     1e-2),
    ("eps", "adam", {"eps": 1e-3}, 1e-2),
    ("maximize", "adam", {"maximize": True}, 1e-2),
    ("all", "adam", {"betas": (0.8, 0.95), "eps": 1e-6, "weight_decay": 0.01, "amsgrad": True,
                     "maximize": True}, 1e-2),
    # AdamW
    ("defaults", "adamw", {}, None),
    ("lr", "adamw", {}, 1e-2),
    ("weight_decay_amsgrad_eps", "adamw", {"weight_decay": 0.1, "amsgrad": True, "eps": 1e-6},
     1e-2),
    ("no_weight_decay", "adamw", {"weight_decay": 0.0}, 1e-2),
    ("maximize", "adamw", {"maximize": True, "betas": (0.9, 0.99)}, 1e-2),
]


def case_kwargs(kwargs: dict[str, Any], lr: LR, function: str) -> dict[str, Any]:
    out = dict(kwargs)
    if isinstance(lr, dict):
        out["lr"] = lr.get(function, min(lr.values()))
    elif lr is not None:
        out["lr"] = lr
    return out


def case_id(case: Case) -> str:
    return f"{case[1]}-{case[0]}"


PARITY_RUNS: list[tuple[Case, str, str]] = [
    (case, function, f"{case_id(case)}-{function}")
    for case in CASES
    for function in FUNCTIONS
    if not isinstance(case[3], dict) or function in case[3]
]
"""Every (case, function) pair of the matrix with its id (``"adam-amsgrad-bowl"``)."""


def numpy_run(
    opt: optimizers.Optimizer, function: str, x0: Any = None, steps: int = STEPS
) -> tuple[np.ndarray, OptState]:
    """Points (steps+1, 2) of gdanim's run and its final state."""
    _, grad, start = FUNCTIONS[function]
    sign = -1.0 if opt.hyperparameters.get("maximize") else 1.0
    x = np.array(start if x0 is None else x0, dtype=np.float64)
    state = opt.init(x)
    points = [x]
    for _ in range(steps):
        x, state = opt.update(sign * grad(x), state, x)
        points.append(x)
    return np.array(points), state


def torch_run(
    name: str, kwargs: dict[str, Any], function: str, steps: int = STEPS
) -> tuple[np.ndarray, dict[str, Any]]:
    """Points (steps+1, 2) of torch.optim's run (float64, single-tensor code path) and its final
    per-parameter state, as torch tensors."""
    import torch

    f, _, x0 = FUNCTIONS[function]
    sign = -1.0 if kwargs.get("maximize") else 1.0
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, TORCH_CLASS[name])([p], foreach=False, **kwargs)
    points = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        (sign * f(p[0], p[1])).backward()
        opt.step()
        points.append(p.detach().numpy().copy())
    return np.array(points), dict(opt.state[p])


TORCH_CLASS = {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adadelta": "Adadelta",
               "adam": "Adam", "adamw": "AdamW"}
"""The torch.optim class of each optimizer of the matrix."""


def recorded(run_id: str) -> tuple[np.ndarray, int | None, dict[str, np.ndarray]]:
    """The recorded torch run ``run_id``: its points, its step count (``None`` where torch keeps
    none, as for SGD) and its final state."""
    with np.load(REFS) as refs:
        points = refs[f"{run_id}/points"]
        step = int(refs[f"{run_id}/step"]) if f"{run_id}/step" in refs.files else None
        prefix = f"{run_id}/state/"
        state = {k[len(prefix):]: refs[k] for k in refs.files if k.startswith(prefix)}
    return points, step, state
