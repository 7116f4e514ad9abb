r"""Six optimizers, six characters: one card each, with the number that shows it (scenario S7).

Each card replays one optimizer's path on a small contour map and states its character with a
number computed from that run:

========  ===========  ====================================================================
card      surface      the number (and what it is compared with)
========  ===========  ====================================================================
SGD       saddle       the step at which it leaves the saddle; its gradient at the start
                       (only the x-component is almost zero); how far it moved along x in
                       its first 100 steps
AdaGrad   saddle       step 100 as a fraction of step 1; escape step and exit step
RMSprop   saddle       escape step; the step at which it reaches the edge, against AdaGrad's
Adam      saddle       escape step; the shortest and longest of its steps
Momentum  long valley  overshoot past the minimum; how often it turns back across the valley,
                       against SGD's zig-zag; its escape step on the saddle, against SGD's
Nesterov  long valley  overshoot, against Momentum's; steps to :math:`f < 10^{-3}`, against
                       Momentum's
========  ===========  ====================================================================

The measures are :func:`gdanim.analysis.saddle_escape_step` (radius 0.6, as in the race),
:func:`~gdanim.analysis.overshoot`, :func:`~gdanim.analysis.steps_to_tolerance`, the run's exit
step (``Trajectory.stopped_at``) and, from :mod:`gdanim.traits`,
:func:`~gdanim.traits.step_ratio`, :func:`~gdanim.traits.step_lengths`,
:func:`~gdanim.traits.direction_reversals` and :func:`~gdanim.traits.displacement`.

The saddle runs are S6 race C (:data:`scenes.racedata.RACE_C`, through
:func:`scenes.racedata.run_race`),
the valley runs S6 race B on :math:`x^2/20 + y^2` from :math:`(-7, 2)`: SGD at lr 0.95,
Momentum at lr 0.1 (momentum 0.9) and Nesterov at lr 0.1 (momentum 0.9). Every number on screen
and in the subcaptions comes from :mod:`gdanim.analysis` or :mod:`gdanim.traits`, applied to
those trajectories; every update rule is the optimizer's own ``update_rule_latex``.

This module draws the cards; what they say is planned in :mod:`scenes.traitplans` (no manim
there), and the label placement it shares with :mod:`scenes.race` is in :mod:`scenes.mapmarks`.

Render with::

    manim -ql scenes/traits.py OptimizerTraits
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Axes,
    Circle,
    DashedLine,
    DashedVMobject,
    DoubleArrow,
    FadeIn,
    FadeOut,
    Line,
    MarkupText,
    MathTex,
    Mobject,
    RoundedRectangle,
    Text,
    ValueTracker,
    VGroup,
    linear,
)
from manim.renderer.cairo_renderer import CairoRenderer

from gdanim import objectives
from gdanim.traits import farthest_step
from scenes.mapmarks import cross_mark, frame_of, place_near, y_label_of
from scenes.mobjects import (
    ContourMap,
    FastNumber,
    TrajectoryPath,
    map_axes,
    path_legend,
    to_scene,
)
from scenes.pacing import reading_time, say, wait_until
from scenes.racedata import RACE_C
from scenes.style import (
    BACKGROUND,
    FONT,
    GRID_COLOR,
    MUTED_TEXT,
    OPTIMIZER_COLORS,
    START_COLOR,
    TEXT_COLOR,
    GDScene,
    fmt,
    make_marker,
    make_tex,
    make_text,
    text_baseline,
)
from scenes.traitplans import (
    SADDLE,
    VALLEY,
    VALLEY_SPECS,
    CardPlan,
    Fact,
    Run,
    Setting,
    escape_step,
    plan_cards,
    saddle_runs,
    valley_runs,
)

# The plans (SADDLE, VALLEY, VALLEY_SPECS, CardPlan, Fact, Run, Setting, plan_cards, saddle_runs,
# valley_runs) live in scenes.traitplans and are re-exported here.
__all__ = [
    "SADDLE",
    "VALLEY",
    "VALLEY_SPECS",
    "CardMap",
    "CardPanel",
    "CardPlan",
    "Fact",
    "OptimizerTraits",
    "OvershootMark",
    "Run",
    "Setting",
    "SummaryRow",
    "plan_cards",
    "saddle_runs",
    "valley_runs",
]


#: Map frame: left edge, top edge and width (scene units).
MAP_LEFT = -6.45
MAP_TOP = 2.3
MAP_WIDTH = 6.45
#: Right panel: left edge, width, top and bottom.
PANEL_LEFT = 0.6
PANEL_WIDTH = 6.15
PANEL_TOP = 2.95
PANEL_BOTTOM = -3.8
#: Steps drawn per second while a path replays, per objective.
REPLAY_RATE = {"saddle": 90.0, "long_valley": 40.0}


_M = TypeVar("_M", bound=Mobject)


@dataclass(frozen=True)
class CardMap:
    """A card's contour map: its setting, axes, map, frame, step counter and all but the map."""

    setting: Setting
    axes: Axes
    cmap: ContourMap
    group: VGroup
    counter: FastNumber
    box: Mobject


@dataclass(frozen=True)
class CardPanel:
    """A card's right half: name, character, THE number, other lines and the update rule."""

    title: VGroup
    name: Text
    character: Text
    headline: VGroup
    number: Text
    lines: VGroup
    rule: MathTex
    rule_group: VGroup
    rule_latex: str
    color: str


@dataclass
class _OnScreen:
    """What the previous card left on screen: its map and its other mobjects."""

    card_map: CardMap | None = None
    mobs: list[Mobject | None] = field(default_factory=list)


class OvershootMark(VGroup):
    """The overshoot as a dimension line: ``step`` is the farthest step, ``value`` the overshoot."""

    step: int
    value: float


class SummaryRow(VGroup):
    """A row of the closing table: name, character, THE number, surface; ``card`` is its card."""

    card: dict[str, Any]


def _wrap(text: str, font_size: float, width: float, color: Any = TEXT_COLOR) -> Text:
    """Words wrapped greedily to at most ``width``, each word measured, left-aligned."""
    words = text.split()
    sizes = [make_text(w, font_size=font_size).width for w in words]
    letter = make_text("a", font_size=font_size).width
    space = make_text("a a", font_size=font_size).width - 2 * letter
    lines: list[list[str]] = [[]]
    used = 0.0
    for word, size in zip(words, sizes, strict=True):
        need = size if not lines[-1] else used + space + size
        if lines[-1] and need > width:
            lines.append([word])
            used = size
        else:
            lines[-1].append(word)
            used = need
    mob = make_text("\n".join(" ".join(line) for line in lines), font_size=font_size,
                    color=color, line_spacing=0.8)
    return _fit(mob, width)


def _markup(text: str, facts: Sequence[Fact], font_size: float) -> MarkupText:
    """A line whose numbers are set in bold, each in the colour of its optimizer."""
    parts = [
        f'<span foreground="{OPTIMIZER_COLORS[f.optimizer]}"><b>{f.shown}</b></span>'
        for f in facts
    ]
    body = text.replace("&", "&amp;").replace("<", "&lt;").format(*parts)
    return MarkupText(body, font=FONT, font_size=font_size, color=TEXT_COLOR)


def _on_baseline(parts: Sequence[Text], gap: float) -> VGroup:
    """Set words left to right on one baseline (y = 0)."""
    group = VGroup()
    x = 0.0
    for part in parts:
        part.shift(np.array([x - part.get_left()[0], -text_baseline(part), 0.0]))
        x = part.get_right()[0] + gap
        group.add(part)
    return group


def _fit(mob: _M, width: float) -> _M:
    """``mob``, scaled down to ``width`` if it is wider."""
    if mob.width > width:
        mob.scale_to_fit_width(width)
    return mob


def _baseline(words: Text | MarkupText) -> float:
    """:func:`scenes.style.text_baseline` of plain or marked-up text (both rows of glyphs)."""
    if isinstance(words, Text):
        return text_baseline(words)
    bottoms = [glyph.get_bottom()[1] for glyph in words.submobjects] or [words.get_bottom()[1]]
    return float(np.median(bottoms))


class OptimizerTraits(GDScene):
    """S7: six cards, one per optimizer, each with its path, its character and its number.

    Attributes (after ``construct``, for tests)
    ---------------------------------------------
    cards : list of dict
        One per card, in order, with ``optimizer`` (display name), ``label``, ``objective``,
        ``metric``, ``value``, ``shown`` and ``text`` (THE number and its sentence), ``lines``
        (the other lines as plain text), ``facts`` (every number on the card, THE number first,
        as dicts with ``optimizer``, ``objective``, ``metric``, ``value`` and ``shown``),
        ``color``, ``rule`` (the update rule LaTeX shown), ``ghost`` (display name of the
        comparison run, or ``None``), ``captions``, ``end_step`` (where the replay stopped) and
        the mobjects ``name_mob``, ``number_mob``, ``headline_mob``, ``line_mobs``,
        ``rule_mob``, ``path``, ``ghost_path``, ``axes``, ``marks``.
    plans : list of CardPlan
    summary_rows : list of SummaryRow
        The closing table, one row per card; ``row.card`` is its card dict.
    """

    #: Keep a picture of each card as it ends, in ``card["frame"]`` (one extra frame per card;
    #: tests use it to look at the cards of a render whose animations are skipped).
    record_card_frames: bool = False

    def construct(self) -> None:
        self.plans = plan_cards()
        self.cards: list[dict[str, Any]] = []
        self.section("Six optimizers, six characters")
        header = make_text("What each optimizer's path shows", font_size=30, weight="MEDIUM")
        header.to_corner(UP + LEFT, buff=0.32).align_to(np.array([MAP_LEFT, 0.0, 0.0]), LEFT)
        dots = VGroup(*[
            make_marker([0, 0, 0], OPTIMIZER_COLORS[p.run.name], radius=0.075)
            for p in self.plans
        ]).arrange(RIGHT, buff=0.24)
        dots.align_to(np.array([PANEL_LEFT + PANEL_WIDTH, 0.0, 0.0]), RIGHT).match_y(header)
        for dot in dots:
            dot.set_opacity(0.3)
        cursor = Circle(radius=0.135, stroke_color=TEXT_COLOR, stroke_width=2.0)
        cursor.move_to(dots[0]).set_stroke(opacity=0.0)
        self.header = header
        end = say(self, "Six optimizers, six characters.")
        self.play(FadeIn(header), FadeIn(dots), run_time=1.0)
        self.add(cursor)
        wait_until(self, end)

        current = _OnScreen()
        for i, plan in enumerate(self.plans):
            self.section(plan.run.name)
            current = self._card(plan, current, dots, cursor, i)
        self._summary(current, dots, cursor)

    # ------------------------------------------------------------------------------------
    def _map(self, setting: Setting) -> CardMap:
        """The contour map of a setting, with its formula, start, saddle region and counter."""
        f = objectives.get(setting.objective)
        axes = map_axes(setting.view, width=MAP_WIDTH, step=setting.ticks)
        box = frame_of(axes)
        axes.shift(np.array([MAP_LEFT - box.get_left()[0], MAP_TOP - box.get_top()[1], 0.0]))
        cmap = ContourMap(f, axes, setting.view, n_levels=12, fill_strength=0.42,
                          image_resolution=300)
        extras = VGroup()
        if setting.objective == SADDLE.objective:
            centre = to_scene(axes, RACE_C.saddle)
            radius = float(np.linalg.norm(
                to_scene(axes, [RACE_C.saddle_radius, 0.0]) - to_scene(axes, [0.0, 0.0])
            ))
            region = DashedVMobject(
                Circle(radius=radius, stroke_color=TEXT_COLOR, stroke_width=1.8).move_to(centre),
                num_dashes=44,
            ).set_stroke(opacity=0.7)
            cross = cross_mark(centre, 0.07, 2.5)
            label = make_text(f"saddle region (radius {fmt(RACE_C.saddle_radius, 1)})",
                              font_size=15, color=TEXT_COLOR)
            label.add_background_rectangle(color=BACKGROUND, opacity=0.7, buff=0.04)
            label.move_to(centre + radius * np.array([-0.1, -1.0, 0]) + DOWN * 0.22)
            extras.add(region, cross, label)
        if setting.minimum is not None:
            m = to_scene(axes, setting.minimum)
            cross = cross_mark(m, 0.07, 2.5)
            cross.set_z_index(1)
            extras.add(cross)
        start = make_marker(to_scene(axes, setting.start), START_COLOR, radius=0.075)
        start.set_z_index(1)
        extras.add(start)
        formula = make_tex(rf"f(x, y) = {f.latex}", font_size=30)
        formula.next_to(box, UP, buff=0.2).align_to(box, RIGHT)
        step_word = make_text("step", font_size=20, color=MUTED_TEXT)
        counter = FastNumber(0, "{:d}", len(str(setting.steps)), font_size=26, weight="BOLD",
                             align="left")
        step_word.next_to(y_label_of(axes), RIGHT, buff=0.3)
        step_word.shift(UP * (box.get_top()[1] + 0.22 - text_baseline(step_word)))
        counter.place([step_word.get_right()[0] + 0.14, text_baseline(step_word), 0.0])
        formula.shift(UP * (text_baseline(step_word) - formula.get_bottom()[1]))
        group = VGroup(axes, formula, extras, step_word, counter)
        return CardMap(setting, axes, cmap, group, counter, box)

    def _panel(self, plan: CardPlan) -> CardPanel:
        """The right half: name, hyperparameters, character, THE number, lines, update rule."""
        run = plan.run
        color = OPTIMIZER_COLORS[run.name]
        name = make_text(run.name, font_size=46, color=color, weight="BOLD")
        params = run.optimizer.label[len(run.name):].strip().removeprefix("(").removesuffix(")")
        params_mob = make_text(params, font_size=19, color=MUTED_TEXT)
        title_row = _on_baseline([name, params_mob], 0.3)
        if title_row.width > PANEL_WIDTH:  # hyperparameters under the name
            params_mob.next_to(name, DOWN, buff=0.16, aligned_edge=LEFT)
        title_row.move_to(ORIGIN).align_to(np.array([PANEL_LEFT, 0.0, 0.0]), LEFT)
        title_row.align_to(np.array([0.0, PANEL_TOP, 0.0]), UP)
        character = _wrap(plan.character, 22, PANEL_WIDTH)
        character.next_to(title_row, DOWN, buff=0.3).align_to(title_row, LEFT)

        before, fact, after = plan.headline
        words = [make_text(before, font_size=30)] if before else []
        number = make_text(fact.shown, font_size=46, color=color, weight="BOLD")
        tail = [make_text(after, font_size=30)] if after else []
        headline = _fit(_on_baseline([*words, number, *tail], 0.2), PANEL_WIDTH)
        headline.next_to(character, DOWN, buff=0.38).align_to(title_row, LEFT)
        line_mobs = VGroup(*[_fit(_markup(t, fs, 21), PANEL_WIDTH) for t, fs in plan.lines])
        line_mobs.arrange(DOWN, buff=0.14, aligned_edge=LEFT)
        line_mobs.next_to(headline, DOWN, buff=0.24).align_to(title_row, LEFT)

        rule_latex = run.optimizer.update_rule_latex
        rule = make_tex(r"\begin{aligned}" + rule_latex + r"\end{aligned}", font_size=30)
        box_top = line_mobs.get_bottom()[1] - 0.34
        pad = 0.2
        tag = make_text("torch.optim update rule", font_size=14, color=MUTED_TEXT)
        # the tag goes above the rule; for a tall rule, beside it if that keeps the rule larger
        stacked = box_top - PANEL_BOTTOM - 2 * pad - tag.height - 0.1
        beside = box_top - PANEL_BOTTOM - 2 * pad
        scale = min(1.0, stacked / rule.height)
        side_scale = min(1.0, beside / rule.height)
        inline = side_scale > scale and (
            rule.width * side_scale + tag.width + 3 * pad <= PANEL_WIDTH
        )
        rule.scale(side_scale if inline else scale)
        _fit(rule, PANEL_WIDTH - 2 * pad)
        height = rule.height + 2 * pad + (0.0 if inline else tag.height + 0.1)
        box = RoundedRectangle(
            corner_radius=0.12, width=PANEL_WIDTH, height=height,
            stroke_color=GRID_COLOR, stroke_width=1.5, fill_color="#161A22", fill_opacity=1.0,
        )
        box.align_to(np.array([PANEL_LEFT, 0.0, 0.0]), LEFT)
        box.align_to(np.array([0.0, box_top, 0.0]), UP)
        if inline:
            tag.align_to(box, UP).align_to(box, RIGHT).shift(DOWN * pad * 0.7 + LEFT * pad)
        else:
            tag.align_to(box, UP).align_to(box, LEFT).shift(DOWN * pad * 0.7 + RIGHT * pad)
        rule.align_to(box, LEFT).shift(RIGHT * pad)
        rule.align_to(box, DOWN).shift(UP * pad)
        rule_group = VGroup(box, tag, rule)
        return CardPanel(title_row, name, character, headline, number, line_mobs, rule,
                         rule_group, rule_latex, color)

    def _card(
        self,
        plan: CardPlan,
        prev: _OnScreen,
        dots: VGroup,
        cursor: Mobject,
        index: int,
    ) -> _OnScreen:
        run = plan.run
        setting = run.setting
        old = prev.card_map
        same_map = old is not None and old.setting == setting
        mp = old if old is not None and same_map else self._map(setting)
        axes, box = mp.axes, mp.box
        panel = self._panel(plan)
        color = panel.color

        # ---- paths: the card's run and, faint and thin, the run it is compared with --------
        tracker = ValueTracker(0.0)
        path = TrajectoryPath(
            to_scene(axes, run.trajectory.points[: run.last + 1]), color,
            width=4.5, casing=3.0, tracker=tracker, head="dot", head_size=0.2,
        )
        if path.head is not None:
            path.head.set_z_index(3)
        ghost_path = None
        legend_entries: list[tuple[str, Any, float, str | None]] = [
            (run.optimizer.label, color, 4.5, "dot")
        ]
        if plan.ghost is not None:
            g = plan.ghost
            gcolor = OPTIMIZER_COLORS[g.name]
            ghost_path = TrajectoryPath(
                to_scene(axes, g.trajectory.points[: g.last + 1]), gcolor,
                width=2.4, casing=2.0, tracker=tracker, head="dot", head_size=0.13,
                opacity=0.8,
            )
            if ghost_path.head is not None:
                ghost_path.head.set_z_index(4)  # smaller, so on top: both heads show
            legend_entries.append((f"{g.optimizer.label}, for comparison", gcolor, 2.4, "dot"))
        legend = path_legend(legend_entries, font_size=16, buff=0.1, swatch_length=0.5)
        legend.next_to(box, DOWN, buff=0.5).align_to(box, LEFT)
        # a run that left the view ends there: the counter runs on to the step at which it left
        stop = run.trajectory.stopped_at
        end = run.trajectory.steps if stop is None else int(stop)
        event = min(plan.event, end)
        # the minimum's name, clear of both paths; the marks' labels keep clear of it
        avoid = self._avoid(plan, axes, path, ghost_path)
        min_label = None
        if setting.minimum is not None:
            min_label = make_text("minimum", font_size=15, color=TEXT_COLOR)
            min_label.add_background_rectangle(color=BACKGROUND, opacity=0.8, buff=0.04)
            place_near(min_label, to_scene(axes, setting.minimum), avoid, box, [],
                       distances=(0.3, 0.4, 0.5))
        fixed: list[Mobject] = [] if min_label is None else [min_label]
        marks, labels = self._marks(plan, axes, box, avoid, fixed, end)

        # ---- timing: replay at a fixed rate, hold long enough to read the subcaptions ------
        rate = REPLAY_RATE[setting.objective]
        t_in, t_rule, t_head, t_lines = 0.7, 0.5, 0.6, 0.5
        t_a = max(0.6, event / rate)
        t_b = max(0.5, (end - event) / rate) if end > event else 0.0
        read_a = reading_time(plan.captions[0])
        read_b = reading_time(plan.captions[1])
        hold_a = max(0.3, read_a - (t_in + t_rule + t_a))
        hold_b = max(0.8, read_b - (t_head + t_b + t_lines))

        # ---- out with the old card, in with the new ----------------------------------------
        outs: list[Mobject] = [m for m in prev.mobs if m is not None]
        if not same_map and old is not None:
            outs += [old.group, old.cmap]
        if outs:
            self.play(*[FadeOut(m) for m in outs], run_time=0.4)
        counter = mp.counter
        counter.clear_updaters()
        counter.set_value(0)
        counter.add_updater(lambda m: m.set_value(int(round(tracker.get_value()))))
        ins: list[Any] = [
            FadeIn(panel.title, shift=LEFT * 0.2), FadeIn(panel.character, shift=LEFT * 0.2),
            FadeIn(legend), dots[index].animate.set_opacity(1.0),
            cursor.animate.move_to(dots[index]).set_stroke(opacity=1.0),
        ]
        if not same_map:
            ins += [FadeIn(mp.cmap), FadeIn(mp.group)]
        if min_label is not None:
            ins.append(FadeIn(min_label))
        self.caption(plan.captions[0], t_in + t_rule + hold_a + t_a)
        self.play(*ins, run_time=t_in)
        self.add(path)
        if ghost_path is not None:
            self.add(ghost_path)
        self.play(FadeIn(panel.rule_group, shift=UP * 0.1), run_time=t_rule)
        self.wait(hold_a)

        # ---- the replay up to the event, THE number, the rest of the replay ----------------
        self.play(tracker.animate.set_value(event), run_time=t_a, rate_func=linear)
        self.let_speech_finish()
        self.caption(plan.captions[1], t_head + t_b + t_lines + hold_b)
        self.play(FadeIn(panel.headline, shift=UP * 0.15), *[FadeIn(m) for m in marks],
                  run_time=t_head)
        if t_b > 0:
            self.play(tracker.animate.set_value(end), run_time=t_b, rate_func=linear)
        self.play(*[FadeIn(m) for m in labels],
                  *[FadeIn(m, shift=UP * 0.1) for m in panel.lines], run_time=t_lines)
        self.wait(hold_b)
        self.let_speech_finish()
        counter.clear_updaters()
        counter.set_value(end)
        path.clear_updaters()
        if ghost_path is not None:
            ghost_path.clear_updaters()

        fact = plan.headline[1]
        card: dict[str, Any] = {
            "optimizer": run.name,
            "label": run.optimizer.label,
            "objective": setting.objective,
            "metric": fact.metric,
            "value": fact.value,
            "shown": fact.shown,
            "text": plan.headline_text(),
            "lines": plan.line_texts(),
            "facts": [f.as_dict() for f in plan.facts],
            "color": color,
            "rule": panel.rule_latex,
            "ghost": None if plan.ghost is None else plan.ghost.name,
            "captions": list(plan.captions),
            "short": plan.short,
            "end_step": end,
            "name_mob": panel.name,
            "number_mob": panel.number,
            "headline_mob": panel.headline,
            "line_mobs": list(panel.lines),
            "rule_mob": panel.rule,
            "path": path,
            "ghost_path": ghost_path,
            "axes": axes,
            "marks": marks,
            "labels": labels,
        }
        if self.record_card_frames:
            renderer = self.renderer
            if not isinstance(renderer, CairoRenderer):
                raise TypeError("record_card_frames needs manim's Cairo renderer")
            renderer.update_frame(self, ignore_skipping=True)
            card["frame"] = np.array(renderer.get_frame())[..., :3].copy()
        self.cards.append(card)
        card_mobs: list[Mobject | None] = [
            panel.title, panel.character, panel.headline, panel.lines, panel.rule_group, legend,
            path, ghost_path, min_label, *marks, *labels,
        ]
        return _OnScreen(mp, card_mobs)

    # ------------------------------------------------------------------------------------
    @staticmethod
    def _avoid(
        plan: CardPlan, axes: Axes, path: TrajectoryPath, ghost: TrajectoryPath | None
    ) -> np.ndarray:
        """Scene points labels keep clear of: both paths, the start, the saddle, the minimum."""
        setting = plan.run.setting
        special = [setting.start]
        if setting.objective == SADDLE.objective:
            special.append(RACE_C.saddle)
        if setting.minimum is not None:
            special.append(setting.minimum)
        pts = [path.points_scene, to_scene(axes, np.array(special, dtype=np.float64))]
        if ghost is not None:
            pts.append(ghost.points_scene)
        return np.vstack(pts)

    def _marks(
        self,
        plan: CardPlan,
        axes: Axes,
        box: Mobject,
        avoid_pts: np.ndarray,
        fixed: list[Mobject],
        end: int,
    ) -> tuple[list[Mobject], list[Mobject]]:
        """Marks on the map (shown with THE number) and labels (shown after the replay)."""
        marks: list[Mobject] = []
        labels: list[Mobject] = []
        placed: list[Mobject] = list(fixed)
        side = 1.0
        for mark in plan.marks:
            kind, run = mark.kind, mark.run
            color = OPTIMIZER_COLORS[run.name]
            if kind in ("escape", "step"):
                step = escape_step(run) if kind == "escape" else mark.step
                assert step is not None
                p = to_scene(axes, run.trajectory.points[step])
                ring = Circle(radius=0.085, stroke_color=color, stroke_width=3.0).move_to(p)
                ring.set_stroke(BACKGROUND, width=6.0, background=True)
                ring.set_z_index(2)
                text = f"left the saddle at step {step}" if kind == "escape" else f"step {step}"
                label = make_text(text, font_size=15, color=color, weight="BOLD")
                label.add_background_rectangle(color=BACKGROUND, opacity=0.85, buff=0.05)
                others = [*placed, *[m for m in marks if m is not ring]]
                place_near(label, p, avoid_pts, box, others)
                placed.append(label)
                marks.append(ring)
                labels.append(label)
            elif kind == "overshoot":
                group, label = self._overshoot_mark(run, axes, box, avoid_pts, side)
                side = -side
                marks.append(group)
                labels.append(label)
                placed.append(label)
        if plan.ghost is not None and plan.ghost.last > end:
            # the comparison run is still going when the card's run has finished: say where
            g = plan.ghost
            tip = to_scene(axes, g.trajectory.points[end])
            label = make_text(f"{g.name} at step {end}", font_size=15,
                              color=OPTIMIZER_COLORS[g.name], weight="BOLD")
            label.add_background_rectangle(color=BACKGROUND, opacity=0.85, buff=0.05)
            place_near(label, tip, avoid_pts, box, placed)
            labels.append(label)
        return marks, labels

    def _overshoot_mark(
        self, run: Run, axes: Axes, box: Mobject, avoid: np.ndarray, side: float
    ) -> tuple[OvershootMark, Text]:
        """The overshoot as a dimension line: from the finish line to the farthest point.

        The finish line passes through the minimum, across the direction of approach
        :math:`u`; the farthest point is where :func:`gdanim.analysis.overshoot` is attained.
        The dimension runs along :math:`u` at an offset on one ``side``, clear of the paths.
        """
        setting = run.setting
        assert setting.minimum is not None
        x_star = np.asarray(setting.minimum, dtype=np.float64)
        x0 = np.asarray(setting.start, dtype=np.float64)
        u = (x_star - x0) / np.linalg.norm(x_star - x0)
        n = np.array([-u[1], u[0]])
        k = farthest_step(run.trajectory, x_star)
        p = run.trajectory.points[k]
        dist = float((p - x_star) @ u)
        color = OPTIMIZER_COLORS[run.name]
        # how far out the dimension line must sit to clear the paths beside the overshoot
        scale = float(np.linalg.norm(to_scene(axes, [1.0, 0.0]) - to_scene(axes, [0.0, 0.0])))
        data = (avoid[:, :2] - to_scene(axes, [0.0, 0.0])[:2]) / scale - x_star
        along, across = data @ u, data @ n
        near = (along >= -0.1) & (along <= dist + 0.1)
        extreme = float((side * across[near]).max()) if near.any() else 0.0
        offset = side * (max(extreme, side * float((p - x_star) @ n)) + 0.35)
        a = x_star + offset * n
        b = x_star + dist * u + offset * n
        finish = DashedLine(
            to_scene(axes, x_star - 1.6 * n), to_scene(axes, x_star + 1.6 * n),
            dash_length=0.07, stroke_color=TEXT_COLOR, stroke_width=1.5,
        ).set_stroke(opacity=0.65)
        ext_a = DashedLine(to_scene(axes, x_star), to_scene(axes, a), dash_length=0.05,
                           stroke_color=color, stroke_width=1.2).set_stroke(opacity=0.8)
        ext_b = DashedLine(to_scene(axes, p), to_scene(axes, b), dash_length=0.05,
                           stroke_color=color, stroke_width=1.2).set_stroke(opacity=0.8)
        arrow = DoubleArrow(to_scene(axes, a), to_scene(axes, b), buff=0.0, stroke_width=2.5,
                            tip_length=0.1, color=color, max_tip_length_to_length_ratio=0.3)
        dot = Circle(radius=0.07, stroke_color=color, stroke_width=2.5).move_to(to_scene(axes, p))
        dot.set_stroke(BACKGROUND, width=5.0, background=True)
        dot.set_z_index(2)
        label = make_text(fmt(dist, 2), font_size=17, color=color, weight="BOLD")
        label.add_background_rectangle(color=BACKGROUND, opacity=0.85, buff=0.04)
        mid = to_scene(axes, (a + b) / 2)
        label.next_to(mid, UP if side > 0 else DOWN, buff=0.08)
        group = OvershootMark(finish, ext_a, ext_b, arrow, dot)
        group.step = k
        group.value = dist
        return group, label

    # ------------------------------------------------------------------------------------
    def _summary(self, prev: _OnScreen, dots: VGroup, cursor: Mobject) -> None:
        """A table of the six characters and their numbers."""
        self.section("Summary")
        outs: list[Mobject] = [m for m in prev.mobs if m is not None]
        if prev.card_map is not None:
            outs += [prev.card_map.group, prev.card_map.cmap]
        rows: list[SummaryRow] = []
        cells: list[tuple[Text | MarkupText, ...]] = []
        for plan, card in zip(self.plans, self.cards, strict=True):
            name = make_text(card["optimizer"], font_size=28, color=card["color"], weight="BOLD")
            short = make_text(card["short"], font_size=21, color=MUTED_TEXT)
            fact = plan.headline[1]
            words = card["text"].replace(fact.shown, "{0}", 1)
            number = _markup(words, [fact], 24)
            where = make_text("saddle" if card["objective"] == SADDLE.objective else "valley",
                              font_size=16, color=MUTED_TEXT)
            row = SummaryRow(name, short, number, where)
            row.card = card
            rows.append(row)
            cells.append((name, short, number, where))
        widths = [max(r[i].width for r in rows) for i in range(3)]
        gaps = (0.5, 0.6, 0.5)
        table = VGroup()
        pitch = 0.8
        top = 0.1 + pitch * (len(rows) - 1) / 2
        for i, (row, parts) in enumerate(zip(rows, cells, strict=True)):
            y = top - i * pitch
            x = 0.0
            for j, part in enumerate(parts):
                part.shift(np.array([x - part.get_left()[0], y - _baseline(part), 0.0]))
                if j < 3:
                    x += widths[j] + gaps[j]
            table.add(row)
        _fit(table, 13.0)
        table.set_x(0)
        left, right = table.get_left()[0], table.get_right()[0]
        rules = VGroup(*[
            Line(np.array([left, top - i * pitch - 0.28, 0.0]),
                 np.array([right, top - i * pitch - 0.28, 0.0]),
                 stroke_color=GRID_COLOR, stroke_width=1.2)
            for i in range(len(rows) - 1)
        ])
        foot = make_text(
            "Each number computed from the run on its card. Update rules as in torch.optim: "
            "epsilon outside the square root, Nesterov in torch's form.",
            font_size=14, color=MUTED_TEXT,
        )
        _fit(foot, 13.0).to_edge(DOWN, buff=0.3)
        self.summary_rows = rows
        self.summary_table = table
        end = say(self, "All six, side by side.")
        heading = make_text("Six optimizers, six characters", font_size=30, weight="MEDIUM")
        heading.move_to(self.header, aligned_edge=LEFT)
        self.summary_heading = heading
        self.play(*[FadeOut(m) for m in outs], FadeOut(cursor), FadeOut(self.header),
                  FadeIn(heading), *[d.animate.set_opacity(1.0) for d in dots], run_time=0.5)
        self.play(*[FadeIn(r, shift=RIGHT * 0.15) for r in rows], FadeIn(rules), FadeIn(foot),
                  run_time=1.0)
        wait_until(self, end, minimum=1.5)
