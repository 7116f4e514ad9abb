"""The list of gdanim's scenes and the order of the lecture (plain data, no manim import).

The app reads this to name, describe and render scenes without importing manim in its own
process: every scene it renders, built-in or custom, is a :class:`SceneInfo` from here (its
class name, its module, and for a custom scene the :mod:`scenes.params` types it takes), never
a path or a class name written in the app.

Examples
--------
>>> find("optimizerrace").file.name
'race.py'
>>> from scenes.params import RaceParams
>>> info = custom_scene(RaceParams, dim=2, three_d=True)
>>> info.name, info.import_path, info.file.relative_to(SCENES_DIR).as_posix()
('CustomRace3D', 'scenes.custom.race3d', 'custom/race3d.py')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scenes.params import CustomParams, DescentParams, RaceParams, TitleParams

__all__ = [
    "CUSTOM",
    "LECTURE",
    "SCENES",
    "SCENES_DIR",
    "SceneInfo",
    "custom_scene",
    "find",
]

SCENES_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class SceneInfo:
    """A scene: its class name, the module that holds it (dotted, under ``scenes``), one line
    about it, and the parameter types it takes (none for a built-in scene)."""

    name: str
    module: str
    summary: str
    params: tuple[type[DescentParams] | type[RaceParams] | type[TitleParams], ...] = ()

    @property
    def file(self) -> Path:
        """Path of the scene's module file (in the installed package, where that is)."""
        return SCENES_DIR.joinpath(*self.module.split(".")).with_suffix(".py")

    @property
    def import_path(self) -> str:
        """The module's import path: ``scenes.<module>``."""
        return f"scenes.{self.module}"

    def accepts(self, params: CustomParams | None) -> bool:
        """Whether the scene takes ``params`` (``None``: its own, for a built-in scene)."""
        if params is None:
            return not self.params
        return isinstance(params, self.params)


SCENES: dict[str, SceneInfo] = {
    info.name: info
    for info in (
        SceneInfo("TitleCard", "lecture", "Title card of the lecture"),
        SceneInfo("TangentSlope", "tangent", "The derivative as the slope of the tangent"),
        SceneInfo("UpdateRule", "lecture", "The update rule w <- w - eta dL/dw and its minus sign"),
        SceneInfo("GradientSteps1D", "steps1d", "Arrow-traced gradient steps on 1D functions (S1)"),
        SceneInfo("LearningRateRegimes", "steps1d",
                  "Four learning rates side by side: slow, one step, oscillating, diverging"),
        SceneInfo("Convexity", "convexity",
                  "Six starts on x^2 reach one minimum, on the wavy curve three valleys"),
        SceneInfo("IntoTwoDimensions", "lecture", "From a slope to a gradient vector"),
        SceneInfo("GradientField", "field",
                  "The field of -grad f and a descent that follows it (S2)"),
        SceneInfo("SurfaceDescent3D", "surface",
                  "Descent on a 3D surface with its shadow on the floor"),
        SceneInfo("GradientNoise", "noise",
                  "Mini-batch gradients scatter like 1/sqrt(B); SGD hovers in a noise ball"),
        SceneInfo("LearningRateSchedules", "schedules",
                  "One SGD run under constant, step, cosine and warm-up + cosine rates"),
        SceneInfo("ValleyConditioning", "conditioning",
                  "Curvatures of the long valley: kappa = L/mu, 2/L caps the rate, mu the speed"),
        SceneInfo("BeyondSGD", "lecture", "What momentum and adaptive steps add"),
        SceneInfo("OptimizerRace", "race", "Six optimizers race off the saddle (S6 race C)"),
        SceneInfo("SurfaceRaceA", "races3d",
                  "Six optimizers on a bowl with a cubic cliff, in 3D (S6 race A)"),
        SceneInfo("SurfaceRaceB", "races3d",
                  "Five optimizers down the long valley, in 3D (S6 race B)"),
        SceneInfo("OptimizerTraits", "traits",
                  "What each optimizer's path shows, with a number from its run (S7)"),
        SceneInfo("TunedRace", "tuned",
                  "The saddle and valley races again, every optimizer at its tuned rate"),
        SceneInfo("LearningFromData", "lecture", "Part two: training a model is descent on a loss"),
        SceneInfo("LinearRegressionFit", "regression",
                  "Fitting a line by gradient descent, one update worked by hand (S3, S4)"),
        SceneInfo("LineFitConditioning", "conditioning",
                  "Why the intercept creeps (kappa ~ 138), and the fit on a scaled feature"),
        SceneInfo("StochasticVsBatch", "regression",
                  "Full batch, mini-batches and single samples: noise against cost (S3)"),
        SceneInfo("OptimizerLossCurves", "losscurves",
                  "Six optimizers train a small model: train and test loss per epoch (S5)"),
        SceneInfo("Outro", "lecture", "Summary of the lecture"),
    )
}

#: The lecture, in teaching order.
LECTURE: tuple[str, ...] = (
    "TitleCard",
    "TangentSlope",
    "UpdateRule",
    "GradientSteps1D",
    "LearningRateRegimes",
    "Convexity",
    "IntoTwoDimensions",
    "GradientField",
    "SurfaceDescent3D",
    "GradientNoise",
    "ValleyConditioning",
    "BeyondSGD",
    "OptimizerRace",
    "SurfaceRaceA",
    "SurfaceRaceB",
    "OptimizerTraits",
    "LearningFromData",
    "LinearRegressionFit",
    "LineFitConditioning",
    "StochasticVsBatch",
    "OptimizerLossCurves",
    "Outro",
)


#: The scenes of custom videos, by class name; each takes the parameters of its entry.
CUSTOM: dict[str, SceneInfo] = {
    info.name: info
    for info in (
        SceneInfo("CustomDescent1D", "custom.descend",
                  "Gradient descent on f(x): one panel of arrow-traced steps per learning rate",
                  (DescentParams,)),
        SceneInfo("CustomDescent2D", "custom.descend",
                  "Gradient descent on f(x, y): paths over the contour map and the field",
                  (DescentParams,)),
        SceneInfo("CustomRace", "custom.race",
                  "Optimizers racing from one start over the contour map", (RaceParams,)),
        SceneInfo("CustomRace3D", "custom.race3d",
                  "Optimizers or learning rates on the 3D surface, shadows on the floor",
                  (DescentParams, RaceParams)),
        SceneInfo("CustomTitle", "custom.title", "The title card of a custom video",
                  (TitleParams,)),
    )
}


def find(name: str) -> SceneInfo:
    """Look a built-in scene up by class name (case-insensitive); ``KeyError`` lists the
    names."""
    for key, info in SCENES.items():
        if key.lower() == name.lower():
            return info
    raise KeyError(f"unknown scene {name!r}; choose from: {', '.join(SCENES)}")


def custom_scene(kind: type[DescentParams] | type[RaceParams] | type[TitleParams], *,
                 dim: int = 2, three_d: bool = False) -> SceneInfo:
    """The custom scene that shows parameters of type ``kind`` for a function of ``dim``
    variables (drawn as a surface with ``three_d``)."""
    if kind is TitleParams:
        return CUSTOM["CustomTitle"]
    if dim == 1:
        if kind is not DescentParams or three_d:
            raise ValueError("a function of one variable is shown by a 2D descent only")
        return CUSTOM["CustomDescent1D"]
    if three_d:
        return CUSTOM["CustomRace3D"]
    return CUSTOM["CustomDescent2D"] if kind is DescentParams else CUSTOM["CustomRace"]
