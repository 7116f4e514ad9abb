"""Optimizer races on 3D surfaces: scenario S6, races A and B.

* :class:`SurfaceRaceA` - six optimizers on :math:`f_1 = x^2 + y^2 + y^3 + xy` from (2, 3),
  150 steps; several leave the view over the cubic's cliff and are marked where they stop.
* :class:`SurfaceRaceB` - five optimizers down the long valley :math:`x^2/20 + y^2` from
  (-7, 2), 100 steps: SGD's large rate bounces from wall to wall, momentum and Adam carry speed
  along the floor.

Both reuse the 3D race of :mod:`scenes.custom` (fast surface, paths drawn in depth order,
shadows on a contour floor) with the hyperparameters of the scenario::

    manim -ql scenes/races3d.py SurfaceRaceA
"""

from __future__ import annotations

from typing import Any

from manim import DEGREES

from scenes.custom import CustomRace3D

__all__ = ["RACE_A", "RACE_B", "SurfaceRaceA", "SurfaceRaceB"]

#: S6 race A on f1 = x^2 + y^2 + y^3 + x y.
RACE_A: dict[str, Any] = {
    "function": "cubic_bowl",
    "start": [2.0, 3.0],
    "steps": 150,
    "view": [-3.0, 3.0, -3.0, 3.0],
    "optimizers": [
        "sgd:lr=0.01",
        "adagrad:lr=0.5",
        "rmsprop:lr=0.1,alpha=0.9",
        "momentum:lr=0.01,momentum=0.9",
        "adam:lr=0.1,betas=0.9/0.99",
        "nesterov:lr=0.01,momentum=0.9",
    ],
    "title": "Race A: a bowl with a cubic cliff",
    "captions": [
        "Race A: six optimizers start from (2, 3) on a bowl bent by a cubic term.",
        "Past the saddle the cubic falls away for ever: runs that go over the edge are "
        "stopped and marked with their step.",
        "Every path was computed with torch.optim's update rules, in float64.",
    ],
    "lrs": [],
}

#: S6 race B on the long valley f2 = x^2 / 20 + y^2.
RACE_B: dict[str, Any] = {
    "function": "long_valley",
    "start": [-7.0, 2.0],
    "steps": 100,
    "view": [-10.0, 10.0, -5.0, 5.0],
    "optimizers": [
        "sgd:lr=0.95",
        "adagrad:lr=1.5",
        "rmsprop:lr=0.05,alpha=0.9",
        "momentum:lr=0.1,momentum=0.9",
        "adam:lr=0.3,betas=0.9/0.99",
    ],
    "title": "Race B: the long valley",
    "captions": [
        "Race B: a valley twenty times longer than it is wide.",
        "SGD with a large rate bounces from wall to wall; momentum and Adam carry speed "
        "along the floor.",
        "AdaGrad and RMSprop scale each direction by its own gradient history.",
    ],
    "lrs": [],
}


class SurfaceRaceA(CustomRace3D):
    """S6 race A on the 3D surface of :math:`x^2 + y^2 + y^3 + xy`, contours below."""

    def params(self) -> dict[str, Any]:
        return dict(RACE_A)


class SurfaceRaceB(CustomRace3D):
    """S6 race B on the 3D surface of the long valley :math:`x^2/20 + y^2`, contours below.

    The camera looks down the valley from its far end and from high up, so that the walls
    stand at the sides and the paths on the floor stay in sight.
    """

    phi = 42 * DEGREES
    theta_start = -20 * DEGREES
    zoom = 0.6

    def params(self) -> dict[str, Any]:
        return dict(RACE_B)
