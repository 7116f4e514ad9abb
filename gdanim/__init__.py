"""gdanim: the exact numbers behind gradient-descent explainer videos.

The computation half of gdanim, pure numpy and sympy (it never imports manim):

- :mod:`gdanim.objectives` parses functions typed as text and holds a catalog of classic ones;
- :mod:`gdanim.optimizers` reproduces ``torch.optim`` as pure ``init``/``update`` pairs;
- :func:`gdanim.descend` runs an optimizer and returns a :class:`~gdanim.trajectory.Trajectory`;
- :mod:`gdanim.regression` trains small models on the tutorial data sets;
- :mod:`gdanim.analysis` turns runs into the numbers a video prints.

Examples
--------
>>> from gdanim import descend, objectives, optimizers
>>> run = descend(objectives.get("parabola"), optimizers.sgd(lr=0.5), [4.0], 1)
>>> run.points[-1].tolist()
[0.0]
"""

from __future__ import annotations

from gdanim.trajectory import Trajectory, TrajectoryError, descend

__all__ = ["Trajectory", "TrajectoryError", "__version__", "descend"]

__version__ = "0.1.0"
