"""What the steepest-descent, convexity and conditioning scenes show.

UpdateRule (why a step against the slope goes down, and a step too large goes up), Convexity
(six starts on x^2 and on the wavy curve), ValleyConditioning and LineFitConditioning. Each is
built at low quality with animations skipped; the assertions compare what the scene holds and
shows with gdanim's own computation, check that nothing leaves the frame and that every caption
stays up long enough to be read aloud, and compare the last frame with its golden frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from manim import Mobject, Scene

from gdanim import analysis, descend, objectives, optimizers
from gdanim.regression import (
    LINE,
    FeatureScaling,
    least_squares,
    line_dataset,
    s4_run,
    s4_scaled_run,
)
from scenes import catalog
from scenes.conditioning import LineFitConditioning, ValleyConditioning
from scenes.convexity import Convexity
from scenes.lecture import UpdateRule
from scenes.style import fmt
from tests.scenes.checks import assert_captions_readable, assert_inside_frame, captions

Render = Callable[..., tuple[Scene, np.ndarray]]
Golden = Callable[[str, np.ndarray], None]



def _tex(mob: Mobject) -> str:
    return str(getattr(mob, "tex_string", ""))


def _all_tex(scene: Scene) -> str:
    """Every formula string and word on screen at the end, joined."""
    parts = []
    for top in scene.mobjects:
        for m in top.get_family():
            if hasattr(m, "tex_string"):
                parts.append(m.tex_string)
            elif hasattr(m, "original_text"):
                parts.append(m.original_text)
    return " | ".join(parts)


def test_the_new_scenes_are_listed_and_placed_in_the_lecture() -> None:
    lecture = list(catalog.LECTURE)
    for name in ("Convexity", "ValleyConditioning", "LineFitConditioning"):
        assert name in catalog.SCENES and catalog.SCENES[name].file.exists()
    assert lecture.index("Convexity") == lecture.index("LearningRateRegimes") + 1
    assert lecture.index("ValleyConditioning") == lecture.index("BeyondSGD") - 1
    assert lecture.index("LineFitConditioning") == lecture.index("LinearRegressionFit") + 1
    assert lecture.index("UpdateRule") < lecture.index("LearningRateRegimes")


# ---- UpdateRule ------------------------------------------------------------------------------


@pytest.fixture
def update_rule(rendered: Callable[[type[Scene]], tuple[Any, np.ndarray]]) -> tuple[Any, Any]:
    return rendered(UpdateRule)


def test_update_rule_says_the_step_points_downhill_not_that_it_goes_down(
    update_rule: tuple[Any, np.ndarray],
) -> None:
    scene, _ = update_rule
    said = " ".join(text for text, _, _ in captions(scene))
    assert "so each step goes downhill" not in said
    assert "points downhill" in said
    assert "a small enough step lowers L" in said and "higher than before" in said


def test_update_rule_numbers_come_from_the_runs(update_rule: tuple[Any, np.ndarray]) -> None:
    scene, _ = update_rule
    f = objectives.parse("w**2", ["w"])
    small = descend(f, optimizers.sgd(lr=UpdateRule.SMALL_LR), [UpdateRule.W0], 1)
    large = descend(f, optimizers.sgd(lr=UpdateRule.LARGE_LR), [UpdateRule.W0], 1)
    assert np.array_equal(scene.small_run.points, small.points)
    assert np.array_equal(scene.large_run.points, large.points)
    assert scene.guess == analysis.first_order_prediction(f, [UpdateRule.W0], UpdateRule.SMALL_LR)
    v = scene.descent_values
    assert (v["L0"], v["small"], v["guess"]) == ("16.00", "10.24", "9.60")
    assert (v["w_large"], v["large"]) == ("-4.8", "23.04")
    # the small step went down, the large one up: what the words say
    assert small.values[1] < small.values[0] < large.values[1]
    shown = " ".join(_tex(m) for line in scene.descent_lines for m in line.get_family())
    for key in ("small", "guess", "large"):
        assert v[key] in shown
    said = " ".join(text for text, _, _ in captions(scene))
    assert f"from {v['L0']} to {v['small']}" in said and f"guess {v['guess']}" in said
    assert f"L = {v['large']}" in said and "\u22124.8" in said


def test_update_rule_arrows_go_down_then_up(update_rule: tuple[Any, np.ndarray]) -> None:
    scene, _ = update_rule
    small, large = scene.step_arrows
    assert small.get_end()[1] < small.get_start()[1]  # the small step lands lower
    assert large.get_end()[1] > large.get_start()[1]  # the large one higher


def test_update_rule_frame_andcaptions(
    update_rule: tuple[Any, np.ndarray], golden: Golden
) -> None:
    scene, frame = update_rule
    assert_inside_frame(scene)
    assert_captions_readable(scene)
    golden("UpdateRule", frame)


# ---- Convexity ---------------------------------------------------------------------------------


@pytest.fixture
def convexity(rendered: Callable[[type[Scene]], tuple[Any, np.ndarray]]) -> tuple[Any, Any]:
    return rendered(Convexity)


def test_convexity_runs_are_one_batched_descent_per_function(
    convexity: tuple[Any, np.ndarray],
) -> None:
    scene, _ = convexity
    assert len(scene.panels) == 2
    for view in scene.panels:
        starts = np.array(view.spec.starts)[:, None]
        run = descend(objectives.get(view.spec.objective), optimizers.sgd(lr=Convexity.LR),
                      starts, Convexity.STEPS)
        assert view.run.batched and np.array_equal(view.run.points, run.points)
        assert len(view.paths) == len(view.start_markers) == len(view.end_markers) == 6


def test_convex_starts_share_one_minimum_wavy_ones_three_valleys(
    convexity: tuple[Any, np.ndarray],
) -> None:
    scene, _ = convexity
    convex, wavy = scene.panels
    assert convex.valleys == [0] * 6
    assert np.abs(convex.run.points[-1, :, 0]).max() < 1e-6
    assert convex.labels[0].original_text == "all 6 end at x = 0.000"
    # the wavy runs: three valleys, two starts each, matching the catalog's minima
    assert sorted(set(wavy.valleys)) == [0, 1, 2]
    assert [wavy.valleys.count(k) for k in range(3)] == [2, 2, 2]
    minima = np.array(wavy.objective.minima)[:, 0]
    ends = wavy.run.points[-1, :, 0]
    assert np.abs(ends - minima[wavy.valleys]).max() < Convexity.TOL
    heights = [fmt(float(wavy.objective.value(np.array([m]))), 2) for m in minima]
    shown = [label.original_text for label in wavy.labels]
    assert shown == [f"f = {h}".replace("-", "\u2212") for h in heights]
    said = " ".join(text for text, _, _ in captions(scene))
    assert "three different valleys" in said and "all six end" in said
    for h in heights:
        assert h.replace("-", "\u2212") in said


def test_convexity_tangents(convexity: tuple[Any, np.ndarray]) -> None:
    scene, _ = convexity
    convex, wavy = scene.panels
    # x^2 lies on or above its tangent everywhere; the wavy flat tangent has the curve below it
    f = convex.objective
    x0 = convex.spec.tangent_at
    xs = np.linspace(-50, 50, 2001)
    tangent = f.value(np.array([x0])) + f.grad(np.array([x0]))[0] * (xs - x0)
    assert np.all(f.value(xs[:, None]) >= tangent - 1e-12)
    w = wavy.objective
    level = float(w.value(np.array([wavy.spec.tangent_at])))
    assert abs(float(w.grad(np.array([wavy.spec.tangent_at]))[0])) < 1e-9
    assert float(wavy.run.values[-1].min()) < level  # a lower valley reached by a run
    # the drawn tangents are where the objective says (scene y of both ends)
    a = wavy.axes.p2c(wavy.tangent.get_start())
    b = wavy.axes.p2c(wavy.tangent.get_end())
    assert a[1] == pytest.approx(level, abs=1e-6) and b[1] == pytest.approx(level, abs=1e-6)


def test_convexity_frame_andcaptions(convexity: tuple[Any, np.ndarray], golden: Golden) -> None:
    scene, frame = convexity
    assert_inside_frame(scene)
    assert_captions_readable(scene)
    golden("Convexity", frame)


# ---- ValleyConditioning ------------------------------------------------------------------------


@pytest.fixture
def valley(rendered: Callable[[type[Scene]], tuple[Any, np.ndarray]]) -> tuple[Any, Any]:
    return rendered(ValleyConditioning)


def test_valley_kappa_is_twenty(valley: tuple[Any, np.ndarray]) -> None:
    scene, _ = valley
    assert scene.curvatures == (0.1, 2.0)
    assert scene.kappa == 20.0
    assert scene.critical_lr == 1.0
    assert scene.best_lr == pytest.approx(2 / 2.1, rel=1e-15)
    assert scene.best_factor == pytest.approx(19 / 21, rel=1e-15)
    shown = _all_tex(scene)
    for text in (r"\kappa = L / \mu = 20.0", r"\mu = 0.100", "L = 2.000",
                 r"2/L = 1.000", r"2/(\mu + L) = 0.952", "= 0.905"):
        assert text in shown, text


def test_valley_factors_are_measured_and_match_the_closed_form(
    valley: tuple[Any, np.ndarray],
) -> None:
    scene, _ = valley
    f = objectives.get("long_valley")
    slow, quick = scene.runs
    assert (slow.lr, quick.lr) == (0.5, 0.95)
    assert (slow.regime, quick.regime) == ("one step", "oscillating")
    for run in scene.runs:
        direct = descend(f, optimizers.sgd(lr=run.lr), ValleyConditioning.START,
                         ValleyConditioning.STEPS)
        assert np.array_equal(run.trajectory.points, direct.points)
        assert run.measured == pytest.approx(run.closed_form, abs=1e-12)
        assert run.closed_form == pytest.approx((abs(1 - run.lr * 0.1), abs(1 - run.lr * 2)))
        cells = [_tex(c) for c in run.row[1]]
        assert cells == [fmt(run.measured[1], 3), fmt(run.measured[0], 3), str(run.steps)]
    assert (slow.steps, quick.steps) == (77, 43)
    assert [_tex(c) for c in slow.row[1]] == ["0.000", "0.950", "77"]
    assert [_tex(c) for c in quick.row[1]] == ["0.900", "0.905", "43"]


def test_valley_frame_andcaptions(valley: tuple[Any, np.ndarray], golden: Golden) -> None:
    scene, frame = valley
    assert_inside_frame(scene)
    assert_captions_readable(scene)
    said = " ".join(text for text, _, _ in captions(scene))
    assert "κ = L/μ = 20.0" in said and "step 77" in said and "step 43" in said
    golden("ValleyConditioning", frame)


# ---- LineFitConditioning -----------------------------------------------------------------------


@pytest.fixture
def line_fit(rendered: Callable[[type[Scene]], tuple[Any, np.ndarray]]) -> tuple[Any, Any]:
    return rendered(LineFitConditioning)


def test_line_fit_kappa_to_three_digits(line_fit: tuple[Any, np.ndarray]) -> None:
    scene, _ = line_fit
    x, _ = line_dataset()
    h = analysis.line_fit_hessian(x)
    assert np.array_equal(scene.hessian, h)
    mu, big = scene.curvatures
    assert (round(mu, 2), round(big, 1)) == (0.50, 68.5)
    assert scene.kappa == analysis.condition_number(h)
    assert f"{scene.kappa:.3g}" == "138"
    assert scene.values["kappa"] == "138.0"
    assert r"\kappa = L/\mu = 138.0" in _all_tex(scene)


def test_line_fit_intercept_creeps_with_the_flat_factor(line_fit: tuple[Any, np.ndarray]) -> None:
    scene, _ = line_fit
    x, y = line_dataset()
    assert np.array_equal(scene.run.params, s4_run().params)
    assert np.array_equal(scene.best, least_squares(LINE, x, y))
    v = scene.values
    assert (v["b"], v["b_best"]) == ("0.350", "0.208")
    mu, big = scene.curvatures
    assert scene.measured == pytest.approx([1 - 0.01 * mu, 1 - 0.01 * big], abs=1e-10)
    assert (v["along"], v["across"]) == ("0.995", "0.315")


def test_line_fit_scaled_reaches_least_squares_in_a_tenth_of_the_steps(
    line_fit: tuple[Any, np.ndarray],
) -> None:
    scene, _ = line_fit
    x, y = line_dataset()
    best = least_squares(LINE, x, y)
    assert scene.steps == analysis.steps_to_point(s4_run(epochs=4000).params, best, 1e-6)
    scaling = FeatureScaling.fit(x)
    run, _ = s4_scaled_run(epochs=100, lr=scene.scaled_lr)
    assert scene.scaled_steps == analysis.steps_to_point(scaling.line_params(run.params), best,
                                                         1e-6)
    assert (scene.steps, scene.scaled_steps) == (2484, 13)
    assert 10 * scene.scaled_steps < scene.steps
    assert scene.scaled_kappa == pytest.approx(1.0, abs=1e-12)
    assert scene.scaled_lr * 2.0 == pytest.approx(0.01 * scene.curvatures[1], rel=1e-12)
    assert scene.scaled_measured == pytest.approx([1 - 2 * scene.scaled_lr] * 2, abs=1e-10)
    v = scene.values
    assert (v["steps"], v["steps_z"], v["kappa_z"], v["lr_z"]) == ("2484", "13", "1.0", "0.343")
    shown = _all_tex(scene)
    assert "2484" in shown and "13" in shown
    said = " ".join(text for text, _, _ in captions(scene))
    assert "in 13 steps instead of 2484" in said
    # the drawn scaled path ends at the least-squares point of the round bowl
    path = scene.paths[1]
    assert math.dist(path.points_scene[-1][:2], path.points_scene[scene.scaled_steps][:2]) < 1e-2


def test_line_fit_frame_andcaptions(line_fit: tuple[Any, np.ndarray], golden: Golden) -> None:
    scene, frame = line_fit
    assert_inside_frame(scene)
    assert_captions_readable(scene)
    golden("LineFitConditioning", frame)
