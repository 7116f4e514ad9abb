"""Tests for the disk cache of runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gdanim import cache, contours, descend, objectives, optimizers


@pytest.fixture(autouse=True)
def _cache_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GDANIM_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _entries(root: Path) -> list[Path]:
    return sorted(root.glob("runs/*/*.npz"))


def test_second_call_reads_the_same_run_from_disk(_cache_here: Path) -> None:
    f = objectives.get("saddle")
    opt = optimizers.from_spec("adam:lr=0.05,betas=0.9/0.99")
    a = cache.cached_descend(f, opt, [1e-5, 0.5], 200, bound=(-1, 2, -1, 1))
    assert len(_entries(_cache_here)) == 1
    stamp = _entries(_cache_here)[0].stat().st_mtime_ns
    b = cache.cached_descend(f, opt, [1e-5, 0.5], 200, bound=(-1, 2, -1, 1))
    assert _entries(_cache_here)[0].stat().st_mtime_ns == stamp  # not rewritten
    fresh = descend(f, opt, [1e-5, 0.5], 200, bound=(-1, 2, -1, 1))
    for t in (a, b):
        np.testing.assert_array_equal(t.points, fresh.points)
        np.testing.assert_array_equal(t.buffers["exp_avg_sq"], fresh.buffers["exp_avg_sq"])
        assert (t.diverged, t.stopped_at) == (fresh.diverged, fresh.stopped_at)


@pytest.mark.parametrize(
    "change",
    ["lr", "steps", "x0", "bound", "function", "variables"],
)
def test_any_input_change_is_a_new_entry(_cache_here: Path, change: str) -> None:
    args = {"f": objectives.parse("x**2 + y**2"), "opt": optimizers.sgd(lr=0.1),
            "x0": [1.0, 1.0], "steps": 10, "bound": None}
    cache.cached_descend(args["f"], args["opt"], args["x0"], args["steps"], bound=args["bound"])
    other = dict(args)
    other.update({
        "lr": {"opt": optimizers.sgd(lr=0.2)},
        "steps": {"steps": 11},
        "x0": {"x0": [1.0, 1.0 + 1e-15]},
        "bound": {"bound": (-5, 5, -5, 5)},
        "function": {"f": objectives.parse("x**2 + 2*y**2")},
        "variables": {"f": objectives.parse("x**2 + y**2", ["x", "y", "z"]),
                      "x0": [1.0, 1.0, 0.0]},
    }[change])
    t = cache.cached_descend(other["f"], other["opt"], other["x0"], other["steps"],
                             bound=other["bound"])
    assert len(_entries(_cache_here)) == 2
    ref = descend(other["f"], other["opt"], other["x0"], other["steps"], bound=other["bound"])
    np.testing.assert_array_equal(t.points, ref.points)


def test_corrupt_entry_is_recomputed(_cache_here: Path) -> None:
    f, opt = objectives.get("bowl"), optimizers.sgd(lr=0.1)
    cache.cached_descend(f, opt, [2.0, 2.0], 50)
    entry = _entries(_cache_here)[0]
    entry.write_bytes(b"truncated")
    t = cache.cached_descend(f, opt, [2.0, 2.0], 50)
    np.testing.assert_array_equal(t.points, descend(f, opt, [2.0, 2.0], 50).points)
    assert entry.stat().st_size > 100


def test_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, _cache_here: Path) -> None:
    monkeypatch.setenv("GDANIM_CACHE_DIR", "off")
    assert cache.cache_dir() is None
    cache.cached_descend(objectives.get("bowl"), optimizers.sgd(lr=0.1), [2.0, 2.0], 5)
    assert not _cache_here.exists()


# -- contour lines ---------------------------------------------------------------------------


def _same_lines(a: list[list[np.ndarray]], b: list[list[np.ndarray]]) -> None:
    assert [len(level) for level in a] == [len(level) for level in b]
    for la, lb in zip(a, b, strict=True):
        for pa, pb in zip(la, lb, strict=True):
            np.testing.assert_array_equal(pa, pb)


def test_contour_lines_come_back_exactly_from_disk(
    _cache_here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = objectives.get("himmelblau")
    view, levels = (-5.0, 5.0, -5.0, 5.0), [1.0, 10.0, 50.0, 150.0, 1e6]  # last level: no line
    want = contours.contour_lines(f, view, levels, 90)
    a = cache.cached_contour_lines(f, view, levels, 90)
    entries = sorted(_cache_here.glob("contours/*/*.npz"))
    assert len(entries) == 1
    _same_lines(a, want)
    assert want[-1] == [] and sum(len(level) for level in want) > 4

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("contour lines were traced again instead of read from the cache")

    monkeypatch.setattr(cache, "contour_lines", fail)
    _same_lines(cache.cached_contour_lines(f, view, levels, 90), want)
    # another level, view, grid or function is another entry, traced anew
    monkeypatch.undo()
    monkeypatch.setenv("GDANIM_CACHE_DIR", str(_cache_here))
    cache.cached_contour_lines(f, view, [*levels[:-1], 200.0], 90)
    cache.cached_contour_lines(f, (-5.0, 5.0, -4.0, 5.0), levels, 90)
    cache.cached_contour_lines(f, view, levels, 91)
    cache.cached_contour_lines(objectives.get("rosenbrock"), view, levels, 90)
    assert len(list(_cache_here.glob("contours/*/*.npz"))) == 5


def test_corrupt_contour_entry_is_traced_again(_cache_here: Path) -> None:
    f = objectives.get("saddle")
    first = cache.cached_contour_lines(f, (-1, 2, -1, 1), [0.0, 0.5], 60)
    (entry,) = _cache_here.glob("contours/*/*.npz")
    entry.write_bytes(b"not an npz file")
    _same_lines(cache.cached_contour_lines(f, (-1, 2, -1, 1), [0.0, 0.5], 60), first)
    np.load(entry)  # rewritten whole


# -- damaged entries: removed, recomputed, one warning line ------------------------------------


def _cut(entry: Path, how: str) -> None:
    data = entry.read_bytes()
    entry.write_bytes({"half": data[: len(data) // 2], "empty": b"", "tail": data[-200:],
                       "garbage": b"PK\x03\x04" + b"\x00" * 64}[how])


@pytest.mark.parametrize("how", ["half", "empty", "tail", "garbage"])
def test_damaged_run_entry_is_removed_recomputed_with_one_warning(
    _cache_here: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    f, opt = objectives.get("bowl"), optimizers.sgd(lr=0.1)
    want = cache.cached_descend(f, opt, [2.0, 2.0], 40)
    (entry,) = _entries(_cache_here)
    _cut(entry, how)
    capsys.readouterr()
    got = cache.cached_descend(f, opt, [2.0, 2.0], 40)
    np.testing.assert_array_equal(got.points, want.points)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("gdanim: warning: damaged cache entry ")
    assert str(entry) in err[0] and "removed, computing it again" in err[0]
    # the entry was written anew, whole: the next call reads it silently
    cache.cached_descend(f, opt, [2.0, 2.0], 40)
    assert capsys.readouterr().err == ""
    assert not list(entry.parent.glob(".*tmp*"))


@pytest.mark.parametrize("how", ["half", "empty"])
def test_damaged_contour_entry_is_traced_again_with_one_warning(
    _cache_here: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    f = objectives.get("saddle")
    first = cache.cached_contour_lines(f, (-1, 2, -1, 1), [0.0, 0.5], 60)
    (entry,) = _cache_here.glob("contours/*/*.npz")
    _cut(entry, how)
    capsys.readouterr()
    _same_lines(cache.cached_contour_lines(f, (-1, 2, -1, 1), [0.0, 0.5], 60), first)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("gdanim: warning: damaged cache entry ")
    _same_lines(cache.cached_contour_lines(f, (-1, 2, -1, 1), [0.0, 0.5], 60), first)
    assert capsys.readouterr().err == ""
