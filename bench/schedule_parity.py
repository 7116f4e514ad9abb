"""Parity table: every schedule of the tests with every optimizer, against torch, 1,000 steps.

The test suite runs a rotation of this matrix (each schedule with four optimizers, OneCycleLR
with all); this script runs the whole cross product with the same cases (imported from
``tests/test_schedules.py``) and prints the largest relative error of any coordinate of any
point of the path, and whether the rates were bit-for-bit torch's.

Run::

    .venv/bin/python bench/schedule_parity.py
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import test_schedules as T  # noqa: E402

from gdanim import descend, optimizers  # noqa: E402


def main() -> None:
    warnings.simplefilter("ignore")
    rows = []
    cases = [(k, o, *T.SCHEDULES[k]) for k in T.SCHEDULES for o in T.OPTIMIZERS]
    cases += [(k, o, *T._onecycle(T.ONECYCLE[k][0], o)) for k in T.ONECYCLE
              for o in T.ONECYCLE_PEAK]
    worst = 0.0
    for key, opt_key, schedule, make in cases:
        expected, lrs, _ = T.torch_run(opt_key, make)
        name, kwargs = T.OPTIMIZERS[opt_key]
        run = descend(T.ROSEN, optimizers.make(name, **kwargs), T.START, T.STEPS,
                      schedule=schedule)
        err = T.max_rel(run.points, expected)
        worst = max(worst, err)
        rows.append((key, opt_key, err, bool(np.array_equal(run.lrs, lrs))))
    print(f"Rosenbrock from {T.START}, {T.STEPS} steps, float64; max relative error of any "
          "coordinate of any point")
    opt_keys = list(T.OPTIMIZERS)
    print(f"{'schedule':<28}" + "".join(f"{o:>10}" for o in opt_keys))
    for key in [*T.SCHEDULES, *T.ONECYCLE]:
        cells = []
        for o in opt_keys:
            hit = [r for r in rows if r[0] == key and r[1] == o]
            cells.append(f"{hit[0][2]:>10.1e}" if hit else f"{'-':>10}")
        print(f"{key:<28}" + "".join(cells))
    print(f"worst: {worst:.1e}; rates bit-for-bit torch's in {sum(r[3] for r in rows)} of "
          f"{len(rows)} runs")


if __name__ == "__main__":
    main()
