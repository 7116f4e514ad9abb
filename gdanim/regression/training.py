"""Training a linear model with any optimizer: full batch, one sample at a time or mini-batches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from gdanim._typing import ArrayLike, FloatArray
from gdanim.optimizers import Optimizer
from gdanim.regression.data import IntArray, _float_array, _frozen
from gdanim.regression.model import LinearModel

if TYPE_CHECKING:
    from gdanim.schedules import Schedule

__all__ = ["TrainingRun", "batch_orders", "train"]


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
    >>> from gdanim.regression import tiny_dataset, SLOPE
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
