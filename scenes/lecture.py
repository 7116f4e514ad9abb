"""The lecture's own scenes: the title card, the short explanations between concepts, the outro.

The concept scenes live in their own modules; :data:`scenes.catalog.LECTURE` puts everything in
teaching order, and ``gdanim lecture`` renders and joins them. Every number and formula shown
here comes from gdanim (objectives, optimizers) or sympy.

Render one of them alone with, for example::

    manim -ql scenes/lecture.py UpdateRule
"""

from __future__ import annotations

import numpy as np
import sympy
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    Arrow,
    Create,
    CurvedArrow,
    FadeIn,
    FadeOut,
    GrowArrow,
    Indicate,
    LaggedStart,
    MathTex,
    Mobject,
    SurroundingRectangle,
    VGroup,
    Write,
)
from manim.utils.color import ParsableManimColor

from gdanim import analysis, objectives, optimizers
from gdanim.cache import cached_descend
from scenes.pacing import say, wait_until
from scenes.race import saddle_facts
from scenes.style import (
    BODY_SIZE,
    CURVE_COLOR,
    END_COLOR,
    MUTED_TEXT,
    OPTIMIZER_COLORS,
    SKY,
    SMALL_SIZE,
    START_COLOR,
    TEXT_COLOR,
    TITLE_SIZE,
    VERMILLION,
    YELLOW,
    GDScene,
    fmt,
    fmt_sci,
    make_axes_1d,
    make_marker,
    make_tex,
    make_text,
    title,
)

__all__ = ["BeyondSGD", "IntoTwoDimensions", "LearningFromData", "Outro", "TitleCard", "UpdateRule"]
__all__ += ["outro_points"]


class TitleCard(GDScene):
    """The opening card: the lecture's title over a ball rolling down a parabola."""

    def construct(self) -> None:
        self.section("Title")
        f = objectives.get("parabola")
        run = cached_descend(f, optimizers.sgd(lr=0.2), [-2.6], 12)
        axes = make_axes_1d((-3, 3, 1), (0, 9, 3), x_length=6.0, y_length=3.0, numbers=False,
                            x_label=None, y_label=None)
        axes.to_edge(DOWN, buff=0.6)
        curve = axes.plot(lambda x: float(f.value(np.array([x]))), x_range=[-3, 3],
                          color=CURVE_COLOR, stroke_width=3)
        xs = run.points[:, 0]
        ball = make_marker(axes.c2p(xs[0], run.values[0]), START_COLOR, radius=0.13)
        heading = make_text("Gradient descent", font_size=TITLE_SIZE * 1.6, weight="BOLD")
        sub = make_text("how a computer walks downhill, one step at a time",
                        font_size=BODY_SIZE, color=MUTED_TEXT)
        group = VGroup(heading, sub).arrange(DOWN, buff=0.35).to_edge(UP, buff=1.0)
        end = say(self, "Gradient descent: how a computer walks downhill, one step at a time.")
        self.play(Write(heading), run_time=1.2)
        self.play(FadeIn(sub, shift=UP * 0.2), Create(axes), Create(curve), run_time=1.2)
        self.play(FadeIn(ball), run_time=0.4)
        for x, v in zip(xs[1:], run.values[1:], strict=True):
            self.play(ball.animate.move_to(axes.c2p(x, v)), run_time=0.2)
        self.play(ball.animate.set_color(END_COLOR), run_time=0.3)
        wait_until(self, end, minimum=0.4)
        self.play(FadeOut(VGroup(group, axes, curve, ball)), run_time=0.5)


class UpdateRule(GDScene):
    r"""The rule :math:`w \leftarrow w - \eta\, dL/dw`, why the minus sign, one worked step.

    Then why a step against the slope goes down: to first order
    :math:`L(w - \eta L') \approx L(w) - \eta L'^2`
    (:func:`gdanim.analysis.first_order_prediction`), so a small enough step lowers the loss
    wherever the slope is not zero, while a step that is too large can overshoot and raise it
    (the :math:`\eta = 1.1` step that :class:`scenes.steps1d.LearningRateRegimes` shows
    diverging).

    Attributes (for tests)
    ----------------------
    small_run, large_run : Trajectory
        One step on :math:`L(w) = w^2` from :data:`W0` with :data:`SMALL_LR` and
        :data:`LARGE_LR`.
    guess : float
        The first-order estimate after the small step.
    descent_lines : VGroup
        The lines of the "why downhill" part.
    descent_values : dict of str to str
        Every number those lines show, as shown.
    step_arrows : tuple of Arrow
        The small and the large step drawn on the curve.
    """

    W0 = 4.0
    SMALL_LR = 0.1
    LARGE_LR = 1.1

    def construct(self) -> None:
        self.section("The update rule")
        head = title("The update rule")
        rule = MathTex("w", r"\;\leftarrow\;", "w", r"\;-\;", r"\eta", r"\,\frac{dL}{dw}",
                       font_size=64, color=TEXT_COLOR)
        rule.next_to(head, DOWN, buff=0.6)
        end = say(self, "Every step of gradient descent applies one rule.")
        self.play(FadeIn(head), Write(rule), run_time=1.5)
        wait_until(self, end)

        # the pieces of the rule, by their parts in the formula: (part, colour, note, caption)
        pieces = (
            (5, SKY, "the slope: it points uphill",
             "The slope dL/dw points uphill."),
            (3, VERMILLION, "minus: the step points downhill",
             "The minus sign turns the step around, so that it points downhill."),
            (4, YELLOW, "the learning rate: how far to step",
             "The learning rate η sets how far each step goes."),
        )
        notes = VGroup()
        below: Mobject = rule
        for part, color, words, said in pieces:
            box = SurroundingRectangle(rule[part], color=color, buff=0.14 if part == 3 else 0.08)
            note = make_text(words, font_size=SMALL_SIZE, color=color)
            note.next_to(below, DOWN, buff=0.6 if below is rule else 0.3)
            below = note
            end = say(self, said)
            self.play(Create(box), FadeIn(note), run_time=0.8)
            wait_until(self, end)
            notes.add(box, note)
        self.play(FadeOut(notes), run_time=0.6)

        # one step worked by hand on L(w) = w^2, numbers from gdanim
        f = objectives.parse("w**2", ["w"])
        lr = self.SMALL_LR
        w0 = np.array([self.W0])
        g0 = float(f.grad(w0)[0])
        run = cached_descend(f, optimizers.sgd(lr=lr), w0, 1)
        w1 = float(run.points[1, 0])
        lines = VGroup(
            make_tex(rf"L(w) = {f.latex}, \qquad \frac{{dL}}{{dw}} = {f.grad_latex}"),
            make_tex(rf"w = {fmt(w0[0], 1)}, \quad \eta = {fmt(lr, 1)}, \quad "
                     rf"\frac{{dL}}{{dw}} = {fmt(g0, 1)}"),
            make_tex(rf"w \leftarrow {fmt(w0[0], 1)} - {fmt(lr, 1)} \times {fmt(g0, 1)} "
                     rf"= {fmt(w1, 1)}", color=END_COLOR),
        ).arrange(DOWN, buff=0.4)
        lines.next_to(rule, DOWN, buff=0.7)
        end = say(
            self,
            f"For L(w) = w² at w = {fmt(w0[0], 1)} the slope is {fmt(g0, 1)}; with "
            f"η = {fmt(lr, 1)} the new w is {fmt(w1, 1)}.",
        )
        for line in lines:
            self.play(Write(line), run_time=1.0)
            self.wait(0.3)
        self.play(Indicate(lines[2], color=END_COLOR))
        wait_until(self, end)
        self.play(FadeOut(lines), run_time=0.6)
        self._why_downhill(f, rule)

    def _why_downhill(self, f: objectives.Objective, rule: MathTex) -> None:
        """First order: the loss drops by about eta times the slope squared; too far goes up."""
        w0 = np.array([self.W0])
        small = cached_descend(f, optimizers.sgd(lr=self.SMALL_LR), w0, 1)
        large = cached_descend(f, optimizers.sgd(lr=self.LARGE_LR), w0, 1)
        guess = analysis.first_order_prediction(f, w0, self.SMALL_LR)
        self.small_run, self.large_run, self.guess = small, large, guess
        l0 = float(small.values[0])
        w_small, l_small = float(small.points[1, 0]), float(small.values[1])
        w_large, l_large = float(large.points[1, 0]), float(large.values[1])
        values = {
            "L0": fmt(l0, 2),
            "small": fmt(l_small, 2),
            "guess": fmt(guess, 2),
            "w_large": fmt(w_large, 1),
            "large": fmt(l_large, 2),
            "eta_small": fmt(self.SMALL_LR, 1),
            "eta_large": fmt(self.LARGE_LR, 1),
            "slope": fmt(float(f.grad(w0)[0]), 1),
        }

        # the curve and the two steps
        reach = 2.0 * np.ceil((max(abs(self.W0), abs(w_large)) + 0.5) / 2.0)
        top = 10.0 * np.ceil(max(l0, l_large) / 10.0 + 0.5)
        axes = make_axes_1d((-reach, reach, 2.0), (0.0, top, 10.0), x_length=5.0,
                            y_length=3.3, tick_size=20, x_label="w", y_label="L(w)")
        axes.move_to((-3.75, -1.55, 0.0))
        edge = min(reach, float(np.sqrt(top)))  # where w^2 leaves the axes
        curve = axes.plot(lambda x: float(f.value(np.array([x]))), x_range=[-edge, edge],
                          color=CURVE_COLOR, stroke_width=3)
        p0 = axes.c2p(self.W0, l0)
        p_small = axes.c2p(w_small, l_small)
        p_large = axes.c2p(w_large, l_large)
        arrow_small = Arrow(p0, p_small, buff=0.06, color=END_COLOR, stroke_width=5,
                            max_tip_length_to_length_ratio=0.35, tip_length=0.18)
        arrow_large = CurvedArrow(p0 + UP * 0.08, p_large + UP * 0.08, angle=0.9,
                                  color=VERMILLION, stroke_width=4, tip_length=0.2)
        start = make_marker(p0, START_COLOR, radius=0.09)
        ends = VGroup(make_marker(p_small, END_COLOR, radius=0.08),
                      make_marker(p_large, VERMILLION, radius=0.08))
        plot = VGroup(axes, curve, arrow_small, arrow_large, start, ends)
        for mob in (start, *ends):
            mob.set_z_index(3)

        # the words and numbers, right of the plot
        formula = make_tex(
            r"L\!\left(w - \eta\,\frac{dL}{dw}\right) \approx "
            r"L(w) - \eta \left(\frac{dL}{dw}\right)^{2}", font_size=40)
        never = make_text("the slope squared is never negative: wherever\n"
                          "the slope is not zero, a small enough step goes down",
                          font_size=SMALL_SIZE, color=MUTED_TEXT, line_spacing=0.8)
        small_line = make_tex(
            rf"\eta = {values['eta_small']}:\ L = {values['L0']} \to {values['small']}",
            font_size=34, color=END_COLOR)
        guess_line = VGroup(
            make_text("first order:", font_size=SMALL_SIZE, color=MUTED_TEXT),
            make_tex(rf"{values['L0']} - {values['eta_small']} \times {values['slope']}^2 "
                     rf"= {values['guess']}", font_size=28, color=MUTED_TEXT),
        ).arrange(RIGHT, buff=0.15, aligned_edge=DOWN)
        large_line = make_tex(
            rf"\eta = {values['eta_large']}:\ L = {values['L0']} \to {values['large']}",
            font_size=34, color=VERMILLION)
        large_note = make_text(
            f"w jumps to {values['w_large']}: too far, and uphill".replace("-", "\u2212"),
            font_size=SMALL_SIZE, color=VERMILLION)
        text = VGroup(formula, never, small_line, guess_line, large_line, large_note)
        text.arrange(DOWN, buff=0.3, aligned_edge=LEFT)
        never.shift(UP * 0.08)
        guess_line.shift(UP * 0.12)
        large_note.shift(UP * 0.14)
        if text.width > 6.2:
            text.scale_to_fit_width(6.2)
        text.next_to(rule, DOWN, buff=0.5)
        text.shift(RIGHT * (0.75 - text.get_left()[0]))
        self.descent_values = values
        self.descent_lines = text
        self.descent_plot = plot
        self.step_arrows = (arrow_small, arrow_large)

        end = say(
            self,
            "Why downhill? To first order a step changes L by −η (dL/dw)², so a small enough "
            "step lowers L unless the slope is zero.",
        )
        self.play(Write(formula), Create(axes), Create(curve), FadeIn(start), run_time=1.6)
        self.wait(1.2)
        self.play(FadeIn(never, shift=UP * 0.1), run_time=1.2)
        wait_until(self, end)
        end = say(
            self,
            f"With η = {values['eta_small']}, L goes from {values['L0']} to {values['small']}, "
            f"close to the first-order guess {values['guess']}.",
        )
        self.play(GrowArrow(arrow_small), FadeIn(ends[0]), Write(small_line), run_time=1.2)
        self.play(FadeIn(guess_line, shift=UP * 0.1), run_time=0.6)
        wait_until(self, end)
        end = say(
            self,
            f"Too large a step overshoots: η = {values['eta_large']} takes w to "
            f"{values['w_large']}, where L = {values['large']} is higher than before."
            .replace("-", "\u2212"),
        )
        self.play(Create(arrow_large), FadeIn(ends[1]), Write(large_line),
                  FadeIn(large_note), run_time=1.4)
        wait_until(self, end, minimum=1.0)


class IntoTwoDimensions(GDScene):
    """From a slope to a gradient: in two dimensions the derivative becomes a vector."""

    def construct(self) -> None:
        self.section("Into two dimensions")
        f = objectives.get("bowl")
        head = title("Two dimensions: the gradient")
        grad = make_tex(rf"f(x, y) = {f.latex} \qquad \nabla f = {f.grad_latex}", font_size=44)
        grad.next_to(head, DOWN, buff=0.6)
        p = np.array([1.0, 0.5])
        g = f.grad(p)
        point = make_tex(
            rf"\nabla f({fmt(p[0], 1)}, {fmt(p[1], 1)}) = "
            rf"\begin{{pmatrix}} {fmt(g[0], 1)} \\ {fmt(g[1], 1)} \end{{pmatrix}}",
            font_size=40,
        )
        point.next_to(grad, DOWN, buff=0.5)
        up = make_text("points uphill: the direction of steepest ascent", font_size=BODY_SIZE,
                       color=SKY)
        down = make_text("gradient descent steps along  -∇f", font_size=BODY_SIZE,
                         color=END_COLOR)
        notes = VGroup(up, down).arrange(DOWN, buff=0.3).next_to(point, DOWN, buff=0.6)
        end = say(self, "With two inputs, the slope becomes a vector of partial derivatives: "
                        "the gradient.")
        self.play(FadeIn(head), Write(grad), run_time=1.5)
        self.wait(0.5)
        self.play(Write(point))
        wait_until(self, end)
        end = say(self, "It points the way of steepest ascent, so descent steps the opposite way.")
        self.play(FadeIn(up, shift=UP * 0.2))
        self.wait(0.5)
        self.play(FadeIn(down, shift=UP * 0.2))
        wait_until(self, end, minimum=0.5)
        self.play(FadeOut(VGroup(head, grad, point, notes)), run_time=0.5)


class _RuleBlock(VGroup):
    """An optimizer's name and note (``head``) above its update rule (``rule``)."""

    def __init__(self, head: VGroup, rule: MathTex) -> None:
        super().__init__(head, rule)
        self.head = head
        self.rule = rule


def _rule_block(spec: str, caption: str) -> _RuleBlock:
    opt = optimizers.from_spec(spec)
    color = OPTIMIZER_COLORS[opt.display_name]
    name = make_text(opt.display_name, font_size=BODY_SIZE * 1.1, color=color, weight="BOLD")
    note = make_text(caption, font_size=SMALL_SIZE, color=MUTED_TEXT, line_spacing=0.8)
    rule = make_tex(r"\begin{aligned}" + opt.update_rule_latex + r"\end{aligned}",
                    font_size=32, color=TEXT_COLOR)
    head = VGroup(name, note).arrange(DOWN, buff=0.15)
    block = _RuleBlock(head, rule).arrange(DOWN, buff=0.4)
    return block


class BeyondSGD(GDScene):
    """What momentum and adaptive steps add to plain gradient descent (S7)."""

    def construct(self) -> None:
        self.section("Beyond plain gradient descent")
        head = title("Beyond plain gradient descent")
        rules = [
            _rule_block("momentum:lr=0.01", "remembers past gradients\nas a velocity"),
            _rule_block("adagrad:lr=0.5", "scales each coordinate\nby its gradient history"),
            _rule_block("adam:lr=0.1,betas=0.9/0.99", "momentum plus\nadaptive scaling"),
        ]
        blocks = VGroup(*rules).arrange(RIGHT, buff=0.7, aligned_edge=UP)
        if blocks.width > 13.4:
            blocks.scale_to_fit_width(13.4)
        blocks.next_to(head, DOWN, buff=0.6)
        captions = (
            "Momentum keeps a velocity: it cuts the zig-zag and rolls through flat regions.",
            "Adaptive methods size each coordinate's step by its own gradient history.",
            "Adam combines both, with bias correction for its first steps.",
        )
        note = make_text("All rules exactly as torch.optim documents them.",
                         font_size=SMALL_SIZE, color=MUTED_TEXT).to_edge(DOWN, buff=0.35)
        for i, (block, text) in enumerate(zip(rules, captions, strict=True)):
            end = say(self, text)
            if i == 0:
                self.play(FadeIn(head), run_time=0.6)
            shown: list[Animation] = [
                LaggedStart(FadeIn(block.head), Write(block.rule), lag_ratio=0.3)
            ]
            if i == len(rules) - 1:
                shown.append(FadeIn(note))
            self.play(*shown, run_time=1.6)
            wait_until(self, end)
        self.play(FadeOut(VGroup(head, blocks, note)), run_time=0.5)


def _mse_latex() -> str:
    """The mean squared error of a line through N points, typeset by sympy."""
    m, b, n_points = sympy.symbols("m b N")
    n = sympy.Idx("n")
    x, y = sympy.IndexedBase("x"), sympy.IndexedBase("y")
    loss = sympy.Sum((m * x[n] + b - y[n]) ** 2, (n, 1, n_points)) / n_points
    return "L(m, b) = " + str(sympy.latex(loss))


class LearningFromData(GDScene):
    """The second part's opening: training a model is gradient descent on a loss."""

    def construct(self) -> None:
        self.section("Learning from data")
        kicker = make_text("Part two", font_size=BODY_SIZE, color=MUTED_TEXT)
        heading = make_text("Learning from data", font_size=TITLE_SIZE * 1.4, weight="BOLD")
        group = VGroup(kicker, heading).arrange(DOWN, buff=0.25).to_edge(UP, buff=0.9)
        loss = make_tex(_mse_latex(), font_size=46)
        loss.next_to(group, DOWN, buff=0.8)
        note = make_text("the data fix the shape of the loss; gradient descent walks it",
                         font_size=BODY_SIZE, color=SKY)
        note.next_to(loss, DOWN, buff=0.6)
        end = say(self, "Part two: learning from data.")
        self.play(FadeIn(kicker), Write(heading), run_time=1.3)
        wait_until(self, end)
        end = say(self, "Fitting a line means minimising a loss over its slope m and intercept b.")
        self.play(Write(loss), run_time=1.5)
        self.play(FadeIn(note, shift=UP * 0.2))
        wait_until(self, end)
        self.play(FadeOut(VGroup(group, loss, note)), run_time=0.5)


def outro_points() -> list[str]:
    """The summary's lines; the saddle's and torch's numbers computed by gdanim.

    The saddle lines read :func:`scenes.race.saddle_facts` of race C (plain gradient descent's
    growth factor along x and its escape step; the runs started exactly on the ridge), the last
    line :data:`gdanim.optimizers.TORCH_PARITY_RTOL`, the tolerance the tests hold every
    optimizer's path to against ``torch.optim``.
    """
    facts = saddle_facts()
    points = [
        "Step against the gradient, with a learning rate below 2/L; \u03ba = L/\u03bc sets "
        "the speed.",
        "On a convex loss every flat spot is the global minimum.",
        f"A saddle slows plain gradient descent, not traps it: x grows "
        f"\u00d7{fmt(facts.sgd_growth, 2)} a step, out at step {facts.sgd_step}.",
    ]
    if "Adam" in facts.ridge_x and all(v == 0.0 for v in facts.ridge_x.values()):
        points.append(
            "On the ridge x = 0 itself every method stays, Adam included."
        )
    points += [
        "Training a model is the same descent, on a loss the data define.",
        "Runs in float64; the optimizers match torch.optim to a relative "
        f"{fmt_sci(optimizers.TORCH_PARITY_RTOL, 0)} (tested).",
    ]
    return points


class Outro(GDScene):
    """The summary: what the lecture showed, one line at a time (``self.points``)."""

    def construct(self) -> None:
        self.section("Summary")
        head = title("What we saw")
        self.points = outro_points()
        points: list[tuple[str, ParsableManimColor]] = [
            (text, MUTED_TEXT if i == len(self.points) - 1 else TEXT_COLOR)
            for i, text in enumerate(self.points)
        ]
        rows = VGroup(*(
            VGroup(
                make_tex(r"\bullet", color=END_COLOR),
                make_text(text, font_size=BODY_SIZE * 0.9, color=color),
            ).arrange(RIGHT, buff=0.25)
            for text, color in points
        )).arrange(DOWN, buff=0.45, aligned_edge=LEFT)
        rows.next_to(head, DOWN, buff=0.8)
        if rows.width > 12.8:
            rows.scale_to_fit_width(12.8)
        sign = make_text("gdanim", font_size=BODY_SIZE, color=END_COLOR, weight="BOLD")
        sign.to_edge(DOWN, buff=0.6)
        for i, (row, (text, _)) in enumerate(zip(rows, points, strict=True)):
            end = say(self, text)
            if i == 0:
                self.play(FadeIn(head), run_time=0.6)
            shown = [FadeIn(row, shift=RIGHT * 0.2)]
            if i == len(rows) - 1:
                shown.append(FadeIn(sign, shift=UP * 0.2))
            self.play(*shown, run_time=0.8)
            wait_until(self, end)
        self.wait(0.5)
        self.play(FadeOut(VGroup(head, rows, sign)), run_time=0.5)
