"""gdanim: the exact numbers behind gradient-descent explainer videos.

The computation half of gdanim, pure numpy and sympy (it never imports manim):

- :mod:`gdanim.objectives` parses functions typed as text and holds a catalog of classic ones;
- :mod:`gdanim.optimizers` reproduces ``torch.optim`` as pure ``init``/``update`` pairs;
- :mod:`gdanim.schedules` reproduces ``torch.optim.lr_scheduler`` the same way;
- :func:`gdanim.descend` runs an optimizer (under a schedule, if given) and returns a
  :class:`~gdanim.trajectory.Trajectory`;
- :func:`gdanim.tune` searches a grid of learning rates in one batched run;
- :mod:`gdanim.regression` trains small models on the tutorial data sets, with mini-batch
  noise measured against the full gradient;
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
from gdanim.tuning import TuneResult, tune

__all__ = ["Trajectory", "TrajectoryError", "TuneResult", "__version__", "descend", "tune"]

__version__ = "0.1.0"
