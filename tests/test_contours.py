"""Tests of gdanim.contours: marching-squares contour lines, height grids and levels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdanim import contours, objectives
from gdanim.contours import (
    ContourError,
    contour_lines,
    contour_lines_from_grid,
    default_levels,
    filled_levels,
    height_grid,
    level_fraction,
)

BOWL_VIEW = (-2.0, 2.0, -2.0, 2.0)


def test_module_never_imports_manim() -> None:
    source = open(contours.__file__, encoding="utf-8").read()
    assert "import manim" not in source and "from manim" not in source


@pytest.mark.parametrize("r", [0.3, 0.5, 1.0, 1.5, 1.9])
def test_bowl_contour_is_circle_of_radius_r(r: float) -> None:
    bowl = objectives.get("bowl")
    [lines] = contour_lines(bowl, BOWL_VIEW, [r**2], resolution=200)
    assert len(lines) == 1, "one closed ring per level inside the view"
    ring = lines[0]
    assert ring.ndim == 2 and ring.shape[1] == 2
    assert np.array_equal(ring[0], ring[-1]), "a closed contour repeats its first point"
    h = 4.0 / 199  # grid spacing
    radii = np.hypot(ring[:, 0], ring[:, 1])
    # linear interpolation of a quadratic errs by at most h^2 / (8 r) along an edge
    assert np.abs(radii - r).max() <= h**2 / (4 * r) + 1e-12
    # the ring goes all the way round: the angles cover the circle without a gap
    angles = np.sort(np.arctan2(ring[:, 1], ring[:, 0]))
    gaps = np.diff(np.concatenate([angles, angles[:1] + 2 * np.pi]))
    assert gaps.max() < 3 * h / r


def test_contour_clipped_by_the_view_is_open() -> None:
    bowl = objectives.get("bowl")
    # r = sqrt(6) ~ 2.45 crosses each side of the [-2, 2]^2 box: four open arcs near the corners
    [lines] = contour_lines(bowl, BOWL_VIEW, [6.0])
    assert len(lines) == 4
    for arc in lines:
        assert not np.array_equal(arc[0], arc[-1])
        assert np.allclose(np.hypot(arc[:, 0], arc[:, 1]), np.sqrt(6.0), atol=1e-3)
        for end in (arc[0], arc[-1]):
            assert np.isclose(np.abs(end).max(), 2.0)


def test_level_outside_the_range_gives_no_lines() -> None:
    bowl = objectives.get("bowl")
    assert contour_lines(bowl, BOWL_VIEW, [-1.0, 100.0]) == [[], []]


def test_saddle_zero_level_is_two_lines_through_the_origin() -> None:
    saddle = objectives.get("saddle")  # -x^2/2 + y^2 = 0  <=>  y = +-x / sqrt(2)
    [lines] = contour_lines(saddle, (-1.0, 2.0, -1.0, 1.0), [0.0], resolution=301)
    pts = np.concatenate(lines)
    assert np.allclose(np.abs(pts[:, 1]), np.abs(pts[:, 0]) / np.sqrt(2.0), atol=2e-2)
    assert sum(len(line) for line in lines) > 300


def test_every_point_lies_on_its_level() -> None:
    f = objectives.get("cubic_bowl")
    view = (-3.0, 3.0, -3.0, 3.0)
    levels = default_levels(f, view, 8)
    for level, lines in zip(levels, contour_lines(f, view, levels, resolution=250), strict=True):
        assert lines, f"level {level} has no line"
        for line in lines:
            vals = f.value(line)
            scale = max(1.0, abs(float(level)))
            assert np.abs(vals - level).max() < 0.05 * scale


def test_nan_cells_are_skipped() -> None:
    xs = ys = np.linspace(-1.0, 1.0, 41)
    z = xs[None, :] ** 2 + ys[:, None] ** 2
    z[20, 20] = np.nan  # a hole at the centre does not disturb a ring away from it
    [lines] = contour_lines_from_grid(xs, ys, z, [0.5])
    assert len(lines) == 1
    z[:, :] = np.nan
    assert contour_lines_from_grid(xs, ys, z, [0.5]) == [[]]


def test_grid_shape_is_checked() -> None:
    with pytest.raises(ContourError, match="shape"):
        contour_lines_from_grid(np.arange(3.0), np.arange(4.0), np.zeros((3, 4)), [0.0])
    with pytest.raises(ContourError, match="view"):
        height_grid(objectives.get("bowl"), (1.0, -1.0, 0.0, 1.0))
    with pytest.raises(ContourError, match="resolution"):
        height_grid(objectives.get("bowl"), BOWL_VIEW, 1)


def test_height_grid_orientation() -> None:
    f = objectives.get("saddle")
    xs, ys, z = height_grid(f, (-1.0, 2.0, -1.0, 1.0), (31, 21))
    assert xs.shape == (31,) and ys.shape == (21,) and z.shape == (21, 31)
    assert xs[0] == -1.0 and xs[-1] == 2.0 and ys[0] == -1.0 and ys[-1] == 1.0
    assert z[0, -1] == pytest.approx(-(2.0**2) / 2 + 1.0)  # bottom-right corner (2, -1)


@pytest.mark.parametrize("method", ["auto", "quantile", "log", "linear"])
def test_default_levels_are_increasing_and_inside_the_range(method: str) -> None:
    for name, view in [
        ("bowl", BOWL_VIEW),
        ("saddle", (-1.0, 2.0, -1.0, 1.0)),
        ("rosenbrock", (-2.0, 2.0, -1.0, 3.0)),
    ]:
        f = objectives.get(name)
        levels = default_levels(f, view, 10, method=method)  # type: ignore[arg-type]
        _, _, z = height_grid(f, view, 120)
        assert len(levels) == 10
        assert np.all(np.diff(levels) > 0)
        assert levels[0] > z.min() and levels[-1] < z.max()


def test_auto_levels_go_log_for_a_steep_valley() -> None:
    f = objectives.get("rosenbrock")
    view = (-2.0, 2.0, -1.0, 3.0)
    auto = default_levels(f, view, 10)
    log = default_levels(f, view, 10, method="log")
    assert np.allclose(auto, log)
    # geometric spacing above the minimum
    _, _, z = height_grid(f, view, 120)
    ratios = np.diff(np.log(auto - z.min()))
    assert np.allclose(ratios, ratios[0])


def test_default_levels_rejects_bad_arguments() -> None:
    with pytest.raises(ContourError, match="n must"):
        default_levels(objectives.get("bowl"), BOWL_VIEW, 0)
    with pytest.raises(ContourError, match="method"):
        default_levels(objectives.get("bowl"), BOWL_VIEW, 3, method="cubic")  # type: ignore[arg-type]


def test_filled_levels_and_fraction() -> None:
    z = np.array([[0.0, 1.0], [2.5, np.nan]])
    assert filled_levels(z, [1.0, 2.0]).tolist() == [[0, 1], [2, -1]]
    frac = level_fraction(z, [1.0, 2.0, 3.0])
    assert frac[0, 0] == 0.0 and frac[0, 1] == 0.0 and frac[1, 0] == 0.75
    assert np.isnan(frac[1, 1])


@settings(max_examples=40, deadline=None)
@given(
    cx=st.floats(-0.8, 0.8),
    cy=st.floats(-0.8, 0.8),
    r=st.floats(0.15, 0.9),
)
def test_shifted_circles(cx: float, cy: float, r: float) -> None:
    xs = ys = np.linspace(-2.0, 2.0, 121)
    z = (xs[None, :] - cx) ** 2 + (ys[:, None] - cy) ** 2
    [lines] = contour_lines_from_grid(xs, ys, z, [r * r])
    assert len(lines) == 1
    ring = lines[0]
    assert np.array_equal(ring[0], ring[-1])
    h = 4.0 / 120
    assert np.abs(np.hypot(ring[:, 0] - cx, ring[:, 1] - cy) - r).max() <= h**2 / (4 * r) + 1e-9
