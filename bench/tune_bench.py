"""Benchmark: tune 6 optimizers x 48 rates x 500 steps on the saddle, each optimizer one batch.

The saddle race of the lecture (f = -x^2/2 + y^2 from (1e-5, 0.5), 500 steps) with the race's
optimizers (SGD; AdaGrad; RMSprop, alpha 0.9; Momentum 0.9; Adam, betas 0.9/0.99; Nesterov 0.9),
each tuned over the default grid of 48 rates from 1e-4 to 10 by ``gdanim.tune``: one
batched, vectorised ``descend`` of 48 runs per optimizer. Prints the total time (best of a
few repeats; target under 1 s on a 2-core machine) and what each optimizer's tuning found.

Run::

    .venv/bin/python bench/tune_bench.py
"""

from __future__ import annotations

import time

from gdanim import objectives, optimizers
from gdanim.tuning import TuneResult, tune

RACE = [
    optimizers.sgd(),
    optimizers.adagrad(),
    optimizers.rmsprop(alpha=0.9),
    optimizers.sgd(momentum=0.9),
    optimizers.adam(betas=(0.9, 0.99)),
    optimizers.sgd(momentum=0.9, nesterov=True),
]


def tune_all() -> list[TuneResult]:
    f = objectives.get("saddle")
    return [tune(f, opt, [1e-5, 0.5], 500) for opt in RACE]


def main() -> None:
    tune_all()  # warm-up: compiles the objective's functions once
    times = []
    results: list[TuneResult] = []
    for _ in range(5):
        t0 = time.perf_counter()
        results = tune_all()
        times.append(time.perf_counter() - t0)
    best = min(times)
    print("tune: 6 optimizers x 48 rates (1e-4 .. 10) x 500 steps, saddle -x^2/2 + y^2 "
          "from (1e-5, 0.5)")
    print(f"{'optimizer':<40}{'best lr':>12}{'final loss':>14}{'diverged':>10}")
    for opt, r in zip(RACE, results, strict=True):
        lr = "-" if r.best_lr is None else f"{r.best_lr:.4g}"
        loss = "-" if r.best_loss is None else f"{r.best_loss:.4g}"
        extras = opt.label.partition(" (")[2].rstrip(")").split(", ")[1:]
        name = opt.display_name + (f" ({', '.join(extras)})" if extras else "")
        print(f"{name:<40}{lr:>12}{loss:>14}{int(r.diverged.sum()):>7}/48")
    print(f"total, best of {len(times)}: {best:.3f} s (median {sorted(times)[2]:.3f} s); "
          f"target < 1 s: {'met' if best < 1.0 else 'missed'}")
    print("(the saddle is unbounded below: without a bound the lowest final loss belongs to the "
          "run that went farthest)")


if __name__ == "__main__":
    main()
