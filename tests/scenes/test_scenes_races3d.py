"""Scene tests for the S6 races A and B on 3D surfaces."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from manim import Text

from gdanim import analysis, descend, objectives, optimizers
from scenes.races3d import (
    RACE_A,
    RACE_B,
    SurfaceRaceA,
    SurfaceRaceB,
    race_b_captions,
    valley_facts,
)
from scenes.style import OPTIMIZER_COLORS, fmt, fmt_sci


def _texts(scene: Any) -> list[str]:
    return [m.original_text for mob in scene.mobjects for m in mob.get_family()
            if isinstance(m, Text)]


@pytest.mark.parametrize(("cls", "spec"), [(SurfaceRaceA, RACE_A), (SurfaceRaceB, RACE_B)])
def test_race_contents_and_golden(render_scene: Callable[..., Any], golden: Callable[..., None],
                                  cls: type, spec: dict[str, Any]) -> None:
    scene, frame = render_scene(cls)
    f = objectives.resolve(spec["function"])
    opts = [optimizers.from_spec(s) for s in spec["optimizers"]]
    assert [r.optimizer for r in scene.runs] == opts
    assert len(scene.paths) == len(opts)
    texts = _texts(scene)
    for run, opt in zip(scene.runs, opts, strict=True):
        assert run.color == OPTIMIZER_COLORS[opt.display_name]
        ref = descend(f, opt, spec["start"], spec["steps"], bound=spec["view"])
        np.testing.assert_array_equal(run.trajectory.points, ref.points)
        assert opt.label in texts  # legend entry with its hyperparameters
        if ref.stopped_at is not None:  # a diverged run stops, marked with its step
            assert f"diverged at step {ref.stopped_at}" in texts
    if cls is SurfaceRaceB:
        _check_race_b_words(scene, texts)
    golden(cls.__name__, frame)


def _check_race_b_words(scene: Any, texts: list[str]) -> None:
    """What race B says and shows is what valley_facts computes."""
    k = valley_facts()
    assert scene.facts == k
    during, after = race_b_captions(k, objectives.resolve(RACE_B["function"]).text)
    assert scene.said == [*during, *after]
    subs = [sub.content for sub in scene.renderer.file_writer.subcaptions]
    for said in scene.said:
        assert said in subs
    assert "twenty times longer" not in " ".join(subs)
    assert "bounces from wall to wall" not in " ".join(subs)
    assert f"curvatures {k.mu:.6g} and {k.L:.6g}: \u03ba = {k.kappa:.6g}" in texts
    assert f"contours \u221a\u03ba \u2248 {fmt(k.aspect, 2)} times longer than wide" in texts
    assert f"best fixed step 2/(\u03bc + L) = {fmt(k.best_lr, 3)}" in texts
    # the table: one row per run, its numbers from the facts
    rows = scene.table_rows[1:]
    assert [r[0].original_text for r in rows] == list(k.runs)
    for row, run in zip(rows, k.runs.values(), strict=True):
        cells = [c.original_text for c in row]
        assert cells[1] == ("-" if run.steps_to_tol is None else f"step {run.steps_to_tol}")
        assert cells[2] == (fmt(run.final_f, 2) if run.final_f >= 0.01 else fmt_sci(run.final_f))
        assert cells[3] == (fmt(run.past_zero, 2) if run.past_zero > 0 else "no")


def test_race_b_facts_are_the_runs() -> None:
    """The valley's curvatures and each run's numbers, recomputed independently."""
    k = valley_facts()
    f = objectives.resolve(RACE_B["function"])
    assert (k.mu, k.L) == pytest.approx((0.1, 2.0), rel=1e-12)
    assert k.kappa == pytest.approx(20.0, rel=1e-12)
    assert k.aspect == pytest.approx(np.sqrt(20.0), rel=1e-12)
    assert fmt(k.aspect, 2) == "4.47"
    # level sets of x^2/20 + y^2 = c: semi-axes sqrt(20 c) and sqrt(c)
    assert k.aspect == pytest.approx(np.sqrt(20 * 1.0) / np.sqrt(1.0))
    assert k.best_lr == pytest.approx(2 / 2.1, rel=1e-12)
    assert fmt(k.best_lr, 3) == "0.952"
    assert k.sgd_factors == pytest.approx((abs(1 - 0.95 * 0.1), abs(1 - 0.95 * 2)))
    for text in RACE_B["optimizers"]:
        opt = optimizers.from_spec(text)
        traj = descend(f, opt, RACE_B["start"], RACE_B["steps"], bound=RACE_B["view"])
        run = k.runs[opt.display_name]
        assert traj.stopped_at is None
        assert run.steps_to_tol == analysis.steps_to_tolerance(traj, 0.0, 1e-3)
        assert run.final_f == traj.values[-1]
        assert run.past_zero == max(0.0, float(traj.points[:, 0].max()))
    sgd, mom, adam = k.runs["SGD"], k.runs["Momentum"], k.runs["Adam"]
    # what race B says: SGD below 1e-3 before Momentum and Adam, lowest at the end of the
    # three, never past x = 0, while Momentum and Adam overshoot it
    assert (sgd.steps_to_tol, mom.steps_to_tol, adam.steps_to_tol) == (43, 58, 61)
    assert sgd.final_f < mom.final_f < adam.final_f
    assert (fmt_sci(sgd.final_f), fmt_sci(mom.final_f), fmt_sci(adam.final_f)) == (
        "8.1e-9", "5.0e-5", "1.8e-4"
    )
    assert sgd.past_zero == 0.0 and mom.past_zero > 1.0 and adam.past_zero > 0.5
    # and AdaGrad is faster still (the table shows it): the narration must not call SGD the
    # fastest of all, only faster and lower than Momentum and Adam
    ada = k.runs["AdaGrad"]
    assert ada.steps_to_tol is not None and ada.steps_to_tol < sgd.steps_to_tol
    during, after = race_b_captions(k, f.text)
    said = " ".join([*during, *after])
    assert "first" not in said and "fastest" not in said
    assert "before Momentum (58) and Adam (61)" in said and "lowest of the three" in said


def test_race_a_has_runs_that_leave_over_the_cliff() -> None:
    f = objectives.resolve(RACE_A["function"])
    stopped = [
        descend(f, optimizers.from_spec(s), RACE_A["start"], RACE_A["steps"],
                bound=RACE_A["view"]).stopped_at
        for s in RACE_A["optimizers"]
    ]
    assert sum(s is not None for s in stopped) >= 2
