"""Tests for gdanim.app.config: typed video descriptions, TOML files, checks, default views."""

from __future__ import annotations

from pathlib import Path

import pytest

from gdanim.app import config as cfg
from gdanim.app.config import video
from scenes import catalog
from scenes.params import DescentParams, RaceParams, SceneParams

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "valley_race.toml"


def _race(**kw: object) -> cfg.SceneSpec:
    base: dict[str, object] = {
        "kind": "race", "function": "x**2/20 + y**2", "start": (-7.0, 2.0), "steps": 100,
        "optimizers": ("sgd:lr=0.95", "adam:lr=0.3,betas=0.9/0.99"),
    }
    base.update(kw)
    return cfg.SceneSpec(**base)  # type: ignore[arg-type]


def _descend(**kw: object) -> cfg.SceneSpec:
    base: dict[str, object] = {
        "kind": "descend", "function": "x*cos(0.15*pi*x)", "start": (15.0,), "steps": 10,
        "lrs": (0.1, 3.0),
    }
    base.update(kw)
    return cfg.SceneSpec(**base)  # type: ignore[arg-type]


def test_race_plan_and_params() -> None:
    plan = _race(view=(-10.0, 10.0, -5.0, 5.0)).resolve()
    assert plan.scene is catalog.CUSTOM["CustomRace"]
    assert [o.display_name for o in plan.optimizers] == ["SGD", "Adam"]
    params = plan.scene_params()
    assert isinstance(params, RaceParams)
    # each optimizer travels as its factory name and numbers, rebuilt once in the scene
    assert [(o.name, o.lr, o.schedule) for o in params.optimizers] == [
        ("sgd", 0.95, None), ("adam", 0.3, None)]
    assert params.optimizers[1].hyperparameters["betas"] == (0.9, 0.99)
    assert [o.build(100)[0] for o in params.optimizers] == list(plan.optimizers)
    assert params.view == (-10.0, 10.0, -5.0, 5.0)
    assert params.start == (-7.0, 2.0) and params.steps == 100
    # and through the file the scene reads, unchanged
    assert SceneParams.from_json(SceneParams(scene=params).to_json()).scene == params


def test_descent_params_carry_the_rates_as_numbers() -> None:
    plan = _descend(lrs=(0.1, 1 / 3)).resolve()
    params = plan.scene_params()
    assert isinstance(params, DescentParams) and params.lrs == (0.1, 1 / 3)
    back = SceneParams.from_json(SceneParams(scene=params).to_json()).scene
    assert isinstance(back, DescentParams) and back.lrs[1] == 1 / 3  # bit for bit


def test_a_race_optimizer_may_name_a_schedule() -> None:
    plan = _race(function="long_valley", optimizers=("adam:lr=0.3 @ cosine:T_max=50",),
                 steps=50).resolve()
    assert plan.schedules[0] is not None and plan.schedules[0].label == \
        "CosineAnnealingLR (T_max=50)"
    (opt,) = plan.scene_params().optimizers  # type: ignore[union-attr]
    assert opt.schedule == "cosine:T_max=50"
    built, schedule = opt.build(50)
    assert built == plan.optimizers[0] and schedule is not None
    assert schedule.spec == plan.schedules[0].spec


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (_descend(lrs=(0.0,)), "--lr"),
        (_descend(lrs=(-0.1,)), "--lr"),
        (_race(optimizers=("sgd:lr=0",)), "--optimizer"),
        (_race(optimizers=("adam:lr=0.3", "momentum:lr=0.0")), "--optimizer"),
    ],
)
def test_one_rule_for_learning_rates_in_both_commands(spec: cfg.SceneSpec, field: str) -> None:
    with pytest.raises(cfg.ConfigError) as err:
        spec.resolve()
    message = str(err.value)
    assert message.startswith(f"{field}: ") and "\n" not in message
    assert message.endswith("is not allowed; a learning rate is a positive number such as 0.1")


@pytest.mark.parametrize(
    ("spec", "scene"),
    [
        (_descend(), "CustomDescent1D"),
        (_descend(function="bowl", start=(2.0, 2.0), lrs=(0.1,)), "CustomDescent2D"),
        (_race(three_d=True), "CustomRace3D"),
        (_descend(function="bowl", start=(2.0, 2.0), lrs=(0.1,), three_d=True), "CustomRace3D"),
    ],
)
def test_scene_follows_kind_and_dimension(spec: cfg.SceneSpec, scene: str) -> None:
    plan = spec.resolve()
    assert plan.scene is catalog.CUSTOM[scene]
    assert plan.scene.accepts(plan.scene_params())


def test_default_view_holds_start_and_paths() -> None:
    # S1: from 15 with rate 3 the run swings out to about 52.7 before it bounces near 0
    view = _descend().resolve().view
    assert view[0] <= -52.7 and view[1] >= 52.7
    # a catalog view that holds every path is kept as it is
    assert _race(function="long_valley").resolve().view == (-10.0, 10.0, -5.0, 5.0)


def test_default_view_lets_a_diverging_run_leave() -> None:
    f_view = _descend(function="x**2", start=(4.0,), lrs=(1.1,), steps=50).resolve().view
    assert f_view[1] - f_view[0] < 200  # not stretched to the divergent iterates
    assert f_view[0] <= 4.0 <= f_view[1]


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        (_race(function="x**2+"), "--function", "syntax error"),
        (_race(function="sadle"), "--function", "did you mean 'saddle'"),
        (_race(function="__import__('os')"), "--function", "not allowed"),
        (_race(function="x**2"), "--function", "two variables"),
        (_race(optimizers=("adma",)), "--optimizer", "unknown optimizer"),
        (_race(optimizers=("adam:lr=-1",)), "--optimizer", "lr must be >= 0"),
        (_race(optimizers=("adam:betas=0.9",)), "--optimizer", "two numbers"),
        (_race(start=(1.0,)), "--start", "needs 2"),
        (_race(view=(-1.0, 2.0, -1.0, 1.0)), "--view", "outside the view"),
        (_race(view=(-1.0, 2.0, -1.0)), "--view", "needs 4"),
        (_race(view=(2.0, -10.0, -5.0, 5.0)), "--view", "below the maximum"),
        (_race(steps=-5), "--steps", "1 to 100000"),
        (_race(steps=100_001), "--steps", "1 to 100000"),
        (_race(title="x" * 200), "--title", "at most"),
        (_descend(lrs=(-1.0,)), "--lr", "positive"),
        (_descend(lrs=(0.1,) * 5), "--lr", "at most 4"),
        (_descend(three_d=True), "--3d", "x and y"),
        (_descend(function="log(x)", start=(-1.0,)), "--start", "not defined"),
        # a start far out would make a view as wide (ticks of 150 digits)
        (_race(start=(1e150, 1e150)), "--start", "within ±1,000,000"),
        (_descend(function="x**2", start=(1e100,)), "--start", "too far out"),
        # a view too narrow for float64 to draw (a converging run looked like divergence)
        (_race(function="x**2 + y**2", start=(1.0, 1.0),
               view=(1.0, 1.0000000000000002, 1.0, 1.0000000000000002)), "--view",
         "at least 0.001"),
        (_race(view=(-1.0, 1e6 + 1, -5.0, 5.0), start=(0.0, 0.0)), "--view", "within ±"),
        (_race(view=(-1e6 - 1, 0.0, -5.0, 5.0), start=(-1.0, 0.0)), "--view", "within ±"),
        (_race(view=(1e5, 1e5 + 0.01, -5.0, 5.0), start=(1e5, 0.0)), "--view", "at least 0.1"),
    ],
)
def test_bad_input_names_the_field(spec: cfg.SceneSpec, field: str, words: str) -> None:
    with pytest.raises(cfg.ConfigError) as err:
        spec.resolve()
    message = str(err.value)
    assert message.startswith(field + ":"), message
    assert words in message
    assert "\n" not in message


@pytest.mark.parametrize("start", [9e5, -1e6, 3e5])
def test_a_computed_view_keeps_the_limits_of_a_typed_one(start: float) -> None:
    plan = _descend(function="x**2", start=(start,), lrs=(0.1,)).resolve()
    lo, hi = plan.view
    assert -cfg.MAX_COORD <= lo <= start <= hi <= cfg.MAX_COORD
    assert cfg.MIN_SPAN <= hi - lo <= cfg.MAX_SPAN
    # and a typed view equal to it is accepted
    _descend(function="x**2", start=(start,), lrs=(0.1,), view=plan.view).resolve()


def test_toml_style_names_scene_and_key() -> None:
    with pytest.raises(cfg.ConfigError, match=r"^f.toml: scene 2: start: "):
        _race(start=(1.0,)).resolve(style="toml", where="f.toml: scene 2: ")


def test_example_file_reads_and_checks() -> None:
    spec = cfg.VideoSpec.from_file(EXAMPLE)
    plans = spec.resolve()
    assert [p.scene.name for p in plans] == ["CustomRace", "CustomDescent1D"]
    assert spec.title and spec.output.poster is True
    out = spec.output_path()
    assert out is not None and out.name == "valley_race.mp4"


def test_round_trip_through_toml(tmp_path: Path) -> None:
    spec = cfg.VideoSpec(
        scenes=(
            _race(view=(-10.0, 10.0, -5.0, 5.0), title="Race \"B\"", captions=("one", "two")),
            _descend(three_d=False),
            _descend(function="bowl", start=(2.0, 2.0), lrs=(0.1,), three_d=True),
        ),
        output=cfg.OutputSettings(quality="l", format="webm", poster=True),
        title="A title",
    )
    path = spec.to_file(tmp_path / "v.toml")
    back = cfg.VideoSpec.from_file(path)
    assert back.scenes == spec.scenes
    assert back.output == spec.output
    assert back.title == spec.title


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "video.toml"
    path.write_text(text, encoding="utf-8")
    return path


SCENE = '[[scene]]\ntype = "race"\nfunction = "saddle"\nstart = [0.5, 0.5]\nsteps = 10\n'


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (SCENE + 'optimiser = ["sgd"]\n', "unknown key 'optimiser' (did you mean 'optimizers'?)"),
        (SCENE, "missing key 'optimizers'"),
        ('[[scene]]\ntype = "race"\nfunction = "saddle"\nsteps = 10\noptimizers = ["sgd"]\n',
         "missing key 'start'"),
        (SCENE.replace('"race"', '"rase"') + 'optimizers = ["sgd"]\n', "did you mean 'race'"),
        (SCENE + 'optimizers = ["sgd"]\n[output]\nqualty = "l"\n',
         "unknown key 'qualty' (did you mean 'quality'?)"),
        (SCENE + 'optimizers = ["sgd"]\n[output]\nformat = "avi"\n', "format: 'avi'"),
        ('[[scenes]]\ntype = "race"\n', "did you mean 'scene'"),
        ("[[scene]\n", "not valid TOML"),
        (SCENE.replace("steps = 10", 'steps = "ten"') + 'optimizers = ["sgd"]\n', "steps:"),
        # the limits of Python's TOML parser and of float64, each named by its field
        (SCENE.replace("start = [0.5, 0.5]", "start = " + "[" * 500 + "1" + "]" * 500)
         + 'optimizers = ["sgd"]\n', "line 4: start: arrays or inline tables nested 17 deep"),
        (SCENE + 'optimizers = ["sgd"]\ntitle = ' + "{a = " * 400 + "1" + "}" * 400 + "\n",
         "line 7: title: arrays or inline tables nested 17 deep"),
        (SCENE.replace("start = [0.5, 0.5]", "start = [1" + "0" * 400 + ", 0]")
         + 'optimizers = ["sgd"]\n', "scene 1: start: an integer of 401 digits is too large"),
        (SCENE.replace("start = [0.5, 0.5]", "start = [1" + "0" * 5000 + ", 0]")
         + 'optimizers = ["sgd"]\n', "line 4: start: a number of 5001 digits; at most 1000"),
        (SCENE.replace("steps = 10", "steps = 1" + "0" * 500) + 'optimizers = ["sgd"]\n',
         "scene 1: steps: an integer of 501 digits is not allowed"),
        ((SCENE + 'optimizers = ["sgd"]\n') * 201, "scene: 201 scenes given; at most 200"),
    ],
)
def test_bad_files_name_the_key(tmp_path: Path, text: str, words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(cfg.ConfigError) as err:
        cfg.VideoSpec.from_file(path).resolve()
    message = str(err.value)
    assert message.startswith("video.toml:"), message
    assert words in message, message
    assert "\n" not in message


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "video.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (SCENE + 'optimizers = ["sgd"]\n').encode("utf-8"))
    (plan,) = cfg.VideoSpec.from_file(path).resolve()
    assert plan.scene.name == "CustomRace"


def test_too_many_scenes_refused_before_any_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("a scene was read")

    monkeypatch.setattr(cfg.SceneSpec, "from_dict", fail)
    path = _write(tmp_path, (SCENE + 'optimizers = ["sgd"]\n') * 5000)
    with pytest.raises(cfg.ConfigError, match="5000 scenes given; at most 200"):
        cfg.VideoSpec.from_file(path)


def test_large_file_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(video.tomllib, "loads", fail)
    path = _write(tmp_path, "# padding\n" * 200_000)
    with pytest.raises(cfg.ConfigError, match=r"^video.toml: larger than 1,000,000 bytes"):
        cfg.VideoSpec.from_file(path)


def test_missing_file() -> None:
    with pytest.raises(cfg.ConfigError, match="no such file"):
        cfg.VideoSpec.from_file("/nonexistent/video.toml")


def test_format_from_suffix() -> None:
    assert cfg.format_for(Path("a.gif"), None) == "gif"
    assert cfg.format_for(None, "webm") == "webm"
    with pytest.raises(cfg.ConfigError, match="must end in one of"):
        cfg.format_for(Path("a.avi"), None)


def test_output_path_checks_write_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(cfg.ConfigError, match="is a file, not a folder"):
        cfg.check_output_path(blocker / "out.mp4")
    with pytest.raises(cfg.ConfigError, match="is a folder"):
        cfg.check_output_path(tmp_path)
    ok = cfg.check_output_path(tmp_path / "new" / "deeper" / "out.mp4")
    assert ok.is_absolute()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
