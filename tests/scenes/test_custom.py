"""Scene tests for scenes/custom: what the custom scenes hold, read from their parameters.

Each scene is built from the typed parameters ``gdanim.app.config`` produces (through the JSON
file named by ``scenes.params.PARAMS_ENV``), found through the catalog, and rendered
in-process at 854x480 with animations skipped.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gdanim.app import config as cfg
from gdanim.app.cli import main
from scenes import catalog
from scenes.custom.common import custom_params
from scenes.custom.race3d import UNDEFINED_FLOOR
from scenes.params import (
    PARAMS_ENV,
    DescentParams,
    ParamsError,
    RaceParams,
    SceneParams,
    TitleParams,
)
from tests.toy_optimizer import registered

Render = Callable[..., tuple[Any, np.ndarray]]


def _scene(spec: cfg.SceneSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           render_scene: Render) -> tuple[Any, np.ndarray]:
    plan = spec.resolve()
    monkeypatch.setenv(PARAMS_ENV, str(SceneParams(scene=plan.scene_params()).to_file(
        tmp_path / "params.json")))
    scene_cls = getattr(importlib.import_module(plan.scene.import_path), plan.scene.name)
    return render_scene(scene_cls)


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
    assert scene.legend_entries[2].status is not None
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
    assert [p.run.lr for p in scene.panels] == [0.1, 0.5, 1.1]
    slow, one_step, diverging = scene.panels
    assert len(slow.arrows) == 8  # one arrow per step
    assert slow.run.stopped_at is None and one_step.run.points[1, 0] == 0.0
    assert "settled in a minimum" in one_step.verdict_text
    assert diverging.run.stopped_at is not None and diverging.diverged is not None
    assert diverging.verdict_text == f"diverged at step {diverging.run.stopped_at}"
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


def test_parameters_from_the_file_else_the_built_in_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene = importlib.import_module("scenes.custom.race").CustomRace()
    demo = importlib.import_module("scenes.custom.race").DEMO
    monkeypatch.delenv(PARAMS_ENV, raising=False)
    assert custom_params(scene, RaceParams, demo=demo) is demo
    given = cfg.SceneSpec(kind="race", function="bowl", start=(1.0, 1.0), steps=5,
                          optimizers=("adam:lr=0.1",)).resolve().scene_params()
    monkeypatch.setenv(PARAMS_ENV, str(SceneParams(scene=given).to_file(tmp_path / "p.json")))
    assert custom_params(scene, RaceParams, demo=demo) == given
    # parameters of another kind of scene are refused, naming both
    wrong = SceneParams(scene=TitleParams(title="Hello")).to_file(tmp_path / "q.json")
    monkeypatch.setenv(PARAMS_ENV, str(wrong))
    with pytest.raises(ParamsError, match="CustomRace takes RaceParams, not TitleParams"):
        custom_params(scene, RaceParams, demo=demo)


def test_every_custom_scene_of_the_catalog_has_its_example() -> None:
    for info in catalog.CUSTOM.values():
        module = importlib.import_module(info.import_path)
        assert info.file == Path(module.__file__ or "")
        cls = getattr(module, info.name)
        demos = [v for k, v in vars(module).items() if k.startswith("DEMO")
                 and isinstance(v, DescentParams | RaceParams | TitleParams)]
        assert any(info.accepts(d) for d in demos), info.name
        assert cls.__module__ == info.import_path


def test_a_race_with_a_schedule_runs_and_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, render_scene: Render
) -> None:
    spec = cfg.SceneSpec(kind="race", function="long_valley", start=(-7.0, 2.0), steps=40,
                         optimizers=("sgd:lr=0.9 @ step:step_size=10,gamma=0.5",
                                     "sgd:lr=0.9"))
    scene, _ = _scene(spec, tmp_path, monkeypatch, render_scene)
    scheduled, constant = scene.runs
    assert scheduled.label == "SGD (lr=0.9) @ StepLR (step_size=10, gamma=0.5)"
    assert constant.label == "SGD (lr=0.9)" and constant.schedule is None
    # the rate halves every 10 steps, as torch's StepLR has it
    assert scheduled.trajectory.lrs[[0, 9, 10, 20, 39]].tolist() == [0.9, 0.9, 0.45, 0.225,
                                                                      0.1125]
    assert scene.legend_entries[0].label_text == scheduled.label


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
    assert panel.verdict_text == verdict
    assert panel.diverged is not None and panel.run.stopped_at is not None
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
    assert sgd.status is None
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
    grey = np.all(np.isclose(scene.floor.face_rgbas[:, :3], UNDEFINED_FLOOR), axis=1)
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


def test_a_toy_optimizer_record_reaches_the_command_line_and_the_race_legend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, render_scene: Render,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with registered():
        # the command line checks its keywords from the record, in one line with exit 2
        monkeypatch.chdir(tmp_path)
        code = main(["race", "-f", "bowl", "--start", "2,2", "--steps", "20",
                     "--optimizer", "signsgd:momentum=0.9", "-q", "l"])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1
        assert "allowed keys: lr, maximize" in err
        # and races it: legend row, colour and path from the one record
        spec = cfg.SceneSpec(kind="race", function="bowl", start=(2.0, 2.0), steps=20,
                             optimizers=("signsgd:lr=0.1", "sgd:lr=0.1"))
        scene, _ = _scene(spec, tmp_path, monkeypatch, render_scene)
        assert [row.label_text for row in scene.legend_entries] == ["signSGD (lr=0.1)",
                                                                    "SGD (lr=0.1)"]
        assert scene.runs[0].color == "#FFFFFF"
        # signSGD moves every coordinate by exactly the rate while the sign holds
        assert np.allclose(scene.runs[0].points[:5], [[2.0 - 0.1 * k] * 2 for k in range(5)])
