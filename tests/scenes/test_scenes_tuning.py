"""What the noise, schedules and tuned-race scenes show.

GradientNoise (mini-batch gradient clouds, the law of their spread, the noise ball),
LearningRateSchedules (one SGD run under four schedules) and TunedRace (the saddle and the
long-valley races at tuned rates). Each is built once at low quality with animations skipped;
the assertions compare what the scene holds, shows and says with gdanim's own computation, check
that every claim in the captions holds for the numbers, that nothing leaves the frame, that
captions stay up long enough to be read aloud without overlapping, and compare the last frame
with its golden frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from manim import Scene

from gdanim import descend, objectives, optimizers
from gdanim import schedules as S
from gdanim.regression import (
    LINE,
    MSELoss,
    distance_to,
    gradient_spread,
    least_squares,
    line_dataset,
    noise_ball_runs,
)
from gdanim.tuning import competition_ranks, default_grid, steps_within, tune, tune_race
from scenes import catalog
from scenes.noise import GradientNoise
from scenes.race import RACE_C
from scenes.races3d import RACE_B
from scenes.schedules import SCHEDULES, LearningRateSchedules, sci_words
from scenes.tuned import SADDLE, VALLEY, TunedRace, fmt_rate, ranking_words
from tests.scenes.checks import assert_captions_readable, assert_inside_frame, captions

Render = Callable[..., tuple[Scene, np.ndarray]]
Golden = Callable[[str, np.ndarray], None]

X, Y = line_dataset()
BEST = least_squares(LINE, X, Y)


def _shown(scene: Scene) -> str:
    """Every word and formula on screen at the end, joined."""
    parts = []
    for top in scene.mobjects:
        for m in top.get_family():
            if hasattr(m, "tex_string"):
                parts.append(m.tex_string)
            elif hasattr(m, "original_text"):
                parts.append(m.original_text)
    return " | ".join(parts)


def _said(scene: Scene) -> str:
    return " ".join(text for text, _, _ in captions(scene))


def _durations_ok(scene: Scene) -> None:
    assert 30.0 <= scene.renderer.time <= 47.0, scene.renderer.time


def test_the_scenes_are_listed_and_the_noise_is_placed_in_the_lecture() -> None:
    lecture = list(catalog.LECTURE)
    for name, module in (("GradientNoise", "noise"), ("LearningRateSchedules", "schedules"),
                         ("TunedRace", "tuned")):
        info = catalog.SCENES[name]
        assert info.module == module and info.file.exists()
    # the noise SGD lives with comes before the optimizers built for it
    assert lecture.index("GradientNoise") < lecture.index("BeyondSGD")
    assert lecture.index("GradientNoise") > lecture.index("SurfaceDescent3D")
    # the schedules and the tuned race are standalone scenes
    assert "LearningRateSchedules" not in lecture and "TunedRace" not in lecture


# ---- GradientNoise -----------------------------------------------------------------------------


@pytest.fixture
def noise(rendered: Callable[[type[Scene]], tuple[Any, np.ndarray]]) -> tuple[Any, Any]:
    return rendered(GradientNoise)


def test_noise_clouds_are_gradient_spread_and_follow_the_law(
    noise: tuple[Any, np.ndarray],
) -> None:
    scene, _ = noise
    rows = gradient_spread((0.0, 0.0), (1, 4, 16, 64), draws=4000, seed=0)
    assert [r.batch_size for r in scene.spreads] == [1, 4, 16, 64]
    for got, want in zip(scene.spreads, rows, strict=True):
        np.testing.assert_array_equal(got.grads, want.grads)
        assert got.spread == want.spread and got.predicted == want.predicted
        # the law shown (without replacement), within 10% of the measured spread
        assert abs(got.spread / got.predicted - 1) <= 0.10
    # each cloud draws the first batches of its measurement, where gdanim put them
    for cloud in scene.clouds:
        assert len(cloud) == GradientNoise.SHOWN
    assert scene.sigma == rows[0].predicted
    v = scene.values
    assert (v["s1"], v["s4"], v["s16"], v["s64"]) == ("187.0", "90.0", "42.7", "14.0")
    assert (v["sigma"], v["plain_last"], v["fpc_last"]) == ("184.3", "23.0", "0.60")
    said = _said(scene)
    assert "187.0 at B = 1, 90.0 at 4, 42.7 at 16" in said
    # "each 4x larger batch about halves it": the measured ratios, B = 1 -> 4 -> 16
    s = [r.spread for r in rows]
    assert all(0.4 < b / a < 0.55 for a, b in zip(s[:3], s[1:3], strict=False))
    # "at B = 64 it is 14.0, below sigma/8 = 23.0": the correction sqrt(36/99) = 0.60
    assert s[3] < rows[0].predicted / 8
    assert np.sqrt(rows[3].correction) == pytest.approx(np.sqrt(36 / 99))
    assert "below \u03c3/8 = 23.0" in said and "= 0.60" in said
    assert scene.sigma_note.original_text == "\u03c3 = 184.3 (single points),  N = 100"


def test_noise_cloud_dots_are_the_batch_gradients(noise: tuple[Any, np.ndarray]) -> None:
    scene, _ = noise
    # the law plot's dots sit at (B, measured spread) of the log-log plot
    law = scene.law_plot
    for dot, r in zip(scene.law_dots, scene.spreads, strict=True):
        assert np.allclose(dot.get_center(), law.c2p(r.batch_size, r.spread), atol=1e-9)


def test_noise_ball_runs_and_their_numbers(noise: tuple[Any, np.ndarray]) -> None:
    scene, _ = noise
    runs = noise_ball_runs(lr=0.01, epochs=60, batch_size=1, seed=0)
    for key in ("constant", "decaying"):
        np.testing.assert_array_equal(scene.runs[key].params, runs[key].params)
        d = distance_to(runs[key], BEST)
        assert scene.hover[key] == float(d[-1000:].mean())
        # the dots are the last 1,000 points of the run, the path all of it
        assert len(scene.tails[key]) == 1000
        assert len(scene.paths[key].points_scene) == runs[key].steps + 1
    assert runs["decaying"].schedule == "cosine:T_max=6000"
    v = scene.values
    assert (v["hover_c"], v["hover_d"]) == ("0.165", "0.014")
    # the decaying run settles: ten times closer than the constant one hovers
    assert scene.hover["decaying"] < scene.hover["constant"] / 10
    said = _said(scene)
    assert "0.165 from the best fit" in said and "ends 0.014 from the fit" in said
    shown = _shown(scene)
    assert "mean distance 0.165" in shown and "mean distance 0.014" in shown


def test_noise_frame_andcaptions(noise: tuple[Any, np.ndarray], golden: Golden) -> None:
    scene, frame = noise
    assert_inside_frame(scene)
    assert_captions_readable(scene)
    _durations_ok(scene)
    golden("GradientNoise", frame)


# ---- LearningRateSchedules ---------------------------------------------------------------------


@pytest.fixture
def sched(rendered: Callable[[type[Scene]], tuple[Any, np.ndarray]]) -> tuple[Any, Any]:
    return rendered(LearningRateSchedules)


def test_schedules_are_the_noise_run_under_four_schedules(
    sched: tuple[Any, np.ndarray],
) -> None:
    scene, _ = sched
    base = noise_ball_runs(lr=0.01, epochs=60, batch_size=1, seed=0)
    rows = {r.name: r for r in scene.rows}
    assert [r.name for r in scene.rows] == [name for name, _, _ in SCHEDULES]
    np.testing.assert_array_equal(rows["constant"].run.params, base["constant"].params)
    np.testing.assert_array_equal(rows["cosine"].run.params, base["decaying"].params)
    for name, spec, _ in SCHEDULES:
        row = rows[name]
        assert row.run.steps == 6000
        np.testing.assert_array_equal(row.run.orders, base["constant"].orders)  # same batches
        if spec is None:
            assert row.schedule is None and np.all(row.run.step_lr == 0.01)
            continue
        sch = S.from_spec(spec, steps=6000)
        assert row.schedule == sch
        np.testing.assert_array_equal(row.run.step_lr, sch.rates(0.01, 6000))
        if name != "cosine":
            alone = noise_ball_runs(lr=0.01, epochs=60, batch_size=1, seed=0, decay=sch)
            np.testing.assert_array_equal(row.run.params, alone["decaying"].params)
    loss = MSELoss(LINE, X, Y)
    low = float(loss.value(BEST))
    for row in scene.rows:
        np.testing.assert_allclose(row.excess, loss.value(row.run.params) - low, rtol=0,
                                   atol=0)
        assert row.last_epoch == float(row.excess[-100:].mean())


def test_schedule_claims_hold(sched: tuple[Any, np.ndarray]) -> None:
    scene, _ = sched
    rows = {r.name: r for r in scene.rows}
    said = _said(scene)
    # "StepLR divides eta by 10 every 2,000 steps, and each cut shrinks the ball"
    step = rows["StepLR"]
    assert "divides \u03b7 by 10 every 2,000 steps" in said
    d = distance_to(step.run, BEST)
    for cut in (2000, 4000):
        assert d[cut + 1 : cut + 1000].mean() < d[cut - 1000 : cut].mean()
    assert step.run.step_lr[1999] == 0.01 and step.run.step_lr[2000] == pytest.approx(0.001)
    # the warm-up's first step stops short of the fit where the full rate jumps past it
    warm, const = rows["warm-up + cosine"], rows["constant"]
    assert warm.run.step_lr[0] == pytest.approx(0.001)
    m_warm, m_const = warm.run.params[1][0], const.run.params[1][0]
    assert m_warm < BEST[0] < m_const
    v = scene.values
    assert (v["m_warm"], v["m_const"], v["m_best"]) == ("0.42", "4.19", "2.97")
    assert ("first step lands at m = 0.42; at the full rate the first step overshoots the "
            "fit's 2.97 to 4.19") in said
    # the last epoch: the decaying schedules end four orders of magnitude lower
    assert (v["const"], v["step"], v["cosine"], v["warm"]) == (
        "0.92", "2.1\u00b710\u207b\u2074", "3.9\u00b710\u207b\u2075", "5.4\u00b710\u207b\u2075")
    for name in ("StepLR", "cosine", "warm-up + cosine"):
        assert rows[name].last_epoch < const.last_epoch / 1000
    for row in scene.rows:
        assert row.readout.original_text == f"last epoch: {sci_words(row.last_epoch)}"


def test_schedules_frame_andcaptions(sched: tuple[Any, np.ndarray], golden: Golden) -> None:
    scene, frame = sched
    assert_inside_frame(scene)
    assert_captions_readable(scene)
    _durations_ok(scene)
    golden("LearningRateSchedules", frame)


# ---- TunedRace ---------------------------------------------------------------------------------


@pytest.fixture
def tuned(rendered: Callable[[type[Scene]], tuple[Any, np.ndarray]]) -> tuple[Any, Any]:
    return rendered(TunedRace)


def test_tuned_races_are_the_lecture_races(tuned: tuple[Any, np.ndarray]) -> None:
    scene, _ = tuned
    assert SADDLE.specs == RACE_C.specs and SADDLE.view == RACE_C.view
    assert SADDLE.start == RACE_C.start and SADDLE.steps == RACE_C.steps == 500
    assert VALLEY.specs == tuple(RACE_B["optimizers"]) and VALLEY.steps == 100
    assert (SADDLE.target, VALLEY.target) == (-0.5, 1e-3)
    for spec in (SADDLE, VALLEY):
        race = scene.races[spec.name]
        again = tune_race(objectives.resolve(spec.objective), spec.specs, spec.start,
                          spec.steps, bound=spec.view, target=spec.target)
        np.testing.assert_array_equal(race.grid, default_grid())
        for e, want in zip(race.entries, again.entries, strict=True):
            assert e.given == optimizers.from_spec(spec.specs[race.entries.index(e)])
            assert (e.tuned_lr, e.tuned_steps, e.given_steps) == (
                want.tuned_lr, want.tuned_steps, want.given_steps)


def test_tuned_best_rates_are_the_grid_argmin_by_the_criterion(
    tuned: tuple[Any, np.ndarray],
) -> None:
    """For two optimizers of each race: the tuned rate is the grid's best by the rule on
    screen, every rate of the grid run on its own."""
    scene, _ = tuned
    for spec, names in ((SADDLE, ("SGD", "Adam")), (VALLEY, ("Momentum", "AdaGrad"))):
        f = objectives.resolve(spec.objective)
        race = scene.races[spec.name]
        for e in race.entries:
            if e.name not in names:
                continue
            keys = []
            for i, lr in enumerate(race.grid):
                run = descend(f, e.given.replace(lr=float(lr)), spec.start, spec.steps,
                              bound=spec.view)
                k = int(steps_within(run.values, spec.target))
                if k >= 0:
                    keys.append((k, float(run.values[-1]), i))
            best = min(keys)
            assert e.tuned_lr == float(race.grid[best[2]]) and e.tuned_steps == best[0]


def test_tuned_numbers_on_screen_and_in_words(tuned: tuple[Any, np.ndarray]) -> None:
    scene, _ = tuned
    saddle, valley = scene.races[SADDLE.name], scene.races[VALLEY.name]
    steps = {e.name: (e.given_steps, e.tuned_steps) for e in saddle.entries}
    assert steps == {"SGD": (236, 19), "Momentum": (66, 11), "Nesterov": (181, 14),
                     "AdaGrad": (57, 2), "RMSprop": (8, 2), "Adam": (21, 2)}
    steps = {e.name: (e.given_steps, e.tuned_steps) for e in valley.entries}
    assert steps == {"SGD": (43, 44), "AdaGrad": (29, 5), "RMSprop": (None, 88),
                     "Momentum": (83, 74), "Adam": (81, 77)}
    # the ranks: from the steps, ties shared, "never" last
    for race in (saddle, valley):
        for which in ("given", "tuned"):
            keys = [e.given_steps if which == "given" else e.tuned_steps for e in race.entries]
            assert race.ranks(which) == competition_ranks(  # type: ignore[arg-type]
                [None if k is None else float(k) for k in keys])
    # what changed, as computed and as shown
    assert saddle.overtakes() == () and saddle.ties("tuned") == (("AdaGrad", "RMSprop", "Adam"),)
    assert valley.overtakes() == (("Momentum", "Adam"),)
    assert scene.changes[SADDLE.name] == ranking_words(saddle) == (
        "No one overtakes anyone; AdaGrad, RMSprop and Adam now tie.")
    assert scene.changes[VALLEY.name] == "Momentum overtakes Adam."
    said = _said(scene)
    for text in ("takes 19 steps, not 236", "AdaGrad, RMSprop and Adam tie at 2",
                 "No one overtakes anyone", "AdaGrad at \u03b7 = 6.13 gets there in 5 steps",
                 "RMSprop, never there at 0.05, in 88", "Momentum overtakes Adam",
                 "the grid's best, 0.863, takes 44 steps, not 43",
                 "48 rates from 0.0001 to 10", "fewest steps to f \u2264 \u22120.5",
                 "fewest steps to f \u2264 0.001"):
        assert text in said, text
    # SGD's hand-picked 0.95 is not on the grid; its neighbours there are 0.863 and 1.10
    grid = valley.grid
    below, above = grid[grid < 0.95].max(), grid[grid > 0.95].min()
    assert fmt_rate(below) == "0.863" and 0.95 not in grid
    sgd = tune(objectives.get("long_valley"), "sgd", [-7.0, 2.0], 100, [above],
               bound=(-10, 10, -5, 5), target=1e-3)
    assert sgd.best_index is None  # 1.10 never gets there and stays
    # the tables show these numbers, rows in the order of the tuned race
    rows = scene.tables[VALLEY.name]
    assert list(rows) == ["AdaGrad", "SGD", "Momentum", "Adam", "RMSprop"]
    assert rows["RMSprop"] == ["RMSprop", "0.05", "> 100 (#5)", "0.155", "88 (#5)"]
    assert rows["Momentum"] == ["Momentum", "0.1", "83 (#4)", "0.0357", "74 (#3)"]
    rows = scene.tables[SADDLE.name]
    assert rows["SGD"] == ["SGD", "0.05", "236 (#6)", "0.863", "19 (#6)"]
    assert rows["Adam"][4] == "2 (#1)" and rows["RMSprop"][2] == "8 (#1)"
    # what "best" means is on screen
    shown = _shown(scene)
    assert scene.criteria[VALLEY.name] in shown
    assert scene.criteria[SADDLE.name].startswith(
        "best rate: fewest steps to reach f \u2264 \u22120.5 and stay there, inside the view")


def test_tuned_panels_mark_the_best_and_the_hand_picked_rate(
    tuned: tuple[Any, np.ndarray],
) -> None:
    scene, _ = tuned
    for spec in (SADDLE, VALLEY):
        race = scene.races[spec.name]
        for e in race.entries:
            plot, best, hand = scene.panels[spec.name][e.name]
            assert e.tuned_lr is not None and e.tuned_steps is not None
            ring, label = best
            assert np.allclose(ring.get_center(), plot.c2p(e.tuned_lr, max(e.tuned_steps, 1)),
                               atol=1e-6)
            assert label.original_text == f"{fmt_rate(e.tuned_lr)}: {e.tuned_steps} steps"
            words = hand[1][1].original_text
            steps = (f"{e.given_steps} steps" if e.given_steps is not None
                     else f"not in {spec.steps}")
            assert words == f"{e.given_lr:g}: {steps}"


def test_tuned_paths_are_the_tuned_runs(tuned: tuple[Any, np.ndarray]) -> None:
    scene, _ = tuned
    for spec in (SADDLE, VALLEY):
        race = scene.races[spec.name]
        for e in race.entries:
            run = e.tuned_run
            assert run is not None
            stop = run.steps if run.stopped_at is None else int(run.stopped_at) - 1
            path = scene.paths[spec.name][e.name]
            assert len(path.points_scene) == stop + 1
            # a run reaches its target inside the view: the path shows that point
            assert e.tuned_steps is not None and e.tuned_steps <= stop
            assert float(run.values[e.tuned_steps]) <= spec.target


def test_tuned_frame_andcaptions(tuned: tuple[Any, np.ndarray], golden: Golden) -> None:
    scene, frame = tuned
    assert_inside_frame(scene)
    assert_captions_readable(scene)
    _durations_ok(scene)
    golden("TunedRace", frame)
