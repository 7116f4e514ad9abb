"""Tuned and scheduled races from the command line and TOML: ``--tune``, ``--tune-target``,
``--schedule`` and the keys ``tune``, ``tune_target`` and ``schedule``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from gdanim import descend, objectives, optimizers, schedules, tuning
from gdanim.app import config as cfg
from gdanim.app.cli import main
from scenes.params import RaceParams

SADDLE = dict(kind="race", function="saddle", start=(1e-5, 0.5), steps=300)


def _run(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_at_a_time(f: objectives.Objective, opt: optimizers.Optimizer, start: Sequence[float],
                   steps: int, view: Sequence[float]) -> float:
    """The grid's best rate by final loss inside the view, each rate run on its own."""
    best, best_loss = float("nan"), float("inf")
    for lr in tuning.default_grid(cfg.TUNE_GRID_SIZE):
        run = descend(f, opt.replace(lr=float(lr)), np.array(start), steps,
                      bound=view)
        if run.stopped_at is None and float(run.values[-1]) < best_loss:
            best, best_loss = float(lr), float(run.values[-1])
    return best


def test_tune_races_each_optimizer_at_the_grids_best_rate() -> None:
    plan = cfg.SceneSpec(**SADDLE, optimizers=("sgd", "adam"), tune=True).resolve()
    f = objectives.get("saddle")
    assert plan.view == (-1.0, 2.0, -1.0, 1.0)  # the catalog view: the box the rates are tuned in
    for opt, name in zip(plan.optimizers, ("sgd", "adam"), strict=True):
        given = optimizers.from_spec(name)
        assert opt.hyperparameters["lr"] == _one_at_a_time(f, given, SADDLE["start"], 300,
                                                           plan.view)
        # only the rate changes
        rest = {k: v for k, v in opt.hyperparameters.items() if k != "lr"}
        assert rest == {k: v for k, v in given.hyperparameters.items() if k != "lr"}
    assert plan.tuning == ("Each at its best of 48 rates from 0.0001 to 10, by final loss "
                           "inside the view")
    # the scene is told, and the sentence survives the trip to the scene process
    params = plan.scene_params()
    assert isinstance(params, RaceParams)
    back = RaceParams.from_dict(json.loads(json.dumps(params.to_dict())))
    assert back.tuning == plan.tuning
    assert [o.hyperparameters["lr"] for o in back.optimizers] == \
        [o.hyperparameters["lr"] for o in plan.optimizers]


def test_tune_target_picks_by_steps_to_the_target() -> None:
    plan = cfg.SceneSpec(**SADDLE, optimizers=("sgd:lr=0.01", "adam:lr=0.05"), tune=True,
                         tune_target=-0.5).resolve()
    f = objectives.get("saddle")
    want = [tuning.tune(f, name, SADDLE["start"], 300, bound=plan.view, target=-0.5).best_lr
            for name in ("sgd", "adam")]
    assert [o.hyperparameters["lr"] for o in plan.optimizers] == want
    assert plan.tuning.endswith("by fewest steps to f ≤ -0.5")
    # no rate may win by leaving: every tuned run reaches the target inside the view
    for opt in plan.optimizers:
        run = descend(f, opt, np.array(SADDLE["start"]), 300, bound=plan.view)
        assert float(np.min(run.values)) <= -0.5


def test_schedule_goes_to_every_optimizer_that_names_none() -> None:
    plan = cfg.SceneSpec(kind="race", function="bowl", start=(2.0, 2.0), steps=200,
                         optimizers=("sgd:lr=0.3", "adam:lr=0.3 @ step:step_size=50"),
                         schedule="cosine").resolve()
    first, second = plan.schedules
    assert first is not None and second is not None
    cosine = schedules.from_spec("cosine", steps=200)
    assert np.array_equal(first.rates(0.3, 200), cosine.rates(0.3, 200))
    assert second.rates(0.3, 200)[60] == pytest.approx(0.03)  # its own StepLR, not the cosine


@pytest.mark.parametrize(("argv", "words"), [
    (["--tune-target", "-0.5"], "--tune-target: needs tune"),
    (["--tune", "--tune-target", "nan"], "--tune-target: nan is not allowed"),
    (["--schedule", "bogus"], "--schedule: schedule spec 'bogus': unknown schedule 'bogus'"),
    (["--tune", "--view", "-1,2,-1,1", "--steps", "3", "--tune-target", "-100"],
     "--tune: at no rate from 0.0001 to 10 reached f ≤ -100 and stayed there with SGD in 3 "
     "steps"),
])
def test_bad_tuning_input_is_one_line_and_exit_2(
    argv: list[str], words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    base = ["race", "-f", "saddle", "--start", "0.00001,0.5", "--steps", "300",
            "--optimizer", "sgd", "-q", "l"]
    code, out, err = _run([*base, *argv], capsys)
    assert code == 2
    assert err.count("\n") == 1 and words in err, err
    assert not list(tmp_path.iterdir())  # nothing rendered or written


def test_descend_refuses_race_only_keys(capsys: pytest.CaptureFixture[str]) -> None:
    for key, value in (("schedule", "cosine"), ("tune", True), ("tune_target", -0.5)):
        spec = cfg.SceneSpec(kind="descend", function="bowl", start=(1.0, 1.0), steps=10,
                             lrs=(0.1,), **{key: value})  # type: ignore[arg-type]
        with pytest.raises(cfg.ConfigError, match=f"^{key}: is for races"):
            spec.resolve(style="toml")


def test_toml_keys_read_check_and_round_trip(tmp_path: Path) -> None:
    table = {"type": "race", "function": "saddle", "start": [1e-5, 0.5], "steps": 300,
             "optimizers": ["sgd", "adam"], "schedule": "cosine", "tune": True,
             "tune_target": -0.5}
    spec = cfg.SceneSpec.from_dict(table, "v.toml: scene 1: ")
    assert (spec.schedule, spec.tune, spec.tune_target) == ("cosine", True, -0.5)
    assert cfg.SceneSpec.from_dict(spec.to_dict()) == spec
    for key, bad, words in (("tune", "yes", "tune: must be true or false"),
                            ("tune_target", [-0.5], "tune_target: must be one number"),
                            ("schedule", 3, "schedule: must be text")):
        with pytest.raises(cfg.ConfigError, match=f"^v.toml: scene 1: {words}"):
            cfg.SceneSpec.from_dict({**table, key: bad}, "v.toml: scene 1: ")


@pytest.mark.slow
def test_tuned_saddle_race_renders_and_says_how_it_was_tuned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tuned.mp4"
    code, stdout, err = _run(
        ["race", "--function", "saddle", "--start", "0.00001,0.5", "--steps", "300", "--tune",
         "--optimizer", "sgd", "--optimizer", "adam", "-q", "l", "--quiet", "-o", str(out)],
        capsys,
    )
    assert code == 0, err
    assert stdout.strip() == str(out) and out.stat().st_size > 10_000
    srt = out.with_suffix(".srt").read_text(encoding="utf-8")
    plan = cfg.SceneSpec(**SADDLE, optimizers=("sgd", "adam"), tune=True).resolve()
    labels = ", ".join(o.label for o in plan.optimizers)
    assert f"{plan.tuning}: {labels}." in srt.replace("\n", " ")
