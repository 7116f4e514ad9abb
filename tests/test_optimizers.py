"""Tests for gdanim.optimizers: parity with torch.optim in float64, purity, batches, specs.

The parity runs compare every point of a 500-step path with ``torch.optim`` (single-tensor
code path, float64) to ``rtol = optimizers.TORCH_PARITY_RTOL`` (1e-10), the tolerance the
lecture quotes.  torch's CPU kernels fuse some multiply-adds and numpy does not, so the two
differ in the last bit now and then; the cases below are chosen where the path is well
conditioned, so such differences stay far below it (about 1e-11 at worst).  (Where a path is
chaotic, for instance Adam with beta1 = 0.3 and beta2 = 0.9 zig-zagging along Rosenbrock's
valley, a one-ulp change of the *start point* moves later points by far more than 1e-10 in
numpy alone; such cases cannot be compared pointwise with any implementation and are left out.)
"""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import math
import pkgutil
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from parity_cases import (
    CASES,
    FACTORY,
    FUNCTIONS,
    PARITY_RUNS,
    STEPS,
    Case,
    case_id,
    case_kwargs,
    numpy_run,
    recorded,
    rosenbrock_grad,
    torch_run,
)

from gdanim import descend, objectives, optimizers, palette
from gdanim.optimizers import OptimizerSpecError
from tests.toy_optimizer import SIGNSGD, registered, signsgd

RTOL = optimizers.TORCH_PARITY_RTOL
ATOL = 1e-13

TORCH: dict[str, Callable[..., torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adagrad": torch.optim.Adagrad,
    "rmsprop": torch.optim.RMSprop,
    "adadelta": torch.optim.Adadelta,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
}
PARITY = [
    pytest.param(case, function, id=run_id) for case, function, run_id in PARITY_RUNS
]


# --------------------------------------------------------------------------------------------
# Parity with torch.optim
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_hand_gradients_equal_autograd_bitwise(function: str) -> None:
    f, grad, _ = FUNCTIONS[function]
    points = np.random.default_rng(0).uniform(-3, 3, (200, 2))
    for q in points:
        p = torch.tensor(q, requires_grad=True)
        f(p[0], p[1]).backward()
        assert p.grad is not None
        np.testing.assert_array_equal(grad(q), p.grad.numpy())
    np.testing.assert_array_equal(grad(points), np.array([grad(q) for q in points]))


@pytest.mark.parametrize(("case", "function"), PARITY)
def test_parity_with_torch(case: Case, function: str) -> None:
    _, name, kwargs, lr = case
    kwargs = case_kwargs(kwargs, lr, function)
    expected, torch_state = torch_run(name, kwargs, function)
    assert np.isfinite(expected).all(), "choose a learning rate that keeps torch's run finite"
    # the recording that test_torch_refs.py compares with where torch is missing is this run
    # (scripts/torch_references.py writes it again)
    rec_points, rec_step, rec_state = recorded(f"{case_id(case)}-{function}")
    np.testing.assert_allclose(rec_points, expected, rtol=RTOL, atol=ATOL)
    assert set(rec_state) == set(torch_state) - {"step"}
    for key, value in rec_state.items():
        np.testing.assert_allclose(value, torch_state[key].numpy(), rtol=1e-9, atol=1e-12)
    assert rec_step == (int(torch_state["step"].item()) if "step" in torch_state else None)

    opt = FACTORY[name](**kwargs)
    points, state = numpy_run(opt, function)

    np.testing.assert_allclose(points, expected, rtol=RTOL, atol=ATOL)
    # the state carries torch's names and values
    assert state.step == STEPS == int(torch_state.pop("step", torch.tensor(STEPS)).item())
    assert set(state.buffers) == set(torch_state)
    for key, value in torch_state.items():
        np.testing.assert_allclose(state.buffers[key], value.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=key)


def test_parity_matrix_covers_every_hyperparameter() -> None:
    for name, factory in FACTORY.items():
        covered = {key for _, n, kwargs, _ in CASES if n == name for key in kwargs} | {"lr"}
        assert covered == set(factory().hyperparameters), name


@st.composite
def random_configs(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(list(FACTORY)))
    unit = st.floats(0.2, 0.999)
    small = st.sampled_from([0.0, 1e-3, 0.05])
    kwargs: dict[str, Any] = {"maximize": draw(st.booleans()), "weight_decay": draw(small)}
    if name == "sgd":
        kwargs |= {"lr": draw(st.floats(1e-3, 0.2)), "momentum": draw(st.sampled_from([0, 0.5,
                                                                                       0.9]))}
        if kwargs["momentum"] and draw(st.booleans()):
            kwargs["nesterov"] = True
        else:
            kwargs["dampening"] = draw(st.sampled_from([0.0, 0.3]))
    elif name == "adagrad":
        kwargs |= {"lr": draw(st.floats(1e-3, 1.0)), "lr_decay": draw(small),
                   "initial_accumulator_value": draw(st.sampled_from([0.0, 0.1])),
                   "eps": draw(st.sampled_from([1e-10, 1e-6]))}
    elif name == "rmsprop":
        kwargs |= {"lr": draw(st.floats(1e-4, 0.1)), "alpha": draw(unit),
                   "momentum": draw(st.sampled_from([0.0, 0.5])), "centered": draw(st.booleans()),
                   "eps": draw(st.sampled_from([1e-8, 1e-4]))}
    elif name == "adadelta":
        kwargs |= {"lr": draw(st.floats(0.1, 2.0)), "rho": draw(unit),
                   "eps": draw(st.sampled_from([1e-6, 1e-3]))}
    else:
        kwargs |= {"lr": draw(st.floats(1e-4, 0.1)), "betas": (draw(unit), draw(unit)),
                   "eps": draw(st.sampled_from([1e-8, 1e-4])), "amsgrad": draw(st.booleans())}
        if name == "adam":
            kwargs["decoupled_weight_decay"] = draw(st.booleans())
    return name, kwargs


@settings(max_examples=60, deadline=None)
@given(random_configs(), st.integers(0, 2**32 - 1))
def test_parity_with_torch_random_hyperparameters_and_gradients(
    config: tuple[str, dict[str, Any]], seed: int
) -> None:
    """Random valid hyperparameters, fed the same random gradients as torch for 30 steps."""
    name, kwargs = config
    rng = np.random.default_rng(seed)
    x0 = rng.uniform(-2, 2, 3)
    grads = rng.standard_normal((30, 3)) * rng.choice([0.01, 1.0, 100.0])

    p = torch.tensor(x0, dtype=torch.float64)
    topt = TORCH[name]([p], foreach=False, **kwargs)
    opt = FACTORY[name](**kwargs)
    x, state = x0.copy(), opt.init(x0)
    for g in grads:
        p.grad = torch.tensor(g)
        topt.step()
        x, state = opt.update(g, state, x)
        np.testing.assert_allclose(x, p.numpy(), rtol=RTOL, atol=ATOL)
    for key, value in topt.state[p].items():
        if key != "step":
            np.testing.assert_allclose(state.buffers[key], value.numpy(), rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------------------------
# Validation: the same bad values raise the same ValueError as torch
# --------------------------------------------------------------------------------------------

BAD = [
    ("sgd", {"lr": -1}),
    ("sgd", {"lr": -0.5}),
    ("sgd", {"momentum": -0.1}),
    ("sgd", {"weight_decay": -1e-3}),
    ("sgd", {"nesterov": True}),
    ("sgd", {"momentum": 0.9, "dampening": 0.1, "nesterov": True}),
    ("adagrad", {"lr": -0.1}),
    ("adagrad", {"lr_decay": -1}),
    ("adagrad", {"weight_decay": -0.1}),
    ("adagrad", {"initial_accumulator_value": -0.5}),
    ("adagrad", {"eps": -1e-10}),
    ("rmsprop", {"lr": -1.0}),
    ("rmsprop", {"eps": -1e-8}),
    ("rmsprop", {"momentum": -0.9}),
    ("rmsprop", {"weight_decay": -2}),
    ("rmsprop", {"alpha": -0.5}),
    ("adadelta", {"lr": -1}),
    ("adadelta", {"rho": 1.5}),
    ("adadelta", {"rho": -0.1}),
    ("adadelta", {"eps": -1e-6}),
    ("adadelta", {"weight_decay": -1}),
    ("adam", {"lr": -1}),
    ("adam", {"eps": -1e-8}),
    ("adam", {"betas": (1.0, 0.999)}),
    ("adam", {"betas": (-0.1, 0.999)}),
    ("adam", {"betas": (0.9, 1.0)}),
    ("adam", {"weight_decay": -0.01}),
    ("adam", {"lr": float("nan")}),
    ("adamw", {"lr": -0.001}),
    ("adamw", {"betas": (0.9, 1.5)}),
    ("adamw", {"weight_decay": -1.0}),
]

ACCEPTED = [
    ("sgd", {"lr": 0.0, "dampening": -0.5}),
    ("sgd", {"lr": float("nan")}),  # torch's check is lr < 0.0, which nan passes
    ("rmsprop", {"alpha": 1.5}),
    ("adadelta", {"rho": 0.0}),
    ("adadelta", {"rho": 1.0}),
    ("adam", {"betas": (0.0, 0.0), "eps": 0.0}),
    ("adamw", {"weight_decay": 0.0, "lr": 0.0}),
]


@pytest.mark.parametrize(("name", "kwargs"), BAD, ids=lambda v: str(v))
def test_bad_hyperparameters_raise_like_torch(name: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError) as from_torch:
        TORCH[name]([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        FACTORY[name](**kwargs)
    assert str(ours.value) == str(from_torch.value)


@pytest.mark.parametrize(("name", "kwargs"), ACCEPTED, ids=lambda v: str(v))
def test_edge_hyperparameters_accepted_like_torch(name: str, kwargs: dict[str, Any]) -> None:
    TORCH[name]([torch.zeros(2, requires_grad=True)], **kwargs)
    opt = FACTORY[name](**kwargs)
    for key, value in kwargs.items():
        assert opt.hyperparameters[key] == value or math.isnan(value)


def test_factories_take_torchs_keywords_and_defaults() -> None:
    import inspect

    for name, factory in FACTORY.items():
        ours = inspect.signature(factory).parameters
        theirs = inspect.signature(TORCH[name].__init__).parameters
        for key, param in ours.items():
            assert key in theirs, (name, key)
            assert param.default == theirs[key].default, (name, key)
        left_out = set(theirs) - set(ours) - {"self", "params"}
        assert left_out <= {"foreach", "fused", "capturable", "differentiable"}, (name, left_out)


# --------------------------------------------------------------------------------------------
# Purity and immutability
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_update_is_pure(case: Case) -> None:
    _, name, kwargs, lr = case
    opt = FACTORY[name](**case_kwargs(kwargs, lr, "rosenbrock"))
    x = np.array([[-1.2, 1.0], [0.5, 0.3]])
    grad = rosenbrock_grad(x)
    x_copy, grad_copy = x.copy(), grad.copy()

    state0 = opt.init(x)
    x1, state1 = opt.update(grad, state0, x)
    buffers1 = {k: v.copy() for k, v in state1.buffers.items()}
    x2, state2 = opt.update(rosenbrock_grad(x1), state1, x1)

    # inputs untouched, still writeable, not aliased by the outputs
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(grad, grad_copy)
    assert x.flags.writeable and grad.flags.writeable
    for out in (x1, x2, *state1.buffers.values(), *state2.buffers.values()):
        assert not np.shares_memory(out, x) and not np.shares_memory(out, grad)
    # earlier states unchanged by later updates; the same call gives the same answer
    assert state0.step == 0 and state1.step == 1 and state2.step == 2
    for k, v in state1.buffers.items():
        np.testing.assert_array_equal(v, buffers1[k])
    x1_again, state1_again = opt.update(grad, state0, x)
    np.testing.assert_array_equal(x1_again, x1)
    for k, v in state1_again.buffers.items():
        np.testing.assert_array_equal(v, state1.buffers[k])
    # the state cannot be changed
    for state in (state0, state1, state2):
        with pytest.raises(dataclasses.FrozenInstanceError):
            state.step = 5  # type: ignore[misc]
        with pytest.raises(TypeError):
            state.buffers["exp_avg"] = np.zeros(2)  # type: ignore[index]
        for v in state.buffers.values():
            assert v.shape == x.shape and v.dtype == np.float64
            with pytest.raises(ValueError):
                v[...] = 1.0


def test_optimizer_is_immutable_hashable_and_compares_by_value() -> None:
    opt = optimizers.adam(lr=0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        opt.name = "sgd"  # type: ignore[misc]
    with pytest.raises(TypeError):
        opt.hyperparameters["lr"] = 1.0  # type: ignore[index]
    assert opt == optimizers.adam(lr=0.1) == optimizers.from_spec("adam:lr=0.1")
    assert opt != optimizers.adam(lr=0.2)
    assert opt != optimizers.adamw(lr=0.1, weight_decay=0.0)
    assert len({opt, optimizers.adam(lr=0.1), optimizers.sgd()}) == 2


# --------------------------------------------------------------------------------------------
# Batches and shapes
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_batch_of_runs_equals_single_runs_exactly(case: Case) -> None:
    _, name, kwargs, lr = case
    opt = FACTORY[name](**case_kwargs(kwargs, lr, "rosenbrock"))
    starts = np.random.default_rng(1).uniform(-1.5, 1.5, (7, 2))
    batch, batch_state = numpy_run(opt, "rosenbrock", starts, steps=100)
    assert batch.shape == (101, 7, 2)
    for i, start in enumerate(starts):
        single, single_state = numpy_run(opt, "rosenbrock", start, steps=100)
        np.testing.assert_array_equal(batch[:, i], single)
        for key, value in single_state.buffers.items():
            np.testing.assert_array_equal(batch_state.buffers[key][i], value)


@pytest.mark.parametrize("name", list(FACTORY))
@pytest.mark.parametrize("shape", [(1,), (3,), (4, 1), (2, 3, 2)])
def test_any_shape(name: str, shape: tuple[int, ...]) -> None:
    opt = FACTORY[name](lr=0.1)
    x = np.linspace(-1.0, 1.0, math.prod(shape)).reshape(shape)
    state = opt.init(x)
    for _ in range(3):
        x, state = opt.update(2 * x, state, x)
    assert x.shape == shape and x.dtype == np.float64
    assert all(v.shape == shape for v in state.buffers.values())


# --------------------------------------------------------------------------------------------
# Names, display names, labels, update rules
# --------------------------------------------------------------------------------------------


def test_names() -> None:
    assert optimizers.names() == ["sgd", "adagrad", "rmsprop", "adadelta", "adam", "adamw"]
    for name in optimizers.names():
        assert optimizers.from_spec(name) == FACTORY[name]()
        assert FACTORY[name]().name == name


@pytest.mark.parametrize(
    ("opt", "display_name", "label"),
    [
        (optimizers.adam(lr=0.1), "Adam", "Adam (lr=0.1)"),
        (optimizers.adam(lr=0.3, betas=(0.9, 0.99)), "Adam", "Adam (lr=0.3, betas=0.9/0.99)"),
        (optimizers.sgd(lr=0.01, momentum=0.9), "Momentum", "Momentum (lr=0.01, momentum=0.9)"),
        (optimizers.sgd(lr=0.01, momentum=0.9, nesterov=True), "Nesterov",
         "Nesterov (lr=0.01, momentum=0.9)"),
        (optimizers.sgd(lr=0.95), "SGD", "SGD (lr=0.95)"),
        (optimizers.sgd(), "SGD", "SGD (lr=0.001)"),
        (optimizers.adagrad(lr=1.5), "AdaGrad", "AdaGrad (lr=1.5)"),
        (optimizers.rmsprop(lr=0.05, alpha=0.9), "RMSprop", "RMSprop (lr=0.05, alpha=0.9)"),
        (optimizers.adadelta(), "Adadelta", "Adadelta (lr=1)"),
        (optimizers.adamw(), "AdamW", "AdamW (lr=0.001)"),
        (optimizers.adamw(lr=0.01, weight_decay=0.1), "AdamW", "AdamW (lr=0.01, weight_decay=0.1)"),
        (optimizers.adam(eps=1e-6, amsgrad=True), "Adam", "Adam (lr=0.001, eps=1e-06, amsgrad)"),
        (optimizers.sgd(lr=0.1, maximize=True), "SGD", "SGD (lr=0.1, maximize)"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_display_name_and_label(opt: optimizers.Optimizer, display_name: str, label: str) -> None:
    assert opt.display_name == display_name
    assert opt.label == label


def _balanced(text: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_update_rule_latex_shape(case: Case) -> None:
    _, name, kwargs, lr = case
    opt = FACTORY[name](**case_kwargs(kwargs, lr, "bowl"))
    lines = opt.update_rule_lines
    assert isinstance(lines, tuple) and len(lines) >= 2
    for line in lines:
        assert line.count(r"&\leftarrow") == 1 and "$" not in line and "\n" not in line
        assert _balanced(line), line
        assert len(line) < 90, line
    assert opt.update_rule_latex == " \\\\\n".join(lines)
    assert lines[-1].startswith(r"\theta_t &\leftarrow")
    assert ("-\\nabla" in lines[0]) == bool(opt.hyperparameters["maximize"])


def test_update_rule_follows_the_hyperparameters() -> None:
    plain = optimizers.sgd(lr=0.1).update_rule_lines
    assert plain == (r"g_t &\leftarrow \nabla f(\theta_{t-1})",
                     r"\theta_t &\leftarrow \theta_{t-1} - \eta\, g_t")
    assert r"\mu b_t" in optimizers.sgd(momentum=0.9, nesterov=True).update_rule_latex
    assert r"(1-\tau)" in optimizers.sgd(momentum=0.9, dampening=0.5).update_rule_latex
    adam = optimizers.adam().update_rule_latex
    assert r"\sqrt{\hat v_t} + \epsilon" in adam and r"\max" not in adam  # eps outside the root
    assert r"v_t^{\max}" in optimizers.adam(amsgrad=True).update_rule_latex
    assert r"\lambda \theta_{t-1}" not in adam
    assert r"g_t + \lambda \theta_{t-1}" in optimizers.adam(weight_decay=0.1).update_rule_latex
    adamw = optimizers.adamw().update_rule_lines
    assert adamw[1] == r"\theta_t &\leftarrow \theta_{t-1} - \eta \lambda \theta_{t-1}"
    assert adamw[-1].startswith(r"\theta_t &\leftarrow \theta_t -")
    assert r"\bar g_t" in optimizers.rmsprop(centered=True).update_rule_latex
    assert r"\tilde\eta_t" in optimizers.adagrad(lr_decay=0.1).update_rule_latex
    assert r"\sqrt{v_t + \epsilon}" in optimizers.adadelta().update_rule_latex


def test_update_rules_compile_with_latex(tmp_path: Path) -> None:
    latex = shutil.which("latex")
    if latex is None:
        pytest.skip("latex is not installed")
    rules = sorted({FACTORY[n](**case_kwargs(k, lr, "bowl")).update_rule_latex
                    for _, n, k, lr in CASES})
    body = "\n".join(f"\\begin{{align*}}\n{rule}\n\\end{{align*}}" for rule in rules)
    (tmp_path / "rules.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"
        f"\\begin{{document}}\n{body}\n\\end{{document}}\n"
    )
    done = subprocess.run([latex, "-interaction=nonstopmode", "-halt-on-error", "rules.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]


# --------------------------------------------------------------------------------------------
# Spec strings
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_spec_round_trip(case: Case) -> None:
    _, name, kwargs, lr = case
    for function in FUNCTIONS:
        opt = FACTORY[name](**case_kwargs(kwargs, lr, function))
        again = optimizers.from_spec(opt.spec)
        assert again == opt
        assert dict(again.hyperparameters) == dict(opt.hyperparameters)
        assert again.label == opt.label


def test_spec_round_trip_keeps_every_digit() -> None:
    opt = optimizers.adam(lr=0.123456789012345, betas=(0.1 + 0.2, 0.999))
    assert optimizers.from_spec(opt.spec).hyperparameters == opt.hyperparameters


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("adam:lr=0.1,betas=0.9/0.99", optimizers.adam(lr=0.1, betas=(0.9, 0.99))),
        ("sgd:lr=0.05,momentum=0.9", optimizers.sgd(lr=0.05, momentum=0.9)),
        ("momentum", optimizers.sgd(momentum=0.9)),
        ("momentum:lr=0.1,momentum=0.5", optimizers.sgd(lr=0.1, momentum=0.5)),
        ("nesterov:lr=0.01", optimizers.sgd(lr=0.01, momentum=0.9, nesterov=True)),
        ("Nesterov:momentum=0.8", optimizers.sgd(momentum=0.8, nesterov=True)),
        ("  AdaGrad : lr = 1.5 ", optimizers.adagrad(lr=1.5)),
        ("RMSprop:lr=0.1,alpha=0.9,centered=TRUE", optimizers.rmsprop(lr=0.1, alpha=0.9,
                                                                      centered=True)),
        ("adadelta", optimizers.adadelta()),
        ("adam:", optimizers.adam()),
        ("adam:LR=1e-2,amsgrad=true,maximize=false", optimizers.adam(lr=0.01, amsgrad=True)),
        ("adam:lr=1,eps=.5E-3", optimizers.adam(lr=1.0, eps=0.0005)),
        ("adamw:weight_decay=0", optimizers.adamw(weight_decay=0.0)),
        ("adam:weight_decay=0.1,decoupled_weight_decay=true",
         optimizers.adam(weight_decay=0.1, decoupled_weight_decay=True)),
    ],
)
def test_from_spec(spec: str, expected: optimizers.Optimizer) -> None:
    assert optimizers.from_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "pieces"),
    [
        ("adm", ["unknown optimizer 'adm'", "allowed: sgd, adagrad, rmsprop, adadelta, adam, "
                 "adamw, momentum, nesterov"]),
        ("", ["no optimizer name"]),
        (":lr=0.1", ["no optimizer name"]),
        ("adam:foo=1", ["unknown key 'foo' for adam", "allowed keys: lr, betas, eps, "
                        "weight_decay, amsgrad, maximize, decoupled_weight_decay"]),
        ("sgd:betas=0.9/0.9", ["unknown key 'betas' for sgd", "momentum, dampening"]),
        ("adam:lr=abc", ["lr=abc is not a number"]),
        ("adam:lr=", ["lr= is not a number"]),
        ("adam:lr=__import__('os')", ["is not a number"]),
        ("adam:lr=0x10", ["is not a number"]),
        ("adam:lr=nan", ["lr=nan is not a number"]),
        ("adam:lr=1e999", ["lr=1e999 is not allowed", "finite"]),
        ("adam:lr=-1", ["lr=-1 is out of range", "lr must be >= 0"]),
        ("adam:eps=-1e-8", ["eps=-1e-8 is out of range", "eps must be >= 0"]),
        ("adam:betas=0.9", ["betas=0.9 is not allowed", "two numbers joined by '/'"]),
        ("adam:betas=0.9/0.9/0.9", ["two numbers joined by '/'"]),
        ("adam:betas=0.9/1.5", ["betas=0.9/1.5 is out of range", "in [0, 1)"]),
        ("adam:betas=0.9/x", ["betas=x is not a number"]),
        ("adam:amsgrad=yes", ["amsgrad=yes is not allowed", "true or false"]),
        ("adam:amsgrad=1", ["true or false"]),
        ("adam:lr=0.1,lr=0.2", ["lr is given twice"]),
        ("adam:lr", ["'lr' is not key=value", "allowed keys for adam: lr"]),
        ("adam:lr=0.1,", ["'' is not key=value"]),
        ("adam:=0.1", ["'=0.1' is not key=value"]),
        ("adadelta:rho=2", ["rho=2 is out of range", "rho must be in [0, 1]"]),
        ("sgd:momentum=-0.9", ["momentum must be >= 0"]),
        ("sgd:nesterov=true", ["nesterov=true needs momentum > 0 and dampening=0"]),
        ("nesterov:dampening=0.1", ["nesterov=true needs momentum > 0 and dampening=0"]),
        ("nesterov:momentum=0", ["nesterov=true needs momentum > 0"]),
    ],
)
def test_bad_specs(spec: str, pieces: list[str]) -> None:
    with pytest.raises(OptimizerSpecError) as info:
        optimizers.from_spec(spec)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert "\n" not in message
    assert message.startswith(f"optimizer spec {spec!r}: ")
    for piece in pieces:
        assert piece in message


def test_spec_must_be_a_string() -> None:
    with pytest.raises(OptimizerSpecError, match="must be a string"):
        optimizers.from_spec(0.1)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Documentation
# --------------------------------------------------------------------------------------------


def _submodules(package: Any) -> list[Any]:
    return [importlib.import_module(f"{package.__name__}.{info.name}")
            for info in pkgutil.iter_modules(package.__path__)]



def test_docstring_examples() -> None:
    attempted = 0
    for module in (optimizers, *_submodules(optimizers)):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted > 30


def test_every_factory_documents_its_update_rule() -> None:
    for factory in FACTORY.values():
        doc = factory.__doc__ or ""
        assert ".. math::" in doc and r"\leftarrow" in doc
        assert "Examples" in doc and "Raises" in doc


# --------------------------------------------------------------------------------------------
# One record per optimizer: a toy optimizer registered here appears everywhere
# --------------------------------------------------------------------------------------------


@pytest.fixture
def toy() -> Any:
    with registered() as record:
        yield record


def test_a_toy_optimizer_is_one_record(toy: optimizers.OptimizerRecord) -> None:
    assert optimizers.names()[-1] == "signsgd"
    opt = optimizers.from_spec("SignSGD:lr=0.5")
    assert opt == signsgd(lr=0.5) == optimizers.make("signsgd", lr=0.5)
    assert opt.display_name == "signSGD" and opt.label == "signSGD (lr=0.5)"
    assert opt.label_params == "lr=0.5"
    assert optimizers.from_spec("signsgd:lr=0.5,maximize=true").label == \
        "signSGD (lr=0.5, maximize)"
    assert opt.color == optimizers.color("signsgd") == optimizers.colors()["signSGD"] == "#FFFFFF"
    assert dict(optimizers.make("signsgd").hyperparameters) == {"lr": 0.01, "maximize": False}
    assert optimizers.from_spec(opt.spec) == opt and opt.replace(lr=0.1) == signsgd(lr=0.1)
    assert opt.update_rule_lines[-1].endswith(r"\operatorname{sign}(g_t)")
    # it runs like any other optimizer
    run = descend(objectives.get("parabola"), opt, [4.0], 3)
    assert run.points[:, 0].tolist() == [4.0, 3.5, 3.0, 2.5]
    # and the spec parser knows its keywords and ranges
    with pytest.raises(OptimizerSpecError, match="lr must be >= 0"):
        optimizers.from_spec("signsgd:lr=-1")
    with pytest.raises(OptimizerSpecError, match="allowed keys: lr, maximize"):
        optimizers.from_spec("signsgd:momentum=0.9")
    with pytest.raises(OptimizerSpecError, match="adamw, signsgd, momentum, nesterov"):
        optimizers.from_spec("signsdg")


def test_a_toy_optimizer_is_gone_once_unregistered() -> None:
    optimizers.register(SIGNSGD)
    optimizers.unregister("signsgd")
    assert "signsgd" not in optimizers.names() and "signSGD" not in optimizers.colors()
    with pytest.raises(OptimizerSpecError, match="unknown optimizer 'signsgd'"):
        optimizers.from_spec("signsgd")
    with pytest.raises(KeyError):
        optimizers.color("signsgd")


def test_register_refuses_a_taken_name_alias_or_display_name(
    toy: optimizers.OptimizerRecord,
) -> None:
    with pytest.raises(ValueError, match="registered already"):
        optimizers.register(SIGNSGD)
    clash = dataclasses.replace(SIGNSGD, name="signsgd2")
    with pytest.raises(ValueError, match="display name 'signSGD'"):
        optimizers.register(clash)
    alias = dataclasses.replace(SIGNSGD, name="signsgd3", variants=(
        optimizers.Variant("signSGD3", palette.WHITE, alias="momentum"),))
    with pytest.raises(ValueError, match="alias 'momentum'"):
        optimizers.register(alias)


def test_a_record_must_match_its_factory() -> None:
    with pytest.raises(ValueError, match="must name exactly the factory's keywords"):
        dataclasses.replace(SIGNSGD, params={"lr": optimizers.Param.number()})
    with pytest.raises(ValueError, match="last variant must have no condition"):
        dataclasses.replace(SIGNSGD, variants=(
            optimizers.Variant("x", palette.WHITE, when=lambda hp: True),))
    with pytest.raises(ValueError, match="#RRGGBB"):
        optimizers.Variant("x", "white")
    with pytest.raises(ValueError, match="allowed must be one of"):
        optimizers.Param.number("> 0")


def test_defaults_are_the_factories_and_written_once() -> None:
    import inspect

    for rec in optimizers.records():
        signature = inspect.signature(rec.factory).parameters
        assert list(rec.defaults) == list(signature)
        assert all(rec.defaults[k] == p.default for k, p in signature.items())
        assert rec.factory() == optimizers.make(rec.name)
        assert rec.factory().hyperparameters == rec.defaults


#: The colour of every display name, as the lecture has always drawn them (Okabe-Ito).
COLORS = {"SGD": "#E69F00", "Momentum": "#56B4E9", "Nesterov": "#009E73", "AdaGrad": "#F0E442",
          "RMSprop": "#CC79A7", "Adam": "#D55E00", "AdamW": "#2F8FD8", "Adadelta": "#BBBBBB"}


def test_colours_are_one_per_display_name_from_the_palette() -> None:
    assert optimizers.colors() == COLORS
    assert set(COLORS.values()) <= set(palette.PALETTE)
    assert len(set(COLORS.values())) == len(COLORS)
    for spec, display in [("sgd:lr=0.1", "SGD"), ("momentum", "Momentum"),
                          ("nesterov:lr=0.1", "Nesterov"), ("adam", "Adam")]:
        assert optimizers.from_spec(spec).color == optimizers.color(spec) == COLORS[display]
    assert optimizers.color("RMSprop") == optimizers.color("rmsprop") == COLORS["RMSprop"]
    assert optimizers.color(optimizers.sgd(momentum=0.5, nesterov=True)) == COLORS["Nesterov"]
    with pytest.raises(KeyError, match="no colour for optimizer 'lbfgs'"):
        optimizers.color("lbfgs")


def test_the_scenes_palette_still_agrees_with_the_records() -> None:
    """scenes/style.py keeps a copy of the colours until it reads them from the records."""
    from scenes import style

    assert dict(style.OPTIMIZER_COLORS) == optimizers.colors()
    for name in [*optimizers.names(), *optimizers.aliases()]:
        assert style.optimizer_color(name) == optimizers.color(name)
