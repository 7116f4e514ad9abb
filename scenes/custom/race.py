"""Optimizers racing from one start over the contour map of a function of x and y.

:class:`CustomRace` is what ``gdanim race`` renders (``--3d`` renders
:class:`scenes.custom.race3d.CustomRace3D`). Rendered on its own it plays :data:`DEMO`::

    manim -ql scenes/custom/race.py CustomRace
"""

from __future__ import annotations

from gdanim.objectives import Objective
from scenes.custom.common import custom_params
from scenes.custom.maps import MapScene
from scenes.params import OptimizerParams, PathParams, RaceParams
from scenes.runs import Run

__all__ = ["DEMO", "CustomRace"]

#: The race shown when the scene is rendered on its own: five optimizers down the long valley.
DEMO = RaceParams(
    function="long_valley", start=(-7.0, 2.0), steps=100, view=(-10.0, 10.0, -5.0, 5.0),
    optimizers=(
        OptimizerParams("sgd", {"lr": 0.95}),
        OptimizerParams("adagrad", {"lr": 1.5}),
        OptimizerParams("rmsprop", {"lr": 0.05, "alpha": 0.9}),
        OptimizerParams("sgd", {"lr": 0.1, "momentum": 0.9}),
        OptimizerParams("adam", {"lr": 0.3, "betas": (0.9, 0.99)}),
    ),
)


class CustomRace(MapScene):
    """Optimizers racing from one start over the contour map of :math:`f(x, y)`.

    Attributes for tests: ``runs``, ``paths``, ``legend_entries`` (``row.label_text`` is the
    optimizer's label), ``finish_marks``, ``summary_note``.
    """

    def params(self) -> PathParams:
        return custom_params(self, RaceParams, demo=DEMO)

    def default_title(self, f: Objective) -> str:
        n = len(self.runs)
        where = self.function_name(f)
        if n == 1:
            first = self.runs[0].optimizer.display_name
            steps = self.runs[0].trajectory.steps
            return f"{first} on {where}" if where else f"{first}, {steps} steps"
        words = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight"}
        count = words.get(n, str(n))
        return f"{count} optimizers on {where}" if where else f"{count} optimizers, one start"

    @staticmethod
    def function_name(f: Objective) -> str:
        if f.name:
            return "the " + f.name.replace("_", " ") if f.name in ("long_valley", "saddle",
                                                                  "bowl", "cubic_bowl",
                                                                  "monkey_saddle") \
                else f.name.replace("_", " ").title()
        return ""

    def row_words(self, run: Run) -> tuple[str, str]:
        label = run.optimizer.label
        name = run.optimizer.display_name
        small = label[len(name):].strip().removeprefix("(").removesuffix(")")
        if run.schedule is not None:
            small = f"{small} @ {run.schedule.label}"
        return name, small

    def race_caption(self, p: PathParams) -> str:
        names = ", ".join(r.label for r in self.runs)
        tuning = p.tuning if isinstance(p, RaceParams) else ""
        if tuning:
            return f"{tuning}: {names}."
        return f"They start together: {names}."
