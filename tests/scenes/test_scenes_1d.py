"""Render tests of the 1D scenes: TangentSlope, GradientSteps1D, LearningRateRegimes.

Each scene is constructed and rendered at low quality (animations skipped, only the final state
drawn). The tests check what the scene holds against gdanim's own numbers, that nothing lies
outside the frame, and compare the last frame with its golden frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from manim import ManimColor, Mobject, Scene

from gdanim import analysis, descend, objectives, optimizers
from scenes.steps1d import TOL, VERDICT_COLORS, GradientSteps1D, LearningRateRegimes, eta_tex
from scenes.style import (
    BACKGROUND,
    END_COLOR,
    START_COLOR,
    GDScene,
    fmt,
    optimizer_color,
)
from scenes.tangent import TangentSlope, flat_spots
from tests.scenes.checks import assert_inside_frame

Render = Callable[..., tuple[Scene, np.ndarray]]
Golden = Callable[[str, np.ndarray], None]


def _shown(v: float) -> float:
    """A number as the scenes display it (three decimals)."""
    return float(fmt(v, 3))


def _same_color(mob: Mobject, color: str) -> bool:
    return ManimColor(mob.get_color()).to_hex().lower() == ManimColor(color).to_hex().lower()


def _assert_narrated(scene: Scene, first_section: str) -> None:
    writer: Any = scene.renderer.file_writer
    names = [s.name for s in writer.sections]
    assert first_section in names, names
    assert len(writer.subcaptions) >= 3
    starts = [sub.start.total_seconds() for sub in writer.subcaptions]
    ends = [sub.end.total_seconds() for sub in writer.subcaptions]
    # subtitles never overlap one another
    for end, nxt in zip(ends, starts[1:], strict=False):
        assert end <= nxt + 1e-6


def _assert_background(frame: np.ndarray) -> None:
    bg = np.array(ManimColor(BACKGROUND).to_int_rgb())
    assert np.all(frame[0, 0] == bg) and np.all(frame[-1, -1] == bg)


# ---- TangentSlope ------------------------------------------------------------------------------


_RENDERED: dict[type[Scene], tuple[Scene, np.ndarray]] = {}


@pytest.fixture
def rendered(render_scene: Render) -> Callable[[type[Scene]], tuple[Any, np.ndarray]]:
    """``render_scene`` with animations skipped, each scene rendered once per test session."""

    def get(cls: type[Scene]) -> tuple[Any, np.ndarray]:
        if cls not in _RENDERED:
            _RENDERED[cls] = render_scene(cls)
        return _RENDERED[cls]

    return get


@pytest.fixture
def tangent(rendered: Callable[[type[Scene]], tuple[Any, np.ndarray]]) -> tuple[Any, np.ndarray]:
    return rendered(TangentSlope)


def test_tangent_formulas_come_from_sympy(tangent: tuple[Any, np.ndarray]) -> None:
    scene, _ = tangent
    obj = objectives.get(TangentSlope.OBJECTIVE)
    f_tex, df_tex = scene.formulas
    assert f_tex.tex_string == "f(x) = " + obj.latex
    assert df_tex.tex_string == "f'(x) = " + obj.grad_latex


def test_tangent_notes_every_flat_spot(tangent: tuple[Any, np.ndarray]) -> None:
    scene, _ = tangent
    obj = objectives.get(TangentSlope.OBJECTIVE)
    spots = scene.flat_spots
    assert spots == flat_spots(obj, *TangentSlope.TRAVEL)
    assert len(spots) >= 2
    assert np.allclose(obj.grad(np.array(spots)[:, None])[:, 0], 0.0, atol=1e-9)
    # the catalog's minima in the travelled stretch are among the flat spots
    for (m,) in obj.minima:
        if TangentSlope.TRAVEL[0] < m < TangentSlope.TRAVEL[1]:
            assert min(abs(s - m) for s in spots) < 1e-6
    assert len(scene.notes) == len(spots)
    for note, spot in zip(scene.notes, spots, strict=True):
        assert note[0].tex_string == "f'(x) = 0"
        bend = analysis.curvature(obj, [spot])
        assert note.kind == ("a local minimum" if bend > 0 else "a local maximum")
        # a minimum can hold a run; a maximum cannot
        want = "a run can settle here" if bend > 0 else (
            "unstable: nearby runs leave"
        )
        assert note[3].text == want.replace(" ", "")


def test_tangent_maximum_is_unstable(tangent: tuple[Any, np.ndarray]) -> None:
    """At the maximum a run from just beside it slides away, by |1 - eta f''| a step."""
    scene, _ = tangent
    obj = objectives.get(TangentSlope.OBJECTIVE)
    maxima = [s for s in scene.flat_spots if analysis.curvature(obj, [s]) < 0]
    assert len(maxima) == 1
    assert [r["maximum"] for r in scene.near_runs] == maxima
    (near,) = scene.near_runs
    top, lr = near["maximum"], TangentSlope.NEAR_LR
    traj = descend(obj, optimizers.sgd(lr=lr), [top + TangentSlope.NEAR_OFFSET],
                   TangentSlope.NEAR_STEPS)
    assert np.array_equal(near["trajectory"].points, traj.points)
    dist = np.abs(traj.points[:, 0] - top)
    np.testing.assert_array_equal(near["distances"], dist)
    assert np.all(dist[1:] > dist[:-1])  # every step moves further away
    bend = analysis.curvature(obj, [top])
    factor = abs(1.0 - lr * bend)
    assert factor > 1.0
    assert near["factor"] == pytest.approx(factor, rel=1e-12)
    assert near["factor"] == analysis.distance_factor(obj, [top], lr)
    # near the maximum the distance grows by about that factor each step
    assert dist[1] / dist[0] == pytest.approx(factor, rel=0.02)
    assert near["rule"].tex_string == (
        rf"\eta = {fmt(lr, 1)}:\ \ |1 - \eta f''| = {fmt(factor, 2)}"
    )
    assert near["growth"].text == (
        f"distancetothemaximum{fmt(dist[0], 2)}\u2192{fmt(dist[-1], 2)}in{len(dist) - 1}steps"
    )
    said = near["caption"]
    assert f"|1 \u2212 \u03b7 f''| = {fmt(factor, 2)}" in said
    assert f"{fmt(dist[0], 2)} \u2192 {fmt(dist[-1], 2)}" in near["growth"].original_text
    assert len(near["arrows"]) == TangentSlope.NEAR_STEPS
    # only an exact landing stays: a run started on the maximum does not move
    on_top = descend(obj, optimizers.sgd(lr=lr), [top], 5)
    assert np.allclose(on_top.points[:, 0], top, atol=1e-12)
    assert analysis.verdict(traj).verdict is analysis.Verdict.STILL_MOVING


def test_tangent_readouts_end_on_last_flat_spot(tangent: tuple[Any, np.ndarray]) -> None:
    scene, _ = tangent
    obj = objectives.get(TangentSlope.OBJECTIVE)
    x_end = scene.flat_spots[-1]
    assert scene.x_tracker.get_value() == pytest.approx(x_end)
    assert scene.readouts["x"].get_value() == _shown(x_end)
    assert scene.readouts["f"].get_value() == _shown(float(obj.value(np.array([x_end]))))
    assert scene.readouts["slope"].get_value() == 0.0
    assert fmt(scene.readouts["slope"].get_value(), 3) == "0.000"


def test_tangent_frame(tangent: tuple[Any, np.ndarray], golden: Golden) -> None:
    scene, frame = tangent
    assert isinstance(scene, GDScene)
    assert frame.shape == (480, 854, 3)
    _assert_background(frame)
    assert_inside_frame(scene)
    _assert_narrated(scene, "tangent")
    golden("TangentSlope", frame)


# ---- GradientSteps1D ---------------------------------------------------------------------------


@pytest.fixture
def steps(rendered: Callable[[type[Scene]], tuple[Any, np.ndarray]]) -> tuple[Any, np.ndarray]:
    return rendered(GradientSteps1D)


def test_steps_one_arrow_per_step(steps: tuple[Any, np.ndarray]) -> None:
    scene, _ = steps
    assert len(scene.runs) == len(GradientSteps1D.RUNS)
    assert len(scene.step_arrows) == sum(spec.steps for spec in GradientSteps1D.RUNS)
    for run in scene.runs:
        traj = run.trajectory
        assert traj.stopped_at is None
        assert len(run.arrows) == traj.steps == run.spec.steps
        # each arrow goes from (x_t, f(x_t)) to (x_{t+1}, f(x_{t+1})) of the trajectory
        for t, arrow in enumerate(run.arrows):
            a = run.axes.c2p(traj.points[t, 0], traj.values[t])
            b = run.axes.c2p(traj.points[t + 1, 0], traj.values[t + 1])
            assert np.allclose(arrow.get_start(), a, atol=1e-6)
            if not arrow.zero_length:
                assert np.allclose(arrow.get_end(), b, atol=1e-6)
            assert _same_color(arrow, optimizer_color("SGD"))


def test_steps_trajectories_are_gdanims(steps: tuple[Any, np.ndarray]) -> None:
    scene, _ = steps
    for run in scene.runs:
        spec = run.spec
        want = descend(
            objectives.get(spec.objective), optimizers.sgd(lr=spec.lr), [spec.x0], spec.steps
        )
        assert np.array_equal(run.trajectory.points, want.points)
        assert np.array_equal(run.trajectory.values, want.values)


def test_steps_markers_title_and_range(steps: tuple[Any, np.ndarray]) -> None:
    scene, _ = steps
    for run in scene.runs:
        traj = run.trajectory
        assert _same_color(run.start_marker, START_COLOR)
        assert _same_color(run.end_marker, END_COLOR)
        assert np.allclose(
            run.start_marker.get_center(), run.axes.c2p(traj.points[0, 0], traj.values[0])
        )
        assert np.allclose(
            run.end_marker.get_center(), run.axes.c2p(traj.points[-1, 0], traj.values[-1])
        )
        # the learning rate in the title, formatted with three decimals
        assert run.title.math == eta_tex(run.spec.lr) == rf"\eta = {run.spec.lr:.3f}"
        assert run.title[1].tex_string == run.title.math
        # x-range symmetric about 0 and holding every visited x
        lo, hi = run.axes.x_range[:2]
        assert lo == -hi
        assert np.all(np.abs(traj.points[:, 0]) <= hi)


def test_steps_readouts_end_on_last_point(steps: tuple[Any, np.ndarray]) -> None:
    scene, _ = steps
    for run in scene.runs:
        traj = run.trajectory
        assert run.step_readout.get_value() == traj.steps
        assert run.x_readout.get_value() == _shown(traj.points[-1, 0])
        assert run.f_readout.get_value() == _shown(traj.values[-1])


def test_steps_verdicts_are_computed_from_the_runs(steps: tuple[Any, np.ndarray]) -> None:
    scene, _ = steps
    Verdict = analysis.Verdict
    got = []
    for run in scene.runs:
        spec, obj = run.spec, run.objective
        traj = descend(obj, optimizers.sgd(lr=spec.lr), [spec.x0], spec.steps)
        want = analysis.verdict(traj, tol=TOL)
        o = run.outcome
        assert o.verdict == want
        got.append(o.verdict.verdict)
        # the words on screen are the verdict's, in its colour
        words = run.verdict[0]
        assert words.text == o.words.replace(" ", "")
        assert _same_color(words, VERDICT_COLORS[str(want.verdict)])
        assert o.words.startswith(str(want.verdict))
        said = run.captions[-1]
        assert f"x = {fmt(traj.points[-1, 0], 3)}" in said
        near = analysis.nearest_flat_spot(obj, traj.points[-1])
        assert o.spot == pytest.approx(float(near[0]), abs=1e-12)
        if want.verdict is Verdict.STILL_MOVING:
            assert o.words == f"still moving, {fmt(want.last_step, 3)} a step"
            assert o.words in said and f"is at {fmt(near[0], 3)}" in said
            assert analysis.curvature(obj, near) > 0 and o.spot_kind == "minimum"
        elif want.verdict is Verdict.BOUNCING:
            factor = analysis.distance_factor(obj, near, spec.lr)
            eta_f2 = spec.lr * analysis.curvature(obj, near)
            assert eta_f2 > 2 and factor == pytest.approx(eta_f2 - 1)
            assert f"\u03b7 f'' = {fmt(eta_f2, 2)} > 2" in said
            assert run.verdict[1].text == f"nearestminimum:x={fmt(near[0], 3)}"
            assert run.verdict[2].text == f"\u03b7f''there={fmt(eta_f2, 2)}>2"
    # S1 as the runs show it: slow on x^2, the wavy runs short of their minima after ten
    # steps, and eta = 3 bouncing for good
    assert got == [Verdict.STILL_MOVING, Verdict.STILL_MOVING, Verdict.STILL_MOVING,
                   Verdict.BOUNCING]
    wavy_01 = scene.runs[1]
    assert fmt(wavy_01.trajectory.points[-1, 0], 2) == "20.09"
    assert fmt(wavy_01.outcome.spot, 2) == "20.22"
    assert fmt(wavy_01.outcome.verdict.last_step, 2) == "0.11"


def test_steps_frame(steps: tuple[Any, np.ndarray], golden: Golden) -> None:
    scene, frame = steps
    assert frame.shape == (480, 854, 3)
    _assert_background(frame)
    assert_inside_frame(scene)
    _assert_narrated(scene, "steps1d")
    golden("GradientSteps1D", frame)


# ---- LearningRateRegimes -----------------------------------------------------------------------


@pytest.fixture
def regimes(rendered: Callable[[type[Scene]], tuple[Any, np.ndarray]]) -> tuple[Any, np.ndarray]:
    return rendered(LearningRateRegimes)


def test_regimes_labels_are_analysis_regimes(regimes: tuple[Any, np.ndarray]) -> None:
    scene, _ = regimes
    obj = objectives.get(LearningRateRegimes.OBJECTIVE)
    L = analysis.curvature(obj, [LearningRateRegimes.X0])
    assert L == 2.0
    assert scene.curvature == L
    assert scene.critical_lr == analysis.critical_lr(L) == 1.0
    assert [p.eta for p in scene.panels] == list(LearningRateRegimes.RATES)
    got = [p.regime_label.regime for p in scene.panels]
    assert got == [str(analysis.regime(p.eta, L)) for p in scene.panels]
    assert got == ["slow", "one step", "oscillating", "diverging"]
    for p in scene.panels:
        assert p.regime == p.regime_label.regime
        assert p.regime_label.text == p.regime.replace(" ", "")  # manim's Text drops spaces
        assert p.header.tex_string == eta_tex(p.eta)


def test_regimes_verdicts_are_computed_from_the_runs(regimes: tuple[Any, np.ndarray]) -> None:
    scene, _ = regimes
    Verdict = analysis.Verdict
    shown = []
    for p in scene.panels:
        want = analysis.verdict(p.trajectory, tol=TOL)
        assert p.outcome.verdict == want
        shown.append(want.verdict)
        if want.verdict is Verdict.DIVERGED:
            assert p.verdict_label is p.diverged_mark[1]
            assert p.outcome.words == f"diverged at step {p.trajectory.stopped_at}"
        else:
            assert p.verdict_label[0].text == str(want.verdict).replace(" ", "")
            assert _same_color(p.verdict_label[0], VERDICT_COLORS[str(want.verdict)])
        # the caption names each rate's regime and then what its run did
        regime = "" if want.verdict is Verdict.DIVERGED else f"{p.regime}, "
        assert f"{fmt(p.eta, 1)} {regime}{p.outcome.words}" in scene.verdict_caption
    # slow and still moving, one step and converged, oscillating and still moving, diverged
    assert shown == [Verdict.STILL_MOVING, Verdict.CONVERGED, Verdict.STILL_MOVING,
                     Verdict.DIVERGED]
    slow, _, osc, _ = scene.panels
    assert slow.outcome.words == f"still moving, {fmt(slow.outcome.verdict.last_step, 3)} a step"
    assert osc.outcome.verdict.turned_back and osc.outcome.verdict.shrinking


def test_regimes_diverging_panel_is_stopped_and_marked(regimes: tuple[Any, np.ndarray]) -> None:
    scene, _ = regimes
    for p in scene.panels:
        traj = p.trajectory
        x_range = tuple(float(v) for v in p.axes.x_range[:2])
        # every run is bounded by its own axes, so nothing is drawn past them
        assert traj.bound == x_range
        if p.eta > scene.critical_lr:
            assert traj.diverged is True
            assert traj.stopped_at is not None
            assert p.diverged_mark is not None
            assert p.diverged_mark.step == traj.stopped_at
            assert p.diverged_mark[1].text == f"divergedatstep{traj.stopped_at}"
            assert len(p.arrows) == traj.stopped_at - 1
            assert p.end_marker is None
            # the mark sits on the edge of the axes
            edge = p.axes.c2p(x_range[1], 0)[0], p.axes.c2p(x_range[0], 0)[0]
            assert min(abs(p.diverged_mark[0].get_center()[0] - e) for e in edge) < 1e-6
        else:
            assert traj.stopped_at is None
            assert p.diverged_mark is None
            assert len(p.arrows) == LearningRateRegimes.STEPS
            assert _same_color(p.end_marker, END_COLOR)
        assert _same_color(p.start_marker, START_COLOR)
        for t, arrow in enumerate(p.arrows):
            assert np.allclose(arrow.get_start(), p.axes.c2p(traj.points[t, 0], traj.values[t]))


def test_regimes_one_step_lands_on_the_minimum(regimes: tuple[Any, np.ndarray]) -> None:
    scene, _ = regimes
    (one,) = [p for p in scene.panels if p.regime == "one step"]
    assert one.trajectory.points[1, 0] == 0.0
    # the later steps do not move: their arrows are there but invisible
    assert [a.zero_length for a in one.arrows] == [False] + [True] * (len(one.arrows) - 1)


def test_regimes_frame(regimes: tuple[Any, np.ndarray], golden: Golden) -> None:
    scene, frame = regimes
    assert frame.shape == (480, 854, 3)
    _assert_background(frame)
    assert_inside_frame(scene)
    _assert_narrated(scene, "regimes")
    golden("LearningRateRegimes", frame)


# ---- a full render with the animations played ---------------------------------------------------


def test_regimes_played_ends_like_skipped(
    render_scene: Render, regimes: tuple[Any, np.ndarray]
) -> None:
    played, frame = render_scene(LearningRateRegimes, skip_animations=False)
    _, skipped = regimes
    diff = np.abs(frame.astype(np.int16) - skipped.astype(np.int16))
    assert diff.mean() < 1.0
