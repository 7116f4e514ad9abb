"""The list of gdanim's scenes and the order of the lecture (plain data, no manim import).

The command line reads this to name, describe and render scenes without importing manim in
its own process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["LECTURE", "SCENES", "SCENES_DIR", "SceneInfo", "find"]

SCENES_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class SceneInfo:
    """A built-in scene: its class name, the module file that holds it, and one line about it."""

    name: str
    module: str
    summary: str

    @property
    def file(self) -> Path:
        """Path of the scene's module file."""
        return SCENES_DIR / f"{self.module}.py"


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


def find(name: str) -> SceneInfo:
    """Look a scene up by class name (case-insensitive); ``KeyError`` lists the names."""
    for key, info in SCENES.items():
        if key.lower() == name.lower():
            return info
    raise KeyError(f"unknown scene {name!r}; choose from: {', '.join(SCENES)}")
