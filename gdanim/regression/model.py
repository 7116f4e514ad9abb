"""The linear model, its mean squared error and exact minimiser, feature scaling, and the loss
as an objective that :func:`gdanim.descend` can run on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gdanim._typing import ArrayLike, FloatArray
from gdanim.regression.data import _float_array, _frozen

if TYPE_CHECKING:
    pass

__all__ = [
    "LINE",
    "PLANE",
    "SLOPE",
    "FeatureScaling",
    "LinearModel",
    "MSELoss",
    "init_linear",
    "least_squares",
    "mse",
]


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
    >>> from gdanim.regression import line_dataset
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
