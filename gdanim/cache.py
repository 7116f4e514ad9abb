"""A disk cache for computed runs and contour lines, keyed by a hash of all their inputs.

Scenes ask for the same trajectories and contour maps every time they are rendered;
:func:`cached_descend` and :func:`cached_contour_lines` compute them once and afterwards load
them from ``.npz``. The key hashes every input (the objective's expression and variables, the
optimizer's name and hyperparameters, the start, the step count and bound; or the view, levels
and grid) and gdanim's version, so a change to any of them is a new entry, never a stale one.

The cache lives in ``$GDANIM_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/gdanim`` (by default
``~/.cache/gdanim``). ``GDANIM_CACHE_DIR=off`` turns it off. An entry that cannot be read (a
truncated or empty file, a damaged archive) is removed and computed again, with one warning line
on stderr; a cache folder that cannot be written is skipped.

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
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gdanim._typing import ArrayLike, FloatArray
from gdanim.contours import View, contour_lines
from gdanim.trajectory import Trajectory, descend

if TYPE_CHECKING:
    from gdanim.objectives import Objective
    from gdanim.optimizers import Optimizer
    from gdanim.schedules import Schedule

__all__ = ["cache_dir", "cache_key", "cached_contour_lines", "cached_descend", "discard_damaged"]

_FORMAT = 3  # 2: trajectories record their learning rates; 3: why each run stopped


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when caching is off (``GDANIM_CACHE_DIR=off``)."""
    env = os.environ.get("GDANIM_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gdanim"


def discard_damaged(path: Path, exc: BaseException) -> None:
    """Remove a cache entry that could not be read and say so in one line on stderr.

    Any failure to read an entry counts (a zip archive cut short raises ``BadZipFile``, an
    empty file ``EOFError``, a damaged member ``ValueError`` or ``OSError``): the entry is
    removed, so the next call computes it again instead of failing for ever.
    """
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
    what = type(exc).__name__
    sys.stderr.write(f"gdanim: warning: damaged cache entry {path} ({what}); removed, "
                     "computing it again\n")
    sys.stderr.flush()


def cache_key(
    objective: Objective,
    optimizer: Optimizer,
    x0: ArrayLike,
    steps: int,
    bound: Sequence[float] | None = None,
    schedule: Schedule | None = None,
    lr: ArrayLike | None = None,
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
    rate = None if lr is None else np.ascontiguousarray(np.asarray(lr, dtype=np.float64))
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
            "schedule": None if schedule is None else schedule.spec,
            "lr_shape": None if rate is None else list(rate.shape),
        },
        sort_keys=True,
    ).encode()
    h = hashlib.sha256(payload)
    h.update(start.tobytes())
    if rate is not None:
        h.update(b"lr")
        h.update(rate.tobytes())
    return h.hexdigest()


def cached_descend(
    objective: Objective,
    optimizer: Optimizer,
    x0: ArrayLike,
    steps: int,
    *,
    bound: Sequence[float] | None = None,
    schedule: Schedule | None = None,
    lr: ArrayLike | None = None,
) -> Trajectory:
    """:func:`gdanim.descend`, computed once and then read back from the disk cache.

    Identical in result to ``descend(objective, optimizer, x0, steps, bound=bound,
    schedule=schedule, lr=lr)``. A cache entry that cannot be read (truncated, empty, from
    another format) is removed with a warning line (:func:`discard_damaged`), recomputed and
    replaced; a cache folder that cannot be written is skipped silently.
    """
    folder = cache_dir()
    if folder is None:
        return descend(objective, optimizer, x0, steps, bound=bound, schedule=schedule, lr=lr)
    key = cache_key(objective, optimizer, x0, steps, bound, schedule, lr)
    path = folder / "runs" / key[:2] / f"{key}.npz"
    if path.exists():
        try:
            loaded = Trajectory.load(path)
            if loaded.points.shape[0] != int(steps) + 1:
                raise ValueError("entry holds another number of steps")
            return loaded
        except Exception as exc:  # any damage: recompute rather than fail for ever
            discard_damaged(path, exc)
    traj = descend(objective, optimizer, x0, steps, bound=bound, schedule=schedule, lr=lr)
    # whole or not at all: scenes rendering in parallel may ask for the same run
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        traj.save(tmp)
        os.replace(tmp, path)
    except OSError:
        _forget(tmp)
    return traj


def _forget(tmp: Path) -> None:
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        pass


def _entry(kind: str, key: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / kind / key[:2] / f"{key}.npz"


def _save_npz(path: Path, arrays: dict[str, Any]) -> None:
    """Write ``arrays`` to ``path`` whole or not at all (a temporary file, then a rename)."""
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
    except OSError:
        _forget(tmp)


def contour_key(
    objective: Objective,
    view: View,
    levels: Sequence[float] | ArrayLike,
    resolution: int | tuple[int, int],
) -> str:
    """SHA-256 (hex) of everything that determines :func:`gdanim.contours.contour_lines`."""
    from gdanim import __version__

    payload = json.dumps(
        {
            "format": _FORMAT,
            "version": __version__,
            "expression": objective.text,
            "variables": [str(v) for v in objective.variables],
            "view": [float(v) for v in view],
            "resolution": list(resolution) if isinstance(resolution, tuple) else int(resolution),
        },
        sort_keys=True,
    ).encode()
    h = hashlib.sha256(payload)
    h.update(np.ascontiguousarray(np.asarray(levels, dtype=np.float64)).tobytes())
    return h.hexdigest()


def cached_contour_lines(
    objective: Objective,
    view: View,
    levels: Sequence[float] | ArrayLike,
    resolution: int | tuple[int, int] = 200,
) -> list[list[FloatArray]]:
    """:func:`gdanim.contours.contour_lines`, computed once and then read back from the cache.

    The lines are stored as one ``(n, 2)`` array of all points with the length of each
    polyline and the number of polylines at each level, and come back exactly as computed.

    Examples
    --------
    >>> import tempfile, os
    >>> from gdanim import objectives
    >>> os.environ["GDANIM_CACHE_DIR"] = tempfile.mkdtemp()
    >>> f = objectives.get("saddle")
    >>> a = cached_contour_lines(f, (-1, 2, -1, 1), [0.0, 0.5])
    >>> b = cached_contour_lines(f, (-1, 2, -1, 1), [0.0, 0.5])   # loaded from disk
    >>> all((p == q).all() for u, v in zip(a, b) for p, q in zip(u, v))
    True
    >>> del os.environ["GDANIM_CACHE_DIR"]
    """
    key = contour_key(objective, view, levels, resolution)
    path = _entry("contours", key)
    if path is not None and path.exists():
        try:
            with np.load(path, allow_pickle=False) as data:
                points = np.array(data["points"], dtype=np.float64)
                sizes = np.array(data["sizes"], dtype=np.int64)
                per_level = np.array(data["per_level"], dtype=np.int64)
            if sizes.sum() != len(points) or per_level.sum() != len(sizes) \
                    or points.ndim != 2 or points.shape[1:] != (2,) \
                    or len(per_level) != len(np.atleast_1d(np.asarray(levels))):
                raise ValueError("inconsistent contour cache entry")
            polys = np.split(points, np.cumsum(sizes)[:-1]) if len(sizes) else []
            bounds = np.concatenate([[0], np.cumsum(per_level)]).tolist()
            return [list(polys[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        except Exception as exc:  # any damage: trace the lines again rather than fail for ever
            discard_damaged(path, exc)
    lines = contour_lines(objective, view, levels, resolution)
    if path is not None:
        flat = [np.asarray(p, dtype=np.float64).reshape(-1, 2) for level in lines for p in level]
        _save_npz(path, {
            "points": np.concatenate(flat) if flat else np.zeros((0, 2)),
            "sizes": np.array([len(p) for p in flat], dtype=np.int64),
            "per_level": np.array([len(level) for level in lines], dtype=np.int64),
        })
    return lines
