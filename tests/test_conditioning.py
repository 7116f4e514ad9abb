"""Tests for the conditioning measures of gdanim.analysis and the scaled line fit of regression.

Every figure is checked against a closed form: the Hessian of a quadratic, its eigenvalues from
the 2x2 formula, the factors |1 - eta lambda| against what the runs do, step counts against
the geometric decay they follow.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from gdanim import analysis, descend, objectives, optimizers
from gdanim.regression import (
    LINE,
    FeatureScaling,
    least_squares,
    line_dataset,
    s4_run,
    s4_scaled_run,
    train,
)

VALLEY_START = (-7.0, 2.0)


# ---- one step against the gradient -----------------------------------------------------------


@pytest.mark.parametrize("name", ["parabola", "bowl", "long_valley", "cubic_bowl"])
def test_first_order_prediction_misses_by_the_curvature_term(name: str) -> None:
    # for a quadratic f(x - eta g) = f(x) - eta |g|^2 + eta^2 g^T H g / 2 exactly
    f = objectives.get(name)
    x0 = np.full(f.dim, 0.8) if name == "cubic_bowl" else np.linspace(1.5, 2.5, f.dim)
    g = f.grad(x0)
    for lr in (0.01, 0.1, 0.4):
        after = float(descend(f, optimizers.sgd(lr=lr), x0, 1).values[1])
        guess = analysis.first_order_prediction(f, x0, lr)
        assert guess == pytest.approx(float(f.value(x0)) - lr * float(g @ g), rel=1e-14)
        if name != "cubic_bowl":
            h = analysis.hessian_at(f, x0)
            assert after == pytest.approx(guess + lr**2 * float(g @ h @ g) / 2, rel=1e-12)


def test_small_steps_go_down_and_a_large_one_goes_up() -> None:
    f = objectives.get("parabola")
    small = descend(f, optimizers.sgd(lr=0.1), [4.0], 1)
    large = descend(f, optimizers.sgd(lr=1.1), [4.0], 1)
    assert small.values.tolist() == pytest.approx([16.0, 10.24], abs=1e-12)
    assert large.points[1, 0] == pytest.approx(-4.8, abs=1e-12)
    assert large.values[1] == pytest.approx(23.04, abs=1e-12) and large.values[1] > 16.0
    # on the wavy curve too: wherever f' != 0 a small enough step lowers f
    w = objectives.get("wavy")
    xs = np.linspace(-19.0, 19.0, 77)[:, None]
    moving = np.abs(w.grad(xs)[:, 0]) > 1e-3
    step = descend(w, optimizers.sgd(lr=1e-3), xs[moving], 1)
    assert np.all(step.values[1] < step.values[0])


def test_nearest_minimum_names_the_valley_of_each_run() -> None:
    w = objectives.get("wavy")
    starts = np.array([[-18.0], [-10.0], [-5.0], [0.0], [4.0], [11.0]])
    run = descend(w, optimizers.sgd(lr=0.2), starts, 40)
    valleys = analysis.nearest_minimum(run.points[-1], w.minima, tol=1e-2)
    assert valleys == [0, 0, 1, 1, 2, 2]
    assert analysis.nearest_minimum([[3.0]], w.minima) == [-1]
    parabola = objectives.get("parabola")
    ends = descend(parabola, optimizers.sgd(lr=0.2), starts / 4, 40).points[-1]
    assert analysis.nearest_minimum(ends, parabola.minima, tol=1e-6) == [0] * 6


# ---- the long valley x^2/20 + y^2 ------------------------------------------------------------


def test_long_valley_curvatures_and_condition_number_are_exact() -> None:
    f = objectives.get("long_valley")
    for point in ([-7.0, 2.0], [0.0, 0.0], [3.5, -1.25]):
        h = analysis.hessian_at(f, point)
        assert h.tolist() == [[0.1, 0.0], [0.0, 2.0]]  # d2/dx2 x^2/20 = 1/10, d2/dy2 y^2 = 2
    values, vectors = analysis.hessian_eigen(h)
    assert values.tolist() == [0.1, 2.0]
    assert vectors.tolist() == [[1.0, 0.0], [0.0, 1.0]]  # along the valley (x), across it (y)
    assert analysis.condition_number(h) == 20.0
    assert analysis.critical_lr(2.0) == 1.0
    assert analysis.best_fixed_lr(0.1, 2.0) == pytest.approx(2.0 / 2.1, rel=1e-15)
    assert analysis.best_contraction(20.0) == pytest.approx(19.0 / 21.0, rel=1e-15)


@pytest.mark.parametrize("lr", [0.3, 0.5, 0.95, 0.99])
def test_measured_factors_on_the_valley_equal_the_closed_form(lr: float) -> None:
    f = objectives.get("long_valley")
    run = descend(f, optimizers.sgd(lr=lr), VALLEY_START, 60)
    h = analysis.hessian_at(f, [0.0, 0.0])
    measured = analysis.measured_contraction(run.points, [0.0, 0.0], h)
    closed = analysis.contraction_factors(lr, [0.1, 2.0])
    assert closed.tolist() == pytest.approx([abs(1 - lr * 0.1), abs(1 - lr * 2.0)], abs=1e-15)
    assert measured == pytest.approx(closed, abs=1e-12)
    # and step by step: x keeps its side, y flips side exactly when 1 - 2 eta < 0
    x, y = run.points[:8, 0], run.points[:8, 1]
    assert np.all(x[1:] / x[:-1] == pytest.approx(1 - lr * 0.1, abs=1e-12))
    if lr != 0.5:
        assert np.all(y[1:] / y[:-1] == pytest.approx(1 - lr * 2.0, abs=1e-12))


def test_one_step_across_the_valley_at_eta_one_over_l() -> None:
    f = objectives.get("long_valley")
    run = descend(f, optimizers.sgd(lr=0.5), VALLEY_START, 40)
    assert run.points[1:, 1].tolist() == [0.0] * 40  # y = 2 - 0.5 * 4 = 0 exactly
    measured = analysis.measured_contraction(run.points, [0.0, 0.0], np.diag([0.1, 2.0]))
    assert measured.tolist() == pytest.approx([0.95, 0.0], abs=1e-12)


def test_factor_above_one_past_the_critical_rate() -> None:
    f = objectives.get("long_valley")
    run = descend(f, optimizers.sgd(lr=1.05), VALLEY_START, 30)
    measured = analysis.measured_contraction(run.points, [0.0, 0.0], np.diag([0.1, 2.0]))
    assert measured[1] == pytest.approx(1.1, abs=1e-12)
    assert abs(run.points[-1, 1]) > abs(run.points[0, 1])


def test_measured_factors_in_a_rotated_basis() -> None:
    # x^2 + x y + y^2: Hessian [[2, 1], [1, 2]], eigenvalues 1 (along (1, -1)) and 3 (along (1, 1))
    f = objectives.parse("x**2 + x*y + y**2")
    h = analysis.hessian_at(f, [0.3, -0.2])
    values, vectors = analysis.hessian_eigen(h)
    assert values.tolist() == pytest.approx([1.0, 3.0], abs=1e-14)
    assert np.abs(vectors[:, 0]).tolist() == pytest.approx([2**-0.5, 2**-0.5], abs=1e-14)
    assert analysis.condition_number(h) == pytest.approx(3.0, rel=1e-14)
    for lr in (0.2, 0.45, 0.6):
        run = descend(f, optimizers.sgd(lr=lr), [2.0, 0.5], 40)
        measured = analysis.measured_contraction(run.points, [0.0, 0.0], h)
        assert measured == pytest.approx([abs(1 - lr), abs(1 - 3 * lr)], abs=1e-10)
    coords = analysis.eigen_coordinates([[1.0, 1.0], [1.0, -1.0]], [0.0, 0.0], h)
    assert np.abs(coords) == pytest.approx(np.array([[0.0, 2**0.5], [2**0.5, 0.0]]), abs=1e-14)


def test_best_fixed_rate_minimises_the_worst_factor() -> None:
    for mu, big in ((0.1, 2.0), (0.5, 68.5), (1.0, 1.0), (2.0, 3.0)):
        best = analysis.best_fixed_lr(mu, big)
        worst = analysis.contraction_factors(best, [mu, big]).max()
        assert worst == pytest.approx(analysis.best_contraction(big / mu), abs=1e-14)
        grid = np.linspace(1e-4, 2.0 / big, 4001)
        others = np.abs(1.0 - np.outer(grid, [mu, big])).max(axis=1)
        assert worst <= others.min() + 1e-12


def test_condition_number_of_indefinite_and_bad_hessians() -> None:
    saddle = analysis.hessian_at(objectives.get("saddle"), [0.0, 0.0])
    assert analysis.condition_number(saddle) == math.inf
    assert analysis.condition_number(4.0) == 1.0  # 1D: one curvature
    with pytest.raises(ValueError, match="square"):
        analysis.condition_number([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="finite"):
        analysis.condition_number([[1.0, 0.0], [0.0, np.nan]])
    with pytest.raises(ValueError):
        analysis.best_fixed_lr(2.0, 1.0)
    with pytest.raises(ValueError):
        analysis.best_contraction(0.5)
    with pytest.raises(ValueError):
        analysis.contraction_factors(0.0, [1.0])
    assert analysis.best_contraction(math.inf) == 1.0


def test_equivalent_lr_keeps_eta_times_l() -> None:
    lr = analysis.equivalent_lr(0.01, 68.5, 2.0)
    assert lr * 2.0 == pytest.approx(0.01 * 68.5, rel=1e-15)
    with pytest.raises(ValueError):
        analysis.equivalent_lr(0.01, -1.0, 2.0)


def test_steps_to_point_follows_the_geometric_decay() -> None:
    # at eta = 0.5 on the valley, y is 0 after one step and x_t = -7 * 0.95**t
    f = objectives.get("long_valley")
    run = descend(f, optimizers.sgd(lr=0.5), VALLEY_START, 400)
    for tol in (1e-1, 1e-3, 1e-6):
        expected = math.ceil(math.log(tol / 7.0) / math.log(0.95))
        assert analysis.steps_to_point(run.points, [0.0, 0.0], tol) == expected
    assert analysis.steps_to_point(run.points[:50], [0.0, 0.0], 1e-6) is None
    assert analysis.steps_to_point(run.points, VALLEY_START, 10.0) == 0
    # a run that passes through the target and leaves again has not reached it
    assert analysis.steps_to_point([[1.0], [0.0], [1.0]], [0.0], 0.1) is None


# ---- the line fit of S4 ----------------------------------------------------------------------


def _exact_line_kappa(n: int) -> float:
    """kappa of (2/n) A^T A for x = linspace(0, 10, n), from exact sums and the 2x2 formula."""
    xs = [Fraction(10 * k, n - 1) for k in range(n)]
    a = 2 * sum(x * x for x in xs) / n
    b = 2 * sum(xs) / n
    d = Fraction(2)
    trace, det = a + d, a * d - b * b
    root = math.sqrt(float(trace * trace - 4 * det))
    return (float(trace) + root) / (float(trace) - root)


def test_line_fit_hessian_closed_form() -> None:
    x, y = line_dataset()
    h = analysis.line_fit_hessian(x)
    closed = np.array([[2 * np.mean(x**2), 2 * np.mean(x)], [2 * np.mean(x), 2.0]])
    assert h == pytest.approx(closed, rel=1e-14)
    # for x = 10 k / 99: mean x = 5, mean x^2 = 100 * 199 / (6 * 99)
    assert h[0, 1] == pytest.approx(10.0, rel=1e-14)
    assert h[0, 0] == pytest.approx(2 * 100 * 199 / (6 * 99), rel=1e-14)
    # the gradient of the loss changes by H times the change of (m, b): a quadratic
    p, q = np.array([0.3, -1.2]), np.array([2.5, 0.7])
    assert LINE.grad(q, x, y) - LINE.grad(p, x, y) == pytest.approx(h @ (q - p), rel=1e-12)


def test_line_fit_curvatures_and_kappa() -> None:
    x, _ = line_dataset()
    h = analysis.line_fit_hessian(x)
    values, vectors = analysis.hessian_eigen(h)
    mu, big = values
    assert round(mu, 2) == 0.50 and round(big, 1) == 68.5
    kappa = analysis.condition_number(h)
    assert kappa == pytest.approx(_exact_line_kappa(100), rel=1e-10)
    assert f"{kappa:.3g}" == "138"  # three digits
    # the flat direction is mostly the intercept: its b-component dominates
    assert abs(vectors[1, 0]) > 0.98 and abs(vectors[0, 0]) < 0.15


def test_intercept_creeps_because_of_the_flat_direction() -> None:
    x, y = line_dataset()
    run = s4_run()
    best = least_squares(LINE, x, y)
    assert f"{run.final_params[1]:.3f}" == "0.350" and f"{best[1]:.3f}" == "0.208"
    h = analysis.line_fit_hessian(x)
    values, _ = analysis.hessian_eigen(h)
    measured = analysis.measured_contraction(run.params, best, h)
    assert measured == pytest.approx(np.abs(1 - 0.01 * values), abs=1e-10)
    assert measured.round(3).tolist() == [0.995, 0.315]
    # the flat coordinate keeps 0.995**100 of its size after 100 epochs
    coords = analysis.eigen_coordinates(run.params, best, h)
    assert coords[100, 0] / coords[0, 0] == pytest.approx((1 - 0.01 * values[0]) ** 100, rel=1e-9)


def test_least_squares_solves_the_normal_equations() -> None:
    x, y = line_dataset()
    best = least_squares(LINE, x, y)
    design = np.c_[x, np.ones_like(x)]
    assert design.T @ design @ best == pytest.approx(design.T @ y, rel=1e-12)
    assert LINE.grad(best, x, y) == pytest.approx([0.0, 0.0], abs=1e-12)


def test_feature_scaling_makes_the_loss_round() -> None:
    x, y = line_dataset()
    scaling = FeatureScaling.fit(x)
    assert scaling.mean == pytest.approx(5.0, rel=1e-15)
    assert scaling.scale == pytest.approx(float(np.std(x)), rel=1e-15)
    z = scaling.apply(x)
    h = analysis.line_fit_hessian(z)
    assert h == pytest.approx(2.0 * np.eye(2), abs=1e-13)
    assert analysis.condition_number(h) == pytest.approx(1.0, abs=1e-13)
    # the same lines in both parametrisations
    params = np.array([[0.0, 0.0], [3.0, 0.2], [-1.0, 4.0]])
    back = scaling.line_params(scaling.scaled_params(params))
    assert back == pytest.approx(params, abs=1e-12)
    wc = scaling.scaled_params(params)
    for (m, b), (w, c) in zip(params, wc, strict=True):
        assert m * x + b == pytest.approx(w * z + c, abs=1e-12)
    with pytest.raises(ValueError):
        FeatureScaling.fit([1.0, 1.0, 1.0])


def test_scaled_fit_reaches_least_squares_in_a_tenth_of_the_steps() -> None:
    """The must-show figure: 2484 steps unscaled at lr 0.01, 13 scaled at the same eta L."""
    x, y = line_dataset()
    best = least_squares(LINE, x, y)
    big = analysis.hessian_eigen(analysis.line_fit_hessian(x))[0][-1]

    unscaled = s4_run(epochs=4000)
    n_unscaled = analysis.steps_to_point(unscaled.params, best, 1e-6)

    scaling = FeatureScaling.fit(x)
    big_z = analysis.hessian_eigen(analysis.line_fit_hessian(scaling.apply(x)))[0][-1]
    lr = analysis.equivalent_lr(0.01, big, big_z)
    scaled, scaling = s4_scaled_run(epochs=100, lr=lr)
    n_scaled = analysis.steps_to_point(scaling.line_params(scaled.params), best, 1e-6)

    assert n_unscaled is not None and n_scaled is not None
    assert 10 * n_scaled < n_unscaled
    assert (n_unscaled, n_scaled) == (2484, 13)
    # both counts are the closed form. Scaled, H = 2 I and every step multiplies the whole
    # error by q = 1 - 2 eta, so the largest coordinate error |m*| q**t meets the tolerance.
    q = 1.0 - 2.0 * lr
    assert n_scaled == math.ceil(math.log(1e-6 / np.abs(best).max()) / math.log(q))
    # Unscaled, the steep coordinate is gone long before; what is left is the flat one,
    # c_0 * slow**t along its eigenvector v (largest component max |v|).
    values, vectors = analysis.hessian_eigen(analysis.line_fit_hessian(x))
    c0 = analysis.eigen_coordinates(unscaled.params[:1], best, analysis.line_fit_hessian(x))[0, 0]
    slow = 1.0 - 0.01 * values[0]
    reach = abs(c0) * np.abs(vectors[:, 0]).max()
    assert n_unscaled == math.ceil(math.log(1e-6 / reach) / math.log(slow))
    # the same rate on the scaled fit is slower than it could be, yet still faster than unscaled
    same_lr, _ = s4_scaled_run(epochs=1500, lr=0.01)
    n_same = analysis.steps_to_point(scaling.line_params(same_lr.params), best, 1e-6)
    assert n_same is not None and n_scaled < n_same < n_unscaled


def test_scaled_run_starts_from_the_same_line_and_trains_on_z() -> None:
    x, y = line_dataset()
    run, scaling = s4_scaled_run(epochs=3, lr=0.1)
    assert run.params[0].tolist() == [0.0, 0.0]
    direct = train(LINE, optimizers.sgd(lr=0.1), scaling.apply(x), y, [0.0, 0.0], epochs=3)
    assert np.array_equal(run.params, direct.params)
