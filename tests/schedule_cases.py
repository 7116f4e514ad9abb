"""The schedule parity matrix shared by the live torch tests and the recorded references.

Rosenbrock with autograd's gradient written by hand, the schedules and optimizers under test,
the pairs of them that are compared, and torch's run of a pair.  Nothing here imports torch at
module level: a torch scheduler is described by a function of torch's ``lr_scheduler`` module
and an optimizer, and :func:`torch_run` imports torch when called.  The recorded runs
(``tests/data/torch_refs/schedules.npz``, written by ``scripts/torch_references.py``) let the
parity of every pair be checked on a machine without torch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from gdanim import schedules as S

STEPS = 1000
RTOL = 1e-12
START = (1.5, 2.5)
REFS = Path(__file__).with_name("data") / "torch_refs" / "schedules.npz"

TorchMaker = Callable[[Any, Any], Any]
"""Builds torch's scheduler: ``make(lr_scheduler, optimizer)``, with ``torch.optim.lr_scheduler``
as the first argument."""

TORCH_CLASS = {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adadelta": "Adadelta",
               "adam": "Adam", "adamw": "AdamW"}


def rosenbrock(x: Any, y: Any) -> Any:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


class HandRosenbrock:
    """Rosenbrock with the gradient written in autograd's order (bitwise equal to torch's)."""

    text = "(1 - x)**2 + 100*(y - x**2)**2"
    variables = ("x", "y")
    dim = 2

    def grad(self, p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        t = y - x**2
        return np.stack([-2 * (1 - x) - (200 * t) * (2 * x), 200 * t], axis=-1)

    def value(self, p: np.ndarray) -> np.ndarray:
        return np.asarray(rosenbrock(p[..., 0], p[..., 1]))


ROSEN = HandRosenbrock()


SCHEDULES: dict[str, tuple[S.Schedule, TorchMaker]] = {
    "step": (
        S.StepLR(step_size=200, gamma=0.5),
        lambda L, o: L.StepLR(o, step_size=200, gamma=0.5),
    ),
    "multistep": (
        S.MultiStepLR(milestones=(100, 400, 400, 800), gamma=0.3),
        lambda L, o: L.MultiStepLR(o, milestones=[100, 400, 400, 800], gamma=0.3),
    ),
    "exponential": (S.ExponentialLR(gamma=0.998), lambda L, o: L.ExponentialLR(o, gamma=0.998)),
    # T_max = 300 < 1,000 steps: the rate reaches eta_min, takes torch's special step at
    # T_max + 1 and climbs back (no restart), twice
    "cosine": (
        S.CosineAnnealingLR(T_max=300, eta_min=1e-4),
        lambda L, o: L.CosineAnnealingLR(o, T_max=300, eta_min=1e-4),
    ),
    "linear": (
        S.LinearLR(start_factor=0.1, total_iters=100),
        lambda L, o: L.LinearLR(o, start_factor=0.1, total_iters=100),
    ),
    "linear_decay": (
        S.LinearLR(start_factor=1.0, end_factor=0.2, total_iters=700),
        lambda L, o: L.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=700),
    ),
    # warm-up, cosine, then a step decay: three schedules, two milestones
    "sequential": (
        S.SequentialLR(
            (S.LinearLR(start_factor=0.1, total_iters=50),
             S.CosineAnnealingLR(T_max=450, eta_min=1e-4),
             S.StepLR(step_size=100, gamma=0.5)),
            milestones=(50, 500),
        ),
        lambda L, o: L.SequentialLR(
            o,
            [L.LinearLR(o, start_factor=0.1, total_iters=50),
             L.CosineAnnealingLR(o, T_max=450, eta_min=1e-4),
             L.StepLR(o, step_size=100, gamma=0.5)],
            milestones=[50, 500],
        ),
    ),
    # a chain whose later parts restart from their closed form at step 0 (MultiStepLR with a
    # milestone at 0 restarts already decayed; LinearLR at its start factor)
    "sequential_restarts": (
        S.SequentialLR(
            (S.ExponentialLR(gamma=0.99),
             S.LinearLR(start_factor=0.3, end_factor=0.8, total_iters=30),
             S.MultiStepLR(milestones=(0, 100, 200), gamma=0.5)),
            milestones=(300, 600),
        ),
        lambda L, o: L.SequentialLR(
            o,
            [L.ExponentialLR(o, gamma=0.99),
             L.LinearLR(o, start_factor=0.3, end_factor=0.8, total_iters=30),
             L.MultiStepLR(o, milestones=[0, 100, 200], gamma=0.5)],
            milestones=[300, 600],
        ),
    ),
}

ONECYCLE: dict[str, tuple[S.Schedule, TorchMaker]] = {
    "onecycle": (
        S.OneCycleLR(max_lr=1.0, total_steps=STEPS),
        lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=STEPS),
    ),
    "onecycle_three_phase_linear": (
        S.OneCycleLR(max_lr=1.0, epochs=10, steps_per_epoch=100, pct_start=0.25,
                     anneal_strategy="linear", three_phase=True, base_momentum=0.8,
                     max_momentum=0.9, div_factor=10.0, final_div_factor=100.0),
        lambda L, o: L.OneCycleLR(o, max_lr=1.0, epochs=10, steps_per_epoch=100, pct_start=0.25,
                               anneal_strategy="linear", three_phase=True, base_momentum=0.8,
                               max_momentum=0.9, div_factor=10.0, final_div_factor=100.0),
    ),
}

# every optimizer, with rates that keep the run on Rosenbrock stable
OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "sgd": ("sgd", {"lr": 5e-4}),
    "momentum": ("sgd", {"lr": 2e-4, "momentum": 0.9, "dampening": 0.1}),
    "nesterov": ("sgd", {"lr": 2e-4, "momentum": 0.9, "nesterov": True}),
    "adagrad": ("adagrad", {"lr": 0.5, "lr_decay": 1e-3}),
    "rmsprop": ("rmsprop", {"lr": 1e-3, "momentum": 0.5}),
    # Adadelta's path on Rosenbrock is chaotic at larger rates (a one-ulp change of the start
    # moves later points by up to 1e-1 in numpy alone), so one fused multiply-add in torch
    # would decide the comparison; at lr = 0.1 it is tame
    "adadelta": ("adadelta", {"lr": 0.1}),
    "adam": ("adam", {"lr": 0.02, "amsgrad": True}),
    "adamw": ("adamw", {"lr": 0.02, "weight_decay": 0.1}),
}

# OneCycleLR sets max_lr itself; its peak must suit the optimizer (momentum cycled for SGD,
# RMSprop, Adam, AdamW; AdaGrad and Adadelta need cycle_momentum=False)
ONECYCLE_PEAK = {"sgd": 5e-4, "nesterov": 5e-4, "rmsprop": 2e-3, "adam": 0.05, "adamw": 0.05,
                 "adagrad": 0.5, "adadelta": 0.1}


def torch_run(
    opt_key: str, make: TorchMaker, steps: int = STEPS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """torch's points, and the lr and momentum (or beta1) each optimizer step used."""
    import torch
    from torch.optim import lr_scheduler

    name, kwargs = OPTIMIZERS[opt_key]
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, TORCH_CLASS[name])([p], foreach=False, **kwargs)
    sched = make(lr_scheduler, opt)
    points, lrs, momenta = [p.detach().numpy().copy()], [], []
    for _ in range(steps):
        group = opt.param_groups[0]
        lrs.append(group["lr"])
        momenta.append(group["betas"][0] if "betas" in group else group.get("momentum", 0.0))
        # autograd's gradient, computed by the hand formula (bitwise equal, tested above) to
        # keep the 1,000-step loops cheap
        p.grad = torch.from_numpy(ROSEN.grad(p.detach().numpy()))
        opt.step()
        sched.step()
        points.append(p.detach().numpy().copy())
    return np.array(points), np.array(lrs), np.array(momenta)


def onecycle(schedule: S.Schedule, opt_key: str) -> tuple[S.Schedule, TorchMaker]:
    """The OneCycleLR case with the peak rate for this optimizer (same keywords for torch)."""
    assert isinstance(schedule, S.OneCycleLR)
    peak = ONECYCLE_PEAK[opt_key]
    cycle = opt_key not in ("adagrad", "adadelta")
    ours = dataclasses.replace(schedule, max_lr=peak, cycle_momentum=cycle)
    kwargs = {f.name: getattr(ours, f.name) for f in dataclasses.fields(ours) if f.init}

    def theirs(L: Any, o: Any) -> Any:
        return L.OneCycleLR(o, **kwargs)

    return ours, theirs


def pair(sched_key: str, opt_key: str) -> tuple[S.Schedule, TorchMaker]:
    """The schedule of a pair of the matrix, ours and torch's."""
    if sched_key in SCHEDULES:
        return SCHEDULES[sched_key]
    return onecycle(ONECYCLE[sched_key][0], opt_key)


def _pairs() -> list[tuple[str, str, str]]:
    """Each schedule with four optimizers, rotating through the list so that every optimizer
    meets several schedules; OneCycleLR (which handles momentum per optimizer) with all."""
    keys = list(OPTIMIZERS)
    out = []
    for i, s in enumerate(SCHEDULES):
        for j in range(4):
            o = keys[(3 * i + j) % len(keys)]
            out.append((s, o, f"{s}-{o}"))
    out += [("onecycle", o, f"onecycle-{o}") for o in ONECYCLE_PEAK]
    out += [("onecycle_three_phase_linear", o, f"onecycle3-{o}")
            for o in ("nesterov", "rmsprop", "adamw", "adagrad")]
    return out


def max_rel(ours: np.ndarray, theirs: np.ndarray) -> float:
    """The largest relative difference of two paths, coordinate by coordinate."""
    return float(np.max(np.abs(ours - theirs) / np.abs(theirs)))


PAIRS = _pairs()
"""The compared pairs as (schedule key, optimizer key, id)."""


def recorded(pair_id: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The recorded torch run of a pair: its points, and the lr and momentum of every step."""
    with np.load(REFS) as refs:
        return (refs[f"{pair_id}/points"], refs[f"{pair_id}/lrs"], refs[f"{pair_id}/momenta"])
