"""Tests for gdanim.tune: the batched grid search picks what one run at a time would."""

from __future__ import annotations

import numpy as np
import pytest

from gdanim import TrajectoryError, descend, objectives, optimizers
from gdanim import schedules as S
from gdanim.regression import LINE, MSELoss, line_dataset
from gdanim.tuning import choose, default_grid, tune

SADDLE_RACE = [
    optimizers.sgd(),
    optimizers.adagrad(),
    optimizers.rmsprop(alpha=0.9),
    optimizers.sgd(momentum=0.9),
    optimizers.adam(betas=(0.9, 0.99)),
    optimizers.sgd(momentum=0.9, nesterov=True),
]


def one_at_a_time(
    f: objectives.Objective | MSELoss, opt: optimizers.Optimizer, start: list[float],
    steps: int, grid: np.ndarray, tol: float = 1e-9, **kw: object
) -> tuple[int | None, np.ndarray, np.ndarray]:
    """The grid's argmin with tune's rule, each rate its own independent descend run."""
    finals, diverged, curves = [], [], []
    for lr in grid:
        run = descend(f, opt.replace(lr=float(lr)), start, steps, **kw)  # type: ignore[arg-type]
        finals.append(float(run.values[-1]))
        diverged.append(bool(run.diverged))
        curves.append(run.values)
    final = np.array(finals)
    ok = ~np.array(diverged) & np.isfinite(final)
    if not ok.any():
        return None, final, np.array(diverged)
    best = final[ok].min()
    threshold = best + tol * max(1.0, abs(best))
    winner, fastest = None, None
    for i in range(len(grid)):
        if not ok[i] or final[i] > threshold:
            continue
        above = np.flatnonzero(~(curves[i] <= threshold))
        settle = 0 if above.size == 0 else int(above[-1]) + 1
        if fastest is None or settle < fastest:
            winner, fastest = i, settle
    return winner, final, np.array(diverged)


@pytest.mark.parametrize("opt", SADDLE_RACE, ids=lambda o: o.label)
def test_best_rate_is_the_grids_argmin_one_run_at_a_time_on_the_saddle(
    opt: optimizers.Optimizer,
) -> None:
    f = objectives.get("saddle")
    result = tune(f, opt, [1e-5, 0.5], 500)
    grid = default_grid()
    np.testing.assert_array_equal(result.grid, grid)
    index, final, diverged = one_at_a_time(f, opt, [1e-5, 0.5], 500, grid)
    assert result.best_index == index
    assert result.best_lr == grid[index]
    # every run of the batch is the run computed alone, bit for bit
    np.testing.assert_array_equal(result.final_loss, final)
    np.testing.assert_array_equal(result.diverged, diverged)
    assert result.best_optimizer == opt.replace(lr=float(grid[index]))


@pytest.mark.parametrize("bound", [None, (-1.0, 2.0, -1.0, 1.0)])
def test_diverged_runs_never_win(bound: tuple[float, ...] | None) -> None:
    f = objectives.get("saddle")
    result = tune(f, "adam", [1e-5, 0.5], 300, bound=bound)
    assert result.best_index is not None
    assert not result.diverged[result.best_index]
    index, final, diverged = one_at_a_time(f, optimizers.adam(), [1e-5, 0.5], 300,
                                           default_grid(), bound=bound)
    assert result.best_index == index
    if bound is not None:
        # leaving the view counts as diverged: those runs had lower losses but cannot win
        assert result.diverged.any()
        assert np.min(result.final_loss[result.diverged]) < result.best_loss  # type: ignore[operator]
        np.testing.assert_array_equal(result.stopped_at >= 0, result.diverged)


def test_ties_go_to_the_fewest_steps_then_the_smaller_rate() -> None:
    # on the bowl many rates reach the minimum (loss 0 to within 1e-9): a tie on final loss
    f = objectives.get("bowl")
    result = tune(f, "sgd", [2.0, 2.0], 60)
    tied = np.flatnonzero(result.final_loss <= result.threshold)
    assert len(tied) > 5
    assert result.best_index in tied
    reach = result.steps_to_tol[tied]
    assert result.steps_to_tol[result.best_index] == reach.min()
    # SGD on x^2 + y^2 is fastest at lr = 0.5 (one step); the grid's nearest rates win
    assert 0.4 < result.best_lr < 0.6  # type: ignore[operator]
    index, _, _ = one_at_a_time(f, optimizers.sgd(), [2.0, 2.0], 60, default_grid())
    assert result.best_index == index
    # equal final loss and equal steps: the earlier (smaller) rate wins
    values = np.array([[5.0, 5.0, 5.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    assert choose(values[-1], np.zeros(3, bool), values, 1e-9)[0] == 0
    # a diverged run never wins, even with the lowest loss
    assert choose(values[-1] - np.array([1, 0, 0]), np.array([True, False, False]), values,
                  1e-9)[0] == 1
    # all diverged: no winner
    best, threshold, reach = choose(values[-1], np.ones(3, bool), values, 1e-9)
    assert best is None and np.isnan(threshold) and (reach == -1).all()


def test_everything_diverged_gives_no_winner() -> None:
    r = tune(objectives.get("bowl"), "sgd", [2.0, 2.0], 50, [1.5, 2.0, 5.0], bound=(-9, 9, -9, 9))
    assert r.diverged.all() and r.best_index is None and r.best_lr is None
    assert r.best_optimizer is None and r.best_loss is None


def test_tune_a_regression_loss() -> None:
    """SGD on the line's MSE: the best rate lies below the stability limit 2/lambda_max, and
    rates above it blow up (with a bound, they count as diverged)."""
    loss = MSELoss(LINE, *line_dataset())
    limit = 2 / np.linalg.eigvalsh(loss.hessian()).max()
    r = tune(loss, "sgd", [0.0, 0.0], 300, bound=(-1e3, 1e3, -1e3, 1e3))
    assert r.best_lr is not None and r.best_lr < limit
    assert r.diverged[r.grid > 1.05 * limit].all()
    assert not r.diverged[r.grid < 0.95 * limit].any()
    assert r.best_loss == pytest.approx(float(loss.value(loss.minimum)), rel=0.05)
    index, final, _ = one_at_a_time(loss, optimizers.sgd(), [0.0, 0.0], 300, r.grid,
                                    bound=(-1e3, 1e3, -1e3, 1e3))
    assert r.best_index == index
    np.testing.assert_array_equal(r.final_loss, final)


def test_hyperparameters_and_aliases() -> None:
    f = objectives.get("long_valley")
    r = tune(f, "nesterov", [-7.0, 2.0], 100, [0.01, 0.1])
    assert r.optimizer == optimizers.sgd(momentum=0.9, nesterov=True)
    r = tune(f, "adam", [-7.0, 2.0], 100, [0.01, 0.1], betas=(0.9, 0.99))
    assert r.optimizer.hyperparameters["betas"] == (0.9, 0.99)
    r = tune(f, optimizers.rmsprop(alpha=0.9), [-7.0, 2.0], 100, [0.01, 0.1], momentum=0.5)
    assert r.optimizer == optimizers.rmsprop(alpha=0.9, momentum=0.5)
    assert r.curve[0].tolist() == [0.01, 0.1] and r.curve[1].shape == (2,)
    assert r.runs.points.shape == (101, 2, 2) and r.runs.lrs.shape == (100, 2)


def test_tune_with_a_schedule_scales_each_runs_rate() -> None:
    f = objectives.get("long_valley")
    sched = S.CosineAnnealingLR(T_max=100)
    r = tune(f, "adam", [-7.0, 2.0], 100, [0.01, 0.3], schedule=sched)
    np.testing.assert_array_equal(r.runs.lrs[:, 1], sched.rates(0.3, 100))
    alone = descend(f, optimizers.adam(lr=0.3), [-7.0, 2.0], 100, schedule=sched)
    assert r.final_loss[1] == alone.values[-1]


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"grid": []}, ValueError, "non-empty"),
    ({"grid": [0.1, -0.1]}, ValueError, ">= 0"),
    ({"grid": [0.1, float("nan")]}, ValueError, "finite"),
    ({"grid": [[0.1]]}, ValueError, "non-empty list"),
    ({"lr": 0.1}, ValueError, "grid="),
    ({"tol": -1.0}, ValueError, "tol"),
    ({"foo": 1}, ValueError, "no hyperparameter 'foo'"),
])
def test_bad_arguments(kwargs: dict[str, object], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        tune(objectives.get("bowl"), "sgd", [1.0, 1.0], 10, **kwargs)  # type: ignore[arg-type]


def test_bad_names_and_starts() -> None:
    with pytest.raises(ValueError, match="unknown optimizer 'adamax'"):
        tune(objectives.get("bowl"), "adamax", [1.0, 1.0], 10)
    with pytest.raises(TrajectoryError):
        tune(objectives.get("bowl"), "sgd", [[1.0, 1.0]], 10)
    with pytest.raises(TrajectoryError):
        tune(objectives.get("bowl"), "sgd", [1.0, 1.0, 1.0], 10)


def test_default_grid() -> None:
    g = default_grid()
    assert g.shape == (48,) and g[0] == pytest.approx(1e-4) and g[-1] == pytest.approx(10.0)
    np.testing.assert_allclose(np.diff(np.log(g)), np.log(1e5) / 47)
    with pytest.raises(ValueError):
        default_grid(0)
