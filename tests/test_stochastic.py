"""Stochastic gradients on the tutorial's noisy line: mini-batch sampling, the spread of
mini-batch gradients (the 1/sqrt(batch) law), the noise ball of constant-rate SGD, training
with a schedule, and the MSE loss as an objective."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gdanim import descend, optimizers
from gdanim import schedules as S
from gdanim.regression import (
    LINE,
    PLANE,
    MSELoss,
    distance_to,
    gradient_noise,
    gradient_spread,
    least_squares,
    line_dataset,
    minibatch_indices,
    noise_ball_runs,
    surface_dataset,
    train,
)

X, Y = line_dataset()  # numpy seed 0, X = linspace(0, 10, 100), Y = 3X + N(0, 1)
N = 100
STAR = least_squares(LINE, X, Y)


# --------------------------------------------------------------------------------------------
# Mini-batch sampling
# --------------------------------------------------------------------------------------------


def test_minibatches_are_reproducible_and_well_formed() -> None:
    a = minibatch_indices(N, 16, 500, seed=3)
    assert a.shape == (500, 16) and a.dtype == np.int64
    np.testing.assert_array_equal(a, minibatch_indices(N, 16, 500, seed=3))
    assert not np.array_equal(a, minibatch_indices(N, 16, 500, seed=4))
    assert all(len(set(row)) == 16 for row in a.tolist())  # distinct within a batch
    assert a.min() >= 0 and a.max() < N
    # every sample equally likely: counts over many draws are flat (chi-square-ish check)
    counts = np.bincount(minibatch_indices(N, 4, 20_000, seed=5).ravel(), minlength=N)
    assert counts.min() > 0.85 * 800 and counts.max() < 1.15 * 800
    b = minibatch_indices(N, 64, 300, seed=3, replace=True)
    assert any(len(set(row)) < 64 for row in b.tolist())  # repeats happen
    with pytest.raises(ValueError):
        minibatch_indices(N, 101, 3)
    with pytest.raises(ValueError):
        minibatch_indices(N, 0, 3)


def test_training_is_reproducible_with_a_seed() -> None:
    a = train(LINE, optimizers.sgd(lr=0.005), X, Y, [0.0, 0.0], epochs=3, batch_size=8,
              shuffle=True, seed=11)
    b = train(LINE, optimizers.sgd(lr=0.005), X, Y, [0.0, 0.0], epochs=3, batch_size=8,
              shuffle=True, seed=11)
    c = train(LINE, optimizers.sgd(lr=0.005), X, Y, [0.0, 0.0], epochs=3, batch_size=8,
              shuffle=True, seed=12)
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)


# --------------------------------------------------------------------------------------------
# The spread of mini-batch gradients
# --------------------------------------------------------------------------------------------


def test_spread_follows_one_over_sqrt_batch_with_the_finite_population_correction() -> None:
    r"""The law tested, sampling B distinct points of N = 100 (without replacement):

    RMS |g_B - g| = sqrt(tr Sigma / B * (N - B) / (N - 1)),

    tr Sigma the total variance of the per-sample gradients.  Measured on 4,000 seeded batches
    per size at the start m = b = 0 of S4, each spread is within 10% of the law, so
    spread(B) * sqrt(B) / sqrt((N - B)/(N - 1)) is the same number for B = 1, 4, 16, 64.
    """
    rows = gradient_spread(params=(0.0, 0.0), batch_sizes=(1, 4, 16, 64), draws=4000, seed=0)
    assert [r.batch_size for r in rows] == [1, 4, 16, 64]
    for r in rows:
        assert r.correction == pytest.approx((N - r.batch_size) / (N - 1))
        assert abs(r.spread / r.predicted - 1) <= 0.10, r
    scaled = [r.spread * np.sqrt(r.batch_size) / np.sqrt(r.correction) for r in rows]
    assert max(scaled) / min(scaled) <= 1.10
    # the spread really shrinks, by about 2 per quadrupling of the batch
    spreads = [r.spread for r in rows]
    assert spreads[0] > 10 * spreads[-1]
    # without the correction the plain 1/sqrt(B) law would be off by 40% at B = 64
    plain = rows[-1].spread * 8 / rows[0].spread
    assert plain < 0.7


def test_spread_follows_plain_one_over_sqrt_batch_with_replacement() -> None:
    """With replacement the batches are B independent draws: RMS |g_B - g| = sqrt(tr Sigma/B),
    so spread(B) * sqrt(B) is constant; within 10% here, at the start and at the minimum."""
    for params in ((0.0, 0.0), STAR):
        rows = gradient_spread(params=params, draws=4000, seed=1, replace=True)
        for r in rows:
            assert r.correction == 1.0
            assert abs(r.spread / r.predicted - 1) <= 0.10
        scaled = [r.spread * np.sqrt(r.batch_size) for r in rows]
        assert max(scaled) / min(scaled) <= 1.10


def test_spread_is_measured_around_the_full_gradient() -> None:
    rows = gradient_spread(params=(1.0, -1.0), batch_sizes=(8,), draws=500, seed=2)
    r = rows[0]
    np.testing.assert_allclose(r.full_grad, LINE.grad([1.0, -1.0], X, Y), rtol=1e-14)
    # each cloud point is the mean of 8 per-sample gradients; the cloud centres on g
    index = minibatch_indices(N, 8, 500, seed=int(np.random.SeedSequence(2).spawn(1)[0]
                                                   .generate_state(1)[0]))
    np.testing.assert_allclose(r.grads[7], LINE.grad([1.0, -1.0], X[index[7]], Y[index[7]]),
                               rtol=1e-12)
    assert np.linalg.norm(r.grads.mean(axis=0) - r.full_grad) < 0.1 * r.spread
    # the exact law, from the per-sample gradients computed by hand
    g = np.stack([2 * (X * 1.0 - 1.0 - Y) * X, 2 * (X * 1.0 - 1.0 - Y)], axis=1)
    trace = np.mean(np.sum((g - g.mean(axis=0)) ** 2, axis=1))
    assert r.predicted == pytest.approx(np.sqrt(trace / 8 * (N - 8) / (N - 1)), rel=1e-12)
    same = gradient_spread(params=(1.0, -1.0), batch_sizes=(8,), draws=500, seed=2)[0]
    np.testing.assert_array_equal(same.grads, r.grads)  # seeded


def test_gradient_noise_of_a_run() -> None:
    run = train(LINE, optimizers.sgd(lr=0.002), X, Y, [0.0, 0.0], epochs=2, batch_size=4,
                shuffle=True, seed=0)
    noise = gradient_noise(run, X, Y)
    assert noise.shape == (50, 2)
    t = 17
    full = LINE.grad(run.params[t], X, Y)
    np.testing.assert_allclose(noise[t], run.step_grad[t] - full, rtol=1e-12, atol=1e-12)
    full_batch = train(LINE, optimizers.sgd(lr=0.002), X, Y, [0.0, 0.0], epochs=3)
    assert np.abs(gradient_noise(full_batch, X, Y)).max() < 1e-12
    # batches of 4 at the start: noise as large as the law says (same order)
    law = gradient_spread(params=(0.0, 0.0), batch_sizes=(4,), draws=200)[0].predicted
    assert 0.3 * law < np.linalg.norm(noise[0]) < 3 * law


# --------------------------------------------------------------------------------------------
# The noise ball
# --------------------------------------------------------------------------------------------


def test_constant_rate_hovers_and_a_decaying_rate_settles() -> None:
    """SGD at lr 0.01 on single samples, 60 epochs (6,000 steps): at a constant rate the
    distance to the least-squares minimum stops shrinking at about 0.15 (the mean over steps
    2,000-3,000 and over the last 1,000 agree within 30%); under cosine annealing to 0 the run
    ends more than 10 times closer."""
    runs = noise_ball_runs(lr=0.01, epochs=60, batch_size=1, seed=0)
    const, decay = runs["constant"], runs["decaying"]
    assert const.steps == decay.steps == 6000
    np.testing.assert_array_equal(const.orders, decay.orders)  # the same batches
    assert np.all(const.step_lr == 0.01)
    assert decay.step_lr[0] == 0.01 and decay.step_lr[-1] < 1e-8
    assert decay.schedule == "cosine:T_max=6000"
    d_const, d_decay = distance_to(const, STAR), distance_to(decay, STAR)
    hover_mid, hover_end = d_const[2000:3000].mean(), d_const[-1000:].mean()
    assert 0.05 < hover_end < 0.5  # hovering in a ball of radius ~0.15, not at the minimum
    assert 0.7 < hover_end / hover_mid < 1.3  # and not shrinking
    assert d_const[0] > 15 * hover_end  # it came from far away (m = b = 0)
    assert d_decay[-1] < hover_end / 10  # settled
    assert d_decay[-1000:].mean() < hover_end / 5
    excess = lambda run: const.model.loss(run.final_params, X, Y) - LINE.loss(STAR, X, Y)  # noqa: E731
    assert excess(decay) < 1e-3


def test_the_ball_shrinks_with_the_rate() -> None:
    radius = {}
    for lr in (0.0025, 0.01):
        run = noise_ball_runs(lr=lr, epochs=60, seed=1)["constant"]
        radius[lr] = distance_to(run, STAR)[-2000:].mean()
    # radius ~ sqrt(lr): a quarter of the rate, about half the radius
    assert 0.3 < radius[0.0025] / radius[0.01] < 0.75


# --------------------------------------------------------------------------------------------
# Training with a schedule: torch parity
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("opt_name", "kwargs", "schedule", "make"), [
    ("sgd", {"lr": 0.01, "momentum": 0.9},
     S.StepLR(step_size=40, gamma=0.5),
     lambda o: torch.optim.lr_scheduler.StepLR(o, 40, 0.5)),
    ("adam", {"lr": 0.05},
     S.OneCycleLR(max_lr=0.1, total_steps=250),
     lambda o: torch.optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps=250)),
])
def test_train_with_a_schedule_matches_torch(opt_name: str, kwargs: dict[str, float],
                                             schedule: S.Schedule, make: object) -> None:
    """Mini-batch training of Linear(2 -> 1) with a scheduler stepped per batch, as torch."""
    data = surface_dataset(n=200)
    x, y = data.x_train, data.y_train
    p0 = np.array([0.1, -0.2, 0.05])
    run = train(PLANE, optimizers.make(opt_name, **kwargs), x, y, p0, epochs=50,
                batch_size=32, shuffle=True, seed=4, schedule=schedule)
    w = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
    opt = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[opt_name]([w], foreach=False,
                                                                        **kwargs)
    sched = make(opt)  # type: ignore[operator]
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    points = [p0]
    for epoch in range(50):
        order = run.orders[epoch]
        for start in range(0, len(y), 32):
            idx = torch.from_numpy(np.array(order[start : start + 32]))
            opt.zero_grad()
            pred = xt[idx] @ w[:2] + w[2]
            ((pred - yt[idx]) ** 2).mean().backward()
            opt.step()
            sched.step()
            points.append(w.detach().numpy().copy())
    np.testing.assert_allclose(run.params, np.array(points), rtol=1e-10, atol=1e-13)
    assert run.step_lr.shape == (run.steps,)
    assert np.ptp(run.step_lr) > 0


# --------------------------------------------------------------------------------------------
# The loss as an objective
# --------------------------------------------------------------------------------------------


def test_mse_loss_is_an_objective() -> None:
    loss = MSELoss(LINE, X, Y)
    assert loss.dim == 2 and loss.variables == ("m", "b")
    p = np.array([[1.0, 2.0], [3.0, 0.0]])
    np.testing.assert_array_equal(loss.value(p), LINE.losses(p, X, Y))
    np.testing.assert_array_equal(loss.grad(p), LINE.grad(p, X, Y))
    np.testing.assert_allclose(loss.minimum, np.polyfit(X, Y, 1), rtol=1e-10)
    np.testing.assert_allclose(loss.grad(loss.minimum), 0.0, atol=1e-10)
    # full-batch descent on it is S4's training, step for step
    run = descend(loss, optimizers.sgd(lr=0.01), [0.0, 0.0], 100)
    s4 = train(LINE, optimizers.sgd(lr=0.01), X, Y, [0.0, 0.0], epochs=100)
    np.testing.assert_array_equal(run.points, s4.params)
    # its Hessian bounds the stable rate: 2 / lambda_max
    lam = np.linalg.eigvalsh(loss.hessian()).max()
    assert 2 / lam == pytest.approx(0.0292, abs=1e-4)
    assert MSELoss(PLANE, np.zeros((3, 2)), np.zeros(3)).variables == ("w1", "w2", "b")
    with pytest.raises(ValueError):
        MSELoss(LINE, X, Y[:5])
