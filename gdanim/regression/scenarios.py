"""The regression runs the lecture shows (see ``docs/scenarios.md``): one sample at a time on a
tiny table, a line fitted to noisy points (also with a scaled feature), six optimizers training
a plane."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from gdanim.optimizers import Optimizer, adadelta, adagrad, adam, rmsprop, sgd
from gdanim.regression.data import line_dataset, surface_dataset, tiny_dataset
from gdanim.regression.model import LINE, PLANE, SLOPE, FeatureScaling, init_linear
from gdanim.regression.training import TrainingRun, train

if TYPE_CHECKING:
    pass

__all__ = [
    "s3_run",
    "s4_run",
    "s4_scaled_run",
    "s5_optimizers",
    "s5_runs",
]


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
    >>> from gdanim.regression import least_squares
    >>> import numpy as np
    >>> run, scaling = s4_scaled_run(epochs=40, lr=0.25)
    >>> x, y = line_dataset()
    >>> bool(np.allclose(scaling.line_params(run.final_params), least_squares(LINE, x, y)))
    True
    """
    x, y = line_dataset(seed=seed)
    scaling = FeatureScaling.fit(x)
    run = train(LINE, sgd(lr=lr), scaling.apply(x), y, [0.0, 0.0], epochs=epochs)
    return run, scaling
