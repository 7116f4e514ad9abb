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
