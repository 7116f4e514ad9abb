"""Scene tests for OptimizerTraits (S7): six cards, each number recomputed here from gdanim.

The scene is rendered once (at 854x480, animations skipped) and shared by the tests. Every
number a card shows is recomputed independently: the runs are set up again from the S6
scenario text (not from the scene's own plan) and measured with gdanim.analysis and
gdanim.traits, then formatted to the precision shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from manim import ManimColor, MarkupText, VMobject, config

from gdanim import Trajectory, analysis, descend, objectives, optimizers, traits
from scenes.mobjects import to_scene
from scenes.pacing import READING_RATE
from scenes.style import OPTIMIZER_COLORS, fmt
from scenes.traits import OptimizerTraits

Render = Callable[..., tuple[Any, np.ndarray]]

_RENDERED: dict[str, tuple[Any, np.ndarray]] = {}

#: S6 race C: the saddle, all at lr 0.05 (RMSprop beta 0.9, Adam 0.9/0.99), 500 steps.
SADDLE_SPECS = {
    "SGD": "sgd:lr=0.05",
    "Momentum": "sgd:lr=0.05,momentum=0.9",
    "AdaGrad": "adagrad:lr=0.05",
    "RMSprop": "rmsprop:lr=0.05,alpha=0.9",
    "Adam": "adam:lr=0.05,betas=0.9/0.99",
}
#: S6 race B on the long valley (SGD, Momentum) and Nesterov with Momentum's settings.
VALLEY_SPECS = {
    "SGD": "sgd:lr=0.95",
    "Momentum": "sgd:lr=0.1,momentum=0.9",
    "Nesterov": "sgd:lr=0.1,momentum=0.9,nesterov=true",
}
#: Which surface and which measure each card's headline uses.
CARDS = [
    ("SGD", "saddle", "saddle_escape_step"),
    ("AdaGrad", "saddle", "step_ratio_100"),
    ("RMSprop", "saddle", "saddle_escape_step"),
    ("Adam", "saddle", "saddle_escape_step"),
    ("Momentum", "long_valley", "overshoot"),
    ("Nesterov", "long_valley", "overshoot"),
]


class _RecordedTraits(OptimizerTraits):
    """The scene, keeping a picture of each card as it ends."""

    record_card_frames = True


def _scene(render_scene: Render) -> tuple[Any, np.ndarray]:
    if "traits" not in _RENDERED:
        _RENDERED["traits"] = render_scene(_RecordedTraits)
    return _RENDERED["traits"]


def _pixel(point: np.ndarray, frame: np.ndarray) -> tuple[int, int]:
    """Row and column of a scene point in a rendered frame."""
    h, w = frame.shape[:2]
    col = (point[0] + config.frame_width / 2) / config.frame_width * w
    row = (config.frame_height / 2 - point[1]) / config.frame_height * h
    return int(round(row)), int(round(col))


def _share_near(frame: np.ndarray, color: str, tol: float = 40.0) -> float:
    rgb = np.array(ManimColor(color).to_rgb()) * 255
    return float((np.linalg.norm(frame.astype(float) - rgb, axis=-1) < tol).mean())


def _run(name: str, objective: str) -> Trajectory:
    if objective == "saddle":
        return descend(objectives.get("saddle"), optimizers.from_spec(SADDLE_SPECS[name]),
                       (0.00001, 0.5), 500, bound=(-1.0, 2.0, -1.0, 1.0))
    return descend(objectives.get("long_valley"), optimizers.from_spec(VALLEY_SPECS[name]),
                   (-7.0, 2.0), 100, bound=(-10.0, 10.0, -5.0, 5.0))


def _spec(name: str, objective: str) -> str:
    return (SADDLE_SPECS if objective == "saddle" else VALLEY_SPECS)[name]


def _expected(fact: dict[str, Any]) -> tuple[float, str]:
    """The value of a fact recomputed from a fresh run, and the text it must show."""
    t = _run(fact["optimizer"], fact["objective"])
    metric = fact["metric"]
    if metric == "saddle_escape_step":
        v = analysis.saddle_escape_step(t, (0.0, 0.0), 0.6)
        assert v is not None
        return v, str(v)
    if metric == "exit_step":
        assert t.stopped_at is not None
        return int(t.stopped_at), str(int(t.stopped_at))
    if metric == "displacement_x_100":
        v = traits.displacement(t, 100, axis=0)
        return v, f"{v:.2g}"
    if metric == "step_ratio_100":
        v = traits.step_ratio(t, 100, reference=1)
        return v, f"{round(100 * v)}%"
    if metric in ("step_length_min", "step_length_max"):
        lengths = traits.step_lengths(t)
        v = float(lengths.min() if metric.endswith("min") else lengths.max())
        return v, fmt(v, 3)
    if metric == "overshoot":
        v = analysis.overshoot(t, (0.0, 0.0))
        return v, f"{v:.2f}"
    if metric == "direction_reversals_y":
        v = traits.direction_reversals(t, axis=1)
        return v, str(v)
    if metric == "steps":
        return t.steps, str(t.steps)
    if metric == "steps_to_tolerance":
        v = analysis.steps_to_tolerance(t, 0.0, 1e-3)
        assert v is not None
        return v, str(v)
    if metric in ("grad_x_start", "grad_y_start"):
        # the gradient of -x^2/2 + y^2 at the start (x0, y0) is (-x0, 2 y0)
        x0, y0 = t.points[0]
        v = float(-x0 if metric == "grad_x_start" else 2 * y0)
        assert v == float(t.grads[0, 0 if metric == "grad_x_start" else 1])
        if metric == "grad_x_start":
            mant, exp = f"{v:.0e}".split("e")
            return v, f"{mant}e{int(exp)}"
        return v, f"{v:.1f}"
    raise AssertionError(f"unexpected metric {metric!r}")


def _hex(color: Any) -> str:
    return ManimColor(color).to_hex().upper()


# ------------------------------------------------------------------------------------------


def test_six_cards_one_per_s7_optimizer(render_scene: Render) -> None:
    scene, _ = _scene(render_scene)
    got = [(c["optimizer"], c["objective"], c["metric"]) for c in scene.cards]
    assert got == CARDS
    assert {c["optimizer"] for c in scene.cards} == {
        "SGD", "AdaGrad", "RMSprop", "Momentum", "Adam", "Nesterov"
    }
    # a section per card, narrated
    writer: Any = scene.renderer.file_writer
    names = [s.name for s in writer.sections]
    for name, _objective, _metric in CARDS:
        assert name in names
    texts = [sub.content for sub in writer.subcaptions]
    for card in scene.cards:
        for caption in card["captions"]:
            assert caption in texts
        # the subcaptions say THE number
        assert any(card["shown"] in c for c in card["captions"])
    starts = [sub.start.total_seconds() for sub in writer.subcaptions]
    ends = [sub.end.total_seconds() for sub in writer.subcaptions]
    for end, nxt in zip(ends, starts[1:], strict=False):
        assert end <= nxt + 1e-6


def test_every_number_is_recomputed_from_the_run(render_scene: Render) -> None:
    scene, _ = _scene(render_scene)
    for card in scene.cards:
        assert card["facts"][0]["metric"] == card["metric"]
        assert card["facts"][0]["shown"] == card["shown"]
        assert card["value"] == card["facts"][0]["value"]
        for fact in card["facts"]:
            value, shown = _expected(fact)
            assert fact["value"] == pytest.approx(value, rel=1e-12, abs=0.0), fact
            assert fact["shown"] == shown, fact
        # THE number is on screen, as its own text in the headline sentence
        assert card["number_mob"].text == card["shown"]
        assert card["shown"] in card["text"]
        # every other number is on its line, on screen
        on_lines = [f for f in card["facts"][1:]]
        line_text = " ".join(card["lines"])
        screen_text = " ".join(m.text for m in card["line_mobs"])
        for fact in on_lines:
            assert fact["shown"] in line_text
            assert fact["shown"].replace(" ", "") in screen_text
        for line, mob in zip(card["lines"], card["line_mobs"], strict=True):
            assert isinstance(mob, MarkupText)
            plain = "".join(ch for ch in mob.text if ch not in " ")
            for fact in card["facts"]:
                if fact["shown"] in line:
                    assert fact["shown"] in plain


def test_sgd_card_says_only_the_x_gradient_is_almost_zero(render_scene: Render) -> None:
    scene, _ = _scene(render_scene)
    sgd = next(c for c in scene.cards if c["optimizer"] == "SGD")
    g = {f["metric"]: f["value"] for f in sgd["facts"]}
    assert g["grad_x_start"] == pytest.approx(-1e-5) and g["grad_y_start"] == 1.0
    assert sgd["lines"][0] == "gradient at the start: (-1e-5, 1.0)"
    said = sgd["captions"][0]
    assert "(-1e-5, 1.0)" in said and "almost zero only along x" in said
    assert "plain gradient descent" in said
    assert "it is almost zero" not in said


def test_s7_comparisons(render_scene: Render) -> None:
    scene, _ = _scene(render_scene)
    cards = {c["optimizer"]: c for c in scene.cards}

    def facts(metric: str) -> dict[str, float]:
        return {
            f["optimizer"]: f["value"]
            for c in scene.cards
            for f in c["facts"]
            if f["metric"] == metric and f["objective"] == c["objective"]
        }

    # SGD crawls off the saddle; the adaptive methods are out almost at once
    escape = facts("saddle_escape_step")
    assert {"SGD", "AdaGrad", "RMSprop", "Adam"} <= set(escape)
    assert escape["SGD"] > max(escape["AdaGrad"], escape["RMSprop"], escape["Adam"])
    assert cards["SGD"]["value"] == escape["SGD"] > 200
    # AdaGrad's steps die out, RMSprop's do not: RMSprop reaches the edge far sooner
    assert cards["AdaGrad"]["value"] < 0.2
    exits = facts("exit_step")
    assert exits["AdaGrad"] > 5 * exits["RMSprop"]
    # Momentum cuts SGD's zig-zag across the valley, and overshoots
    turns = facts("direction_reversals_y")
    assert turns["SGD"] == 99 and turns["Momentum"] < turns["SGD"] / 5
    assert cards["Momentum"]["value"] > 1.0
    # Nesterov overshoots less than Momentum, and both numbers are on its card
    nesterov = cards["Nesterov"]
    over = {f["optimizer"]: f["value"] for f in nesterov["facts"] if f["metric"] == "overshoot"}
    assert over["Nesterov"] < over["Momentum"] == cards["Momentum"]["value"]
    tol = {f["optimizer"]: f["value"] for f in nesterov["facts"]
           if f["metric"] == "steps_to_tolerance"}
    assert tol["Nesterov"] < tol["Momentum"]


def test_colours_rules_and_paths(render_scene: Render) -> None:
    scene, _ = _scene(render_scene)
    for card in scene.cards:
        name, objective = card["optimizer"], card["objective"]
        color = OPTIMIZER_COLORS[name].upper()
        assert card["color"].upper() == color
        assert _hex(card["name_mob"].get_color()) == color
        assert card["name_mob"].text == name
        assert _hex(card["number_mob"].get_color()) == color
        assert card["path"].color_hex == color
        assert _hex(card["path"].line.get_stroke_color()) == color
        # the update rule shown is the optimizer's own
        opt = optimizers.from_spec(_spec(name, objective))
        assert card["label"] == opt.label
        assert card["rule"] == opt.update_rule_latex
        assert opt.update_rule_latex in card["rule_mob"].tex_string
        # the path is the run, up to its last point inside the view, fully drawn
        t = _run(name, objective)
        last = t.steps if t.stopped_at is None else t.stopped_at - 1
        assert np.allclose(card["path"].points_scene,
                           to_scene(card["axes"], t.points[: last + 1]))
        assert np.allclose(card["path"].tip, to_scene(card["axes"], t.points[last]), atol=1e-9)
        assert card["end_step"] == (t.steps if t.stopped_at is None else t.stopped_at)
        if card["ghost"] is not None:
            ghost = card["ghost"]
            assert card["ghost_path"].color_hex == OPTIMIZER_COLORS[ghost].upper()
            g = _run(ghost, objective)
            # the comparison run replays in step with the card's run
            shown = min(card["end_step"], g.steps if g.stopped_at is None else g.stopped_at - 1)
            assert np.allclose(card["ghost_path"].tip,
                               to_scene(card["axes"], g.points[shown]), atol=1e-9)
    ghosts = {c["optimizer"]: c["ghost"] for c in scene.cards}
    assert ghosts == {"SGD": None, "AdaGrad": None, "RMSprop": "AdaGrad", "Adam": None,
                      "Momentum": "SGD", "Nesterov": "Momentum"}


def test_marks_sit_on_the_runs(render_scene: Render) -> None:
    scene, _ = _scene(render_scene)
    for card in scene.cards:
        t = _run(card["optimizer"], card["objective"])
        box = card["axes"].frame_box
        if card["metric"] == "saddle_escape_step":
            ring = card["marks"][0]
            step = int(card["value"])
            assert np.allclose(ring.get_center(), to_scene(card["axes"], t.points[step]),
                               atol=1e-6)
        if card["metric"] == "overshoot":
            mark = card["marks"][-1]
            assert mark.value == pytest.approx(card["value"], rel=1e-12)
            assert mark.step == int(np.argmax(t.points @ -(np.array([-7.0, 2.0]) /
                                                          np.hypot(7.0, 2.0))))
        # labels on the map stay inside it
        for label in card["labels"]:
            assert label.get_left()[0] >= box.get_left()[0] - 1e-6
            assert label.get_right()[0] <= box.get_right()[0] + 1e-6
            assert label.get_bottom()[1] >= box.get_bottom()[1] - 1e-6
            assert label.get_top()[1] <= box.get_top()[1] + 1e-6


def test_cards_fit_the_frame_and_do_not_overlap_the_map(render_scene: Render) -> None:
    scene, _ = _scene(render_scene)
    half_w, half_h = config.frame_width / 2, config.frame_height / 2
    for card in scene.cards:
        map_right = card["axes"].frame_box.get_right()[0]
        panel = [card["name_mob"], card["headline_mob"], *card["line_mobs"], card["rule_mob"]]
        for mob in panel:
            for part in mob.family_members_with_points():
                if not isinstance(part, VMobject):
                    continue
                lo, hi = part.get_corner([-1, -1, 0]), part.get_corner([1, 1, 0])
                assert -half_w <= lo[0] and hi[0] <= half_w, card["optimizer"]
                assert -half_h <= lo[1] and hi[1] <= half_h, card["optimizer"]
                assert lo[0] > map_right + 0.2, card["optimizer"]
        # the panel reads top to bottom: headline, lines, rule
        assert card["headline_mob"].get_bottom()[1] > card["line_mobs"][0].get_top()[1]
        assert card["line_mobs"][-1].get_bottom()[1] > card["rule_mob"].get_top()[1]


def test_duration_is_about_a_minute(render_scene: Render) -> None:
    """Six cards in about a minute, every caption held for reading aloud (15 characters/s)."""
    scene, _ = _scene(render_scene)
    assert 40.0 < scene.renderer.time < 70.0
    writer: Any = scene.renderer.file_writer
    for sub in writer.subcaptions:
        shown = (sub.end - sub.start).total_seconds()
        assert shown >= len(sub.content) / READING_RATE - 0.05, sub.content


def test_paths_are_visible_in_their_colours(render_scene: Render) -> None:
    """Each card's run, and the run it is compared with, show in their colours on the map."""
    scene, _ = _scene(render_scene)
    for card in scene.cards:
        frame = card["frame"]
        assert frame.shape == (480, 854, 3)
        box = card["axes"].frame_box
        (top, left) = _pixel(box.get_corner([-1, 1, 0]), frame)
        (bottom, right) = _pixel(box.get_corner([1, -1, 0]), frame)
        inside = frame[top:bottom, left:right]
        runs = [(card["optimizer"], card["path"])]
        if card["ghost"] is not None:
            runs.append((card["ghost"], card["ghost_path"]))
        for i, (name, path) in enumerate(runs):
            # the comparison run is drawn thinner and a little translucent
            tol = 40.0 if i == 0 else 70.0
            share = _share_near(inside, OPTIMIZER_COLORS[name], tol)
            assert share > 0.002, (card["optimizer"], name, share)
            # the head of the path shows in its colour (the comparison run's smaller head is
            # drawn on top where both runs end together)
            row, col = _pixel(path.tip, frame)
            window = frame[row - 5 : row + 6, col - 5 : col + 6]
            assert _share_near(window, OPTIMIZER_COLORS[name], 60.0) > 0, (card["optimizer"], name)
        # THE number is drawn in the optimizer's colour on the right half
        panel = frame[:, int(frame.shape[1] * 0.55):]
        assert _share_near(panel, OPTIMIZER_COLORS[card["optimizer"]]) > 0.004


def test_traits_golden(render_scene: Render, golden: Callable[[str, np.ndarray], None]) -> None:
    scene, frame = _scene(render_scene)
    assert frame.shape == (480, 854, 3)
    # the last frame is the summary: one row per card
    assert [r.card["optimizer"] for r in scene.summary_rows] == [c[0] for c in CARDS]
    golden("OptimizerTraits", frame)


def test_traits_last_card_golden(
    render_scene: Render, golden: Callable[[str, np.ndarray], None]
) -> None:
    """The last card (Nesterov against Momentum) as it ends: map, paths, marks, panel."""
    scene, _ = _scene(render_scene)
    golden("OptimizerTraits_card", scene.cards[-1]["frame"])
