"""Tests for gdanim.descend and Trajectory, including the S1 figures of SCENARIOS.md."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gdanim import Trajectory, TrajectoryError, descend, objectives, optimizers


def sgd_loop(f: objectives.Objective, lr: float, x0: float, steps: int) -> np.ndarray:
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] - lr * float(f.grad(np.array([xs[-1]]))[0]))
    return np.array(xs)


# ---- S1: f(x) = x^2 from x0 = 4, 10 steps -------------------------------------------------


def test_s1_parabola_slow() -> None:
    f = objectives.get("parabola")
    t = descend(f, optimizers.sgd(lr=0.1), [4.0], 10)
    x = t.points[:, 0]
    assert t.points.shape == (11, 1)
    np.testing.assert_allclose(x, 4.0 * 0.8 ** np.arange(11), rtol=1e-15)
    assert np.all(np.diff(np.abs(x)) < 0) and np.all(x > 0)  # monotone, never crosses 0
    assert x[-1] > 0.4  # still far from 0 after 10 steps: slow


def test_s1_parabola_one_step() -> None:
    t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.5), [4.0], 10)
    assert t.points[1, 0] == 0.0
    assert np.all(t.points[1:, 0] == 0.0)


def test_s1_parabola_oscillating() -> None:
    t = descend(objectives.get("parabola"), optimizers.sgd(lr=0.9), [4.0], 10)
    x = t.points[:, 0]
    np.testing.assert_allclose(x, 4.0 * (-0.8) ** np.arange(11), rtol=1e-14)
    assert np.all(np.sign(x[1:]) != np.sign(x[:-1]))  # crosses the minimum every step
    assert np.all(np.diff(np.abs(x)) < 0)  # and converges


@pytest.mark.parametrize("lr", [1.05, 1.1, 1.5])
def test_s1_parabola_diverges_above_critical_rate(lr: float) -> None:
    t = descend(objectives.get("parabola"), optimizers.sgd(lr=lr), [4.0], 10)
    assert np.all(np.diff(np.abs(t.points[:, 0])) > 0)
    bounded = descend(objectives.get("parabola"), optimizers.sgd(lr=lr), [4.0], 200,
                      bound=(-20, 20))
    assert bounded.diverged is True
    k = bounded.stopped_at
    assert isinstance(k, int)
    # the first step outside the box is the one recorded, and the point is held from there
    free = descend(objectives.get("parabola"), optimizers.sgd(lr=lr), [4.0], k)
    assert abs(free.points[k, 0]) > 20 and np.all(np.abs(free.points[:k, 0]) <= 20)
    assert np.all(bounded.points[k:] == bounded.points[k - 1])
    assert np.all(np.isfinite(bounded.points))


def _local_minima(f: objectives.Objective, lo: float, hi: float) -> np.ndarray:
    xs = np.linspace(lo, hi, 200001)
    g = f.grad(xs[:, None])[:, 0]
    idx = np.flatnonzero((g[:-1] < 0) & (g[1:] >= 0))
    return xs[idx]


@pytest.mark.parametrize(("lr", "x0"), [(0.1, 15.0), (0.2, -8.0)])
def test_s1_wavy_closes_in_on_a_local_minimum(lr: float, x0: float) -> None:
    f = objectives.get("wavy")
    t = descend(f, optimizers.sgd(lr=lr), [x0], 10)
    np.testing.assert_allclose(t.points[:, 0], sgd_loop(f, lr, x0, 10), rtol=1e-14)
    end = t.points[-1, 0]
    minima = _local_minima(f, -25, 25)
    nearest = minima[np.argmin(np.abs(minima - end))]
    dist = np.abs(t.points[:, 0] - nearest)
    assert dist[-1] < 0.2 and np.all(np.diff(dist[-5:]) < 0)  # closing in on it, monotonically
    assert float(f.hessian(np.array([nearest]))[0, 0]) > 0  # a true (local) minimum


def test_s1_wavy_large_rate_jumps_across_valleys() -> None:
    f = objectives.get("wavy")
    t = descend(f, optimizers.sgd(lr=3.0), [15.0], 10)
    x = t.points[:, 0]
    np.testing.assert_allclose(x, sgd_loop(f, 3.0, 15.0, 10), rtol=1e-13)
    turns = np.sum(np.sign(np.diff(x)[1:]) != np.sign(np.diff(x)[:-1]))
    assert turns >= 5  # jumps back and forth
    assert x.max() > 50  # far out over the hills
    assert abs(x[-1]) < 5.0 < abs(x[0])  # and ends among the valleys by the origin


def test_s1_shifted_parabola_reaches_minimum() -> None:
    f = objectives.get("shifted_parabola")
    t = descend(f, optimizers.sgd(lr=0.7), [2.0], 100)
    x = t.points[:, 0]
    assert x[-1] == pytest.approx(-2.0, abs=1e-12)
    assert x.min() >= -4.0 and x.max() <= 2.0  # every visited point in the shown [-4, 2]


# ---- shapes, batches, divergence, save/load ------------------------------------------------


def test_batch_runs_match_single_runs() -> None:
    f = objectives.get("rosenbrock")
    opt = optimizers.adam(lr=0.01)
    starts = np.array([[-1.5, 2.0], [0.0, 0.0], [1.2, -0.5]])
    batch = descend(f, opt, starts, 200)
    assert batch.points.shape == (201, 3, 2)
    assert batch.values.shape == (201, 3)
    for k, x0 in enumerate(starts):
        single = descend(f, opt, x0, 200)
        np.testing.assert_array_equal(batch.points[:, k], single.points)
        np.testing.assert_array_equal(batch.values[:, k], single.values)
        for name in single.buffers:
            np.testing.assert_array_equal(batch.buffers[name][:, k], single.buffers[name])


def test_batch_divergence_is_per_run() -> None:
    f = objectives.get("parabola")
    t = descend(f, optimizers.sgd(lr=1.2), np.array([[4.0], [0.0]]), 50, bound=(-100, 100))
    assert t.diverged.tolist() == [True, False]
    assert t.stopped_at[0] > 0 and t.stopped_at[1] == -1
    assert np.all(t.points[:, 1, 0] == 0.0)


def test_non_finite_is_a_result_not_an_error() -> None:
    f = objectives.parse("x^4")
    t = descend(f, optimizers.sgd(lr=0.1), [3.0], 20)
    assert t.diverged is True
    assert t.stopped_at is not None
    assert np.all(np.isfinite(t.points))


def test_values_and_grads_recorded() -> None:
    f = objectives.get("bowl")
    t = descend(f, optimizers.sgd(lr=0.1), [2.0, 2.0], 100)
    np.testing.assert_array_equal(t.values, f.value(t.points))
    np.testing.assert_array_equal(t.grads, f.grad(t.points))
    assert t.diverged is False and t.stopped_at is None
    assert np.linalg.norm(t.points[-1]) < 1e-8


def test_buffers_exposed_per_step() -> None:
    t = descend(objectives.get("bowl"), optimizers.sgd(lr=0.01, momentum=0.9), [2.0, 3.0], 5)
    v = t.buffers["momentum_buffer"]
    assert v.shape == (6, 2)
    np.testing.assert_array_equal(v[0], 0.0)
    np.testing.assert_array_equal(v[1], t.grads[0])


def test_save_load_round_trip(tmp_path: Path) -> None:
    f = objectives.get("saddle")
    t = descend(f, optimizers.from_spec("adam:lr=0.05,betas=0.9/0.99"), [1e-5, 0.5], 30,
                bound=(-1, 2, -1, 1))
    p = t.save(tmp_path / "run.npz")
    u = Trajectory.load(p)
    for name in ("points", "values", "grads", "x0"):
        np.testing.assert_array_equal(getattr(u, name), getattr(t, name))
    assert u.buffers.keys() == t.buffers.keys()
    assert u.expression == t.expression and "x" in u.expression
    assert u.optimizer_name == "adam" and u.optimizer_label == t.optimizer_label
    assert u.hyperparameters["betas"] == (0.9, 0.99)
    assert u.variables == ("x", "y")
    assert (u.steps, u.diverged, u.stopped_at, u.bound) == (30, t.diverged, t.stopped_at, t.bound)
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize(
    ("x0", "steps", "bound", "match"),
    [
        ([1.0, 2.0], 10, None, "shape"),
        ([1.0], -1, None, "steps"),
        ([1.0], 2_000_000, None, "steps"),
        ([1.0], 2.5, None, "integer"),
        ([np.nan], 10, None, "finite"),
        ([1.0], 10, (2, 3), "outside"),
        ([1.0], 10, (0, 1, 2), "bound"),
    ],
)
def test_bad_arguments(x0: list[float], steps: int, bound: tuple[float, ...] | None,
                       match: str) -> None:
    with pytest.raises(TrajectoryError, match=match):
        descend(objectives.get("parabola"), optimizers.sgd(lr=0.1), x0, steps, bound=bound)


# ---- why a run stopped -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "spec", "x0", "bound", "reason", "step", "words"),
    [
        # SGD at lr 1.1 on x^2 oscillates outward and leaves [-10, 10]
        ("x**2", "sgd:lr=1.1", [4.0], (-10, 10), "left", 6, "diverged at step 6"),
        # log(x): 1 -> 0.5 -> -0.5, inside the view but where log is undefined
        ("log(x)", "sgd:lr=0.5", [1.0], (-20, 20), "undefined", 2,
         "diverged at step 2: f is undefined at x = -0.5"),
        # Adam with eps = 0 where a gradient component is exactly 0: 0/0 in the update
        ("x**2 + y**2", "adam:lr=0.1,eps=0", [0.0, 1.0], (-2, 2, -2, 2), "zero_by_zero", 1,
         "stopped at step 1: the update was 0/0 (eps = 0 where the gradient is 0)"),
        # exp(x^2) from 4: the step lands at about -7e7, where f is too large for float64
        ("exp(x**2)", "sgd:lr=1", [4.0], None, "undefined", 1,
         "diverged at step 1: f is not finite at x = -7.109e+07"),
    ],
)
def test_why_stopped_names_the_reason(function: str, spec: str, x0: list[float],
                                      bound: tuple[float, ...] | None, reason: str, step: int,
                                      words: str) -> None:
    from gdanim.trajectory import why_stopped

    f, opt = objectives.parse(function), optimizers.from_spec(spec)
    run = descend(f, opt, x0, 20, bound=bound)
    stop = why_stopped(f, opt, run)
    assert stop is not None and run.stopped_at == step
    assert (stop.reason, stop.step) == (reason, step)
    assert stop.sentence().startswith(words)
    assert stop.diverged == (reason != "zero_by_zero")
    assert why_stopped(f, opt, descend(f, opt, x0, 0, bound=bound)) is None


def test_why_stopped_overflow() -> None:
    from gdanim.trajectory import why_stopped

    f, opt = objectives.parse("x**2"), optimizers.sgd(lr=1e200)
    run = descend(f, opt, [1e200], 3)  # the step 1e200 * 2e200 is beyond float64
    stop = why_stopped(f, opt, run)
    assert stop is not None and stop.reason == "overflow"
    assert stop.short() == f"diverged at step {run.stopped_at}: overflow"


# ---- the reason recorded at the step, and the typed per-run accessors -----------------------

STOP_CASES = [
    ("x**2", "sgd:lr=1.1", [4.0], (-10, 10), "left"),
    ("log(x)", "sgd:lr=0.5", [1.0], (-20, 20), "undefined"),
    ("x**2 + y**2", "adam:lr=0.1,eps=0", [0.0, 1.0], (-2, 2, -2, 2), "zero_by_zero"),
    ("exp(x**2)", "sgd:lr=1", [4.0], None, "undefined"),
    ("x**2", "sgd:lr=1e200", [1e200], None, "overflow"),
    ("-1/x", "sgd:lr=1", [1.0], None, "undefined"),  # lands on the pole: infinite
    ("x^4", "sgd:lr=0.1", [3.0], None, "undefined"),  # x^4 too large for float64
]


@pytest.mark.parametrize(("function", "spec", "x0", "bound", "reason"), STOP_CASES)
def test_the_recorded_reason_is_the_replayed_one(function: str, spec: str, x0: list[float],
                                                 bound: tuple[float, ...] | None,
                                                 reason: str) -> None:
    from gdanim.trajectory import why_stopped

    f, opt = objectives.parse(function), optimizers.from_spec(spec)
    run = descend(f, opt, x0, 20, bound=bound)
    assert run.stop is not None and run.stop.reason == reason
    assert run.stop.step == run.stop_step == run.stopped_at
    assert why_stopped(f, opt, run) is run.stop
    assert why_stopped(f, opt, run, replay=True) == run.stop
    # the same reason for the same run inside a batch, next to a run that never stops
    batch = descend(f, opt, [x0, x0], 20, bound=bound)
    assert batch.run(0).stop == batch.run(1).stop == run.stop
    # and after a trip through a file
    assert Trajectory.load(run.save(_tmp_npz())).stop == run.stop


def _tmp_npz() -> Path:
    import tempfile

    return Path(tempfile.mkdtemp()) / "run.npz"


def test_a_run_without_a_recorded_reason_is_replayed() -> None:
    import dataclasses

    from gdanim.trajectory import why_stopped

    f, opt = objectives.parse("log(x)"), optimizers.sgd(lr=0.5)
    run = descend(f, opt, [1.0], 5)
    old = dataclasses.replace(run, stops=None)  # as read from a file of an earlier gdanim
    assert why_stopped(f, opt, old) == run.stop
    with pytest.raises(TrajectoryError, match="why was not recorded"):
        _ = old.stop


def test_one_run_of_a_batch() -> None:
    f = objectives.get("parabola")
    batch = descend(f, optimizers.sgd(), [[4.0], [-3.0], [4.0]], 30, bound=(-10, 10),
                    lr=[0.1, 0.2, 1.1])
    assert batch.n_runs == 3
    assert batch.stop_steps.tolist() == [-1, -1, 6]
    for i in range(3):
        one = batch.run(i)
        single = descend(f, optimizers.sgd(lr=[0.1, 0.2, 1.1][i]), batch.x0[i], 30,
                         bound=(-10, 10))
        assert not one.batched and one.n_runs == 1
        np.testing.assert_array_equal(one.points, single.points)
        np.testing.assert_array_equal(one.values, single.values)
        np.testing.assert_array_equal(one.valid_points(), single.valid_points())
        assert one.stop_step == single.stop_step and one.diverged == single.diverged
        assert one.stop == single.stop
        assert one.lrs.tolist() == single.lrs.tolist()
    assert batch.run(-1).stop_step == 6
    with pytest.raises(TrajectoryError, match="runs 0 to 2"):
        batch.run(3)
    single = batch.run(0)
    assert single.run(0) is single


def test_valid_points_stop_before_the_refused_step() -> None:
    f = objectives.get("parabola")
    run = descend(f, optimizers.sgd(lr=1.1), [4.0], 50, bound=(-10, 10))
    assert run.stop_step == 6 and run.last_valid_step == 5
    np.testing.assert_array_equal(run.valid_points(), run.points[:6])
    np.testing.assert_array_equal(run.valid_values(), run.values[:6])
    np.testing.assert_array_equal(run.valid_grads(), run.grads[:6])
    assert np.all(np.abs(run.valid_points()) <= 10)
    free = descend(f, optimizers.sgd(lr=0.1), [4.0], 50)
    assert free.stop_step is None and free.stop is None and free.last_valid_step == 50
    assert len(free.valid_points()) == 51 and free.stop_steps.tolist() == [-1]


def test_single_run_accessors_refuse_a_batch() -> None:
    batch = descend(objectives.get("parabola"), optimizers.sgd(lr=0.1), [[4.0], [2.0]], 3)
    for what in ("valid_points", "valid_values", "valid_grads"):
        with pytest.raises(TrajectoryError, match="single run"):
            getattr(batch, what)()
    for what in ("stop_step", "stop", "last_valid_step"):
        with pytest.raises(TrajectoryError, match="single run"):
            getattr(batch, what)
