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
reproduce the runs the lecture shows exactly (``docs/scenarios.md`` describes them).
:func:`least_squares` gives the exact minimiser a run is heading for, and :func:`s4_scaled_run`
repeats S4 with the feature centred and scaled (:class:`FeatureScaling`).

Layout: :mod:`~gdanim.regression.data` (data sets), :mod:`~gdanim.regression.model` (the
model, its loss, :class:`MSELoss`), :mod:`~gdanim.regression.training` (:func:`train`),
:mod:`~gdanim.regression.noise` (mini-batch noise) and :mod:`~gdanim.regression.scenarios`
(the lecture's runs).

Examples
--------
>>> run = s3_run()
>>> float(run.final_params[0])
1.9999999999999998
>>> float(SLOPE.predict(run.final_params, [5.0])[0])
9.999999999999998
"""

from __future__ import annotations

from gdanim.regression.data import (
    Dataset,
    IntArray,
    SplitDataset,
    line_dataset,
    surface_dataset,
    tiny_dataset,
)
from gdanim.regression.model import (
    LINE,
    PLANE,
    SLOPE,
    FeatureScaling,
    LinearModel,
    MSELoss,
    init_linear,
    least_squares,
    mse,
)
from gdanim.regression.noise import (
    GradientSpread,
    distance_to,
    gradient_noise,
    gradient_spread,
    minibatch_indices,
    noise_ball_runs,
)
from gdanim.regression.scenarios import (
    s3_run,
    s4_run,
    s4_scaled_run,
    s5_optimizers,
    s5_runs,
)
from gdanim.regression.training import (
    TrainingRun,
    batch_orders,
    train,
)

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
