"""Scene tests for the S6 races A and B on 3D surfaces."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from manim import Text

from gdanim import descend, objectives, optimizers
from scenes.races3d import RACE_A, RACE_B, SurfaceRaceA, SurfaceRaceB
from scenes.style import OPTIMIZER_COLORS


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
    golden(cls.__name__, frame)


def test_race_a_has_runs_that_leave_over_the_cliff() -> None:
    f = objectives.resolve(RACE_A["function"])
    stopped = [
        descend(f, optimizers.from_spec(s), RACE_A["start"], RACE_A["steps"],
                bound=RACE_A["view"]).stopped_at
        for s in RACE_A["optimizers"]
    ]
    assert sum(s is not None for s in stopped) >= 2
