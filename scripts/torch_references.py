"""Record torch's runs of the parity matrices, so that parity is checked without torch.

- For every (case, function) pair of ``tests/parity_cases.py``: ``torch.optim`` for 500 steps in
  float64 (single-tensor code path); the points, the step count (where torch keeps one) and the
  final per-parameter state go to ``tests/data/torch_refs/optimizers.npz`` under the keys
  ``<run id>/points``, ``<run id>/step`` and ``<run id>/state/<buffer>``.
- For every (schedule, optimizer) pair of ``tests/schedule_cases.py``: the loop
  ``optimizer.step(); scheduler.step()`` for 1,000 steps on Rosenbrock; the points and the rate
  and momentum (or beta1) of every step go to ``tests/data/torch_refs/schedules.npz`` under
  ``<pair id>/points``, ``<pair id>/lrs`` and ``<pair id>/momenta``.
- For each of S5's six optimizers (``tests/regression_cases.py``): torch training
  ``Linear(2 -> 1)`` from gdanim's start and batch orders; the mean batch loss, the training loss
  and the test loss of every epoch go to ``tests/data/torch_refs/regression.npz`` under
  ``s5/<name>/running``, ``s5/<name>/train`` and ``s5/<name>/test``.

Every file also holds ``torch_version``. The tests compare gdanim's runs with these files on
every machine, and, where torch is installed, check that the files still equal fresh torch runs.

Run it (torch installed, from the repository root) after changing a parity matrix::

    .venv/bin/python scripts/torch_references.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import warnings  # noqa: E402

import regression_cases  # noqa: E402
import schedule_cases  # noqa: E402
import torch  # noqa: E402
from parity_cases import PARITY_RUNS, REFS, case_kwargs, torch_run  # noqa: E402

from gdanim.regression import s5_runs  # noqa: E402


def optimizers() -> None:
    """The optimizer matrix."""
    arrays: dict[str, np.ndarray] = {"torch_version": np.array(torch.__version__)}
    for (_, name, kwargs, lr), function, run_id in PARITY_RUNS:
        points, state = torch_run(name, case_kwargs(kwargs, lr, function), function)
        arrays[f"{run_id}/points"] = points
        if "step" in state:  # SGD keeps no step count
            arrays[f"{run_id}/step"] = np.array(int(state.pop("step").item()))
        for key, value in state.items():
            arrays[f"{run_id}/state/{key}"] = value.detach().numpy().copy()
    REFS.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(REFS, **arrays)
    print(f"{len(PARITY_RUNS)} runs of torch {torch.__version__} -> {REFS.relative_to(ROOT)} "
          f"({REFS.stat().st_size // 1024} KiB)")


def schedules() -> None:
    """The schedule matrix."""
    arrays: dict[str, np.ndarray] = {"torch_version": np.array(torch.__version__)}
    for sched_key, opt_key, pair_id in schedule_cases.PAIRS:
        _, make = schedule_cases.pair(sched_key, opt_key)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's "step() before optimizer.step()" checks
            points, lrs, momenta = schedule_cases.torch_run(opt_key, make)
        arrays |= {f"{pair_id}/points": points, f"{pair_id}/lrs": lrs,
                   f"{pair_id}/momenta": momenta}
    path = schedule_cases.REFS
    np.savez_compressed(path, **arrays)
    print(f"{len(schedule_cases.PAIRS)} runs of torch {torch.__version__} -> "
          f"{path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")


def regression() -> None:
    """S5's six trainings."""
    arrays: dict[str, np.ndarray] = {"torch_version": np.array(torch.__version__)}
    runs = dict(s5_runs())
    for name in regression_cases.S5_NAMES:
        running, train, test = regression_cases.torch_s5(runs[name], name)
        arrays |= {f"s5/{name}/running": running, f"s5/{name}/train": train,
                   f"s5/{name}/test": test}
    path = regression_cases.REFS
    np.savez_compressed(path, **arrays)
    print(f"{len(regression_cases.S5_NAMES)} S5 trainings of torch {torch.__version__} -> "
          f"{path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")


def main() -> None:
    optimizers()
    schedules()
    regression()


if __name__ == "__main__":
    main()
