"""Layout helpers shared by the scenes: whether two mobjects' boxes meet, how far a label is
from a set of points.

Examples
--------
>>> import numpy as np
>>> from manim import Square
>>> a, b = Square(1.0), Square(1.0).shift([1.5, 0.0, 0.0])
>>> overlap(a, b), overlap(a, b, pad=0.6)
(False, True)
>>> clearance(a, np.array([[0.5, 0.0], [3.0, 0.0]]))
0.0
"""

from __future__ import annotations

import numpy as np
from manim import Mobject

__all__ = ["clearance", "overlap"]


def overlap(a: Mobject, b: Mobject, pad: float = 0.05) -> bool:
    """Whether the bounding boxes of ``a`` and ``b`` come closer than ``pad`` (they meet when
    ``pad`` is 0)."""
    return bool(
        a.get_left()[0] - pad < b.get_right()[0]
        and b.get_left()[0] < a.get_right()[0] + pad
        and a.get_bottom()[1] - pad < b.get_top()[1]
        and b.get_bottom()[1] < a.get_top()[1] + pad
    )


def clearance(label: Mobject, points: np.ndarray) -> float:
    """The distance from the bounding box of ``label`` to the nearest of ``points`` (rows of
    at least x and y); 0 when a point lies inside the box."""
    lo = np.array([label.get_left()[0], label.get_bottom()[1]])
    hi = np.array([label.get_right()[0], label.get_top()[1]])
    d = np.maximum(np.maximum(lo - points[:, :2], points[:, :2] - hi), 0.0)
    return float(np.sqrt((d**2).sum(axis=1)).min())
