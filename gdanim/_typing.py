"""Type aliases shared across gdanim."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["ArrayLike", "BoolArray", "FloatArray", "IntArray"]

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
