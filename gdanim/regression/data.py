"""The data sets of the regression scenes: the tiny table, the noisy line and the noisy surface."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from gdanim._typing import ArrayLike, FloatArray

if TYPE_CHECKING:
    pass

__all__ = [
    "Dataset",
    "IntArray",
    "SplitDataset",
    "line_dataset",
    "surface_dataset",
    "tiny_dataset",
]


IntArray = npt.NDArray[np.int64]
"""Integer arrays (sample orders, step counters)."""


_Array = TypeVar("_Array", bound=npt.NDArray[np.generic])


def _frozen(array: _Array) -> _Array:
    array.flags.writeable = False
    return array


def _float_array(value: ArrayLike, name: str) -> FloatArray:
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected an array of numbers ({exc})") from None
    return array


class Dataset(NamedTuple):
    """Inputs and targets of a regression problem.

    Attributes
    ----------
    x : ndarray
        Inputs, shape ``(n,)`` for one feature or ``(n, d)``.
    y : ndarray
        Targets, shape ``(n,)``.
    """

    x: FloatArray
    y: FloatArray


class SplitDataset(NamedTuple):
    """A dataset split into a training part and a test part.

    Attributes
    ----------
    x_train : ndarray
        Training inputs, shape ``(n_train, d)``.
    y_train : ndarray
        Training targets, shape ``(n_train,)``.
    x_test : ndarray
        Test inputs, shape ``(n_test, d)``.
    y_test : ndarray
        Test targets, shape ``(n_test,)``.
    """

    x_train: FloatArray
    y_train: FloatArray
    x_test: FloatArray
    y_test: FloatArray


def tiny_dataset() -> Dataset:
    """The four points of S3: :math:`x = (1, 2, 3, 4)`, :math:`y = 2x`.

    Returns
    -------
    Dataset
        ``x = [1, 2, 3, 4]`` and ``y = [2, 4, 6, 8]`` as float64 arrays of shape ``(4,)``.

    Examples
    --------
    >>> x, y = tiny_dataset()
    >>> x.tolist(), y.tolist()
    ([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0])
    """
    x = np.array([1.0, 2.0, 3.0, 4.0])
    return Dataset(x, 2.0 * x)


def line_dataset(seed: int = 0, n: int = 100) -> Dataset:
    r"""The noisy line of S4: :math:`Y = 3X + \varepsilon`, :math:`\varepsilon \sim N(0, 1)`.

    The values are exactly those of the tutorial's

    .. code-block:: python

        np.random.seed(0)
        X = np.linspace(0, 10, 100)
        Y = 3 * X + np.random.randn(100)

    (``np.random.normal(0, 1, 100)`` draws the same numbers). A private
    ``np.random.RandomState(seed)`` is used, which yields the same stream as ``np.random.seed``
    without touching numpy's global random state.

    Parameters
    ----------
    seed : int
        Seed of the legacy numpy generator.
    n : int
        Number of points, evenly spaced on ``[0, 10]``.

    Returns
    -------
    Dataset
        ``x`` of shape ``(n,)`` and ``y`` of shape ``(n,)``.

    Examples
    --------
    >>> x, y = line_dataset()
    >>> x.shape, round(float(y[0]), 6)
    ((100,), 1.764052)
    """
    if n < 1:
        raise ValueError(f"line_dataset: n must be at least 1, got {n}")
    rng = np.random.RandomState(seed)
    x = np.linspace(0, 10, n)
    y = 3 * x + rng.randn(n)
    return Dataset(x, y)


def surface_dataset(seed: int = 0, n: int = 1000, train_fraction: float = 0.8) -> SplitDataset:
    r"""The paraboloid data of S5: :math:`z = x^2 + y^2 + \varepsilon`, split into train and test.

    With ``rng = np.random.default_rng(seed)``, in this order:

    1. features ``rng.uniform(0, 1, size=(n, 2))`` (columns :math:`x, y \sim U(0, 1)`);
    2. noise ``rng.normal(0, 1, size=n)``, targets :math:`z = x^2 + y^2 + \varepsilon`;
    3. a permutation ``rng.permutation(n)``: its first ``int(train_fraction * n)`` indices are
       the training set, the rest the test set (80/20 by default, like ``random_split``).

    Parameters
    ----------
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    n : int
        Number of samples.
    train_fraction : float
        Fraction of samples in the training set, strictly between 0 and 1.

    Returns
    -------
    SplitDataset
        ``x_train (n_train, 2)``, ``y_train (n_train,)``, ``x_test (n_test, 2)``,
        ``y_test (n_test,)``.

    Examples
    --------
    >>> data = surface_dataset()
    >>> data.x_train.shape, data.y_train.shape, data.x_test.shape, data.y_test.shape
    ((800, 2), (800,), (200, 2), (200,))
    """
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(
            f"surface_dataset: train_fraction must be between 0 and 1, got {train_fraction}"
        )
    n_train = int(train_fraction * n)
    if n_train < 1 or n_train >= n:
        raise ValueError(
            f"surface_dataset: n={n} with train_fraction={train_fraction} leaves an empty split"
        )
    rng = np.random.default_rng(seed)
    features = rng.uniform(0.0, 1.0, size=(n, 2))
    noise = rng.normal(0.0, 1.0, size=n)
    targets = features[:, 0] ** 2 + features[:, 1] ** 2 + noise
    order = rng.permutation(n)
    train, test = order[:n_train], order[n_train:]
    return SplitDataset(features[train], targets[train], features[test], targets[test])
