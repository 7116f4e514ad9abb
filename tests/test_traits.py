"""Tests for gdanim.traits: step lengths, reversals, displacement and the farthest step."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdanim import Trajectory, analysis, descend, objectives, optimizers, traits

SADDLE_START = (0.00001, 0.5)
SADDLE_VIEW = (-1.0, 2.0, -1.0, 1.0)
VALLEY_START = (-7.0, 2.0)
VALLEY_VIEW = (-10.0, 10.0, -5.0, 5.0)


def _saddle(spec: str) -> Trajectory:
    return descend(objectives.get("saddle"), optimizers.from_spec(spec), SADDLE_START, 500,
                   bound=SADDLE_VIEW)


def _valley(spec: str) -> Trajectory:
    return descend(objectives.get("long_valley"), optimizers.from_spec(spec), VALLEY_START, 100,
                   bound=VALLEY_VIEW)


# ------------------------------------------------------------------------------------------
# exact values on a parabola: SGD multiplies x by (1 - 2 lr) each step
# ------------------------------------------------------------------------------------------


def test_step_lengths_of_a_geometric_run() -> None:
    t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.25), [4.0], 5)
    assert traits.step_lengths(t).tolist() == [2.0, 1.0, 0.5, 0.25, 0.125]
    assert traits.step_ratio(t, 5) == 0.0625
    assert traits.step_ratio(t, 2, reference=4) == 4.0
    assert traits.displacement(t, 5) == -3.875
    assert traits.displacement(t, 0) == 0.0


def test_step_lengths_sum_to_the_path_length() -> None:
    t = descend(objectives.get("rosenbrock"), optimizers.adam(lr=0.05), [-1.0, 1.5], 200)
    assert traits.step_lengths(t).sum() == pytest.approx(analysis.path_length(t), rel=1e-12)
    assert traits.step_lengths(t).shape == (200,)


def test_step_lengths_of_a_run_without_steps() -> None:
    t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.1), [4.0], 0)
    assert traits.step_lengths(t).shape == (0,)
    assert traits.direction_reversals(t) == 0
    with pytest.raises(ValueError, match="step 1 was not taken"):
        traits.step_ratio(t, 1)


@pytest.mark.parametrize(("lr", "expected"), [(0.1, 0), (0.5, 0), (0.9, 9), (1.0, 9)])
def test_reversals_follow_the_regime(lr: float, expected: int) -> None:
    # eta L < 1 never turns back; 1 < eta L <= 2 jumps across the minimum at every step
    # (lr = 0.5 lands on the minimum at once and then stays: moves of zero do not count)
    t = descend(objectives.get("parabola"), optimizers.sgd(lr=lr), [4.0], 10)
    assert traits.direction_reversals(t) == expected


def test_reversals_per_axis() -> None:
    # on the bowl with eta L = 1.8 both coordinates flip every step
    t = descend(objectives.get("bowl"), optimizers.sgd(lr=0.9), [2.0, -1.0], 6)
    assert traits.direction_reversals(t, 0) == traits.direction_reversals(t, 1) == 5
    assert traits.direction_reversals(t, -2) == 5
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        traits.direction_reversals(t, 2)


def test_farthest_step_is_where_the_overshoot_is_measured() -> None:
    t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.9), [4.0], 10)
    k = traits.farthest_step(t, [0.0])
    assert k == 1
    assert analysis.overshoot(t, [0.0]) == pytest.approx(-t.points[k, 0])
    # a run that never passes the minimum comes closest at its last step
    t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.1), [4.0], 10)
    assert traits.farthest_step(t, [0.0]) == 10
    with pytest.raises(ValueError, match="starts at the minimum"):
        traits.farthest_step(t, [4.0])


# ------------------------------------------------------------------------------------------
# runs that stop, and batches
# ------------------------------------------------------------------------------------------


def test_measures_stop_where_the_run_stopped() -> None:
    # x doubles each step with lr = 1.5 on x^2 (factor 1 - 3 = -2) until it leaves [-10, 10]
    t = descend(objectives.get("parabola"), optimizers.sgd(lr=1.5), [1.0], 10, bound=(-10, 10))
    assert t.stopped_at == 4  # points 1, -2, 4, -8, then 16 is outside
    assert traits.step_lengths(t).tolist() == [3.0, 6.0, 12.0]
    assert traits.direction_reversals(t) == 2
    assert traits.displacement(t, 3) == -9.0
    with pytest.raises(ValueError, match="step 4 was not reached"):
        traits.displacement(t, 4)
    with pytest.raises(ValueError, match="step 4 was not taken"):
        traits.step_ratio(t, 4)


def test_batches_are_refused() -> None:
    t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.1), [[4.0], [-2.0]], 3)
    for measure in (traits.step_lengths, traits.direction_reversals):
        with pytest.raises(ValueError, match="single run"):
            measure(t)


def test_zero_reference_step_gives_a_non_finite_ratio() -> None:
    t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.5), [4.0], 3)
    assert math.isnan(traits.step_ratio(t, 2, reference=3))
    assert traits.step_ratio(t, 1, reference=2) == math.inf


# ------------------------------------------------------------------------------------------
# the S7 observations, as numbers
# ------------------------------------------------------------------------------------------


def test_s7_adagrad_steps_shrink_rmsprop_steps_do_not() -> None:
    ada = _saddle("adagrad:lr=0.05")
    rms = _saddle("rmsprop:lr=0.05,alpha=0.9")
    # AdaGrad: step 100 is about a tenth of step 1, and it keeps shrinking
    assert traits.step_ratio(ada, 100) == pytest.approx(0.1024, abs=1e-4)
    lengths = traits.step_lengths(ada)
    assert np.all(np.diff(lengths) < 0)
    # RMSprop's steps settle near the learning rate instead
    assert traits.step_lengths(rms)[-1] > 0.05
    assert traits.step_lengths(rms)[19] > 3 * traits.step_lengths(ada)[19]


def test_s7_sgd_zig_zags_momentum_swings() -> None:
    sgd = _valley("sgd:lr=0.95")
    mom = _valley("momentum:lr=0.1,momentum=0.9")
    nes = _valley("nesterov:lr=0.1,momentum=0.9")
    # eta L = 1.9 across the valley: SGD turns back at every one of its 100 steps
    assert traits.direction_reversals(sgd, 1) == 99
    assert traits.direction_reversals(sgd, 0) == 0
    assert traits.direction_reversals(mom, 1) == 14
    # Nesterov's farthest point past the minimum is nearer than Momentum's
    k_mom = traits.farthest_step(mom, (0.0, 0.0))
    k_nes = traits.farthest_step(nes, (0.0, 0.0))
    assert (k_mom, k_nes) == (34, 35)
    assert analysis.overshoot(nes, (0.0, 0.0)) < analysis.overshoot(mom, (0.0, 0.0))


def test_s7_sgd_crawls_off_the_saddle() -> None:
    sgd = _saddle("sgd:lr=0.05")
    # along x the step multiplies x by 1 + lr: x_100 - x_0 = 1e-5 (1.05^100 - 1)
    assert traits.displacement(sgd, 100) == pytest.approx(1e-5 * (1.05**100 - 1), rel=1e-9)
    assert traits.displacement(sgd, 100, axis=1) == pytest.approx(-0.5, abs=1e-4)
