"""What the data scenes show: the line fit (S3, S4), batch sizes (S3) and six loss curves (S5).

Each scene is built at low quality with animations skipped; the assertions read the mobjects the
scene keeps and compare every number on screen with gdanim's, at the precision displayed. The last
frame is then compared with the stored golden frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from manim import DL, UR, ManimColor, Mobject, Scene

from gdanim.regression import LINE, SLOPE, line_dataset, s3_run, s4_run, s5_runs
from scenes.losscurves import GlyphCounter, GrowingPolyline, OptimizerLossCurves
from scenes.pacing import READING_RATE
from scenes.regression import LOSS_TEX, LinearRegressionFit, StochasticVsBatch
from scenes.regression_parts import STOCHASTIC_SETUP, stochastic_runs
from scenes.style import OPTIMIZER_COLORS, fmt

Render = Callable[..., tuple[Scene, np.ndarray]]
Golden = Callable[[str, np.ndarray], None]


_RENDERED: dict[type[Scene], tuple[Scene, np.ndarray]] = {}


def _rendered(render_scene: Render, cls: type[Scene]) -> tuple[Scene, np.ndarray]:
    """Render ``cls`` once per test session (animations skipped) and reuse the result."""
    if cls not in _RENDERED:
        _RENDERED[cls] = render_scene(cls, skip_animations=True)
    return _RENDERED[cls]


def _on_screen(scene: Scene) -> set[int]:
    """Ids of every mobject in the scene's final state (families included)."""
    return {id(m) for top in scene.mobjects for m in top.get_family()}


def _shown(number: Any) -> str:
    """The string a DecimalNumber displays."""
    return f"{number.get_value():.{number.num_decimal_places}f}"


def _hex(mob: Mobject) -> str:
    return ManimColor(mob.get_stroke_color()).to_hex().upper()


def _inside(points: np.ndarray, box: Mobject, tol: float = 1e-6) -> bool:
    lo, hi = box.get_corner(DL), box.get_corner(UR)
    return bool(
        np.all(points[:, 0] >= lo[0] - tol)
        and np.all(points[:, 0] <= hi[0] + tol)
        and np.all(points[:, 1] >= lo[1] - tol)
        and np.all(points[:, 1] <= hi[1] + tol)
    )


# --------------------------------------------------------------------------------------------
# LinearRegressionFit (S3, S4)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def line_fit(render_scene: Render) -> tuple[Scene, np.ndarray]:
    return _rendered(render_scene, LinearRegressionFit)


def test_line_fit_final_slope_and_intercept_equal_gdanims_fit(
    line_fit: tuple[Scene, np.ndarray],
) -> None:
    scene, _ = line_fit
    run = s4_run()
    m, b = run.final_params
    assert np.array_equal(scene.run.final_params, run.final_params)
    visible = _on_screen(scene)
    for readout, value in (
        (scene.m_readout, m),
        (scene.b_readout, b),
        (scene.loss_readout, run.train_loss[-1]),
    ):
        assert id(readout.number) in visible
        assert _shown(readout.number) == fmt(value, 3)
    assert id(scene.fit_label) in visible
    assert scene.fit_label.values == (fmt(m, 3), fmt(b, 3))
    assert f"{fmt(m, 3)}\\,x + {fmt(b, 3)}" in scene.fit_label.get_tex_string()
    # the displayed loss is the loss of the displayed line's exact parameters
    assert float(run.train_loss[-1]) == LINE.loss(run.final_params, *line_dataset())


def test_line_fit_worked_step_follows_by_hand(line_fit: tuple[Scene, np.ndarray]) -> None:
    scene, _ = line_fit
    run = s4_run()
    lr = float(run.hyperparameters["lr"])  # type: ignore[arg-type]
    v = scene.worked.values
    assert v["grad_m"] == fmt(run.step_grad[0, 0], 3)
    assert v["grad_b"] == fmt(run.step_grad[0, 1], 3)
    assert v["m1"] == fmt(run.params[1, 0], 3)
    assert v["b1"] == fmt(run.params[1, 1], 3)
    # a viewer who redoes the update with the rounded numbers on screen gets the shown result
    assert fmt(0.0 - lr * float(v["grad_m"]), 3) == v["m1"]
    assert fmt(0.0 - lr * float(v["grad_b"]), 3) == v["b1"]
    # gradients at m = b = 0 from the formulas shown: (2/n) sum x_i r_i and (2/n) sum r_i
    x, y = line_dataset()
    r = 0.0 * x + 0.0 - y
    assert np.isclose(2 / len(x) * np.sum(x * r), run.step_grad[0, 0], rtol=1e-12)
    assert np.isclose(2 / len(x) * np.sum(r), run.step_grad[0, 1], rtol=1e-12)
    assert len(LOSS_TEX) == 3


def test_line_fit_loss_curve_and_path_show_every_epoch(line_fit: tuple[Scene, np.ndarray]) -> None:
    scene, _ = line_fit
    run = s4_run()
    curve = scene.loss_curve
    assert isinstance(curve, GrowingPolyline)
    assert curve.n_points == run.epochs + 1
    assert np.array_equal(curve.data[:, 1], run.train_loss)
    assert curve.progress == run.epochs  # fully drawn at the end
    path = scene.path
    assert len(path.points_scene) == run.steps + 1
    assert path.progress == run.steps
    visible = _on_screen(scene)
    assert id(curve) in visible and id(path) in visible


def test_line_fit_golden(line_fit: tuple[Scene, np.ndarray], golden: Golden) -> None:
    _, frame = line_fit
    assert frame.shape == (480, 854, 3)
    golden("LinearRegressionFit", frame)


# --------------------------------------------------------------------------------------------
# StochasticVsBatch (S3)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def batches(render_scene: Render) -> tuple[Scene, np.ndarray]:
    return _rendered(render_scene, StochasticVsBatch)


def test_tiny_example_final_w_and_prediction(batches: tuple[Scene, np.ndarray]) -> None:
    scene, _ = batches
    run = s3_run()
    w = float(run.final_params[0])
    assert w == 1.9999999999999998
    assert _shown(scene.w_readout.number) == "2.000" == fmt(w, 3)
    assert scene.w_exact.value_str == "1.9999999999999998" == repr(w)
    pred = float(SLOPE.predict(run.final_params, [5.0])[0])
    assert pred == 9.999999999999998
    assert scene.prediction.value_str == "10.000" == fmt(pred, 3)
    assert scene.step_row.counter.text == f"{run.steps:,}" == "400"


def test_cost_counters_end_at_gdanims_counts(batches: tuple[Scene, np.ndarray]) -> None:
    scene, _ = batches
    runs = stochastic_runs()
    assert set(scene.counters) == {key for key, *_ in STOCHASTIC_SETUP}
    visible = _on_screen(scene)
    for key, (updates, evals) in scene.counters.items():
        run = runs[key]
        assert isinstance(updates, GlyphCounter) and isinstance(evals, GlyphCounter)
        assert id(updates) in visible and id(evals) in visible
        assert int(updates.value) == run.steps
        assert int(evals.value) == int(run.grad_evals[-1])
        assert updates.text == f"{run.steps:,}"
        assert evals.text == f"{int(run.grad_evals[-1]):,}"
        # the counter's glyphs spell the number: one filled slot per character
        assert sum(len(s.points) > 0 for s in updates.slots) == len(updates.text)
    # the cost of one update is the batch size
    assert int(runs["full"].grad_evals[1]) == len(line_dataset().x)
    assert int(runs["single"].grad_evals[1]) == 1
    assert int(runs["mini"].grad_evals[1]) == 10


def test_batch_paths_are_drawn_in_full_and_stay_in_the_zoom(
    batches: tuple[Scene, np.ndarray],
) -> None:
    scene, _ = batches
    runs = stochastic_runs()
    for key, path in scene.paths.items():
        assert path.progress == runs[key].steps
    for key, zpath in scene.zoom_paths.items():
        assert zpath.progress == zpath.n_points - 1
        # nothing of the zoomed paths is drawn outside the zoom frame
        assert _inside(zpath.points, scene.zoom_frame)
        # the zoomed path ends where the run ends
        assert np.allclose(zpath.data[-1], runs[key].final_params)


def test_batch_note_is_shown(batches: tuple[Scene, np.ndarray]) -> None:
    scene, _ = batches
    assert id(scene.note) in _on_screen(scene)


def test_batch_scene_claims_only_what_it_shows(batches: tuple[Scene, np.ndarray]) -> None:
    """No word of noise and saddles (never shown here); part one's runs named for what they are."""
    scene, _ = batches
    subs = [sub.content for sub in scene.renderer.file_writer.subcaptions]
    screen = " ".join(
        m.original_text for m in scene.note.get_family() if hasattr(m, "original_text")
    )
    for text in (*subs, screen):
        assert "saddle" not in text.lower()
    # the exact-gradient runs before this scene are plain gradient descent; SGD is the name
    # of the optimizer, and stochastic means one sample (or a few) at a time
    assert scene.bridge_caption in subs
    assert "plain gradient descent" in scene.bridge_caption
    assert "exact gradient" in scene.so_far.original_text
    assert any("stochastic gradient descent" in s and "one sample at a time" in s for s in subs)
    # every caption stays long enough to be read aloud
    for sub in scene.renderer.file_writer.subcaptions:
        assert (sub.end - sub.start).total_seconds() >= len(sub.content) / READING_RATE - 0.05


def test_stochastic_vs_batch_golden(batches: tuple[Scene, np.ndarray], golden: Golden) -> None:
    _, frame = batches
    golden("StochasticVsBatch", frame)


# --------------------------------------------------------------------------------------------
# OptimizerLossCurves (S5)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def loss_curves(render_scene: Render) -> tuple[Scene, np.ndarray]:
    return _rendered(render_scene, OptimizerLossCurves)


def test_six_loss_curves_with_fifty_points(loss_curves: tuple[Scene, np.ndarray]) -> None:
    scene, _ = loss_curves
    runs = s5_runs()
    assert list(scene.curves) == ["SGD", "Momentum", "AdaGrad", "RMSprop", "Adadelta", "Adam"]
    assert scene.points_per_curve == 50
    visible = _on_screen(scene)
    for name, (train_curve, test_curve) in scene.curves.items():
        run = runs[name]
        assert run.test_loss is not None
        for curve in (train_curve, test_curve):
            assert isinstance(curve, GrowingPolyline)
            assert curve.n_points == 50
            assert curve.progress == 49  # drawn to the last epoch
            assert id(curve) in visible
            assert _hex(curve) == OPTIMIZER_COLORS[name].upper()
            assert curve.data[:, 0].tolist() == list(range(1, 51))
        assert np.array_equal(train_curve.data[:, 1], run.train_loss[1:])
        assert np.array_equal(test_curve.data[:, 1], run.test_loss[1:])
        # train solid (one path), test dashed (many short paths)
        assert not train_curve.dashed
        assert len(train_curve.get_subpaths()) == 1
        assert test_curve.dashed
        assert len(test_curve.get_subpaths()) > 20


def test_epoch_counter_reaches_the_last_epoch(loss_curves: tuple[Scene, np.ndarray]) -> None:
    scene, _ = loss_curves
    assert scene.epoch_box.counter.text == "50" == str(s5_runs()["SGD"].epochs)


def test_legend_names_every_optimizer_with_its_lr(loss_curves: tuple[Scene, np.ndarray]) -> None:
    scene, _ = loss_curves
    runs = s5_runs()
    rows = scene.legend[0]
    assert [row.label_text for row in rows] == [r.optimizer_label for r in runs.values()]
    for row in rows:
        assert "lr=" in row.label_text
        assert _hex(row[0]) == OPTIMIZER_COLORS[row.name].upper()


def test_ranking_is_sorted_by_final_test_loss(loss_curves: tuple[Scene, np.ndarray]) -> None:
    scene, _ = loss_curves
    runs = s5_runs()
    final_test = {n: float(r.test_loss[-1]) for n, r in runs.items()}  # type: ignore[index]
    expected = sorted(final_test, key=final_test.__getitem__)
    assert scene.ranking == expected
    rows = scene.table_rows
    assert [row.name for row in rows] == expected
    ys = [row.get_y() for row in rows]
    assert ys == sorted(ys, reverse=True)  # first place at the top
    visible = _on_screen(scene)
    for row in rows:
        run = runs[row.name]
        assert id(row) in visible
        assert row.test_text.value_str == fmt(run.test_loss[-1], 4)  # type: ignore[index]
        assert row.train_text.value_str == fmt(run.train_loss[-1], 4)
    shown = [float(row.test_text.value_str) for row in rows]
    assert shown == sorted(shown)


def test_optimizer_loss_curves_golden(
    loss_curves: tuple[Scene, np.ndarray], golden: Golden
) -> None:
    _, frame = loss_curves
    golden("OptimizerLossCurves", frame)
