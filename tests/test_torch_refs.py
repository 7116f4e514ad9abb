"""Parity with torch.optim through the recorded runs of ``tests/data/torch_refs/optimizers.npz``.

This module does not import torch: on a machine without it, gdanim's optimizers are still
compared with torch's runs of the whole parity matrix, point by point, to the lecture's
tolerance.  ``test_optimizers.py`` runs torch live where it is installed and checks there that
the recording equals a fresh run; ``scripts/torch_references.py`` writes the file again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from parity_cases import FACTORY, PARITY_RUNS, REFS, STEPS, Case, case_kwargs, numpy_run, recorded

from gdanim import optimizers

RTOL = optimizers.TORCH_PARITY_RTOL
ATOL = 1e-13


def test_recorded_parity_runs_where_torch_cannot_be_imported() -> None:
    """The recorded comparison in a fresh interpreter in which ``import torch`` fails."""
    code = (
        "import sys; sys.modules['torch'] = None; import pytest; "
        f"sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '{Path(__file__).as_posix()}', "
        "'-k', 'recording_holds or adam-all-rosenbrock or sgd-nesterov-saddle']))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent.parent,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout, done.stdout


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
