"""A disk cache for computed runs, keyed by a hash of everything that determines them.

Scenes ask for the same trajectories every time they are rendered; :func:`cached_descend`
computes a run once and afterwards loads it from ``.npz``. The key hashes the objective's
expression and variables, the optimizer's name and hyperparameters, the start, the step count,
the bound and gdanim's version, so a change to any of them is a new entry, never a stale one.

The cache lives in ``$GDANIM_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/gdanim`` (by default
``~/.cache/gdanim``). ``GDANIM_CACHE_DIR=off`` turns it off.

Examples
--------
>>> import tempfile, os
>>> from gdanim import objectives, optimizers
>>> os.environ["GDANIM_CACHE_DIR"] = tempfile.mkdtemp()
>>> f, opt = objectives.get("bowl"), optimizers.sgd(lr=0.1)
>>> a = cached_descend(f, opt, [2.0, 2.0], 100)
>>> b = cached_descend(f, opt, [2.0, 2.0], 100)   # loaded from disk
>>> bool((a.points == b.points).all())
True
>>> del os.environ["GDANIM_CACHE_DIR"]
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gdanim._typing import ArrayLike
from gdanim.trajectory import Trajectory, descend

if TYPE_CHECKING:
    from gdanim.objectives import Objective
    from gdanim.optimizers import Optimizer

__all__ = ["cache_dir", "cache_key", "cached_descend"]

_FORMAT = 1


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when caching is off (``GDANIM_CACHE_DIR=off``)."""
    env = os.environ.get("GDANIM_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gdanim"


def cache_key(
    objective: Objective,
    optimizer: Optimizer,
    x0: ArrayLike,
    steps: int,
    bound: Sequence[float] | None = None,
) -> str:
    """SHA-256 (hex) of every input that determines a run, and of gdanim's version.

    Examples
    --------
    >>> from gdanim import objectives, optimizers
    >>> f = objectives.get("bowl")
    >>> cache_key(f, optimizers.sgd(lr=0.1), [2, 2], 10) == cache_key(
    ...     f, optimizers.sgd(lr=0.1), [2.0, 2.0], 10)
    True
    >>> cache_key(f, optimizers.sgd(lr=0.1), [2, 2], 10) == cache_key(
    ...     f, optimizers.sgd(lr=0.2), [2, 2], 10)
    False
    """
    from gdanim import __version__

    start = np.ascontiguousarray(np.asarray(x0, dtype=np.float64))
    payload = json.dumps(
        {
            "format": _FORMAT,
            "version": __version__,
            "expression": objective.text,
            "variables": [str(v) for v in objective.variables],
            "optimizer": optimizer.name,
            "display": optimizer.display_name,
            "hyper": {k: repr(v) for k, v in optimizer.hyperparameters.items()},
            "x0_shape": list(start.shape),
            "steps": int(steps),
            "bound": None if bound is None else [float(b) for b in bound],
        },
        sort_keys=True,
    ).encode()
    h = hashlib.sha256(payload)
    h.update(start.tobytes())
    return h.hexdigest()


def cached_descend(
    objective: Objective,
    optimizer: Optimizer,
    x0: ArrayLike,
    steps: int,
    *,
    bound: Sequence[float] | None = None,
) -> Trajectory:
    """:func:`gdanim.descend`, computed once and then read back from the disk cache.

    Identical in result to ``descend(objective, optimizer, x0, steps, bound=bound)``. A cache
    entry that cannot be read (truncated, from another format) is recomputed and replaced; a
    cache folder that cannot be written is skipped silently.
    """
    folder = cache_dir()
    if folder is None:
        return descend(objective, optimizer, x0, steps, bound=bound)
    key = cache_key(objective, optimizer, x0, steps, bound)
    path = folder / "runs" / key[:2] / f"{key}.npz"
    if path.exists():
        try:
            return Trajectory.load(path)
        except (OSError, ValueError, KeyError):
            path.unlink(missing_ok=True)
    traj = descend(objective, optimizer, x0, steps, bound=bound)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        traj.save(path)
    except OSError:
        pass
    return traj
