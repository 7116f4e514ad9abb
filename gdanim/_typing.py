"""Type aliases shared across gdanim."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["ArrayLike", "FloatArray"]

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike
