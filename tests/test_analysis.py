"""Tests for gdanim.analysis: regimes, critical rates and convergence measures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdanim import analysis, descend, objectives, optimizers
from gdanim.analysis import Regime


@pytest.mark.parametrize(
    ("lr", "expected"),
    [
        (0.1, Regime.SLOW),
        (0.3, Regime.MONOTONE),
        (0.5, Regime.ONE_STEP),
        (0.9, Regime.OSCILLATING),
        (1.0, Regime.BOUNCING),
        (1.1, Regime.DIVERGING),
    ],
)
def test_regimes_on_parabola(lr: float, expected: Regime) -> None:
    f = objectives.get("parabola")
    L = analysis.curvature(f, [4.0])
    assert L == 2.0
    assert analysis.critical_lr(L) == 1.0
    assert analysis.regime(lr, L) is expected


@pytest.mark.parametrize(
    ("lr", "expected"),
    [
        (0.1, Regime.SLOW),
        (0.5, Regime.ONE_STEP),
        (0.9, Regime.OSCILLATING),
        (1.1, Regime.DIVERGING),
    ],
)
def test_regime_matches_what_the_run_does(lr: float, expected: Regime) -> None:
    f = objectives.get("parabola")
    x = descend(f, optimizers.sgd(lr=lr), [4.0], 10).points[:, 0]
    assert analysis.regime(lr, 2.0) is expected
    if expected is Regime.ONE_STEP:
        assert x[1] == 0.0
    elif expected is Regime.OSCILLATING:
        assert np.all(x[1:] * x[:-1] < 0) and abs(x[-1]) < abs(x[0])
    elif expected is Regime.DIVERGING:
        assert abs(x[-1]) > abs(x[0])
    else:
        assert np.all(x > 0) and np.all(np.diff(x) < 0)


def test_curvature_2d_is_largest_hessian_eigenvalue() -> None:
    assert analysis.curvature(objectives.get("long_valley"), [-7.0, 2.0]) == pytest.approx(2.0)
    assert analysis.curvature(objectives.get("saddle"), [0.0, 0.0]) == pytest.approx(2.0)
    L = analysis.curvature(objectives.get("cubic_bowl"), [0.0, 0.0])
    assert L == pytest.approx(max(np.linalg.eigvalsh(np.array([[2.0, 1.0], [1.0, 2.0]]))))


def test_concave_and_bad_rate() -> None:
    assert analysis.regime(0.1, -1.0) is Regime.CONCAVE
    assert math.isinf(analysis.critical_lr(0.0))
    with pytest.raises(ValueError):
        analysis.regime(0.0, 2.0)


def test_steps_to_tolerance_and_path_length() -> None:
    f = objectives.get("parabola")
    t = descend(f, optimizers.sgd(lr=0.1), [4.0], 100)
    k = analysis.steps_to_tolerance(t, 0.0, 1e-6)
    assert k is not None
    assert t.values[k] <= 1e-6 < t.values[k - 1]
    assert analysis.steps_to_tolerance(t, 0.0, 1e-300) is None
    # monotone run from 4 towards 0: path length is the distance covered
    assert analysis.path_length(t) == pytest.approx(4.0 - t.points[-1, 0], rel=1e-12)


def test_overshoot() -> None:
    f = objectives.get("parabola")
    slow = descend(f, optimizers.sgd(lr=0.1), [4.0], 10)
    osc = descend(f, optimizers.sgd(lr=0.9), [4.0], 10)
    assert analysis.overshoot(slow, [0.0]) == 0.0
    assert analysis.overshoot(osc, [0.0]) == pytest.approx(3.2)
    mom = descend(
        objectives.get("long_valley"), optimizers.sgd(lr=0.1, momentum=0.9), [-7.0, 2.0], 100
    )
    plain = descend(objectives.get("long_valley"), optimizers.sgd(lr=0.1), [-7.0, 2.0], 100)
    assert analysis.overshoot(mom, [0.0, 0.0]) > analysis.overshoot(plain, [0.0, 0.0])


def test_saddle_escape_sgd_crawls_adaptive_escapes_fast() -> None:
    """S6 race C: SGD escapes the saddle only after hundreds of steps; adaptive methods at once."""
    f = objectives.get("saddle")
    x0 = [1e-5, 0.5]

    def escape(spec: str) -> int | None:
        t = descend(f, optimizers.from_spec(spec), x0, 500)
        return analysis.saddle_escape_step(t, [0.0, 0.0], radius=0.25)

    sgd = escape("sgd:lr=0.05")
    assert sgd is not None and sgd > 150
    # exact for SGD: x_t = 1e-5 * 1.05**t leaves radius 0.25 (y is then ~0)
    assert sgd == int(np.ceil(np.log(0.25 / 1e-5) / np.log(1.05)))
    for spec in ("adagrad:lr=0.05", "rmsprop:lr=0.05,alpha=0.9", "adam:lr=0.05,betas=0.9/0.99"):
        k = escape(spec)
        assert k is not None and k < sgd / 2, spec
    mom = escape("sgd:lr=0.05,momentum=0.9")
    assert mom is not None and mom < sgd


def test_batched_trajectory_rejected_by_single_run_measures() -> None:
    t = descend(objectives.get("bowl"), optimizers.sgd(lr=0.1), np.ones((2, 2)), 3)
    with pytest.raises(ValueError, match="single run"):
        analysis.path_length(t)


# --------------------------------------------------------------------------------------------
# Verdicts: converged, still moving, bouncing without settling, diverged
# --------------------------------------------------------------------------------------------

Verdict = analysis.Verdict


def _wavy(lr: float, x0: float, steps: int) -> analysis.RunVerdict:
    f = objectives.get("wavy")
    return analysis.verdict(descend(f, optimizers.sgd(lr=lr), [x0], steps))


def test_verdict_wavy_large_rate_bounces_without_settling() -> None:
    """S1, eta = 3 from 15: across valleys, then back and forth near the origin for good."""
    f = objectives.get("wavy")
    run = descend(f, optimizers.sgd(lr=3.0), [15.0], 10)
    v = analysis.verdict(run)
    assert v.verdict is Verdict.BOUNCING
    assert v.turned_back and not v.shrinking
    assert v.factor is not None and v.factor > 1.0
    # the truth behind it: every minimum has eta f'' > 2, the nearest one included, so a
    # step near a minimum multiplies the distance to it by more than 1; the run never settles
    for (m,) in f.minima:
        assert 3.0 * analysis.curvature(f, [m]) > 2.0
    near = analysis.nearest_flat_spot(f, run.points[-1])
    assert near[0] == pytest.approx(-1.8256845786723395, abs=1e-9)
    assert analysis.distance_factor(f, near, 3.0) == pytest.approx(
        abs(1.0 - 3.0 * analysis.curvature(f, near)), rel=1e-12
    )
    assert analysis.distance_factor(f, near, 3.0) > 1.9
    for steps in range(4, 200):
        assert _wavy(3.0, 15.0, steps).verdict is Verdict.BOUNCING, steps
    # it does bounce among the same three points near -3.2, 1.2 and -0.4
    tail = descend(f, optimizers.sgd(lr=3.0), [15.0], 300).points[-30:, 0]
    centres = np.array([-3.2, 1.2, -0.4])
    assert np.all(np.abs(tail[:, None] - centres).min(axis=1) < 0.15)
    assert np.all(np.abs(tail[3:] - tail[:-3]) < 0.2)  # the same cluster every third step


def test_verdict_wavy_small_rate_is_still_moving_after_ten_steps() -> None:
    """S1, eta = 0.1 from 15: after 10 steps x = 20.09, short of the minimum at 20.22."""
    f = objectives.get("wavy")
    run = descend(f, optimizers.sgd(lr=0.1), [15.0], 10)
    v = analysis.verdict(run)
    assert v.verdict is Verdict.STILL_MOVING
    assert v.shrinking and not v.turned_back
    assert run.points[-1, 0] == pytest.approx(20.0895, abs=1e-4)
    assert v.last_step == pytest.approx(0.108, abs=1e-3)
    assert v.last_step > v.tol
    m = analysis.nearest_flat_spot(f, run.points[-1])
    assert m[0] == pytest.approx(20.2219, abs=1e-4)
    assert analysis.curvature(f, m) > 0  # a minimum
    assert v.factor == pytest.approx(abs(1 - 0.1 * analysis.curvature(f, run.points[-1])))
    # given the steps, it does converge there
    later = descend(f, optimizers.sgd(lr=0.1), [15.0], 60)
    assert analysis.verdict(later).verdict is Verdict.CONVERGED
    assert later.points[-1, 0] == pytest.approx(m[0], abs=1e-3)
    assert _wavy(0.2, -8.0, 10).verdict is Verdict.STILL_MOVING


@pytest.mark.parametrize(
    ("lr", "expected"),
    [
        (0.1, Verdict.STILL_MOVING),
        (0.5, Verdict.CONVERGED),
        (0.9, Verdict.STILL_MOVING),
        (1.0, Verdict.BOUNCING),
        (1.1, Verdict.DIVERGED),
    ],
)
def test_verdict_on_the_parabola_follows_the_run(lr: float, expected: Verdict) -> None:
    f = objectives.get("parabola")
    bound = (-10.0, 10.0) if lr > 1.0 else None
    run = descend(f, optimizers.sgd(lr=lr), [4.0], 10, bound=bound)
    v = analysis.verdict(run)
    assert v.verdict is expected
    x = run.points[:, 0]
    q = abs(1 - 2 * lr)  # x_{t+1} = (1 - 2 eta) x_t
    assert v.factor == pytest.approx(q, rel=1e-12)
    if expected is Verdict.CONVERGED:
        assert x[1] == 0.0 and v.last_step == 0.0 and v.slope == 0.0
    elif expected is Verdict.STILL_MOVING:
        assert v.shrinking and v.last_step == pytest.approx(abs(x[-1] - x[-2]))
        assert v.last_step > v.tol
        assert v.turned_back is (lr > 0.5)  # 0.9 jumps across the minimum, 0.1 never does
    elif expected is Verdict.BOUNCING:
        assert np.all(np.abs(x) == 4.0) and v.turned_back and not v.shrinking
    else:
        assert v.stopped_at == run.stopped_at == 6


@pytest.mark.parametrize("lr", [0.1, 0.3, 0.9])
def test_verdict_converges_when_the_steps_fall_below_tol(lr: float) -> None:
    """Converged exactly from the first step whose length and slope are both within tol."""
    f = objectives.get("parabola")
    tol = 1e-3
    q = abs(1 - 2 * lr)
    # |x_t| = 4 q^t; the step t has length 4 q^(t-1) |1 - q| or 4 q^(t-1) (1 + q), the slope 8 q^t
    move = (1 - q) if lr <= 0.5 else (1 + q)
    first = next(t for t in range(1, 500) if 4 * q ** (t - 1) * move <= tol and 8 * q**t <= tol)
    for steps in (first - 1, first):
        v = analysis.verdict(descend(f, optimizers.sgd(lr=lr), [4.0], steps), tol=tol)
        assert (v.verdict is Verdict.CONVERGED) is (steps == first)


def test_verdict_growing_oscillation_is_diverged_even_inside_any_bound() -> None:
    f = objectives.get("parabola")
    v = analysis.verdict(descend(f, optimizers.sgd(lr=1.1), [4.0], 10))
    assert v.verdict is Verdict.DIVERGED and v.stopped_at is None


def test_verdict_sliding_away_from_a_maximum_is_still_moving() -> None:
    f = objectives.get("wavy")
    top = analysis.nearest_flat_spot(f, [1.8])
    assert analysis.curvature(f, top) < 0
    run = descend(f, optimizers.sgd(lr=0.5), top + 0.1, 6)
    v = analysis.verdict(run)
    assert v.verdict is Verdict.STILL_MOVING
    assert not v.turned_back and not v.shrinking
    assert v.factor is not None and v.factor > 1.0
    d = np.abs(run.points[:, 0] - top[0])
    assert np.all(d[1:] > d[:-1])


def test_verdict_of_other_optimizers_uses_no_curvature() -> None:
    f = objectives.get("long_valley")
    run = descend(f, optimizers.sgd(lr=0.1, momentum=0.9), [-7.0, 2.0], 300)
    v = analysis.verdict(run, objective=f)
    assert v.factor is None
    assert v.verdict is Verdict.CONVERGED


def test_verdict_rejects_bad_arguments() -> None:
    f = objectives.get("parabola")
    run = descend(f, optimizers.sgd(lr=0.1), [4.0], 3)
    with pytest.raises(ValueError, match="tol"):
        analysis.verdict(run, tol=0.0)
    with pytest.raises(ValueError, match="window"):
        analysis.verdict(run, window=0)
    with pytest.raises(ValueError, match="at least one step"):
        analysis.verdict(descend(f, optimizers.sgd(lr=0.1), [4.0], 0))
    batch = descend(objectives.get("bowl"), optimizers.sgd(lr=0.1), np.ones((2, 2)), 3)
    with pytest.raises(ValueError, match="single run"):
        analysis.verdict(batch)


def test_distance_factor_closed_forms() -> None:
    assert analysis.distance_factor(objectives.get("parabola"), [3.0], 0.25) == 0.5
    # saddle -x^2/2 + y^2: eigenvalues -1 and 2, factors 1 + eta and |1 - 2 eta|
    saddle = objectives.get("saddle")
    for lr in (0.05, 0.5, 1.5):
        want = max(1 + lr, abs(1 - 2 * lr))
        assert analysis.distance_factor(saddle, [0.3, -0.2], lr) == pytest.approx(want)
    valley = objectives.get("long_valley")  # eigenvalues 0.1 and 2
    assert analysis.distance_factor(valley, [0.0, 0.0], 0.95) == pytest.approx(0.905)
    with pytest.raises(ValueError, match="positive"):
        analysis.distance_factor(valley, [0.0, 0.0], 0.0)


def test_nearest_flat_spot() -> None:
    assert analysis.nearest_flat_spot(objectives.get("parabola"), [3.0]).tolist() == [0.0]
    np.testing.assert_allclose(
        analysis.nearest_flat_spot(objectives.get("saddle"), [0.4, -0.3]), [0.0, 0.0], atol=1e-15
    )
    wavy = objectives.get("wavy")
    for (m,) in wavy.minima:
        assert analysis.nearest_flat_spot(wavy, [m + 0.3])[0] == pytest.approx(m, abs=1e-10)
    with pytest.raises(ValueError, match="singular"):
        analysis.nearest_flat_spot(objectives.parse("x**4"), [0.0])
