"""The lecture's summary (Outro): every line true, its numbers recomputed here from gdanim."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gdanim import descend, objectives, optimizers
from gdanim.analysis import saddle_escape_step
from scenes.lecture import Outro, outro_points
from scenes.pacing import READING_RATE
from scenes.race import RACE_C
from scenes.style import fmt


def test_outro_lines_are_computed(render_scene: Callable[..., tuple[Any, np.ndarray]]) -> None:
    scene, _ = render_scene(Outro)
    assert scene.points == outro_points()
    said = [sub.content for sub in scene.renderer.file_writer.subcaptions]
    assert said == scene.points
    for sub in scene.renderer.file_writer.subcaptions:
        assert (sub.end - sub.start).total_seconds() >= len(sub.content) / READING_RATE - 0.05

    # plain gradient descent on the saddle: x grows by 1 + eta a step and it leaves at step 226
    f = objectives.get(RACE_C.objective)
    sgd = optimizers.from_spec(RACE_C.specs[0])
    assert sgd.display_name == "SGD"
    run = descend(f, sgd, RACE_C.start, RACE_C.steps, bound=RACE_C.view)
    growth = run.points[1, 0] / run.points[0, 0]
    step = saddle_escape_step(run, RACE_C.saddle, RACE_C.saddle_radius)
    assert step == 226
    saddle_line = next(p for p in scene.points if p.startswith("A saddle"))
    assert saddle_line == (
        "A saddle slows plain gradient descent, not traps it: x grows "
        f"\u00d7{fmt(growth, 2)} a step, out at step {step}."
    )
    assert "trap plain SGD" not in " ".join(scene.points)
    # exactly on the ridge x = 0 every method of the race stays on it
    assert any("every method stays, Adam included" in p for p in scene.points)
    for spec in RACE_C.specs:
        ridge = descend(f, optimizers.from_spec(spec), (0.0, RACE_C.start[1]), RACE_C.steps,
                        bound=RACE_C.view)
        assert np.all(ridge.points[:, 0] == 0.0), spec
    assert f.grad(np.array([0.0, 0.37]))[0] == 0.0
    # the parity with torch is the tolerance the tests hold the optimizers to
    assert optimizers.TORCH_PARITY_RTOL == 1e-10
    assert scene.points[-1] == (
        "Runs in float64; the optimizers match torch.optim to a relative 1e-10 (tested)."
    )
    assert "exactly" not in scene.points[-1]
