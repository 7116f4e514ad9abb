"""Scene tests for scenes/custom.py: what the custom scenes hold, read from their parameters.

Each scene is built from the parameters ``gdanim.config`` produces (through the JSON file named
by ``GDANIM_SCENE_PARAMS``) and rendered in-process at 854x480 with animations skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gdanim import config as cfg
from scenes import custom

Render = Callable[..., tuple[Any, np.ndarray]]


def _scene(spec: cfg.SceneSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           render_scene: Render) -> tuple[Any, np.ndarray]:
    plan = spec.resolve()
    path = tmp_path / "params.json"
    path.write_text(json.dumps(plan.params()), encoding="utf-8")
    monkeypatch.setenv(custom.PARAMS_ENV, str(path))
    return render_scene(getattr(custom, plan.scene_class))


def test_race_paths_legend_and_divergence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          render_scene: Render) -> None:
    spec = cfg.SceneSpec(
        kind="race", function="long_valley", start=(-7.0, 2.0), steps=60,
        optimizers=("sgd:lr=0.95", "adam:lr=0.3,betas=0.9/0.99", "sgd:lr=1.05"),
    )
    scene, frame = _scene(spec, tmp_path, monkeypatch, render_scene)
    assert len(scene.paths) == 3
    labels = [row.label_text for row in scene.legend_entries]
    assert labels == ["SGD (lr=0.95)", "Adam (lr=0.3, betas=0.9/0.99)", "SGD (lr=1.05)"]
    colors = [run.color for run in scene.runs]
    assert colors[0] == "#E69F00" and colors[1] == "#D55E00"  # the lecture's colours
    assert len(set(colors)) == 3  # a repeated optimizer gets a colour of its own
    # SGD at 1.05 > 2/L = 1 diverges across the valley: stopped at the view's edge, marked
    stopped = scene.runs[2].stopped_at
    assert stopped is not None and scene.runs[0].stopped_at is None
    assert hasattr(scene.legend_entries[2], "status")
    assert f"step {stopped}" in scene.summary_note.caption
    # every drawn point lies in the view
    for run in scene.runs:
        pts = run.points
        assert np.all((pts[:, 0] >= -10) & (pts[:, 0] <= 10))
        assert np.all((pts[:, 1] >= -5) & (pts[:, 1] <= 5))
    assert frame.std() > 10


def test_descend_1d_one_panel_per_rate_one_arrow_per_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, render_scene: Render
) -> None:
    spec = cfg.SceneSpec(kind="descend", function="x**2", start=(4.0,), steps=8,
                         lrs=(0.1, 0.5, 1.1))
    scene, _ = _scene(spec, tmp_path, monkeypatch, render_scene)
    assert [round(custom._lr(p.run), 3) for p in scene.panels] == [0.1, 0.5, 1.1]
    slow, one_step, diverging = scene.panels
    assert len(slow.arrows) == 8  # one arrow per step
    assert slow.run.stopped_at is None and one_step.run.points[1, 0] == 0.0
    assert "settled in a minimum" in one_step.verdict.text_value
    assert diverging.run.stopped_at is not None and diverging.diverged is not None
    assert diverging.verdict.text_value == f"diverged at step {diverging.run.stopped_at}"
    assert len(diverging.arrows) == diverging.run.stopped_at - 1


def test_descend_2d_field_and_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    render_scene: Render) -> None:
    spec = cfg.SceneSpec(kind="descend", function="bowl", start=(2.0, 2.0), steps=30,
                         lrs=(0.1, 0.95))
    scene, _ = _scene(spec, tmp_path, monkeypatch, render_scene)
    assert len(scene.paths) == 2
    assert [row.label_text for row in scene.legend_entries] == [r"\eta = 0.100",
                                                               r"\eta = 0.950"]
    end = scene.runs[0].points[-1]
    assert np.linalg.norm(end) < 1e-2  # 0.8^30 of the way


def test_race_3d_holds_one_path_per_optimizer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, render_scene: Render
) -> None:
    spec = cfg.SceneSpec(kind="race", function="bowl", start=(2.0, 2.0), steps=20,
                         optimizers=("sgd:lr=0.1", "adam:lr=0.3"), three_d=True)
    scene, frame = _scene(spec, tmp_path, monkeypatch, render_scene)
    assert len(scene.paths) == 2 and len(scene.legend_entries) == 2
    assert frame.std() > 10


def test_demo_parameters_without_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(custom.PARAMS_ENV, raising=False)
    for name in ("CustomDescent1D", "CustomDescent2D", "CustomRace", "CustomRace3D"):
        p = custom.load_params(name)
        assert p["function"] and p["steps"] > 0


# -- runs that reach where f is undefined, and updates of 0/0 ----------------------------------


@pytest.mark.parametrize(
    ("function", "lr", "view", "verdict", "target"),
    [
        # the first step lands at x = -9, out of the view, where log is undefined: the arrow
        # goes to the left edge, level with the start (no curve to land on there)
        ("log(x)", 10.0, None, "diverged at step 1", -1.5),
        ("x**x", 3.0, None, "diverged at step 1", -1.5),
        # 1 -> 0.5 -> -0.5: inside the view, where log is undefined
        ("log(x)", 0.5, (-2.0, 4.0), "diverged at step 2: f is undefined at x = -0.5", -0.5),
    ],
)
def test_descend_1d_into_undefined_f(
    function: str, lr: float, view: tuple[float, float] | None, verdict: str, target: float,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, render_scene: Render,
) -> None:
    spec = cfg.SceneSpec(kind="descend", function=function, start=(1.0,), steps=4, lrs=(lr,),
                         view=view)
    scene, frame = _scene(spec, tmp_path, monkeypatch, render_scene)
    (panel,) = scene.panels
    assert panel.verdict.text_value == verdict
    assert panel.diverged is not None and panel.diverged.step == panel.run.stopped_at
    points = np.concatenate([m.points for m in panel.diverged.family_members_with_points()])
    assert np.all(np.isfinite(points))
    cross = panel.diverged[-1]
    last = panel.axes.c2p(float(panel.run.points[-1, 0]), float(panel.run.values[-1]))
    assert cross.get_center()[0] == pytest.approx(panel.axes.c2p(target, 0)[0], abs=0.12)
    assert cross.get_center()[1] == pytest.approx(last[1], abs=0.05)  # level with the run
    assert frame.std() > 10


def test_adam_with_eps_zero_at_a_zero_gradient_is_not_called_divergence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, render_scene: Render
) -> None:
    spec = cfg.SceneSpec(kind="race", function="x**2 + y**2", start=(0.0, 1.0), steps=10,
                         optimizers=("adam:lr=0.1,eps=0", "sgd:lr=0.1"))
    scene, _ = _scene(spec, tmp_path, monkeypatch, render_scene)
    adam, sgd = scene.legend_entries
    assert adam.status.original_text == "stopped at step 1: 0/0"
    assert not hasattr(sgd, "status")
    caption = scene.summary_note.caption
    assert "Stopped by an update of 0/0 (eps = 0 where the gradient is 0): Adam at step 1." \
        in caption
    assert "diverged" not in caption.lower()


def test_race_3d_surface_has_a_hole_where_f_is_undefined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, render_scene: Render
) -> None:
    spec = cfg.SceneSpec(kind="race", function="log(x)+y**2", start=(1.0, 1.0), steps=20,
                         optimizers=("sgd:lr=0.1",), three_d=True)
    scene, frame = _scene(spec, tmp_path, monkeypatch, render_scene)
    surface = scene.surface
    # the view is [-1.5, 1.5]^2: log(x) is undefined on its left half, and at x = 0
    assert 0.45 < float(np.mean(~surface.defined)) < 0.55
    assert surface.n_faces == 40 * 19  # the columns right of x = 0 only
    assert np.all(np.isfinite(surface.points)) and np.all(np.isfinite(surface.face_centers()))
    grey = np.all(np.isclose(scene.floor.face_rgbas[:, :3], custom.UNDEFINED_FLOOR), axis=1)
    assert 0.4 < float(grey.mean()) < 0.6
    (run,) = scene.runs
    assert run.stop is not None and run.stop.reason == "undefined" and run.stopped_at == 6
    assert "f undefined there" in scene.legend_entries[0].status.original_text
    assert len(scene.stop_marks) == 1
    assert frame.std() > 10


def test_fast_surface_leaves_out_faces_with_an_undefined_corner() -> None:
    from scenes.fastsurface import FastSurface

    def graph(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.stack([u, v, np.sqrt(u) + v], axis=-1)  # undefined for u < 0

    surface = FastSurface(graph, (-1, 1), (0, 1), 4, vectorized=True)
    assert surface.n_faces == 8  # 2 of 4 columns, 4 rows
    assert np.all(surface.uv[surface.faces][..., 0] >= 0)
    assert np.all(np.isfinite(surface.points))
    assert np.all(np.isfinite(surface.get_center()))
