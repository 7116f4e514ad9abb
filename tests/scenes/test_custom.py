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
