"""Scene tests for the 2D scenes: GradientField (S2) and OptimizerRace (S6 race C, S7).

Each scene is rendered once (at 854x480) and shared by the tests of this module. The tests check
what the scene holds against numbers computed here independently from gdanim, then compare the
last frame with its golden PNG.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from manim import Arrow, ManimColor, config

from gdanim import descend, objectives, optimizers
from gdanim.analysis import saddle_escape_step
from scenes.field import FIELD_PARTS, MAP_VIEW, GradientField, arrow_lengths, field_grid
from scenes.mobjects import FastNumber, plain_formula, to_scene
from scenes.race import RACE_C, OptimizerRace
from scenes.style import OPTIMIZER_COLORS, fmt

_RENDERED: dict[str, tuple[Any, np.ndarray]] = {}


Render = Callable[..., tuple[Any, np.ndarray]]


def _render(render_scene: Render, cls: type) -> tuple[Any, np.ndarray]:
    if cls.__name__ not in _RENDERED:
        _RENDERED[cls.__name__] = render_scene(cls)
    return _RENDERED[cls.__name__]


def _pixel(point: np.ndarray, frame: np.ndarray) -> tuple[int, int]:
    """Row and column of a scene point in a rendered frame."""
    h, w = frame.shape[:2]
    col = (point[0] + config.frame_width / 2) / config.frame_width * w
    row = (config.frame_height / 2 - point[1]) / config.frame_height * h
    return int(round(row)), int(round(col))


def _near(frame: np.ndarray, rgb: np.ndarray, tol: float) -> np.ndarray:
    return np.asarray(np.linalg.norm(frame.astype(float) - rgb, axis=-1) < tol)


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------


def test_field_grid_is_the_s2_grid_inside_the_view() -> None:
    pts = field_grid((-2.0, 2.0, -2.0, 2.0))
    ticks = np.arange(-4.0, 4.0, 0.25)
    expected = {(x, y) for x in ticks for y in ticks if -2 <= x <= 2 and -2 <= y <= 2}
    assert {(float(x), float(y)) for x, y in pts} == expected
    assert len(pts) == 17 * 17


def test_arrow_lengths_grow_with_magnitude_and_are_capped() -> None:
    lengths = arrow_lengths(np.array([0.0, 1.0, 4.0, 16.0]), 0.3)
    assert lengths.tolist() == pytest.approx([0.0, 0.075, 0.15, 0.3])


def test_plain_formula() -> None:
    assert plain_formula("-x^2/2 + y^2") == "\u2212x\u00b2/2 + y\u00b2"
    assert plain_formula("x**2 + x*y + y**3") == "x\u00b2 + xy + y\u00b3"


def test_fast_number_formats_like_the_numbers_it_shows() -> None:
    n = FastNumber(0.25, "{:.3f}", 6)
    assert n._string.strip() == "0.250"
    n.set_value(-1.96616)
    assert n._string == "\u22121.966"
    n.set_value(-1e-12)  # no "-0.000"
    assert n._string.strip() == "0.000"
    n.shift([1.0, 2.0, 0.0])
    assert n.origin.tolist() == [1.0, 2.0, 0.0]
    c = FastNumber(7, "{:d}", 3, align="left")
    assert c._string == "7  "


# ------------------------------------------------------------------------------------------
# GradientField
# ------------------------------------------------------------------------------------------


def test_gradient_field_content(render_scene: Render) -> None:
    scene, _ = _render(render_scene, GradientField)
    ticks = np.arange(-4.0, 4.0, 0.25)
    in_view = sum(1 for x in ticks for y in ticks if -2 <= x <= 2 and -2 <= y <= 2)
    assert set(scene.arrows_by_part) == {p.objective for p in FIELD_PARTS}
    for part in FIELD_PARTS:
        f = objectives.get(part.objective)
        arrows = scene.arrows_by_part[part.objective]
        assert len(arrows) == in_view
        # every arrow points along -grad f at its grid point (scene axes have equal scales)
        pts = field_grid()
        down = -f.grad(pts)
        for arrow, d in zip(arrows, down, strict=True):
            if not isinstance(arrow, Arrow):
                assert np.linalg.norm(d) < 1e-9  # a dot marks a zero gradient
                continue
            v = arrow.get_end() - arrow.get_start()
            assert np.allclose(v[:2] / np.linalg.norm(v[:2]), d / np.linalg.norm(d), atol=1e-6)
        # arrows lie inside the drawn map (the view padded by half a grid cell)
        box = scene.field_axes[part.objective].frame_box
        assert arrows.get_left()[0] >= box.get_left()[0] - 1e-6
        assert arrows.get_right()[0] <= box.get_right()[0] + 1e-6
        assert arrows.get_bottom()[1] >= box.get_bottom()[1] - 1e-6
        assert arrows.get_top()[1] <= box.get_top()[1] + 1e-6

        # the SGD runs are gdanim's, drawn in the SGD colour
        runs = scene.trajectories[part.objective]
        paths = scene.paths[part.objective]
        assert len(runs) == len(part.starts) == len(paths)
        for start, traj, path in zip(part.starts, runs, paths, strict=True):
            ref = descend(f, optimizers.sgd(lr=part.lr), start, part.steps, bound=MAP_VIEW)
            assert np.array_equal(traj.points, ref.points)
            assert path.color_hex == OPTIMIZER_COLORS["SGD"].upper()
            assert ManimColor(path.line.get_stroke_color()).to_hex().upper() == path.color_hex
    # the bowl run and the first cubic-bowl run end at the minimum (0, 0)
    for name in ("bowl", "cubic_bowl"):
        end = scene.trajectories[name][0].points[-1]
        assert np.linalg.norm(end - np.array(objectives.get(name).minima[0])) < 1e-3
        path = scene.paths[name][0]
        assert np.allclose(path.tip, to_scene(scene.field_axes[name], end), atol=1e-6)
    # the second cubic-bowl run slides past the saddle and leaves the view, and is marked
    escaped = scene.trajectories["cubic_bowl"][1]
    assert escaped.stopped_at is not None
    assert scene.exit_marks["cubic_bowl"][1].step == escaped.stopped_at


def test_gradient_field_formulas_come_from_sympy(
    render_scene: Render,
) -> None:
    scene, _ = _render(render_scene, GradientField)
    for part in FIELD_PARTS:
        f = objectives.get(part.objective)
        f_tex, g_tex = scene.formulas[part.objective]
        assert f.latex in f_tex.tex_string
        assert f.grad_latex in g_tex.tex_string


def test_gradient_field_golden(
    render_scene: Render, golden: Callable[[str, np.ndarray], None]
) -> None:
    _, frame = _render(render_scene, GradientField)
    assert frame.shape == (480, 854, 3)
    golden("GradientField", frame)


# ------------------------------------------------------------------------------------------
# OptimizerRace
# ------------------------------------------------------------------------------------------


def _reference_runs() -> dict[str, Any]:
    f = objectives.get(RACE_C.objective)
    out = {}
    for spec in RACE_C.specs:
        opt = optimizers.from_spec(spec)
        out[opt.display_name] = (
            opt,
            descend(f, opt, RACE_C.start, RACE_C.steps, bound=RACE_C.view),
        )
    return out


def test_race_paths_and_legend(render_scene: Render) -> None:
    scene, _ = _render(render_scene, OptimizerRace)
    ref = _reference_runs()
    assert set(ref) == {"SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"}
    assert set(scene.paths) == set(ref) == set(scene.legend_entries)
    for name, (opt, traj) in ref.items():
        path = scene.paths[name]
        color = OPTIMIZER_COLORS[name].upper()
        assert path.color_hex == color
        assert ManimColor(path.line.get_stroke_color()).to_hex().upper() == color
        row = scene.legend_entries[name]
        assert row.label_text == opt.label
        assert row.color_hex.upper() == color
        assert row.name_text.text == name
        # the path is the trajectory up to its last point inside the view, fully grown
        last = traj.steps if traj.stopped_at is None else traj.stopped_at - 1
        assert np.allclose(path.points_scene, to_scene(scene.axes, traj.points[: last + 1]))
        assert np.allclose(path.tip, to_scene(scene.axes, traj.points[last]), atol=1e-9)
        # the live loss shows the last value
        assert scene.loss_numbers[name].get_value() == pytest.approx(float(traj.values[last]))
    assert scene.step_counter.get_value() == RACE_C.steps
    # the hyperparameters of the race
    hp = {n: dict(o.hyperparameters) for n, (o, _t) in ref.items()}
    assert hp["Nesterov"]["lr"] == 0.01 and hp["Nesterov"]["nesterov"] is True
    assert hp["RMSprop"]["alpha"] == 0.9 and hp["Adam"]["betas"] == (0.9, 0.99)
    assert all(hp[n]["lr"] == 0.05 for n in hp if n != "Nesterov")


def test_race_escape_and_exit_marks(render_scene: Render) -> None:
    scene, _ = _render(render_scene, OptimizerRace)
    ref = _reference_runs()
    for name, (_opt, traj) in ref.items():
        step = saddle_escape_step(traj, RACE_C.saddle, RACE_C.saddle_radius)
        assert step is not None, f"{name} never leaves the saddle region"
        mark = scene.escape_marks[name]
        assert mark.step == step
        ring = mark[1]
        assert np.allclose(ring.get_center(), to_scene(scene.axes, traj.points[step]), atol=1e-6)
        assert mark[2].text == str(step)
        # every run of race C leaves the view through the right edge, and is marked
        assert traj.stopped_at is not None
        assert scene.exit_marks[name].step == traj.stopped_at
    # S6: SGD crawls, the adaptive methods escape almost at once
    steps = {n: scene.escape_marks[n].step for n in ref}
    assert steps["SGD"] > 150
    assert max(steps["RMSprop"], steps["Adam"], steps["AdaGrad"]) < 30
    # S7 commentary quotes the same numbers
    for name, s in scene.note_facts:
        assert steps[name] == s


def test_race_says_why_nesterov_is_late_and_sgd_is_slowed(render_scene: Render) -> None:
    """Nesterov is late for its rate, not its method; plain gradient descent is not trapped."""
    scene, _ = _render(render_scene, OptimizerRace)
    ref = _reference_runs()
    f = objectives.get(RACE_C.objective)
    facts = scene.facts

    def escape(traj: Any) -> int | None:
        return saddle_escape_step(traj, RACE_C.saddle, RACE_C.saddle_radius)

    nes_opt, nes = ref["Nesterov"]
    mom_opt, mom = ref["Momentum"]
    ratio = mom_opt.hyperparameters["lr"] / nes_opt.hyperparameters["lr"]
    assert facts.rate_ratio == ratio == pytest.approx(5.0)
    again = optimizers.sgd(lr=mom_opt.hyperparameters["lr"], momentum=0.9, nesterov=True)
    same = escape(descend(f, again, RACE_C.start, RACE_C.steps, bound=RACE_C.view))
    assert facts.nesterov_same_rate_step == same
    assert facts.nesterov_step == escape(nes) and facts.momentum_step == escape(mom)
    # at the same rate Nesterov leaves before Momentum; at a fifth of it, after
    assert same is not None and facts.momentum_step is not None
    assert same < facts.momentum_step < facts.nesterov_step
    # plain gradient descent: x grows by 1 + eta a step (the x-curvature is -1), never stuck
    _sgd_opt, sgd = ref["SGD"]
    xs = sgd.points[:, 0]
    lr = _sgd_opt.hyperparameters["lr"]
    assert facts.sgd_growth == pytest.approx(xs[1] / xs[0]) == pytest.approx(1 + lr)
    assert facts.sgd_growth_steps
    assert facts.sgd_step == escape(sgd)
    # exactly on the ridge x = 0 the x-gradient is zero and no method moves off it
    assert facts.ridge_grad_x == 0.0
    assert set(facts.ridge_x) == set(ref)
    for name, (opt, _t) in ref.items():
        on_ridge = descend(f, opt, (0.0, RACE_C.start[1]), RACE_C.steps, bound=RACE_C.view)
        assert np.all(on_ridge.points[:, 0] == 0.0), name
        assert facts.ridge_x[name] == 0.0

    # the words: Nesterov is nowhere called plain gradient descent, and its rate is said
    texts = [n[0].text for n in scene.notes_shown]
    late = [t for t in texts if "Nesterov" in t]
    assert late and not any("Plaingradientstepscrawl" in t for t in texts)
    summary = scene.notes_shown[-1]
    nes_note = next(n for n in scene.notes_shown if "Nesterovisamomentummethod" in n[0].text)
    said = nes_note[0].text
    assert f"atlr{nes_opt.hyperparameters['lr']:g},fivetimessmaller" in said
    assert f"itleavesatstep{same},beforeMomentum(step{facts.momentum_step})" in said
    assert "therate,notthemethod" in said
    sgd_note = summary[0].text
    assert f"slowed,nottrapped:xgrowsabout\u00d7{fmt(xs[1] / xs[0], 2)}" in sgd_note
    assert f"leavesatstep{escape(sgd)}" in sgd_note
    assert "everymethodstaysonit,Adamincluded" in sgd_note


def test_race_paths_stay_inside_the_view(render_scene: Render) -> None:
    scene, _ = _render(render_scene, OptimizerRace)
    box = scene.axes.frame_box
    for path in scene.paths.values():
        pts = path.points_scene
        assert pts[:, 0].min() >= box.get_left()[0] - 1e-9
        assert pts[:, 0].max() <= box.get_right()[0] + 1e-9
        assert pts[:, 1].min() >= box.get_bottom()[1] - 1e-9
        assert pts[:, 1].max() <= box.get_top()[1] + 1e-9


def test_race_sgd_and_nesterov_both_visible_where_they_overlap(
    render_scene: Render,
) -> None:
    """SGD and Nesterov share the line x = 0 for their first steps: both colours must show."""
    scene, frame = _render(render_scene, OptimizerRace)
    for y in (0.3, 0.35, 0.4):
        row, col = _pixel(to_scene(scene.axes, [0.0, y]), frame)
        window = frame[row - 1 : row + 2, col - 8 : col + 9]
        for name in ("SGD", "Nesterov"):
            rgb = np.array(ManimColor(OPTIMIZER_COLORS[name]).to_rgb()) * 255
            assert _near(window, rgb, 60).any(), f"{name} hidden on x = 0 at y = {y}"


def test_race_golden(
    render_scene: Render, golden: Callable[[str, np.ndarray], None]
) -> None:
    _, frame = _render(render_scene, OptimizerRace)
    assert frame.shape == (480, 854, 3)
    golden("OptimizerRace", frame)
