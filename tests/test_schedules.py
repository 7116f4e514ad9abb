"""Tests for gdanim.schedules: parity with torch.optim.lr_scheduler, composition with every
optimizer through descend, validation, purity, and the spec syntax.

Parity is checked twice.  The rates themselves must equal torch's ``param_group["lr"]`` (and
OneCycleLR's momentum or beta1) *bit for bit* for 1,000 steps: the recursion is the same
sequence of floating point operations.  The points of a 1,000-step run of ``descend`` with a
schedule must match torch's loop ``optimizer.step(); scheduler.step()`` in float64 to 1e-12
relative, coordinate by coordinate.  The runs are on Rosenbrock from (1.5, 2.5), a start on
the far side of the minimum whose path never comes near a zero coordinate (a relative error is
meaningless there) and stays well conditioned for every optimizer.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import schedule_cases as cases
import torch
from schedule_cases import (
    OPTIMIZERS,
    PAIRS,
    ROSEN,
    RTOL,
    START,
    STEPS,
    max_rel,
    pair,
    recorded,
    rosenbrock,
    torch_run,
)
from torch.optim import lr_scheduler as L

from gdanim import Trajectory, TrajectoryError, descend, objectives, optimizers
from gdanim import schedules as S
from gdanim.optimizers import OptimizerSpecError

TorchMaker = Callable[[torch.optim.Optimizer], L.LRScheduler]

TORCH_OPT: dict[str, Callable[..., torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adagrad": torch.optim.Adagrad,
    "rmsprop": torch.optim.RMSprop,
    "adadelta": torch.optim.Adadelta,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
}


def test_hand_gradient_is_autograds_bitwise() -> None:
    points = np.random.default_rng(1).uniform(-2, 3, (100, 2))
    for q in points:
        p = torch.tensor(q, requires_grad=True)
        rosenbrock(p[0], p[1]).backward()
        assert p.grad is not None
        np.testing.assert_array_equal(ROSEN.grad(q), p.grad.numpy())


# --------------------------------------------------------------------------------------------
# The schedules under test (tests/schedule_cases.py), each as (ours, a function building torch's
# on an optimizer)
# --------------------------------------------------------------------------------------------

SCHEDULES: dict[str, tuple[S.Schedule, TorchMaker]] = {
    key: (ours, functools.partial(make, L)) for key, (ours, make) in cases.SCHEDULES.items()
}
ONECYCLE: dict[str, tuple[S.Schedule, TorchMaker]] = {
    key: (ours, functools.partial(make, L)) for key, (ours, make) in cases.ONECYCLE.items()
}
PARITY = [pytest.param(s, o, id=pair_id) for s, o, pair_id in PAIRS]


@pytest.mark.parametrize(("sched_key", "opt_key"), PARITY)
def test_descend_with_schedule_matches_torch(sched_key: str, opt_key: str) -> None:
    schedule, make = pair(sched_key, opt_key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's "step() before optimizer.step()" checks
        expected, lrs, momenta = torch_run(opt_key, make)
    assert np.isfinite(expected).all()
    # the recording that test_torch_refs.py compares with where torch is missing is this run
    # (scripts/torch_references.py writes it again)
    [pair_id] = [i for s, o, i in PAIRS if (s, o) == (sched_key, opt_key)]
    rec_points, rec_lrs, rec_momenta = recorded(pair_id)
    np.testing.assert_array_equal(rec_lrs, lrs)
    np.testing.assert_array_equal(rec_momenta, momenta)
    assert max_rel(rec_points, expected) <= RTOL
    name, kwargs = OPTIMIZERS[opt_key]
    run = descend(ROSEN, optimizers.make(name, **kwargs), START, STEPS,  # type: ignore[arg-type]
                  schedule=schedule)
    # the rates (and OneCycle's momentum or beta1) are torch's, bit for bit
    np.testing.assert_array_equal(run.lrs, lrs)
    if schedule.cycles_momentum:
        assert run.momenta is not None
        np.testing.assert_array_equal(run.momenta, momenta)
    else:
        assert run.momenta is None
    # and so, to 1e-12 relative, is every point of the path
    assert max_rel(run.points, expected) <= RTOL
    assert run.schedule == schedule.spec
    # the run really is scheduled: the rate changes over the run
    assert np.ptp(run.lrs) > 0


def test_parity_matrix_covers_every_scheduler_and_optimizer() -> None:
    all_schedules = {**SCHEDULES, **ONECYCLE}
    pairs = [(p.values[0], p.values[1]) for p in PARITY]
    per_class: dict[type, set[str]] = {}
    for s, o in pairs:
        per_class.setdefault(type(all_schedules[s][0]), set()).add(OPTIMIZERS[o][0])
    assert set(per_class) == {S.StepLR, S.MultiStepLR, S.ExponentialLR, S.CosineAnnealingLR,
                              S.LinearLR, S.OneCycleLR, S.SequentialLR}
    assert all(len(names) >= 2 for names in per_class.values())
    assert {OPTIMIZERS[o][0] for _, o in pairs} == set(optimizers.names())
    assert {o for _, o in pairs} == set(OPTIMIZERS)


# --------------------------------------------------------------------------------------------
# The rates alone, bit for bit, over more configurations (a throwaway SGD group)
# --------------------------------------------------------------------------------------------

RATE_CASES: list[tuple[S.Schedule, TorchMaker]] = [
    (S.StepLR(step_size=7, gamma=0.7), lambda o: L.StepLR(o, 7, 0.7)),
    (S.StepLR(step_size=1), lambda o: L.StepLR(o, 1)),
    (S.MultiStepLR(milestones=(30, 5, 30, 200), gamma=0.3),
     lambda o: L.MultiStepLR(o, [30, 5, 30, 200], 0.3)),
    (S.MultiStepLR(milestones=()), lambda o: L.MultiStepLR(o, [])),
    (S.ExponentialLR(gamma=0.993), lambda o: L.ExponentialLR(o, 0.993)),
    (S.ExponentialLR(gamma=1.01), lambda o: L.ExponentialLR(o, 1.01)),
    (S.CosineAnnealingLR(T_max=37), lambda o: L.CosineAnnealingLR(o, 37)),
    (S.CosineAnnealingLR(T_max=1), lambda o: L.CosineAnnealingLR(o, 1)),
    (S.CosineAnnealingLR(T_max=200, eta_min=0.003), lambda o: L.CosineAnnealingLR(o, 200, 0.003)),
    (S.LinearLR(), lambda o: L.LinearLR(o)),
    (S.LinearLR(start_factor=0.05, end_factor=0.0, total_iters=999),
     lambda o: L.LinearLR(o, 0.05, 0.0, 999)),
    (S.OneCycleLR(max_lr=0.3, total_steps=1000, pct_start=0.0),
     lambda o: L.OneCycleLR(o, 0.3, total_steps=1000, pct_start=0.0)),
    (S.OneCycleLR(max_lr=0.3, total_steps=1003, pct_start=0.9),
     lambda o: L.OneCycleLR(o, 0.3, total_steps=1003, pct_start=0.9)),
    (S.OneCycleLR(max_lr=0.3, total_steps=1000, three_phase=True, cycle_momentum=False),
     lambda o: L.OneCycleLR(o, 0.3, total_steps=1000, three_phase=True, cycle_momentum=False)),
    (S.SequentialLR((S.ExponentialLR(gamma=0.9),), milestones=()),
     lambda o: L.SequentialLR(o, [L.ExponentialLR(o, 0.9)], milestones=[])),
    (S.SequentialLR((S.CosineAnnealingLR(T_max=10, eta_min=0.01), S.LinearLR(),
                     S.CosineAnnealingLR(T_max=100, eta_min=0.02), S.StepLR(step_size=3)),
                    milestones=(1, 2, 700)),
     lambda o: L.SequentialLR(o, [L.CosineAnnealingLR(o, 10, 0.01), L.LinearLR(o),
                                  L.CosineAnnealingLR(o, 100, 0.02), L.StepLR(o, 3)],
                              milestones=[1, 2, 700])),
]


@pytest.mark.parametrize(("schedule", "make"), RATE_CASES, ids=lambda v: getattr(v, "spec", ""))
@pytest.mark.parametrize("lr", [0.1, 0.037])
def test_rates_equal_torchs_bitwise(schedule: S.Schedule, make: TorchMaker, lr: float) -> None:
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = make(opt)
        lrs, momenta = [], []
        for _ in range(STEPS):
            lrs.append(opt.param_groups[0]["lr"])
            momenta.append(opt.param_groups[0]["momentum"])
            p.grad = torch.zeros(1, dtype=torch.float64)
            opt.step()
            sched.step()
    ours, ours_m = schedule.values(lr, STEPS)
    np.testing.assert_array_equal(ours, np.array(lrs))
    if schedule.cycles_momentum:
        assert ours_m is not None
        np.testing.assert_array_equal(ours_m, np.array(momenta))


def test_recursion_differs_from_the_closed_form_in_the_last_bits() -> None:
    """Why the schedules run torch's recursion: the closed form is not what torch computes."""
    rates = S.ExponentialLR(gamma=0.993).rates(0.1, STEPS)
    closed = 0.1 * 0.993 ** np.arange(STEPS)
    assert not np.array_equal(rates, closed)
    np.testing.assert_allclose(rates, closed, rtol=1e-13)
    cos = S.CosineAnnealingLR(T_max=300, eta_min=1e-4)
    closed_cos = np.array([cos._closed(0.1, t) for t in range(STEPS)])
    assert not np.array_equal(cos.rates(0.1, STEPS), closed_cos)
    np.testing.assert_allclose(cos.rates(0.1, STEPS), closed_cos, rtol=1e-9)


# --------------------------------------------------------------------------------------------
# Validation: torch's messages where torch checks, ours where torch would divide by zero
# --------------------------------------------------------------------------------------------

BAD: list[tuple[Callable[[], object], TorchMaker]] = [
    (lambda: S.LinearLR(start_factor=0.0), lambda o: L.LinearLR(o, start_factor=0.0)),
    (lambda: S.LinearLR(start_factor=1.5), lambda o: L.LinearLR(o, start_factor=1.5)),
    (lambda: S.LinearLR(end_factor=-0.1), lambda o: L.LinearLR(o, end_factor=-0.1)),
    (lambda: S.LinearLR(end_factor=1.1), lambda o: L.LinearLR(o, end_factor=1.1)),
    (lambda: S.OneCycleLR(max_lr=0.1), lambda o: L.OneCycleLR(o, 0.1)),
    (lambda: S.OneCycleLR(max_lr=0.1, total_steps=0), lambda o: L.OneCycleLR(o, 0.1, 0)),
    (lambda: S.OneCycleLR(max_lr=0.1, total_steps=-5), lambda o: L.OneCycleLR(o, 0.1, -5)),
    (lambda: S.OneCycleLR(max_lr=0.1, epochs=3), lambda o: L.OneCycleLR(o, 0.1, epochs=3)),
    (lambda: S.OneCycleLR(max_lr=0.1, epochs=0, steps_per_epoch=5),
     lambda o: L.OneCycleLR(o, 0.1, epochs=0, steps_per_epoch=5)),
    (lambda: S.OneCycleLR(max_lr=0.1, epochs=2, steps_per_epoch=0),
     lambda o: L.OneCycleLR(o, 0.1, epochs=2, steps_per_epoch=0)),
    (lambda: S.OneCycleLR(max_lr=0.1, total_steps=10, pct_start=1.5),
     lambda o: L.OneCycleLR(o, 0.1, 10, pct_start=1.5)),
    (lambda: S.OneCycleLR(max_lr=0.1, total_steps=10, pct_start=1),
     lambda o: L.OneCycleLR(o, 0.1, 10, pct_start=1)),
    (lambda: S.OneCycleLR(max_lr=0.1, total_steps=10, anneal_strategy="exp"),
     lambda o: L.OneCycleLR(o, 0.1, 10, anneal_strategy="exp")),  # type: ignore[arg-type]
    (lambda: S.SequentialLR((), milestones=()), lambda o: L.SequentialLR(o, [], [])),
    (lambda: S.SequentialLR((S.StepLR(step_size=2), S.LinearLR()), milestones=()),
     lambda o: L.SequentialLR(o, [L.StepLR(o, 2), L.LinearLR(o)], [])),
    (lambda: S.SequentialLR((S.StepLR(step_size=2),), milestones=(3,)),
     lambda o: L.SequentialLR(o, [L.StepLR(o, 2)], [3])),
]


@pytest.mark.parametrize(("ours", "theirs"), BAD)
def test_bad_arguments_raise_torchs_message(ours: Callable[[], object],
                                            theirs: TorchMaker) -> None:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError) as from_torch:
        theirs(opt)
    with pytest.raises(ValueError) as from_us:
        ours()
    assert str(from_us.value) == str(from_torch.value)


def test_cycle_momentum_needs_a_momentum_like_torch() -> None:
    for name in ("adagrad", "adadelta"):
        opt = TORCH_OPT[name]([torch.zeros(1, requires_grad=True)])
        with pytest.raises(ValueError) as from_torch:
            L.OneCycleLR(opt, 0.1, 10)
        with pytest.raises(ValueError) as from_us:
            S.bind(S.OneCycleLR(max_lr=0.1, total_steps=10), optimizers.make(name))
        assert str(from_us.value) == str(from_torch.value)
        with pytest.raises(TrajectoryError, match="cycle_momentum"):
            descend(objectives.get("bowl"), optimizers.make(name), [1.0, 1.0], 5,
                    schedule=S.OneCycleLR(max_lr=0.1, total_steps=10))
    # and sets it to max_momentum, as torch's constructor does
    assert S.bind(S.OneCycleLR(max_lr=0.1, total_steps=9, max_momentum=0.9),
                  optimizers.adam()).hyperparameters["betas"] == (0.9, 0.999)
    assert S.bind(S.OneCycleLR(max_lr=0.1, total_steps=9),
                  optimizers.rmsprop()).hyperparameters["momentum"] == 0.95
    unchanged = optimizers.adagrad()
    assert S.bind(S.OneCycleLR(max_lr=0.1, total_steps=9, cycle_momentum=False),
                  unchanged) is unchanged


def test_onecycle_past_total_steps_raises_torchs_message() -> None:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = L.OneCycleLR(opt, 0.1, total_steps=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(5):
            opt.step()
            sched.step()  # torch allows total_steps scheduler steps
        opt.step()
        with pytest.raises(ValueError) as from_torch:
            sched.step()
    ours = S.OneCycleLR(max_lr=0.1, total_steps=5)
    assert ours.rates(0.0, 5).shape == (5,)
    with pytest.raises(ValueError) as from_us:
        ours.rates(0.0, 6)
    assert str(from_us.value) == str(from_torch.value)
    with pytest.raises(TrajectoryError, match="Tried to step 6 times"):
        descend(objectives.get("bowl"), optimizers.sgd(), [1.0, 1.0], 6, schedule=ours)


@pytest.mark.parametrize("make", [
    lambda: S.StepLR(step_size=0),
    lambda: S.StepLR(step_size=2.5),  # type: ignore[arg-type]
    lambda: S.StepLR(step_size=True),  # type: ignore[arg-type]
    lambda: S.CosineAnnealingLR(T_max=0),
    lambda: S.LinearLR(total_iters=0),
    lambda: S.MultiStepLR(milestones=(3, -1)),
    lambda: S.MultiStepLR(milestones=5),  # type: ignore[arg-type]
    lambda: S.ExponentialLR(gamma="0.9"),  # type: ignore[arg-type]
    lambda: S.OneCycleLR(max_lr=0.1, total_steps=10, pct_start=0.1),  # 1-step warm-up phase
    lambda: S.OneCycleLR(max_lr=0.1, total_steps=20, pct_start=0.05),
    lambda: S.OneCycleLR(max_lr=0.1, total_steps=20, pct_start=1.0),  # zero-step last phase
    lambda: S.SequentialLR((S.StepLR(step_size=2), S.LinearLR()), milestones=(0,)),
    lambda: S.SequentialLR((S.StepLR(step_size=2), S.LinearLR(), S.LinearLR()),
                           milestones=(5, 5)),
    lambda: S.SequentialLR((S.StepLR(step_size=2), S.OneCycleLR(max_lr=1.0, total_steps=9)),
                           milestones=(5,)),
])
def test_arguments_torch_would_divide_by_zero_on_are_rejected_up_front(
    make: Callable[[], object]
) -> None:
    with pytest.raises((ValueError, TypeError)):
        make()


def test_torch_really_divides_by_zero_on_those() -> None:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for make in (lambda: L.StepLR(opt, step_size=0),
                     lambda: L.CosineAnnealingLR(opt, T_max=0),
                     lambda: L.OneCycleLR(opt, 0.1, total_steps=10, pct_start=0.1)):
            with pytest.raises(ZeroDivisionError):
                sched = make()
                opt.step()
                sched.step()


# --------------------------------------------------------------------------------------------
# Purity, batches, records
# --------------------------------------------------------------------------------------------


def test_init_and_update_are_pure() -> None:
    chain = SCHEDULES["sequential"][0]
    state = chain.init(0.1)
    first = chain.update(state)
    again = chain.update(state)
    assert first == again and state.epoch == 0 and first.epoch == 1
    rates = np.array([0.1, 0.2])
    s0 = chain.init(rates)
    assert not s0.base_lr.flags.writeable  # type: ignore[union-attr]
    rates[0] = 5.0
    assert chain.init(np.array([0.1, 0.2])).lr.tolist() == s0.lr.tolist()  # type: ignore[union-attr]


@pytest.mark.parametrize("key", ["cosine", "sequential", "linear"])
def test_per_run_rates_equal_single_runs_bitwise(key: str) -> None:
    schedule = SCHEDULES[key][0]
    rates = np.array([0.01, 0.02, 0.05])
    batch = descend(ROSEN, optimizers.adam(), np.tile(START, (3, 1)), 300,  # type: ignore[arg-type]
                    schedule=schedule, lr=rates)
    assert batch.lrs.shape == (300, 3)
    for i, r in enumerate(rates):
        single = descend(ROSEN, optimizers.adam(lr=float(r)), START, 300,  # type: ignore[arg-type]
                         schedule=schedule)
        np.testing.assert_array_equal(batch.points[:, i], single.points)
        np.testing.assert_array_equal(batch.lrs[:, i], single.lrs)


def test_lr_keyword_replaces_the_optimizers_rate() -> None:
    f = objectives.get("bowl")
    a = descend(f, optimizers.adam(lr=0.1), [1.0, 2.0], 50)
    b = descend(f, optimizers.adam(lr=0.5), [1.0, 2.0], 50, lr=0.1)
    np.testing.assert_array_equal(a.points, b.points)
    assert a.lrs.tolist() == [0.1] * 50 == b.lrs.tolist()
    with pytest.raises(TrajectoryError, match="lr has shape"):
        descend(f, optimizers.adam(), [1.0, 2.0], 5, lr=[0.1, 0.2])
    with pytest.raises(TrajectoryError, match="lr has shape"):
        descend(f, optimizers.adam(), [[1.0, 2.0]] * 3, 5, lr=[0.1, 0.2])
    with pytest.raises(TrajectoryError, match=">= 0"):
        descend(f, optimizers.adam(), [[1.0, 2.0]] * 2, 5, lr=[0.1, -0.2])


def test_trajectory_keeps_rates_momenta_and_schedule_through_save(tmp_path: Any) -> None:
    f = objectives.get("bowl")
    sched = S.OneCycleLR(max_lr=0.2, total_steps=40)
    run = descend(f, optimizers.adam(), [1.0, 2.0], 40, schedule=sched)
    assert run.momenta is not None and run.momenta.shape == (40,)
    assert run.momenta[0] == pytest.approx(0.95) and run.momenta.min() == pytest.approx(0.85)
    assert run.hyperparameters["betas"] == (0.95, 0.999)
    back = Trajectory.load(run.save(tmp_path / "run.npz"))
    np.testing.assert_array_equal(back.lrs, run.lrs)
    assert back.momenta is not None
    np.testing.assert_array_equal(back.momenta, run.momenta)
    assert back.schedule == sched.spec == "onecycle:max_lr=0.2,total_steps=40"
    plain = Trajectory.load(descend(f, optimizers.sgd(lr=0.1), [1.0, 2.0], 3).save(
        tmp_path / "plain.npz"))
    assert plain.lrs.tolist() == [0.1] * 3 and plain.momenta is None and plain.schedule == ""


def test_cached_descend_keys_on_the_schedule() -> None:
    from gdanim.cache import cache_key, cached_descend

    f = objectives.get("bowl")
    opt = optimizers.sgd(lr=0.1)
    a = cache_key(f, opt, [1, 1], 10, schedule=S.StepLR(step_size=3))
    assert a != cache_key(f, opt, [1, 1], 10, schedule=S.StepLR(step_size=4))
    assert a != cache_key(f, opt, [1, 1], 10)
    assert cache_key(f, opt, [[1, 1]] * 2, 10, lr=[0.1, 0.2]) != cache_key(
        f, opt, [[1, 1]] * 2, 10, lr=[0.1, 0.3])
    run = cached_descend(f, opt, [1.0, 1.0], 10, schedule=S.StepLR(step_size=3))
    again = cached_descend(f, opt, [1.0, 1.0], 10, schedule=S.StepLR(step_size=3))
    np.testing.assert_array_equal(run.points, again.points)
    assert again.lrs.tolist() == [0.1] * 3 + [0.1 * 0.1] * 3 + [0.1 * 0.1 * 0.1] * 3 + [
        0.1 * 0.1 * 0.1 * 0.1]


# --------------------------------------------------------------------------------------------
# Spec strings
# --------------------------------------------------------------------------------------------

GOOD_SPECS: list[tuple[str, S.Schedule]] = [
    ("step:step_size=30", S.StepLR(step_size=30)),
    ("StepLR:step_size=30,gamma=0.5", S.StepLR(step_size=30, gamma=0.5)),
    ("multistep:milestones=30/80,gamma=0.1", S.MultiStepLR(milestones=(30, 80))),
    ("exponential:gamma=0.99", S.ExponentialLR(gamma=0.99)),
    ("cosine:T_max=200", S.CosineAnnealingLR(T_max=200)),
    ("cosineannealinglr: t_max = 200 , eta_min = 1e-4", S.CosineAnnealingLR(200, 1e-4)),
    ("linear", S.LinearLR()),
    ("linear:start_factor=0.1,total_iters=20", S.LinearLR(start_factor=0.1, total_iters=20)),
    ("onecycle:max_lr=0.1,total_steps=300",
     S.OneCycleLR(max_lr=0.1, total_steps=300)),
    ("onecycle:max_lr=0.1,epochs=3,steps_per_epoch=100,anneal_strategy=linear,"
     "three_phase=true,cycle_momentum=false",
     S.OneCycleLR(max_lr=0.1, epochs=3, steps_per_epoch=100, anneal_strategy="linear",
                  three_phase=True, cycle_momentum=False)),
    ("linear:start_factor=0.1,total_iters=20 until 20 then cosine:T_max=180",
     S.SequentialLR((S.LinearLR(start_factor=0.1, total_iters=20),
                     S.CosineAnnealingLR(T_max=180)), milestones=(20,))),
    ("linear UNTIL 5 THEN step:step_size=10 until 100 then exponential:gamma=0.9",
     S.SequentialLR((S.LinearLR(), S.StepLR(step_size=10), S.ExponentialLR(gamma=0.9)),
                    milestones=(5, 100))),
]


@pytest.mark.parametrize(("spec", "expected"), GOOD_SPECS, ids=[s for s, _ in GOOD_SPECS])
def test_good_specs(spec: str, expected: S.Schedule) -> None:
    sched = S.from_spec(spec)
    assert sched == expected
    assert S.from_spec(sched.spec) == sched  # the spec round-trips


def test_missing_lengths_default_to_the_run() -> None:
    assert S.from_spec("cosine", steps=300) == S.CosineAnnealingLR(T_max=300)
    assert S.from_spec("onecycle:max_lr=0.1", steps=300) == S.OneCycleLR(0.1, total_steps=300)
    chain = S.from_spec("linear:total_iters=20 until 20 then cosine", steps=300)
    assert isinstance(chain, S.SequentialLR)
    assert chain.schedulers[1] == S.CosineAnnealingLR(T_max=280)
    assert S.from_spec("cosine:T_max=50", steps=300) == S.CosineAnnealingLR(T_max=50)


BAD_SPECS: list[tuple[str, str]] = [
    ("", "no schedule name"),
    ("cosin:T_max=3", "unknown schedule 'cosin'; allowed: step, multistep, exponential"),
    ("cosine", "cosine needs T_max, e.g. cosine:T_max=200"),
    ("step", "step needs step_size"),
    ("exponential", "exponential needs gamma"),
    ("multistep:gamma=0.5", "multistep needs milestones, e.g. multistep:milestones=30/80"),
    ("onecycle:total_steps=10", "onecycle needs max_lr"),
    ("onecycle:max_lr=0.1", "You must define either total_steps OR (epochs AND steps_per_epoch)"),
    ("cosine:T_max=0", "T_max=0 is not allowed; T_max must be an integer >= 1"),
    ("cosine:T_max=2.5", "T_max=2.5 is not allowed; T_max must be an integer >= 1"),
    ("cosine:T_max=abc", "T_max=abc is not allowed"),
    ("cosine:T_max=10,T_max=20", "T_max is given twice"),
    ("cosine:T_max=10,eta_min=nan", "eta_min=nan is not a number"),
    ("cosine:T_max=10,eta_min=1e999", "eta_min=1e999 is not allowed; eta_min must be a finite"),
    ("cosine:T_max=10,foo=1", "unknown key 'foo' for cosine; allowed keys: T_max, eta_min"),
    ("cosine:T_max", "'T_max' is not key=value"),
    ("linear:start_factor=2", "Starting multiplicative factor expected to be greater than 0"),
    ("multistep:milestones=30/x", "milestones must be integers >= 0 joined by '/'"),
    ("onecycle:max_lr=1,total_steps=9,anneal_strategy=exp", "anneal_strategy must be cos or"),
    ("onecycle:max_lr=1,total_steps=9,three_phase=yes", "three_phase must be true or false"),
    ("onecycle:max_lr=1,total_steps=10,pct_start=0.1", "leaves a phase of zero steps"),
    ("linear then cosine:T_max=9", "is followed by 'then' but has no 'until N'"),
    ("linear until 20", "the last schedule cannot have 'until 20'"),
    ("linear until 0 then cosine:T_max=9", "until 0: the step must be an integer >= 1"),
    ("linear until x then cosine:T_max=9", "until x: the step must be an integer >= 1"),
    ("linear until 20 then step:step_size=2 until 10 then cosine:T_max=9",
     "until 10 comes after until 20; the steps must increase"),
    ("linear until 20 then onecycle:max_lr=1,total_steps=9",
     "onecycle cannot be part of a chain"),
    ("linear until 20 then __import__('os')", "unknown schedule"),
]


@pytest.mark.parametrize(("spec", "message"), BAD_SPECS, ids=[s or "empty" for s, _ in BAD_SPECS])
def test_bad_specs_get_one_line(spec: str, message: str) -> None:
    with pytest.raises(OptimizerSpecError) as info:
        S.from_spec(spec)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"schedule spec {spec!r}: ")
    assert message in text


def test_spec_must_be_a_string() -> None:
    with pytest.raises(OptimizerSpecError, match="must be a string"):
        S.from_spec(3)  # type: ignore[arg-type]


def test_optimizer_and_schedule_from_one_spec() -> None:
    opt, sched = optimizers.from_spec_with_schedule("adam:lr=0.1 @ cosine:T_max=200")
    assert opt == optimizers.adam(lr=0.1) and sched == S.CosineAnnealingLR(T_max=200)
    opt, sched = optimizers.from_spec_with_schedule(
        "nesterov:lr=0.01@linear:start_factor=0.1,total_iters=20 until 20 then cosine",
        steps=200)
    assert opt.display_name == "Nesterov"
    assert sched == S.SequentialLR((S.LinearLR(0.1, total_iters=20),
                                    S.CosineAnnealingLR(T_max=180)), (20,))
    assert optimizers.from_spec_with_schedule("sgd:lr=0.1") == (optimizers.sgd(lr=0.1), None)


@pytest.mark.parametrize(("spec", "message"), [
    ("adam:lr=0.1 @", "nothing after '@'"),
    ("adam:lr=0.1 @ cosine:T_max=3 @ step:step_size=2", "more than one '@'"),
    ("adam:lr=-1 @ cosine:T_max=3", "lr=-1 is out of range"),
    ("adam:lr=0.1 @ cosine", "cosine needs T_max"),
    ("adagrad:lr=0.1 @ onecycle:max_lr=1,total_steps=9",
     "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"),
    ("adadelta @ onecycle:max_lr=1,total_steps=9", "add cycle_momentum=false"),
])
def test_bad_combined_specs_get_one_line(spec: str, message: str) -> None:
    with pytest.raises(OptimizerSpecError) as info:
        optimizers.from_spec_with_schedule(spec)
    assert "\n" not in str(info.value) and message in str(info.value)


def test_adagrad_with_onecycle_without_momentum_is_fine() -> None:
    opt, sched = optimizers.from_spec_with_schedule(
        "adagrad:lr=0.1 @ onecycle:max_lr=1,total_steps=9,cycle_momentum=false")
    assert isinstance(sched, S.OneCycleLR) and not sched.cycles_momentum


def test_labels_and_latex() -> None:
    chain = SCHEDULES["sequential"][0]
    assert chain.label == (
        "LinearLR (start_factor=0.1, total_iters=50) until 50, then CosineAnnealingLR "
        "(T_max=450, eta_min=0.0001) until 500, then StepLR (step_size=100, gamma=0.5)")
    assert S.CosineAnnealingLR(T_max=200).latex == (
        r"\eta_t = \tfrac{1}{2}\, \eta \left(1 + \cos \frac{\pi t}{200}\right)")
    assert S.StepLR(step_size=30).latex == r"\eta_t = \eta \cdot 0.1^{\lfloor t / 30 \rfloor}"
    for sched, _ in [*SCHEDULES.values(), *ONECYCLE.values()]:
        assert sched.latex and "\n" not in sched.latex


def test_torch_stays_a_test_only_dependency() -> None:
    import subprocess
    import sys

    code = (
        "import sys, gdanim, gdanim.schedules, gdanim.tuning, gdanim.regression, "
        "gdanim.optimizers; assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
