"""Record torch.optim's runs of the optimizer parity matrix, so parity is checked without torch.

For every (case, function) pair of ``tests/parity_cases.py`` this runs ``torch.optim`` for 500
steps in float64 (single-tensor code path) and writes the points, the step count (where torch
keeps one) and the final per-parameter state to ``tests/data/torch_refs/optimizers.npz`` under
the keys ``<run id>/points``, ``<run id>/step`` and ``<run id>/state/<buffer>``, plus
``torch_version``.
The tests compare gdanim's runs with this file on every machine, and, where torch is installed,
check that the file still equals a fresh torch run.

Run it (torch installed, from the repository root) after changing the parity matrix::

    .venv/bin/python scripts/torch_references.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import torch  # noqa: E402
from parity_cases import PARITY_RUNS, REFS, case_kwargs, torch_run  # noqa: E402


def main() -> None:
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


if __name__ == "__main__":
    main()
