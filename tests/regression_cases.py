"""S5 (six optimizers train ``Linear(2 -> 1)``) on torch's side, live and recorded.

:func:`torch_s5` imports torch when called; the recorded runs
(``tests/data/torch_refs/regression.npz``, written by ``scripts/torch_references.py``) let the
S5 parity be checked on a machine without torch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from gdanim.regression import TrainingRun, surface_dataset

REFS = Path(__file__).with_name("data") / "torch_refs" / "regression.npz"

TORCH_S5: dict[str, tuple[str, dict[str, Any]]] = {
    "SGD": ("SGD", {"lr": 0.01}),
    "Momentum": ("SGD", {"lr": 0.01, "momentum": 0.9}),
    "AdaGrad": ("Adagrad", {"lr": 0.01}),
    "RMSprop": ("RMSprop", {"lr": 0.01}),
    "Adadelta": ("Adadelta", {}),
    "Adam": ("Adam", {"lr": 0.01}),
}
"""torch's optimizer for each of S5's six, as (torch.optim class, keywords)."""

S5_NAMES = list(TORCH_S5)


def torch_s5(run: TrainingRun, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """torch's S5 training from the run's start and batch orders: the mean batch loss, the
    training loss and the test loss after every epoch."""
    import torch

    data = surface_dataset()
    x_train, y_train = torch.tensor(data.x_train), torch.tensor(data.y_train).reshape(-1, 1)
    x_test, y_test = torch.tensor(data.x_test), torch.tensor(data.y_test).reshape(-1, 1)
    layer = torch.nn.Linear(2, 1, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(run.params[0, :2]).reshape(1, 2))
        layer.bias.copy_(torch.tensor(run.params[0, 2:]))
    opt = getattr(torch.optim, TORCH_S5[name][0])(layer.parameters(), **TORCH_S5[name][1])
    criterion = torch.nn.MSELoss()
    running, train_losses, test_losses = [], [], []
    for order in run.orders:
        index = torch.tensor(order)
        batch_losses = []
        for start in range(0, len(order), 32):
            batch = index[start : start + 32]
            opt.zero_grad()
            loss = criterion(layer(x_train[batch]), y_train[batch])
            loss.backward()
            opt.step()
            batch_losses.append(loss.item())
        running.append(sum(batch_losses) / len(batch_losses))
        with torch.no_grad():
            train_losses.append(criterion(layer(x_train), y_train).item())
            test_losses.append(criterion(layer(x_test), y_test).item())
    return np.array(running), np.array(train_losses), np.array(test_losses)


def recorded_s5(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """torch's recorded S5 run of ``name``: mean batch loss, training and test loss per epoch."""
    with np.load(REFS) as refs:
        return (refs[f"s5/{name}/running"], refs[f"s5/{name}/train"], refs[f"s5/{name}/test"])
