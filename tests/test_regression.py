"""Tests for gdanim.regression: datasets, MSE gradients, training bookkeeping, S3/S4/S5 numbers."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from regression_cases import S5_NAMES, recorded_s5, torch_s5

from gdanim import optimizers
from gdanim.regression import (
    LINE,
    PLANE,
    SLOPE,
    LinearModel,
    TrainingRun,
    batch_orders,
    init_linear,
    line_dataset,
    mse,
    s3_run,
    s4_run,
    s5_optimizers,
    s5_runs,
    surface_dataset,
    tiny_dataset,
    train,
)

# ------------------------------------------------------------------------------------------
# Datasets
# ------------------------------------------------------------------------------------------


def test_tiny_dataset() -> None:
    x, y = tiny_dataset()
    assert x.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert y.tolist() == [2.0, 4.0, 6.0, 8.0]
    assert x.dtype == y.dtype == np.float64


def test_line_dataset_is_the_tutorial_numpy_code() -> None:
    saved = np.random.get_state()  # noqa: NPY002
    try:
        np.random.seed(0)  # noqa: NPY002 - the tutorial's own calls
        expected_x = np.linspace(0, 10, 100)
        expected_y = 3 * expected_x + np.random.randn(100)  # noqa: NPY002
        np.random.seed(0)  # noqa: NPY002
        normal_y = 3 * expected_x + np.random.normal(0, 1, 100)  # noqa: NPY002
        np.random.seed(123)  # noqa: NPY002
        before = np.random.get_state()[1].copy()  # noqa: NPY002
        x, y = line_dataset()
        after = np.random.get_state()[1]  # noqa: NPY002
    finally:
        np.random.set_state(saved)  # noqa: NPY002
    assert np.array_equal(x, expected_x)
    assert np.array_equal(y, expected_y)
    assert np.array_equal(y, normal_y)
    assert np.array_equal(before, after), "line_dataset must not touch the global random state"
    assert x.shape == y.shape == (100,)


def test_line_dataset_seed_and_size() -> None:
    assert np.array_equal(line_dataset(seed=3).y, line_dataset(seed=3).y)
    assert not np.array_equal(line_dataset(seed=3).y, line_dataset(seed=4).y)
    assert line_dataset(n=7).x.tolist() == np.linspace(0, 10, 7).tolist()
    with pytest.raises(ValueError, match="n must be at least 1"):
        line_dataset(n=0)


def test_surface_dataset_recipe_and_split() -> None:
    data = surface_dataset()
    assert data.x_train.shape == (800, 2)
    assert data.y_train.shape == (800,)
    assert data.x_test.shape == (200, 2)
    assert data.y_test.shape == (200,)
    rng = np.random.default_rng(0)
    features = rng.uniform(0.0, 1.0, size=(1000, 2))
    targets = features[:, 0] ** 2 + features[:, 1] ** 2 + rng.normal(0.0, 1.0, size=1000)
    order = rng.permutation(1000)
    assert np.array_equal(data.x_train, features[order[:800]])
    assert np.array_equal(data.y_train, targets[order[:800]])
    assert np.array_equal(data.x_test, features[order[800:]])
    assert np.array_equal(data.y_test, targets[order[800:]])
    assert np.all((features >= 0.0) & (features < 1.0))


def test_surface_dataset_is_reproducible_and_seeded() -> None:
    a, b, c = surface_dataset(seed=5), surface_dataset(seed=5), surface_dataset(seed=6)
    for left, right in zip(a, b, strict=True):
        assert np.array_equal(left, right)
    assert not np.array_equal(a.x_train, c.x_train)
    small = surface_dataset(n=10, train_fraction=0.7)
    assert small.x_train.shape == (7, 2) and small.x_test.shape == (3, 2)
    with pytest.raises(ValueError, match="train_fraction"):
        surface_dataset(train_fraction=1.0)
    with pytest.raises(ValueError, match="empty split"):
        surface_dataset(n=1)


# ------------------------------------------------------------------------------------------
# Model, loss, gradient
# ------------------------------------------------------------------------------------------


def test_mse() -> None:
    assert mse([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]) == 4.0 / 3.0


def test_slope_loss_and_gradient_are_the_s3_formulas() -> None:
    x, y = tiny_dataset()
    for w in (-1.5, 0.0, 1.0, 2.0, 3.25):
        cost = np.sum((x * w - y) ** 2) / 4
        dcost = np.sum(2 * x * (x * w - y)) / 4
        assert SLOPE.loss([w], x, y) == pytest.approx(cost, rel=1e-15)
        assert SLOPE.grad([w], x, y)[0] == pytest.approx(dcost, rel=1e-15, abs=1e-15)


def test_line_gradient_is_the_s4_formula() -> None:
    x, y = line_dataset()
    for m, b in [(0.0, 0.0), (1.0, -2.0), (3.0, 0.5)]:
        residual = y - (m * x + b)
        grad_m = -2 / len(x) * np.sum(x * residual)
        grad_b = -2 / len(x) * np.sum(residual)
        assert LINE.grad([m, b], x, y) == pytest.approx([grad_m, grad_b], rel=1e-13)
        assert LINE.loss([m, b], x, y) == pytest.approx(np.mean(residual**2), rel=1e-14)


@pytest.mark.parametrize("model", [SLOPE, LINE, PLANE, LinearModel(3, bias=False)])
def test_gradient_matches_central_differences(model: LinearModel) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(13, model.n_features))
    y = rng.normal(size=13)
    params = rng.normal(size=model.n_params)
    grad = model.grad(params, x, y)
    h = 1e-6
    for i in range(model.n_params):
        step = np.zeros(model.n_params)
        step[i] = h
        numeric = (model.loss(params + step, x, y) - model.loss(params - step, x, y)) / (2 * h)
        assert grad[i] == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_gradient_matches_torch_autograd_for_linear_2_to_1() -> None:
    data = surface_dataset()
    params = np.array([0.3, -0.7, 0.2])
    layer = torch.nn.Linear(2, 1, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(params[:2]).reshape(1, 2))
        layer.bias.copy_(torch.tensor(params[2:]))
    features = torch.tensor(data.x_train[:32])
    targets = torch.tensor(data.y_train[:32]).reshape(-1, 1)
    loss = torch.nn.functional.mse_loss(layer(features), targets)
    loss.backward()
    assert layer.weight.grad is not None and layer.bias.grad is not None
    expected = np.concatenate([layer.weight.grad.numpy().ravel(), layer.bias.grad.numpy()])
    got = PLANE.grad(params, data.x_train[:32], data.y_train[:32])
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    assert PLANE.loss(params, data.x_train[:32], data.y_train[:32]) == pytest.approx(
        loss.item(), rel=1e-14
    )


def test_stacked_parameters_evaluate_a_loss_surface() -> None:
    x, y = line_dataset()
    m, b = np.meshgrid(np.linspace(0, 5, 7), np.linspace(-2, 2, 5))
    grid = np.stack([m, b], axis=-1)
    losses = LINE.losses(grid, x, y)
    grads = LINE.grad(grid, x, y)
    assert losses.shape == (5, 7)
    assert grads.shape == (5, 7, 2)
    for i in range(5):
        for j in range(7):
            assert losses[i, j] == pytest.approx(LINE.loss(grid[i, j], x, y), rel=1e-14)
            np.testing.assert_allclose(grads[i, j], LINE.grad(grid[i, j], x, y), rtol=1e-13)


def test_model_shapes_pack_unpack_and_errors() -> None:
    assert (SLOPE.n_params, LINE.n_params, PLANE.n_params) == (1, 2, 3)
    assert PLANE.name == "Linear(2 -> 1)"
    assert PLANE.pack([[0.5, -0.25]], 0.125).tolist() == [0.5, -0.25, 0.125]
    weight, bias = PLANE.unpack([0.5, -0.25, 0.125])
    assert weight.tolist() == [0.5, -0.25] and bias == 0.125
    assert SLOPE.unpack([2.0])[1] is None
    assert PLANE.predict([1.0, 2.0, 3.0], [[1.0, 1.0], [0.0, 2.0]]).tolist() == [6.0, 7.0]
    with pytest.raises(ValueError, match=r"x: expected shape \(n, 2\)"):
        PLANE.predict([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="params: expected a last axis of length 2"):
        LINE.loss([1.0], [1.0], [1.0])
    with pytest.raises(ValueError, match="y: expected 2 targets"):
        LINE.grad([1.0, 0.0], [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="has no bias"):
        SLOPE.pack([1.0], 0.5)
    with pytest.raises(ValueError, match="n_features must be at least 1"):
        LinearModel(0)


def test_init_linear_matches_torch_default_bounds() -> None:
    params = init_linear(2, seed=0)
    assert params.shape == (3,)
    assert np.all(np.abs(params) <= 1 / np.sqrt(2))
    assert np.array_equal(params, init_linear(2, seed=0))
    assert init_linear(4, bias=False).shape == (4,)


# ------------------------------------------------------------------------------------------
# S3: one sample at a time, exact floats
# ------------------------------------------------------------------------------------------

S3_W = 1.9999999999999998
S3_LOSS = 7.888609052210118e-31
S3_PRED = 9.999999999999998


def _s3_plain_loop(negated_lr: bool) -> tuple[float, float, float]:
    x, y = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0]
    w, lr, loss = 1.0, 0.01, float("nan")
    for _epoch in range(100):
        for xi, yi in zip(x, y, strict=True):
            grad = 2 * xi * (xi * w - yi)
            w = w + (-lr) * grad if negated_lr else w - lr * grad
            loss = (xi * w - yi) ** 2
    return w, loss, w * 5


@pytest.mark.parametrize("negated_lr", [False, True], ids=["w - lr*g", "w + (-lr)*g"])
def test_s3_plain_loop_gives_the_tutorial_floats(negated_lr: bool) -> None:
    assert _s3_plain_loop(negated_lr) == (S3_W, S3_LOSS, S3_PRED)


def test_s3_through_gdanim_sgd_is_exact() -> None:
    run = s3_run()
    assert run.steps == 400
    assert float(run.final_params[0]) == S3_W
    assert float(run.step_loss[-1]) == S3_LOSS
    assert SLOPE.loss(run.final_params, [4.0], [8.0]) == S3_LOSS
    assert float(SLOPE.predict(run.final_params, [5.0])[0]) == S3_PRED
    assert run.optimizer_name == "sgd"
    # every step is the plain loop's step, bit for bit
    x, y = tiny_dataset()
    w = 1.0
    for t in range(run.steps):
        xi, yi = x[t % 4], y[t % 4]
        residual = xi * w - yi
        # r * r is the correctly rounded square; Python's r ** 2 goes through C pow(), which
        # can be one ulp off (it is at step 102), so the comparison uses the product
        assert run.step_loss[t] == residual * residual
        assert run.step_loss[t] == pytest.approx(residual**2, rel=1e-15)
        w = w - 0.01 * (2 * xi * (xi * w - yi))
        assert run.params[t + 1, 0] == w


def test_s3_matches_torch_sgd_exactly() -> None:
    w = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.01)
    for _epoch in range(100):
        for xi, yi in zip([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], strict=True):
            opt.zero_grad()
            loss = (xi * w - yi).pow(2).mean()
            loss.backward()
            opt.step()
    assert w.item() == S3_W


# ------------------------------------------------------------------------------------------
# S4: full batch on the noisy line
# ------------------------------------------------------------------------------------------


def test_s4_matches_an_independent_loop() -> None:
    x, y = line_dataset()
    m = b = 0.0
    n = len(x)
    losses = []
    for _epoch in range(100):
        losses.append(np.mean((y - (m * x + b)) ** 2))
        grad_m = -2 / n * np.sum(x * (y - (m * x + b)))
        grad_b = -2 / n * np.sum(y - (m * x + b))
        m, b = m - 0.01 * grad_m, b - 0.01 * grad_b
    run = s4_run()
    assert run.steps == run.epochs == 100
    assert run.final_params[0] == pytest.approx(m, abs=1e-12)
    assert run.final_params[1] == pytest.approx(b, abs=1e-12)
    np.testing.assert_allclose(run.step_loss, losses, rtol=1e-12)
    np.testing.assert_allclose(run.epoch_train_loss, losses, rtol=1e-12)
    assert run.train_loss[-1] == pytest.approx(np.mean((y - (m * x + b)) ** 2), rel=1e-12)
    assert int(run.grad_evals[-1]) == 100 * 100


def test_s4_matches_torch() -> None:
    x, y = line_dataset()
    xt, yt = torch.tensor(x), torch.tensor(y)
    m = torch.zeros((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([m, b], lr=0.01)
    for _epoch in range(100):
        opt.zero_grad()
        loss = torch.mean((yt - (m * xt + b)) ** 2)
        loss.backward()
        opt.step()
    run = s4_run()
    assert run.final_params[0] == pytest.approx(m.item(), abs=1e-12)
    assert run.final_params[1] == pytest.approx(b.item(), abs=1e-12)


# ------------------------------------------------------------------------------------------
# S5: six optimizers on Linear(2 -> 1), against PyTorch
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def s5() -> dict[str, TrainingRun]:
    return dict(s5_runs())


def test_s5_setup(s5: dict[str, TrainingRun]) -> None:
    assert list(s5) == ["SGD", "Momentum", "AdaGrad", "RMSprop", "Adadelta", "Adam"]
    first = s5["SGD"]
    for run in s5.values():
        assert run.model == PLANE
        assert run.steps == 50 * 25 and run.epochs == 50
        assert run.batch_sizes[:25].tolist() == [32] * 25
        assert int(run.grad_evals[-1]) == 50 * 800
        assert np.array_equal(run.params[0], first.params[0])
        assert np.array_equal(run.orders, first.orders)
        assert run.test_loss is not None and run.test_loss.shape == (51,)
        assert not run.diverged
    assert [o.name for o in s5_optimizers()] == [
        "sgd",
        "sgd",
        "adagrad",
        "rmsprop",
        "adadelta",
        "adam",
    ]
    assert s5["Momentum"].hyperparameters["momentum"] == 0.9
    assert s5["Adadelta"].hyperparameters["lr"] == 1.0


@pytest.mark.parametrize("name", S5_NAMES)
def test_s5_matches_pytorch(s5: dict[str, TrainingRun], name: str) -> None:
    run = s5[name]
    running, train_losses, test_losses = torch_s5(run, name)
    assert run.test_loss is not None
    rtol = optimizers.TORCH_PARITY_RTOL
    np.testing.assert_allclose(run.epoch_train_loss, running, rtol=rtol)
    np.testing.assert_allclose(run.train_loss[1:], train_losses, rtol=rtol)
    np.testing.assert_allclose(run.test_loss[1:], test_losses, rtol=rtol)
    # the recording that test_torch_refs.py compares with where torch is missing is this run
    # (scripts/torch_references.py writes it again)
    for recorded, live in zip(recorded_s5(name), (running, train_losses, test_losses),
                              strict=True):
        np.testing.assert_allclose(recorded, live, rtol=1e-13)


def test_s5_is_reproducible_and_learns(s5: dict[str, TrainingRun]) -> None:
    again = s5_runs(epochs=3)
    for name, run in again.items():
        np.testing.assert_array_equal(run.params, s5[name].params[: run.steps + 1])
        np.testing.assert_array_equal(run.orders, s5[name].orders[:3])
    for run in s5.values():
        assert run.train_loss[-1] < run.train_loss[0]


# ------------------------------------------------------------------------------------------
# Training bookkeeping
# ------------------------------------------------------------------------------------------


def test_minibatch_bookkeeping_with_a_partial_last_batch() -> None:
    x, y = line_dataset(n=10)
    run = train(
        LINE, optimizers.sgd(lr=0.001), x, y, [0.0, 0.0], epochs=3, batch_size=4, shuffle=True
    )
    assert run.steps == 9 and run.epochs == 3 and run.batch_size == 4
    assert run.batch_sizes.tolist() == [4, 4, 2] * 3
    assert run.step_epoch.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert run.grad_evals.tolist() == [0, 4, 8, 10, 14, 18, 20, 24, 28, 30]
    assert run.epoch_end.tolist() == [0, 3, 6, 9]
    assert run.epoch_params.shape == (4, 2)
    assert np.array_equal(run.orders, batch_orders(10, 3, shuffle=True, seed=0))
    for order in run.orders:
        assert sorted(order.tolist()) == list(range(10))
    assert not np.array_equal(run.orders[0], run.orders[1])
    for t in range(run.steps):
        epoch, k = divmod(t, 3)
        index = run.orders[epoch, 4 * k : 4 * k + 4]
        assert run.step_loss[t] == LINE.loss(run.params[t], x[index], y[index])
        np.testing.assert_array_equal(
            run.step_grad[t], LINE.grad(run.params[t], x[index], y[index])
        )
        np.testing.assert_array_equal(run.params[t + 1], run.params[t] - 0.001 * run.step_grad[t])
    for e in range(3):
        assert run.epoch_train_loss[e] == np.mean(run.step_loss[3 * e : 3 * e + 3])
        assert run.train_loss[e + 1] == LINE.loss(run.params[3 * (e + 1)], x, y)
    assert run.train_loss[0] == LINE.loss([0.0, 0.0], x, y)
    assert run.test_loss is None


def test_shuffle_seed_controls_the_order() -> None:
    a = batch_orders(20, 2, shuffle=True, seed=1)
    assert np.array_equal(a, batch_orders(20, 2, shuffle=True, seed=1))
    assert not np.array_equal(a, batch_orders(20, 2, shuffle=True, seed=2))
    assert batch_orders(3, 2, shuffle=False).tolist() == [[0, 1, 2], [0, 1, 2]]


def test_full_batch_and_single_sample_counts() -> None:
    x, y = tiny_dataset()
    full = train(SLOPE, optimizers.sgd(lr=0.01), x, y, [1.0], epochs=5)
    assert full.steps == 5 and full.batch_sizes.tolist() == [4] * 5
    assert full.grad_evals[-1] == 20
    single = train(SLOPE, optimizers.sgd(lr=0.01), x, y, [1.0], epochs=5, batch_size=1)
    assert single.steps == 20 and single.grad_evals[-1] == 20
    big = train(SLOPE, optimizers.sgd(lr=0.01), x, y, [1.0], epochs=2, batch_size=100)
    assert big.steps == 2 and big.batch_size == 4
    none = train(SLOPE, optimizers.sgd(lr=0.01), x, y, [1.0], epochs=0)
    assert none.steps == 0 and none.params.shape == (1, 1) and none.train_loss.shape == (1,)


def test_run_arrays_are_read_only_and_inputs_untouched() -> None:
    x, y = tiny_dataset()
    params0 = np.array([1.0])
    run = train(SLOPE, optimizers.adam(lr=0.1), x, y, params0, epochs=3, batch_size=2)
    assert params0.tolist() == [1.0]
    assert x.tolist() == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(ValueError):
        run.params[0, 0] = 5.0
    assert run.optimizer_display_name == "Adam"
    assert "lr=0.1" in run.optimizer_label


def test_divergence_is_a_result() -> None:
    x, y = tiny_dataset()
    run = train(SLOPE, optimizers.sgd(lr=10.0), x, y, [1.0], epochs=200)
    assert run.diverged
    assert not np.isfinite(run.final_params[0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": -1}, "epochs: expected an integer >= 0"),
        ({"epochs": 1.5}, "epochs: expected an integer >= 0"),
        ({"epochs": 1, "batch_size": 0}, "batch_size: expected None or an integer >= 1"),
        ({"epochs": 1, "x_test": [1.0]}, "x_test, y_test: give both or neither"),
        ({"epochs": 1, "x_test": [1.0], "y_test": [1.0, 2.0]}, "y_test: expected 1 targets"),
    ],
)
def test_train_rejects_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    x, y = tiny_dataset()
    with pytest.raises(ValueError, match=message):
        train(SLOPE, optimizers.sgd(lr=0.01), x, y, [1.0], **kwargs)  # type: ignore[arg-type]


def test_train_rejects_mismatched_data_and_params() -> None:
    sgd = optimizers.sgd(lr=0.01)
    with pytest.raises(ValueError, match="y: expected 4 targets"):
        train(SLOPE, sgd, [1.0, 2.0, 3.0, 4.0], [1.0], [1.0], epochs=1)
    with pytest.raises(ValueError, match="params: expected a last axis of length 2"):
        train(LINE, sgd, [1.0], [1.0], [1.0], epochs=1)
    with pytest.raises(ValueError, match="training set is empty"):
        train(LINE, sgd, np.zeros(0), np.zeros(0), [1.0, 0.0], epochs=1)


def test_regression_does_not_import_manim() -> None:
    code = "import sys, gdanim.regression; sys.exit('manim' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
