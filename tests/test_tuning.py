"""Tests for gdanim.tune: the batched grid search picks what one run at a time would."""

from __future__ import annotations

import numpy as np
import pytest

from gdanim import TrajectoryError, descend, objectives, optimizers
from gdanim import schedules as S
from gdanim.regression import LINE, MSELoss, line_dataset
from gdanim.tuning import (
    RaceTuning,
    choose,
    competition_ranks,
    default_grid,
    steps_within,
    tune,
    tune_race,
)

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


# --------------------------------------------------------------------------------------------
# The criterion "steps to target"
# --------------------------------------------------------------------------------------------

SADDLE_VIEW = (-1.0, 2.0, -1.0, 1.0)


def target_one_at_a_time(
    f: objectives.Objective, opt: optimizers.Optimizer, start: list[float], steps: int,
    grid: np.ndarray, target: float, **kw: object
) -> tuple[int | None, list[int]]:
    """The rule written out, each rate its own descend run: the first step from which the
    loss stays <= target to the end of the record (a stopped run is held at its last point);
    fewest such steps wins, then the lower final loss, then the smaller rate."""
    best: tuple[int, float, int] | None = None
    all_steps = []
    for i, lr in enumerate(grid):
        run = descend(f, opt.replace(lr=float(lr)), start, steps, **kw)  # type: ignore[arg-type]
        settle = -1
        for t in range(steps, -1, -1):
            if not run.values[t] <= target:
                break
            settle = t
        all_steps.append(settle)
        if settle < 0:
            continue
        key = (settle, float(run.values[-1]), i)
        if best is None or key < best:
            best = key
    return (None if best is None else best[2]), all_steps


@pytest.mark.parametrize("opt", SADDLE_RACE, ids=lambda o: o.label)
def test_target_best_rate_is_the_grids_argmin_one_run_at_a_time_on_the_saddle(
    opt: optimizers.Optimizer,
) -> None:
    f = objectives.get("saddle")
    result = tune(f, opt, [1e-5, 0.5], 500, bound=SADDLE_VIEW, target=-0.5)
    index, steps = target_one_at_a_time(f, opt, [1e-5, 0.5], 500, default_grid(), -0.5,
                                        bound=SADDLE_VIEW)
    assert result.criterion == "steps to target" and result.threshold == -0.5
    assert result.best_index == index is not None
    assert result.steps_to_tol.tolist() == steps
    assert result.best_steps == steps[index]
    # the winner got below -0.5 (so x >= 1) while inside the view
    run = result.runs.points[:, index]
    t = result.best_steps
    assert f.value(run[t]) <= -0.5 and abs(run[t, 0]) >= 1.0
    lo, hi = np.array(SADDLE_VIEW[::2]), np.array(SADDLE_VIEW[1::2])
    assert np.all((run[: t + 1] >= lo) & (run[: t + 1] <= hi))


def test_on_the_saddle_final_loss_rewards_ending_just_inside_the_box() -> None:
    """Why the saddle needs a target: by final loss with the view as bound, every run that
    went down the saddle far enough to leave the view is out, and the winner is a slow run
    still inside; by steps to target the winner reaches f <= -0.5 inside the view, then
    leaves it, which is allowed."""
    f = objectives.get("saddle")
    by_final = tune(f, "sgd", [1e-5, 0.5], 500, bound=SADDLE_VIEW)
    by_target = tune(f, "sgd", [1e-5, 0.5], 500, bound=SADDLE_VIEW, target=-0.5)
    i, j = by_final.best_index, by_target.best_index
    assert i is not None and j is not None and i != j
    assert not by_final.diverged[i]  # ends inside the box
    assert by_target.diverged[j]  # reached the target, then left the view
    # the final-loss winner (lr 0.022) is still at x = 0.51 after 500 steps: it never gets
    # to f <= -0.5, which the target's winner reaches at step 19
    assert not by_target.reached[i] and by_target.steps_to_tol[j] == 19
    assert by_final.final_loss[i] > -0.5
    # runs that left the view went lower than the final-loss winner but could not win
    assert by_final.runs.values[:, by_final.diverged].min() < by_final.final_loss[i]
    # too small rates never get there; the largest rates leave the view first
    assert not by_target.reached[0] and not by_target.diverged[0]
    assert by_target.left_first[-1]
    assert (by_target.reached | by_target.left_first | ~by_target.diverged).all()


def test_target_rules_on_given_runs() -> None:
    never = np.zeros(3, bool)
    # fewest steps wins, even against a lower final loss
    values = np.array([[4.0, 4.0, 4.0], [3.0, 0.4, 2.0], [0.1, 0.3, -5.0]])
    best, threshold, reach = choose(values[-1], never, values, 1e-9, target=0.5)
    assert (best, threshold, reach.tolist()) == (1, 0.5, [2, 1, 2])
    # equal steps: the lower final loss wins; equal both: the earlier (smaller) rate
    values = np.array([[4.0, 4.0, 4.0], [0.4, 0.2, 0.2], [0.3, 0.1, 0.1]])
    assert choose(values[-1], never, values, 1e-9, target=0.5)[0] == 1
    values = np.array([[4.0, 4.0, 4.0], [0.4, 0.4, 0.2], [0.3, 0.3, 0.3]])
    assert choose(values[-1], never, values, 1e-9, target=0.5)[0] == 0
    # dipping below and coming back does not count from the dip
    values = np.array([[4.0, 4.0], [0.1, 2.0], [3.0, 0.4], [0.2, 0.3]])
    _, _, reach = choose(values[-1], np.zeros(2, bool), values, 1e-9, target=0.5)
    assert reach.tolist() == [3, 2]
    # a run stopped by the bound (held at its last point) counts; none reaching: no winner
    values = np.array([[4.0, 4.0], [0.4, 3.0], [0.4, 2.0]])
    assert choose(values[-1], np.array([True, False]), values, 1e-9, target=0.5)[0] == 0
    best, threshold, reach = choose(values[-1], never[:2], values, 1e-9, target=-1.0)
    assert best is None and threshold == -1.0 and (reach == -1).all()
    with pytest.raises(ValueError, match="finite"):
        tune(objectives.get("bowl"), "sgd", [1.0, 1.0], 10, target=float("nan"))


def test_target_on_the_long_valley_counts_staying_below() -> None:
    """Momentum swings through f = 1e-3 before it settles: the criterion takes the step from
    which it stays below, as the one-at-a-time rule does."""
    f = objectives.get("long_valley")
    view = (-10.0, 10.0, -5.0, 5.0)
    opt = optimizers.sgd(momentum=0.9)
    r = tune(f, opt, [-7.0, 2.0], 100, bound=view, target=1e-3)
    index, steps = target_one_at_a_time(f, opt, [-7.0, 2.0], 100, default_grid(), 1e-3,
                                        bound=view)
    assert r.best_index == index and r.steps_to_tol.tolist() == steps
    first = np.argmax(r.runs.values <= 1e-3, axis=0)
    swing = r.reached & (first < r.steps_to_tol)
    assert swing.any()  # runs that dipped below earlier than they stayed


# --------------------------------------------------------------------------------------------
# A race, tuned
# --------------------------------------------------------------------------------------------

SADDLE_SPECS = (
    "sgd:lr=0.05",
    "momentum:lr=0.05,momentum=0.9",
    "nesterov:lr=0.01,momentum=0.9",
    "adagrad:lr=0.05",
    "rmsprop:lr=0.05,alpha=0.9",
    "adam:lr=0.05,betas=0.9/0.99",
)


def test_tune_race_on_the_saddle() -> None:
    f = objectives.get("saddle")
    race = tune_race(f, SADDLE_SPECS, [1e-5, 0.5], 500, bound=SADDLE_VIEW, target=-0.5)
    assert race.criterion == "steps to target"
    names = [e.name for e in race.entries]
    assert names == ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
    for e, spec in zip(race.entries, SADDLE_SPECS, strict=True):
        opt = optimizers.from_spec(spec)
        assert e.given == opt
        alone = tune(f, opt, [1e-5, 0.5], 500, bound=SADDLE_VIEW, target=-0.5)
        assert e.tuned_lr == alone.best_lr and e.tuned_steps == alone.best_steps
        given = descend(f, opt, [1e-5, 0.5], 500, bound=SADDLE_VIEW)
        np.testing.assert_array_equal(e.given_run.points, given.points)
        assert e.given_steps == int(steps_within(given.values, -0.5))
        assert e.tuned_run is not None
        np.testing.assert_array_equal(e.tuned_run.values,
                                      alone.runs.values[:, alone.best_index])
        # the tuned spec builds the tuned optimizer (every other hyperparameter kept)
        assert optimizers.from_spec(e.spec) == opt.replace(lr=alone.best_lr)
    steps = {e.name: (e.given_steps, e.tuned_steps) for e in race.entries}
    assert steps == {"SGD": (236, 19), "Momentum": (66, 11), "Nesterov": (181, 14),
                     "AdaGrad": (57, 2), "RMSprop": (8, 2), "Adam": (21, 2)}
    assert race.order("given") == ("RMSprop", "Adam", "AdaGrad", "Momentum", "Nesterov", "SGD")
    assert race.ranks("tuned") == (6, 4, 5, 1, 1, 1)
    assert race.ties("tuned") == (("AdaGrad", "RMSprop", "Adam"),)
    assert race.ties("given") == ()
    assert race.overtakes() == ()


def test_tune_race_ranks_and_overtakes_on_the_valley() -> None:
    f = objectives.get("long_valley")
    specs = ["sgd:lr=0.95", "adagrad:lr=1.5", "rmsprop:lr=0.05,alpha=0.9",
             "momentum:lr=0.1,momentum=0.9", "adam:lr=0.3,betas=0.9/0.99"]
    race = tune_race(f, specs, [-7.0, 2.0], 100, bound=(-10, 10, -5, 5), target=1e-3)
    keys = {e.name: (e.key("given"), e.key("tuned")) for e in race.entries}
    assert keys["RMSprop"][0] is None  # never below 1e-3 at lr 0.05
    assert race.ranks("given") == competition_ranks([e.key("given") for e in race.entries])
    assert race.ranks("given")[2] == 5  # RMSprop last
    given, tuned = race.ranks("given"), race.ranks("tuned")
    for a, b in race.overtakes():
        i, j = names_index(race, a), names_index(race, b)
        assert given[i] > given[j] and tuned[i] < tuned[j]
    assert ("Momentum", "Adam") in race.overtakes()


def names_index(race: RaceTuning, name: str) -> int:
    return [e.name for e in race.entries].index(name)


def test_tune_race_by_final_loss_and_with_a_schedule() -> None:
    f = objectives.get("long_valley")
    race = tune_race(f, ["sgd:lr=0.5 @ cosine", optimizers.adam(lr=0.3)], [-7.0, 2.0], 50,
                     grid=[0.01, 0.1, 0.5, 0.9])
    assert race.criterion == "final loss" and race.target is None
    sgd, adam = race.entries
    assert sgd.schedule == S.CosineAnnealingLR(T_max=50)
    assert sgd.spec == f"sgd:lr={sgd.tuned_lr:g} @ cosine:T_max=50"
    opt, sched = optimizers.from_spec_with_schedule(sgd.spec)
    assert opt == sgd.tuned and sched == sgd.schedule
    np.testing.assert_array_equal(sgd.given_run.lrs, S.CosineAnnealingLR(T_max=50).rates(0.5, 50))
    assert adam.schedule is None and adam.spec == adam.tuned.spec
    # by final loss the race ranks the final losses of runs that did not diverge
    finals = [e.tuned_final for e in race.entries]
    assert race.ranks("tuned") == competition_ranks(finals)


def test_a_schedule_that_sets_the_rate_cannot_be_tuned() -> None:
    with pytest.raises(ValueError, match="sets the rate itself"):
        tune(objectives.get("bowl"), "sgd", [1.0, 1.0], 20,
             schedule=S.OneCycleLR(max_lr=0.1, total_steps=20))


def test_competition_ranks() -> None:
    assert competition_ranks([]) == ()
    assert competition_ranks([None, None]) == (1, 1)
    assert competition_ranks([2.0, 2.0, 1.0]) == (2, 2, 1)
