"""Benchmark: 10,000 Adam runs x 1,000 steps on Rosenbrock, batched.

Prints the time of the whole batched computation through ``gdanim.descend`` (which records
every point, value, gradient and buffer of every run) and of the bare update loop, both best
of a few repeats, measured side by side in one process. Target: under 1 s on a 2-core machine.
Also times the objective alone: value and gradient on a 1000 x 1000 grid, and 1,000
gradients of the 10,000-run batch.

Run::

    .venv/bin/python bench/optim_bench.py
"""

from __future__ import annotations

import time

import numpy as np

from gdanim import descend, objectives, optimizers


def bare_loop(f: objectives.Objective, opt: optimizers.Optimizer, x0: np.ndarray,
              steps: int) -> np.ndarray:
    x = x0
    state = opt.init(x)
    for _ in range(steps):
        x, state = opt.update(f.grad(x), state, x)
    return x


def best_of(repeats: int, fn, *args):  # type: ignore[no-untyped-def]
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    runs, steps = 10_000, 1_000
    f = objectives.get("rosenbrock")
    opt = optimizers.adam(lr=0.01)
    rng = np.random.default_rng(0)
    x0 = rng.uniform([-2.0, -1.0], [2.0, 3.0], size=(runs, 2))
    t_bare, x_end = best_of(3, bare_loop, f, opt, x0, steps)
    t_full, traj = best_of(3, descend, f, opt, x0, steps)
    assert np.array_equal(traj.points[-1], x_end)
    print(f"{'what':<46}{'seconds':>10}")
    print(f"{'Adam, 10,000 runs x 1,000 steps, update loop':<46}{t_bare:>10.3f}")
    print(f"{'same through gdanim.descend (full record)':<46}{t_full:>10.3f}")
    print(f"target < 1 s: {'met' if t_bare < 1.0 else 'missed'} (update loop), "
          f"{'met' if t_full < 1.0 else 'missed'} (descend)")

    # the objective alone: value and gradient on a 1000 x 1000 grid (contour maps, surfaces),
    # and the gradient's share of the batched runs above
    grid = np.random.default_rng(1).normal(size=(1000, 1000, 2))
    batch = np.random.default_rng(2).normal(size=(runs, 2))
    t_grid, _ = best_of(3, lambda: (f.value(grid), f.grad(grid)))
    t_grads, _ = best_of(3, lambda: [f.grad(batch) for _ in range(steps)])
    print(f"{'Rosenbrock value + gradient, 1000 x 1000 grid':<46}{t_grid:>10.3f}")
    print(f"{'Rosenbrock gradient, (10,000, 2) x 1,000':<46}{t_grads:>10.3f}")


if __name__ == "__main__":
    main()
