"""Parity with torch through its recorded runs in ``tests/data/torch_refs``.

This module does not import torch: on a machine without it, gdanim's optimizers are still
compared with torch.optim's runs of the whole optimizer parity matrix, point by point, to the
lecture's tolerance, and every schedule pair with torch's ``lr_scheduler`` (rates bit for bit,
points to 1e-12).  ``test_optimizers.py`` and ``test_schedules.py`` run torch live where it is
installed and check there that the recordings equal fresh runs; ``scripts/torch_references.py``
writes the files again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import regression_cases
import schedule_cases
from parity_cases import FACTORY, PARITY_RUNS, REFS, STEPS, Case, case_kwargs, numpy_run, recorded
from schedule_cases import recorded as recorded_schedule

from gdanim import descend, optimizers
from gdanim.regression import TrainingRun, s5_runs

RTOL = optimizers.TORCH_PARITY_RTOL
ATOL = 1e-13


def test_recorded_parity_runs_where_torch_cannot_be_imported() -> None:
    """The recorded comparison in a fresh interpreter in which ``import torch`` fails."""
    code = (
        "import sys; sys.modules['torch'] = None; import pytest; "
        f"sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '{Path(__file__).as_posix()}', "
        "'-k', 'recording_holds or adam-all-rosenbrock or sgd-nesterov-saddle "
        "or onecycle3-rmsprop or s5_parity and Adadelta']))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent.parent,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 passed" in done.stdout, done.stdout


def test_recording_holds_exactly_the_matrix() -> None:
    with np.load(REFS) as refs:
        ids = {key.split("/")[0] for key in refs.files if "/" in key}
        assert str(refs["torch_version"]).startswith("2.")
    assert ids == {run_id for _, _, run_id in PARITY_RUNS}


@pytest.mark.parametrize(("case", "function", "run_id"), PARITY_RUNS,
                         ids=[run_id for _, _, run_id in PARITY_RUNS])
def test_parity_with_recorded_torch(case: Case, function: str, run_id: str) -> None:
    _, name, kwargs, lr = case
    expected, step, torch_state = recorded(run_id)
    assert expected.shape == (STEPS + 1, 2) and np.isfinite(expected).all()

    points, state = numpy_run(FACTORY[name](**case_kwargs(kwargs, lr, function)), function)

    np.testing.assert_allclose(points, expected, rtol=RTOL, atol=ATOL)
    assert state.step == STEPS
    if step is not None:
        assert step == STEPS
    assert set(state.buffers) == set(torch_state)
    for key, value in torch_state.items():
        np.testing.assert_allclose(state.buffers[key], value, rtol=1e-9, atol=1e-12, err_msg=key)


def test_schedule_recording_holds_exactly_the_matrix() -> None:
    with np.load(schedule_cases.REFS) as refs:
        ids = {key.split("/")[0] for key in refs.files if "/" in key}
        assert str(refs["torch_version"]).startswith("2.")
    assert ids == {pair_id for _, _, pair_id in schedule_cases.PAIRS}


@pytest.mark.parametrize(("sched_key", "opt_key", "pair_id"), schedule_cases.PAIRS,
                         ids=[pair_id for _, _, pair_id in schedule_cases.PAIRS])
def test_schedule_parity_with_recorded_torch(sched_key: str, opt_key: str, pair_id: str) -> None:
    schedule, _ = schedule_cases.pair(sched_key, opt_key)
    expected, lrs, momenta = recorded_schedule(pair_id)
    assert expected.shape == (schedule_cases.STEPS + 1, 2) and np.isfinite(expected).all()
    name, kwargs = schedule_cases.OPTIMIZERS[opt_key]
    run = descend(schedule_cases.ROSEN, optimizers.make(name, **kwargs),  # type: ignore[arg-type]
                  schedule_cases.START, schedule_cases.STEPS, schedule=schedule)
    np.testing.assert_array_equal(run.lrs, lrs)
    if schedule.cycles_momentum:
        assert run.momenta is not None
        np.testing.assert_array_equal(run.momenta, momenta)
    else:
        assert run.momenta is None
    assert schedule_cases.max_rel(run.points, expected) <= schedule_cases.RTOL


@pytest.fixture(scope="module")
def s5() -> dict[str, TrainingRun]:
    return dict(s5_runs())


@pytest.mark.parametrize("name", regression_cases.S5_NAMES)
def test_s5_parity_with_recorded_torch(s5: dict[str, TrainingRun], name: str) -> None:
    running, train_losses, test_losses = regression_cases.recorded_s5(name)
    run = s5[name]
    assert run.test_loss is not None and running.shape == (run.epochs,)
    np.testing.assert_allclose(run.epoch_train_loss, running, rtol=RTOL)
    np.testing.assert_allclose(run.train_loss[1:], train_losses, rtol=RTOL)
    np.testing.assert_allclose(run.test_loss[1:], test_losses, rtol=RTOL)
