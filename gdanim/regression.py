r"""Linear regression trained by gradient descent: the datasets, losses and runs of S3, S4 and S5.

The model is always linear, :math:`\hat y = x^\top w + b` (or :math:`\hat y = x^\top w` without
a bias), and the loss is the mean squared error over the samples a step sees,

.. math::

    L(w, b) = \frac{1}{N} \sum_{n=1}^{N} \left(x_n^\top w + b - y_n\right)^2 .

Parameters are one flat float64 vector, ``[w_1, ..., w_d, b]`` (``[w_1, ..., w_d]`` without a
bias), so every optimizer of :mod:`gdanim.optimizers` can update it unchanged: for the line of S4
it is ``[m, b]``, for the ``Linear(2 -> 1)`` model of S5 it is ``[w_1, w_2, b]``.

:func:`train` runs any optimizer full batch, one sample at a time or on mini-batches and returns
a :class:`TrainingRun` holding every parameter vector, every step's loss, per-epoch losses and
the number of per-sample gradients evaluated. :func:`s3_run`, :func:`s4_run` and :func:`s5_runs`
reproduce the scenarios of ``SCENARIOS.md`` exactly. :func:`least_squares` gives the exact
minimiser a run is heading for, and :func:`s4_scaled_run` repeats S4 with the feature centred and
scaled (:class:`FeatureScaling`).

Examples
--------
>>> run = s3_run()
>>> float(run.final_params[0])
1.9999999999999998
>>> float(SLOPE.predict(run.final_params, [5.0])[0])
9.999999999999998
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from gdanim._typing import ArrayLike, FloatArray
from gdanim.optimizers import Optimizer, adadelta, adagrad, adam, rmsprop, sgd

if TYPE_CHECKING:
    from gdanim.schedules import Schedule

__all__ = [
    "LINE",
    "PLANE",
    "SLOPE",
    "Dataset",
    "FeatureScaling",
    "GradientSpread",
    "IntArray",
    "LinearModel",
    "MSELoss",
    "SplitDataset",
    "TrainingRun",
    "batch_orders",
    "distance_to",
    "gradient_noise",
    "gradient_spread",
    "init_linear",
    "least_squares",
    "line_dataset",
    "minibatch_indices",
    "mse",
    "noise_ball_runs",
    "s3_run",
    "s4_run",
    "s4_scaled_run",
    "s5_optimizers",
    "s5_runs",
    "surface_dataset",
    "tiny_dataset",
    "train",
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


# --------------------------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Model and loss
# --------------------------------------------------------------------------------------------


def mse(prediction: ArrayLike, target: ArrayLike) -> float:
    r"""Mean squared error :math:`\frac{1}{N}\sum_n (\hat y_n - y_n)^2`.

    Parameters
    ----------
    prediction, target : array_like
        Arrays of the same shape.

    Returns
    -------
    float
        The mean of the squared differences.

    Examples
    --------
    >>> mse([1.0, 2.0], [1.0, 4.0])
    2.0
    """
    residual = np.asarray(prediction, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    return float(np.mean(residual**2))


@dataclass(frozen=True)
class LinearModel:
    r"""A linear model :math:`\hat y = x^\top w + b` trained with the mean squared error.

    The parameters are one flat vector ``[w_1, ..., w_d, b]`` (no ``b`` when ``bias`` is false).
    Every method also accepts a stack of parameter vectors of shape ``(..., n_params)`` and then
    returns one result per vector, which evaluates a loss surface on a grid in one call.

    With the residual :math:`r_n = x_n^\top w + b - y_n` over the :math:`N` samples given,

    .. math::

        L = \frac{1}{N}\sum_n r_n^2, \qquad
        \frac{\partial L}{\partial w} = \frac{1}{N}\sum_n 2\, x_n r_n, \qquad
        \frac{\partial L}{\partial b} = \frac{1}{N}\sum_n 2\, r_n .

    For one feature without a bias this is S3's
    :math:`\frac{dL}{dw} = \frac{1}{N}\sum_n 2 x_n (x_n w - y_n)`; for the line of S4 it is
    :math:`g_m = -\frac{2}{N}\sum_n X_n (Y_n - (m X_n + b))` and
    :math:`g_b = -\frac{2}{N}\sum_n (Y_n - (m X_n + b))` (the same sums, with the sign of the
    residual flipped).

    Parameters
    ----------
    n_features : int
        Number of input features ``d``.
    bias : bool
        Whether the model has the intercept ``b``.

    Examples
    --------
    >>> LINE.loss([3.0, 0.0], [1.0, 2.0], [3.0, 6.0])
    0.0
    >>> LINE.grad([0.0, 0.0], [1.0, 2.0], [3.0, 6.0]).tolist()
    [-15.0, -9.0]
    """

    n_features: int = 1
    bias: bool = True

    def __post_init__(self) -> None:
        if self.n_features < 1:
            raise ValueError(f"LinearModel: n_features must be at least 1, got {self.n_features}")

    @property
    def n_params(self) -> int:
        """Length of the flat parameter vector: ``n_features + 1`` with a bias."""
        return self.n_features + (1 if self.bias else 0)

    @property
    def name(self) -> str:
        """A short description such as ``"Linear(2 -> 1)"`` or ``"y = w x"``."""
        if self.n_features == 1:
            return "y = m x + b" if self.bias else "y = w x"
        return f"Linear({self.n_features} -> 1)" + ("" if self.bias else ", no bias")

    def features(self, x: ArrayLike) -> FloatArray:
        """Inputs as a float64 array of shape ``(n, n_features)``.

        A one-dimensional ``x`` is read as ``n`` samples of a single feature.
        """
        array = _float_array(x, "x")
        if array.ndim == 0:
            array = array.reshape(1)
        if array.ndim == 1 and self.n_features == 1:
            array = array[:, None]
        if array.ndim != 2 or array.shape[1] != self.n_features:
            raise ValueError(
                f"x: expected shape (n, {self.n_features})"
                + (" or (n,)" if self.n_features == 1 else "")
                + f", got {array.shape}"
            )
        return array

    def _params(self, params: ArrayLike) -> FloatArray:
        array = _float_array(params, "params")
        if array.ndim == 0 or array.shape[-1] != self.n_params:
            raise ValueError(
                f"params: expected a last axis of length {self.n_params} for {self.name}, "
                f"got shape {array.shape}"
            )
        return array

    def pack(self, weight: ArrayLike, bias: float | None = None) -> FloatArray:
        """Flat parameter vector ``[w_1, ..., w_d, b]`` from a weight and a bias.

        Examples
        --------
        >>> PLANE.pack([[0.5, -0.25]], 0.1).tolist()
        [0.5, -0.25, 0.1]
        """
        w = _float_array(weight, "weight").reshape(-1)
        if w.shape != (self.n_features,):
            raise ValueError(f"weight: expected {self.n_features} values, got {w.size}")
        if self.bias:
            if bias is None:
                raise ValueError(f"bias: {self.name} has a bias; pass one")
            return np.concatenate([w, np.array([float(bias)])])
        if bias is not None:
            raise ValueError(f"bias: {self.name} has no bias")
        return w.copy()

    def unpack(self, params: ArrayLike) -> tuple[FloatArray, FloatArray | None]:
        """Split ``params`` ``(..., n_params)`` into weight ``(..., d)`` and bias ``(...)``.

        The bias is ``None`` for a model without one.
        """
        p = self._params(params)
        d = self.n_features
        return p[..., :d], (p[..., d] if self.bias else None)

    def predict(self, params: ArrayLike, x: ArrayLike) -> FloatArray:
        r"""Predictions :math:`x_n^\top w + b`, shape ``params.shape[:-1] + (n,)``.

        Examples
        --------
        >>> LINE.predict([3.0, 1.0], [0.0, 1.0, 2.0]).tolist()
        [1.0, 4.0, 7.0]
        """
        features = self.features(x)
        weight, bias = self.unpack(params)
        prediction: FloatArray = weight @ features.T
        if bias is not None:
            prediction = prediction + bias[..., None]
        return prediction

    def residual(self, params: ArrayLike, x: ArrayLike, y: ArrayLike) -> FloatArray:
        r"""Residuals :math:`r_n = \hat y_n - y_n`, shape ``params.shape[:-1] + (n,)``."""
        features = self.features(x)
        targets = _float_array(y, "y").reshape(-1)
        if targets.shape[0] != features.shape[0]:
            raise ValueError(
                f"y: expected {features.shape[0]} targets (one per sample), got {targets.shape[0]}"
            )
        return self.predict(params, features) - targets

    def losses(self, params: ArrayLike, x: ArrayLike, y: ArrayLike) -> FloatArray:
        """Mean squared error for each parameter vector, shape ``params.shape[:-1]``.

        Examples
        --------
        >>> SLOPE.losses([[1.0], [2.0], [3.0]], [1.0, 2.0], [2.0, 4.0]).tolist()
        [2.5, 0.0, 2.5]
        """
        residual = self.residual(params, x, y)
        result: FloatArray = np.mean(residual**2, axis=-1)
        return result

    def loss(self, params: ArrayLike, x: ArrayLike, y: ArrayLike) -> float:
        r"""Mean squared error :math:`\frac{1}{N}\sum_n r_n^2` of one parameter vector.

        Examples
        --------
        >>> SLOPE.loss([1.0], [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0])
        7.5
        """
        p = self._params(params)
        if p.ndim != 1:
            raise ValueError(f"params: expected shape ({self.n_params},), got {p.shape}")
        return float(self.losses(p, x, y))

    def grad(self, params: ArrayLike, x: ArrayLike, y: ArrayLike) -> FloatArray:
        r"""Gradient of the mean squared error, same shape as ``params``.

        .. math::

            \frac{\partial L}{\partial w} = \frac{1}{N}\sum_n 2\, x_n r_n, \qquad
            \frac{\partial L}{\partial b} = \frac{1}{N}\sum_n 2\, r_n .

        Examples
        --------
        >>> SLOPE.grad([1.0], [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0]).tolist()
        [-15.0]
        """
        features = self.features(x)
        residual = self.residual(params, features, y)
        twice = 2.0 * residual
        grad_w = np.mean(twice[..., :, None] * features, axis=-2)
        if not self.bias:
            result: FloatArray = grad_w
            return result
        grad_b = np.mean(twice, axis=-1)
        return np.concatenate([grad_w, grad_b[..., None]], axis=-1)


SLOPE = LinearModel(n_features=1, bias=False)
r"""S3's model :math:`\hat y = w x`; parameters ``[w]``."""

LINE = LinearModel(n_features=1, bias=True)
r"""S4's model :math:`\hat y = m x + b`; parameters ``[m, b]``."""

PLANE = LinearModel(n_features=2, bias=True)
"""S5's ``Linear(2 -> 1)``; parameters ``[w_1, w_2, b]``."""


def least_squares(model: LinearModel, x: ArrayLike, y: ArrayLike) -> FloatArray:
    r"""The parameters that minimise the mean squared error exactly (linear least squares).

    With the design matrix :math:`A = [x, 1]` (``[x]`` without a bias) the minimiser solves the
    normal equations :math:`A^\top A\, \theta = A^\top y`; it is computed with
    :func:`numpy.linalg.lstsq` (an SVD, accurate even when :math:`A^\top A` is badly
    conditioned). This is where gradient descent on the loss is heading.

    Returns
    -------
    ndarray
        ``[w_1, ..., w_d, b]`` (or ``[w_1, ..., w_d]``), the layout of ``model``'s parameters.

    Examples
    --------
    >>> least_squares(LINE, [0.0, 1.0, 2.0], [1.0, 3.0, 5.0]).round(12).tolist()
    [2.0, 1.0]
    """
    features = model.features(x)
    targets = _float_array(y, "y").reshape(-1)
    if targets.shape[0] != features.shape[0]:
        raise ValueError(
            f"y: expected {features.shape[0]} targets (one per sample), got {targets.shape[0]}"
        )
    if model.bias:
        features = np.concatenate([features, np.ones((features.shape[0], 1))], axis=1)
    solution = np.linalg.lstsq(features, targets, rcond=None)[0]
    return np.asarray(solution, dtype=np.float64)


@dataclass(frozen=True)
class FeatureScaling:
    r"""Centring and scaling of one feature: :math:`z = (x - \bar x) / s`.

    :math:`\bar x` is the mean of the training inputs and :math:`s` their standard deviation
    (``np.std``, the population one). A line :math:`y = w z + c` in the scaled feature is the
    line :math:`y = m x + b` in the original one with

    .. math::

        m = w / s, \qquad b = c - w \bar x / s
        \qquad\text{and back}\qquad w = m s, \qquad c = b + m \bar x .

    For the mean squared error this makes the loss Hessian
    :math:`\frac{2}{n}\begin{pmatrix} \sum z_i^2 & \sum z_i \\ \sum z_i & n\end{pmatrix}
    = 2 I`: both curvatures equal, condition number 1.

    Examples
    --------
    >>> scaling = FeatureScaling.fit([0.0, 2.0, 4.0])
    >>> scaling.apply([0.0, 2.0, 4.0]).round(6).tolist()
    [-1.224745, 0.0, 1.224745]
    >>> scaling.line_params(scaling.scaled_params([3.0, 1.0])).round(12).tolist()
    [3.0, 1.0]
    """

    mean: float
    scale: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.mean) and np.isfinite(self.scale) and self.scale > 0.0):
            raise ValueError(
                f"FeatureScaling: needs a finite mean and a positive scale, got "
                f"{self.mean}, {self.scale}"
            )

    @classmethod
    def fit(cls, x: ArrayLike) -> FeatureScaling:
        """The mean and standard deviation of the inputs ``x`` (one feature)."""
        xs = _float_array(x, "x").reshape(-1)
        if xs.size < 2:
            raise ValueError("FeatureScaling.fit: needs at least two inputs")
        return cls(float(np.mean(xs)), float(np.std(xs)))

    def apply(self, x: ArrayLike) -> FloatArray:
        r"""The scaled feature :math:`z = (x - \bar x)/s`."""
        scaled: FloatArray = (_float_array(x, "x") - self.mean) / self.scale
        return scaled

    def line_params(self, params: ArrayLike) -> FloatArray:
        r"""``[w, c]`` of a line in :math:`z` (shape ``(..., 2)``) as ``[m, b]`` in :math:`x`."""
        p = LINE._params(params)
        w, c = p[..., 0], p[..., 1]
        return np.stack([w / self.scale, c - w * self.mean / self.scale], axis=-1)

    def scaled_params(self, params: ArrayLike) -> FloatArray:
        r"""``[m, b]`` of a line in :math:`x` (shape ``(..., 2)``) as ``[w, c]`` in :math:`z`."""
        p = LINE._params(params)
        m, b = p[..., 0], p[..., 1]
        return np.stack([m * self.scale, b + m * self.mean], axis=-1)


def init_linear(n_features: int, seed: int = 0, bias: bool = True) -> FloatArray:
    r"""Initial parameters drawn like ``torch.nn.Linear``'s default initialisation.

    Weight and bias are uniform on :math:`[-1/\sqrt{d}, 1/\sqrt{d})` (what
    ``kaiming_uniform_(a=sqrt(5))`` amounts to for ``Linear(d -> 1)``), drawn with
    ``np.random.default_rng(seed).uniform`` so that they are reproducible without torch.

    Parameters
    ----------
    n_features : int
        Number of input features ``d``.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    bias : bool
        Whether to append a bias.

    Returns
    -------
    ndarray
        ``[w_1, ..., w_d, b]`` (or ``[w_1, ..., w_d]``).

    Examples
    --------
    >>> p = init_linear(2)
    >>> p.shape, bool(np.all(np.abs(p) <= 2 ** -0.5))
    ((3,), True)
    """
    if n_features < 1:
        raise ValueError(f"init_linear: n_features must be at least 1, got {n_features}")
    bound = 1.0 / np.sqrt(n_features)
    size = n_features + (1 if bias else 0)
    return np.random.default_rng(seed).uniform(-bound, bound, size=size)


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


def batch_orders(n: int, epochs: int, *, shuffle: bool, seed: int | None = 0) -> IntArray:
    """The order in which the samples are visited, one row per epoch.

    Without shuffling every row is ``0, 1, ..., n - 1``. With shuffling, one
    ``rng = np.random.default_rng(seed)`` is created for the whole run and each epoch draws a new
    ``rng.permutation(n)``: the semantics of ``DataLoader(shuffle=True)`` (a fresh order every
    epoch, every sample once per epoch), with numpy's generator instead of torch's.

    Parameters
    ----------
    n : int
        Number of samples.
    epochs : int
        Number of epochs.
    shuffle : bool
        Whether to shuffle.
    seed : int or None
        Seed of the generator (``None``: fresh entropy, not reproducible).

    Returns
    -------
    ndarray of int64
        Shape ``(epochs, n)``.

    Examples
    --------
    >>> batch_orders(4, 2, shuffle=False).tolist()
    [[0, 1, 2, 3], [0, 1, 2, 3]]
    >>> sorted(batch_orders(4, 1, shuffle=True)[0].tolist())
    [0, 1, 2, 3]
    """
    if not shuffle:
        return np.tile(np.arange(n, dtype=np.int64), (epochs, 1))
    rng = np.random.default_rng(seed)
    orders = np.empty((epochs, n), dtype=np.int64)
    for epoch in range(epochs):
        orders[epoch] = rng.permutation(n)
    return orders


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """The record of one training run; every array is read-only.

    ``steps`` is the number of optimizer updates, ``epochs`` the number of passes over the
    training set. Step ``t`` (0-based) takes ``params[t]`` to ``params[t + 1]``.

    Attributes
    ----------
    model : LinearModel
        The model trained.
    params : ndarray
        Shape ``(steps + 1, n_params)``; ``params[0]`` is the initial vector.
    step_loss : ndarray
        Shape ``(steps,)``: the loss of the batch used by step ``t``, evaluated at ``params[t]``,
        before the update (what ``loss.item()`` gives in the usual PyTorch loop).
    step_grad : ndarray
        Shape ``(steps, n_params)``: the gradient used by step ``t``.
    step_epoch : ndarray of int64
        Shape ``(steps,)``: the epoch (0-based) of each step.
    batch_sizes : ndarray of int64
        Shape ``(steps,)``: the number of samples in each step's batch.
    grad_evals : ndarray of int64
        Shape ``(steps + 1,)``: cumulative number of per-sample gradient evaluations needed to
        reach ``params[t]`` (``grad_evals[0] == 0``); the "cost" of a run.
    epoch_end : ndarray of int64
        Shape ``(epochs + 1,)``: index into ``params`` after each epoch; ``epoch_end[0] == 0``.
    epoch_train_loss : ndarray
        Shape ``(epochs,)``: the mean of the epoch's ``step_loss`` values, the running average a
        training loop prints (``running_loss / len(loader)``; batches weighted equally).
    train_loss : ndarray
        Shape ``(epochs + 1,)``: loss over the whole training set at ``params[epoch_end[e]]``,
        ``train_loss[0]`` before training.
    test_loss : ndarray or None
        Shape ``(epochs + 1,)``: the same on the test set, or ``None`` without a test set.
    orders : ndarray of int64
        Shape ``(epochs, n)``: the sample order of each epoch; batches are consecutive slices.
    batch_size : int
        Samples per batch (the last batch of an epoch may be smaller).
    optimizer_name, optimizer_display_name, optimizer_label : str
        From the :class:`~gdanim.optimizers.Optimizer` used.
    hyperparameters : dict
        The optimizer's hyperparameters.
    step_lr : ndarray
        Shape ``(steps,)``: the learning rate of each step (constant without a schedule).
    schedule : str
        The schedule's spec, ``""`` without one.
    """

    model: LinearModel
    params: FloatArray
    step_loss: FloatArray
    step_grad: FloatArray
    step_epoch: IntArray
    batch_sizes: IntArray
    grad_evals: IntArray
    epoch_end: IntArray
    epoch_train_loss: FloatArray
    train_loss: FloatArray
    test_loss: FloatArray | None
    orders: IntArray
    batch_size: int
    optimizer_name: str
    optimizer_display_name: str
    optimizer_label: str
    hyperparameters: dict[str, object]
    step_lr: FloatArray = field(default_factory=lambda: np.zeros(0))
    schedule: str = ""

    @property
    def steps(self) -> int:
        """Number of optimizer updates."""
        return int(self.step_loss.shape[0])

    @property
    def epochs(self) -> int:
        """Number of epochs."""
        return int(self.epoch_end.shape[0] - 1)

    @property
    def final_params(self) -> FloatArray:
        """The parameter vector after the last step."""
        final: FloatArray = self.params[-1]
        return final

    @property
    def epoch_params(self) -> FloatArray:
        """Parameters after each epoch, shape ``(epochs + 1, n_params)`` (row 0: initial)."""
        return self.params[self.epoch_end]

    @property
    def diverged(self) -> bool:
        """Whether any parameter became non-finite."""
        return not bool(np.all(np.isfinite(self.params)))


def train(
    model: LinearModel,
    optimizer: Optimizer,
    x: ArrayLike,
    y: ArrayLike,
    params0: ArrayLike,
    *,
    epochs: int,
    batch_size: int | None = None,
    shuffle: bool = False,
    seed: int | None = 0,
    x_test: ArrayLike | None = None,
    y_test: ArrayLike | None = None,
    schedule: Schedule | None = None,
) -> TrainingRun:
    r"""Train ``model`` with ``optimizer`` on ``(x, y)`` and record every step.

    Each epoch visits the samples in the order of :func:`batch_orders` and cuts it into
    consecutive batches of ``batch_size`` (the last one may be smaller, like
    ``DataLoader(drop_last=False)``). For each batch :math:`B`, at parameters :math:`\theta_t`:

    .. math::

        \ell_t = L_B(\theta_t), \qquad g_t = \nabla L_B(\theta_t), \qquad
        \theta_{t+1}, s_{t+1} = \mathrm{update}(g_t, s_t, \theta_t),

    with :math:`L_B` the mean squared error over :math:`B` and ``update`` the optimizer's.
    Non-finite values are not an error: a diverging run is returned with ``inf``/``nan``
    parameters (see :attr:`TrainingRun.diverged`).

    Parameters
    ----------
    model : LinearModel
        The model, e.g. :data:`SLOPE`, :data:`LINE` or :data:`PLANE`.
    optimizer : Optimizer
        Any optimizer of :mod:`gdanim.optimizers`.
    x, y : array_like
        Training inputs ``(n,)`` or ``(n, d)`` and targets ``(n,)``.
    params0 : array_like
        Initial parameter vector of length ``model.n_params``.
    epochs : int
        Number of passes over the training set.
    batch_size : int or None
        ``None`` for full batch (one step per epoch), ``1`` for one sample at a time, otherwise
        mini-batches.
    shuffle : bool
        Whether each epoch visits the samples in a new random order (see :func:`batch_orders`).
    seed : int or None
        Seed of the shuffling generator.
    x_test, y_test : array_like, optional
        A test set; its loss is recorded after every epoch.
    schedule : Schedule, optional
        A learning-rate schedule (:mod:`gdanim.schedules`) stepped after every optimizer
        step (every batch), as ``scheduler.step()`` after ``optimizer.step()`` in torch.

    Returns
    -------
    TrainingRun

    Examples
    --------
    >>> from gdanim.optimizers import sgd
    >>> x, y = tiny_dataset()
    >>> run = train(SLOPE, sgd(lr=0.01), x, y, [1.0], epochs=100, batch_size=1)
    >>> run.steps, float(run.final_params[0]), int(run.grad_evals[-1])
    (400, 1.9999999999999998, 400)
    """
    features = model.features(x)
    targets = _float_array(y, "y").reshape(-1)
    n = features.shape[0]
    if targets.shape[0] != n:
        raise ValueError(f"y: expected {n} targets (one per sample), got {targets.shape[0]}")
    if n == 0:
        raise ValueError("x: the training set is empty")
    theta = model._params(params0)
    if theta.ndim != 1:
        raise ValueError(f"params0: expected shape ({model.n_params},), got {theta.shape}")
    if isinstance(epochs, bool) or not isinstance(epochs, int | np.integer) or epochs < 0:
        raise ValueError(f"epochs: expected an integer >= 0, got {epochs!r}")
    epochs = int(epochs)
    if batch_size is None:
        size = n
    elif isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
        raise ValueError(f"batch_size: expected None or an integer >= 1, got {batch_size!r}")
    elif batch_size < 1:
        raise ValueError(f"batch_size: expected None or an integer >= 1, got {batch_size}")
    else:
        size = min(int(batch_size), n)
    if (x_test is None) != (y_test is None):
        raise ValueError("x_test, y_test: give both or neither")
    test: tuple[FloatArray, FloatArray] | None = None
    if x_test is not None and y_test is not None:
        test_features = model.features(x_test)
        test_targets = _float_array(y_test, "y_test").reshape(-1)
        if test_targets.shape[0] != test_features.shape[0]:
            raise ValueError(
                f"y_test: expected {test_features.shape[0]} targets, got {test_targets.shape[0]}"
            )
        test = (test_features, test_targets)

    orders = batch_orders(n, epochs, shuffle=shuffle, seed=seed)
    starts = range(0, n, size)
    steps = epochs * len(starts)
    lr0 = float(optimizer.hyperparameters["lr"])  # type: ignore[arg-type]
    momenta: FloatArray | None = None
    if schedule is not None:
        from gdanim.schedules import bind

        optimizer = bind(schedule, optimizer)
        step_lr, momenta = schedule.values(lr0, steps)
    else:
        step_lr = np.full(steps, lr0)

    params = np.empty((steps + 1, model.n_params))
    step_grad = np.empty((steps, model.n_params))
    step_loss = np.empty(steps)
    step_epoch = np.empty(steps, dtype=np.int64)
    batch_sizes = np.empty(steps, dtype=np.int64)
    epoch_end = np.zeros(epochs + 1, dtype=np.int64)
    epoch_train_loss = np.empty(epochs)
    train_loss = np.empty(epochs + 1)
    test_loss = np.empty(epochs + 1) if test is not None else None

    params[0] = theta
    state = optimizer.init(theta)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        train_loss[0] = model.loss(theta, features, targets)
        if test is not None and test_loss is not None:
            test_loss[0] = model.loss(theta, *test)
        t = 0
        for epoch in range(epochs):
            first = t
            for start in starts:
                index = orders[epoch, start : start + size]
                batch_x, batch_y = features[index], targets[index]
                step_loss[t] = model.loss(theta, batch_x, batch_y)
                grad = model.grad(theta, batch_x, batch_y)
                if schedule is None:
                    theta, state = optimizer.update(grad, state, theta)
                else:
                    theta, state = optimizer.update(
                        grad, state, theta, lr=float(step_lr[t]),
                        momentum=None if momenta is None else float(momenta[t]),
                    )
                theta = np.asarray(theta, dtype=np.float64)
                params[t + 1] = theta
                step_grad[t] = grad
                step_epoch[t] = epoch
                batch_sizes[t] = index.shape[0]
                t += 1
            epoch_end[epoch + 1] = t
            epoch_train_loss[epoch] = np.mean(step_loss[first:t])
            train_loss[epoch + 1] = model.loss(theta, features, targets)
            if test is not None and test_loss is not None:
                test_loss[epoch + 1] = model.loss(theta, *test)

    grad_evals = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(batch_sizes)])
    return TrainingRun(
        model=model,
        params=_frozen(params),
        step_loss=_frozen(step_loss),
        step_grad=_frozen(step_grad),
        step_epoch=_frozen(step_epoch),
        batch_sizes=_frozen(batch_sizes),
        grad_evals=_frozen(grad_evals.astype(np.int64)),
        epoch_end=_frozen(epoch_end),
        epoch_train_loss=_frozen(epoch_train_loss),
        train_loss=_frozen(train_loss),
        test_loss=_frozen(test_loss) if test_loss is not None else None,
        orders=_frozen(orders),
        batch_size=size,
        optimizer_name=optimizer.name,
        optimizer_display_name=optimizer.display_name,
        optimizer_label=optimizer.label,
        hyperparameters=dict(optimizer.hyperparameters),
        step_lr=_frozen(np.array(step_lr, dtype=np.float64)),
        schedule="" if schedule is None else schedule.spec,
    )


# --------------------------------------------------------------------------------------------
# Losses as objectives
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MSELoss:
    r"""The mean squared error of a linear model on a data set, as an objective.

    It has the interface of :class:`gdanim.objectives.Objective` that
    :func:`gdanim.descend` and :func:`gdanim.tune` use (``value`` and ``grad`` on points
    of shape ``(..., n_params)``), so a regression loss can be descended, raced and tuned
    like any typed function:

    .. math::
        L(\theta) = \frac{1}{N} \sum_n (x_n^\top w + b - y_n)^2 .

    Parameters
    ----------
    model : LinearModel
        The model, e.g. :data:`LINE`.
    x, y : array_like
        Inputs and targets.

    Examples
    --------
    >>> loss = MSELoss(LINE, *line_dataset())
    >>> loss.dim, loss.variables, loss.text
    (2, ('m', 'b'), 'MSE of y = m x + b on 100 points')
    >>> round(float(loss.value(loss.minimum)), 6)
    1.008311
    """

    model: LinearModel
    x: FloatArray
    y: FloatArray

    def __post_init__(self) -> None:
        features = self.model.features(self.x)
        targets = _float_array(self.y, "y").reshape(-1)
        if targets.shape[0] != features.shape[0] or features.shape[0] == 0:
            raise ValueError(
                f"y: expected {features.shape[0]} targets (one per sample), got {targets.shape[0]}"
            )
        object.__setattr__(self, "x", _frozen(features))
        object.__setattr__(self, "y", _frozen(targets))

    @property
    def dim(self) -> int:
        """Number of parameters."""
        return self.model.n_params

    @property
    def text(self) -> str:
        """A description, e.g. ``'MSE of y = m x + b on 100 points'``."""
        return f"MSE of {self.model.name} on {self.x.shape[0]} points"

    @property
    def variables(self) -> tuple[str, ...]:
        """Parameter names: ``('m', 'b')`` for a line, ``('w1', ..., 'b')`` otherwise."""
        if self.model.n_features == 1:
            return ("m", "b") if self.model.bias else ("w",)
        names = tuple(f"w{i + 1}" for i in range(self.model.n_features))
        return (*names, "b") if self.model.bias else names

    @property
    def minimum(self) -> FloatArray:
        """The least-squares parameters (:func:`least_squares`)."""
        return least_squares(self.model, self.x, self.y)

    def value(self, p: ArrayLike) -> FloatArray:
        """The loss at parameters of shape ``(..., n_params)``; shape ``(...)``."""
        return self.model.losses(p, self.x, self.y)

    def grad(self, p: ArrayLike) -> FloatArray:
        """The gradient at parameters of shape ``(..., n_params)``; same shape."""
        return self.model.grad(p, self.x, self.y)

    def hessian(self) -> FloatArray:
        r"""The constant Hessian :math:`\frac{2}{N} \tilde X^\top \tilde X`."""
        design = np.hstack([self.x, np.ones((self.x.shape[0], 1))]) if self.model.bias else self.x
        hess: FloatArray = 2.0 / self.x.shape[0] * (design.T @ design)
        return hess


# --------------------------------------------------------------------------------------------
# Stochastic gradients: mini-batches and their noise
# --------------------------------------------------------------------------------------------


def minibatch_indices(
    n: int, batch_size: int, draws: int, *, seed: int | None = 0, replace: bool = False
) -> IntArray:
    """``draws`` independent random mini-batches of ``batch_size`` sample indices.

    Without replacement each row is a uniformly random subset of ``range(n)`` (distinct
    indices, as one batch of a shuffled epoch is); with replacement each index is drawn
    uniformly and independently.  One ``np.random.default_rng(seed)`` draws them all, so the
    same seed gives the same batches.

    Parameters
    ----------
    n : int
        Number of samples.
    batch_size : int
        Samples per batch (at most ``n`` without replacement).
    draws : int
        Number of batches.
    seed : int or None
        Seed of the generator.
    replace : bool
        Sample with replacement.

    Returns
    -------
    ndarray of int64
        Shape ``(draws, batch_size)``.

    Examples
    --------
    >>> b = minibatch_indices(10, 4, 3, seed=1)
    >>> b.shape, all(len(set(row)) == 4 for row in b.tolist())
    ((3, 4), True)
    >>> bool((minibatch_indices(10, 4, 3, seed=1) == b).all())
    True
    """
    if batch_size < 1 or draws < 0 or n < 1:
        raise ValueError(f"minibatch_indices: need n, batch_size >= 1, draws >= 0; "
                         f"got {n}, {batch_size}, {draws}")
    if not replace and batch_size > n:
        raise ValueError(f"minibatch_indices: batch_size {batch_size} > n = {n} without "
                         "replacement")
    rng = np.random.default_rng(seed)
    if replace:
        return rng.integers(0, n, size=(draws, batch_size), dtype=np.int64)
    table = np.tile(np.arange(n, dtype=np.int64), (draws, 1))
    out: IntArray = rng.permuted(table, axis=1)[:, :batch_size]
    return np.ascontiguousarray(out)


class GradientSpread(NamedTuple):
    r"""Mini-batch gradients at one point and their spread around the full gradient.

    Attributes
    ----------
    batch_size : int
        :math:`B`.
    grads : ndarray
        Shape ``(draws, n_params)``: the gradient of each random mini-batch.
    full_grad : ndarray
        Shape ``(n_params,)``: the full-batch gradient :math:`g`.
    spread : float
        Measured: :math:`\sqrt{\operatorname{mean} \lVert g_B - g \rVert^2}` over the
        draws.
    predicted : float
        The law: :math:`\sqrt{\operatorname{tr}\Sigma \,/\, B \cdot c_B}` with
        :math:`\Sigma` the covariance of the per-sample gradients over the data set and
        :math:`c_B` the finite-population correction.
    correction : float
        :math:`c_B = (N - B)/(N - 1)` without replacement, 1 with replacement.
    """

    batch_size: int
    grads: FloatArray
    full_grad: FloatArray
    spread: float
    predicted: float
    correction: float


def gradient_spread(
    params: ArrayLike = (0.0, 0.0),
    batch_sizes: Sequence[int] = (1, 4, 16, 64),
    *,
    model: LinearModel = LINE,
    x: ArrayLike | None = None,
    y: ArrayLike | None = None,
    draws: int = 4000,
    seed: int | None = 0,
    replace: bool = False,
) -> tuple[GradientSpread, ...]:
    r"""How far mini-batch gradients scatter around the full gradient, per batch size.

    At ``params`` every one of ``draws`` random mini-batches (:func:`minibatch_indices`,
    seeded) gives a gradient :math:`g_B`; its distance to the full gradient :math:`g` is
    measured, and the root mean square is the spread.  The law it follows: with
    :math:`g_n` the per-sample gradients and :math:`\operatorname{tr}\Sigma =
    \frac{1}{N} \sum_n \lVert g_n - g \rVert^2`,

    .. math::
        \mathbb{E} \lVert g_B - g \rVert^2
        = \frac{\operatorname{tr}\Sigma}{B} \cdot \frac{N - B}{N - 1}

    for a batch of :math:`B` distinct samples (without replacement), and
    :math:`\operatorname{tr}\Sigma / B` with replacement: the spread shrinks like
    :math:`1/\sqrt{B}`, times the finite-population correction
    :math:`\sqrt{(N-B)/(N-1)}` when a batch cannot repeat a sample (0.60 at
    :math:`B = 64` of :math:`N = 100`).

    Parameters
    ----------
    params : array_like
        Where the gradients are taken (default: :math:`m = b = 0`, the start of S4).
    batch_sizes : sequence of int
        The batch sizes (default 1, 4, 16, 64).
    model : LinearModel
        The model (default :data:`LINE`).
    x, y : array_like, optional
        The data; default :func:`line_dataset` (seed 0: :math:`Y = 3X + N(0, 1)`, 100 points).
    draws : int
        Mini-batches per batch size.
    seed : int or None
        Seed of the batch sampling (each batch size uses its own stream derived from it).
    replace : bool
        Sample with replacement.

    Returns
    -------
    tuple of GradientSpread
        One per batch size, in order.

    Examples
    --------
    >>> rows = gradient_spread(draws=2000)
    >>> [r.batch_size for r in rows]
    [1, 4, 16, 64]
    >>> all(abs(r.spread / r.predicted - 1) < 0.1 for r in rows)
    True
    """
    if x is None or y is None:
        if x is not None or y is not None:
            raise ValueError("gradient_spread: give both x and y, or neither")
        x, y = line_dataset()
    features = model.features(x)
    targets = _float_array(y, "y").reshape(-1)
    theta = model._params(params)
    n = features.shape[0]
    full = model.grad(theta, features, targets)
    # per-sample gradients: the model's gradient on each sample alone
    per_sample = np.stack([model.grad(theta, features[i : i + 1], targets[i : i + 1])
                           for i in range(n)])
    trace = float(np.mean(np.sum((per_sample - full) ** 2, axis=-1)))
    rows = []
    seeds = np.random.SeedSequence(seed).spawn(len(batch_sizes))
    for b, ss in zip(batch_sizes, seeds, strict=True):
        index = minibatch_indices(n, int(b), draws, seed=int(ss.generate_state(1)[0]),
                                  replace=replace)
        grads = per_sample[index].mean(axis=1)
        spread = float(np.sqrt(np.mean(np.sum((grads - full) ** 2, axis=-1))))
        correction = 1.0 if replace else (n - b) / (n - 1)
        predicted = float(np.sqrt(trace / b * correction))
        rows.append(GradientSpread(int(b), _frozen(grads), _frozen(full), spread, predicted,
                                   correction))
    return tuple(rows)


def gradient_noise(run: TrainingRun, x: ArrayLike, y: ArrayLike) -> FloatArray:
    r"""The noise of each step's gradient: :math:`g_{B_t}(\theta_t) - g(\theta_t)`.

    ``step_grad[t]`` of a run minus the full-batch gradient at the same parameters
    ``params[t]`` (computed for all steps at once).

    Parameters
    ----------
    run : TrainingRun
        A run of :func:`train`.
    x, y : array_like
        The training set it ran on.

    Returns
    -------
    ndarray
        Shape ``(steps, n_params)``; zero for a full-batch run.

    Examples
    --------
    >>> x, y = line_dataset()
    >>> run = train(LINE, sgd(lr=0.001), x, y, [0.0, 0.0], epochs=1, batch_size=10)
    >>> noise = gradient_noise(run, x, y)
    >>> noise.shape, bool(np.abs(noise).max() > 0)
    ((10, 2), True)
    """
    full = run.model.grad(run.params[:-1], x, y)
    noise: FloatArray = run.step_grad - full
    return noise


def distance_to(run: TrainingRun, point: ArrayLike) -> FloatArray:
    """Euclidean distance of every parameter vector of a run to ``point``, shape
    ``(steps + 1,)``."""
    target = np.asarray(point, dtype=np.float64)
    dist: FloatArray = np.linalg.norm(run.params - target, axis=-1)
    return dist


def noise_ball_runs(
    lr: float = 0.01,
    epochs: int = 60,
    batch_size: int = 1,
    *,
    seed: int = 0,
    decay: Schedule | None = None,
) -> dict[str, TrainingRun]:
    r"""Constant-rate SGD hovering around the minimum, and a decaying rate settling into it.

    Both runs fit :math:`y = m x + b` to :func:`line_dataset` from :math:`m = b = 0` with
    plain SGD at rate ``lr`` on shuffled mini-batches (the same batches, seeded).  With a
    constant rate the noise of the mini-batch gradients keeps kicking the parameters: they
    reach the least-squares minimum's neighbourhood and then wander in a ball around it whose
    size scales with :math:`\sqrt{\eta}`.  With a rate that decays to zero the kicks shrink
    and the parameters settle.

    Parameters
    ----------
    lr : float
        The rate (the decaying run's starting rate).  Below :math:`2/\lambda_{\max} = 0.029`
        for this data.
    epochs : int
        Passes over the 100 points.
    batch_size : int
        Samples per step.
    seed : int
        Seed of the shuffling.
    decay : Schedule, optional
        The decaying schedule; default cosine annealing to 0 over the whole run.

    Returns
    -------
    dict of str to TrainingRun
        ``"constant"`` and ``"decaying"``.

    Examples
    --------
    >>> runs = noise_ball_runs(epochs=30)
    >>> x, y = line_dataset()
    >>> star = least_squares(LINE, x, y)
    >>> hover = distance_to(runs["constant"], star)[-1000:].mean()
    >>> settled = distance_to(runs["decaying"], star)[-1]
    >>> bool(settled < hover / 5)
    True
    """
    from gdanim.schedules import CosineAnnealingLR

    x, y = line_dataset()
    steps = epochs * len(range(0, len(x), batch_size))
    schedule = CosineAnnealingLR(T_max=max(1, steps)) if decay is None else decay
    common = dict(epochs=epochs, batch_size=batch_size, shuffle=True, seed=seed)
    return {
        "constant": train(LINE, sgd(lr=lr), x, y, [0.0, 0.0], **common),  # type: ignore[arg-type]
        "decaying": train(LINE, sgd(lr=lr), x, y, [0.0, 0.0], schedule=schedule,
                          **common),  # type: ignore[arg-type]
    }


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------


def s3_run(epochs: int = 100, lr: float = 0.01, w0: float = 1.0) -> TrainingRun:
    r"""S3: SGD on :math:`y = w x` one sample at a time, in order, on :func:`tiny_dataset`.

    Each step is :math:`w \leftarrow w - \alpha \cdot 2 x_n (x_n w - y_n)`. With the
    defaults (``w0 = 1``, ``lr = 0.01``, 100 epochs) the result is exactly
    ``w = 1.9999999999999998``, the last sample's loss ``7.888609052210118e-31`` and the
    prediction at ``x = 5`` is ``9.999999999999998``.

    Returns
    -------
    TrainingRun
        400 steps (4 samples x 100 epochs).

    Examples
    --------
    >>> run = s3_run()
    >>> float(run.step_loss[-1])
    7.888609052210118e-31
    """
    x, y = tiny_dataset()
    return train(SLOPE, sgd(lr=lr), x, y, [w0], epochs=epochs, batch_size=1, shuffle=False)


def s4_run(seed: int = 0, epochs: int = 100, lr: float = 0.01) -> TrainingRun:
    r"""S4: full-batch gradient descent on :math:`y = m x + b` for :func:`line_dataset`.

    From :math:`m = b = 0`, each epoch is one step
    :math:`m \leftarrow m - \alpha\, g_m`, :math:`b \leftarrow b - \alpha\, g_b` with
    :math:`g_m = -\frac{2}{n}\sum X (Y - (mX + b))` and
    :math:`g_b = -\frac{2}{n}\sum (Y - (mX + b))`.

    Returns
    -------
    TrainingRun
        One step per epoch; ``run.params`` holds ``[m, b]`` after every epoch.

    Examples
    --------
    >>> run = s4_run()
    >>> run.steps, bool(run.train_loss[-1] < run.train_loss[0])
    (100, True)
    """
    x, y = line_dataset(seed=seed)
    return train(LINE, sgd(lr=lr), x, y, [0.0, 0.0], epochs=epochs, batch_size=None)


def s5_optimizers() -> tuple[Optimizer, ...]:
    """The six optimizers of S5, in the scenario's order.

    SGD (lr 0.01), SGD with momentum 0.9 (lr 0.01), Adagrad (lr 0.01), RMSprop (lr 0.01),
    Adadelta (torch defaults, lr 1.0) and Adam (lr 0.01).

    Examples
    --------
    >>> [o.display_name for o in s5_optimizers()]
    ['SGD', 'Momentum', 'AdaGrad', 'RMSprop', 'Adadelta', 'Adam']
    """
    return (
        sgd(lr=0.01),
        sgd(lr=0.01, momentum=0.9),
        adagrad(lr=0.01),
        rmsprop(lr=0.01),
        adadelta(),
        adam(lr=0.01),
    )


def s5_runs(seed: int = 0, epochs: int = 50, batch_size: int = 32) -> Mapping[str, TrainingRun]:
    """S5: the six optimizers of :func:`s5_optimizers` train ``Linear(2 -> 1)`` on the same data.

    The data is :func:`surface_dataset` with ``seed``; every optimizer starts from the same
    :func:`init_linear` ``(2, seed=seed + 1)`` parameters and sees the same batches
    (shuffled per epoch with ``seed + 2``, see :func:`batch_orders`). Train and test losses after
    each epoch are :attr:`TrainingRun.train_loss` and :attr:`TrainingRun.test_loss`
    (full-set MSE, index 0 before training), and :attr:`TrainingRun.epoch_train_loss` is the
    loop's running average of batch losses.

    Returns
    -------
    dict of str to TrainingRun
        Keyed by the optimizer's display name, in the scenario's order.

    Examples
    --------
    >>> runs = s5_runs(epochs=2)
    >>> list(runs)
    ['SGD', 'Momentum', 'AdaGrad', 'RMSprop', 'Adadelta', 'Adam']
    >>> runs["Adam"].test_loss.shape
    (3,)
    """
    data = surface_dataset(seed=seed)
    params0 = init_linear(2, seed=seed + 1)
    runs: dict[str, TrainingRun] = {}
    for optimizer in s5_optimizers():
        runs[optimizer.display_name] = train(
            PLANE,
            optimizer,
            data.x_train,
            data.y_train,
            params0,
            epochs=epochs,
            batch_size=batch_size,
            shuffle=True,
            seed=seed + 2,
            x_test=data.x_test,
            y_test=data.y_test,
        )
    return runs


def s4_scaled_run(
    seed: int = 0, epochs: int = 100, lr: float = 0.01
) -> tuple[TrainingRun, FeatureScaling]:
    r"""S4 with the feature centred and scaled: full-batch descent on :math:`y = w z + c`.

    The data are :func:`line_dataset`'s, with :math:`z = (X - \bar X)/s`
    (:class:`FeatureScaling`); the run starts from the line :math:`m = b = 0` (which is also
    :math:`w = c = 0`) and takes :math:`w \leftarrow w - \alpha\, g_w`,
    :math:`c \leftarrow c - \alpha\, g_c` once per epoch, the gradients those of
    :class:`LinearModel` on :math:`(z, Y)`. ``scaling.line_params(run.params)`` gives the same
    lines as ``[m, b]`` in the original feature.

    Returns
    -------
    (TrainingRun, FeatureScaling)

    Examples
    --------
    >>> run, scaling = s4_scaled_run(epochs=40, lr=0.25)
    >>> x, y = line_dataset()
    >>> bool(np.allclose(scaling.line_params(run.final_params), least_squares(LINE, x, y)))
    True
    """
    x, y = line_dataset(seed=seed)
    scaling = FeatureScaling.fit(x)
    run = train(LINE, sgd(lr=lr), scaling.apply(x), y, [0.0, 0.0], epochs=epochs)
    return run, scaling
