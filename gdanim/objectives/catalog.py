"""The catalog: the named functions the videos use, each with a view box and its critical
points."""

from __future__ import annotations

import dataclasses
import functools
from typing import NamedTuple

from gdanim.objectives.limits import ObjectiveError
from gdanim.objectives.objective import Objective
from gdanim.objectives.parser import parse, shorten

__all__ = ["get", "names", "resolve"]


class _Entry(NamedTuple):
    text: str
    view: tuple[float, ...]
    minima: tuple[tuple[float, ...], ...] = ()
    saddles: tuple[tuple[float, ...], ...] = ()
    maxima: tuple[tuple[float, ...], ...] = ()


# Critical points below are exact where a closed form exists; the others were solved with
# sympy (resultants, then nsolve at 50 digits) and rounded to float64. The tests check every
# one (zero gradient, Hessian signature) and that no critical point in the view is missing.
_CATALOG: dict[str, _Entry] = {
    "parabola": _Entry("x^2", (-5.0, 5.0), minima=((0.0,),)),
    "shifted_parabola": _Entry("x^2 + 4*x + 1", (-4.0, 2.0), minima=((-2.0,),)),
    "wavy": _Entry(
        "x*cos(0.15*pi*x)",
        (-20.0, 20.0),
        minima=((-13.660371004955635,), (-1.8256845786723395,), (7.269388146311475,)),
        maxima=((-7.269388146311475,), (1.8256845786723395,), (13.660371004955635,)),
    ),
    "bowl": _Entry("x^2 + y^2", (-3.0, 3.0, -3.0, 3.0), minima=((0.0, 0.0),)),
    "long_valley": _Entry("x^2/20 + y^2", (-10.0, 10.0, -5.0, 5.0), minima=((0.0, 0.0),)),
    # grad = (2x + y, 2y + 3y^2 + x) vanishes at (0, 0) and (1/4, -1/2).
    "cubic_bowl": _Entry(
        "x^2 + y^2 + y^3 + x*y",
        (-3.0, 3.0, -3.0, 3.0),
        minima=((0.0, 0.0),),
        saddles=((0.25, -0.5),),
    ),
    "saddle": _Entry("-x^2/2 + y^2", (-1.0, 2.0, -1.0, 1.0), saddles=((0.0, 0.0),)),
    "monkey_saddle": _Entry("x^3 - 3*x*y^2", (-2.0, 2.0, -2.0, 2.0), saddles=((0.0, 0.0),)),
    "rosenbrock": _Entry(
        "(1 - x)^2 + 100*(y - x^2)^2", (-2.0, 2.0, -1.0, 3.0), minima=((1.0, 1.0),)
    ),
    "beale": _Entry(
        "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
        (-4.5, 4.5, -4.5, 4.5),
        minima=((3.0, 0.5),),
        saddles=((0.0, 1.0), (0.10053793732415836, -2.644513585023125)),
    ),
    "himmelblau": _Entry(
        "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        (-5.0, 5.0, -5.0, 5.0),
        minima=(
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.2831859912861696),
            (3.5844283403304917, -1.8481265269644036),
        ),
        saddles=(
            (0.08667750455539636, 2.884254701174776),
            (-3.0730257507643897, -0.08135304428796751),
            (3.385154183607021, 0.07385187983774928),
            (-0.12796134673068008, -1.9537149802445763),
        ),
        maxima=((-0.2708445906673476, -0.9230385564799815),),
    ),
    # 121 local minima lie in the view; only the global one is listed.
    "rastrigin": _Entry(
        "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)",
        (-5.12, 5.12, -5.12, 5.12),
        minima=((0.0, 0.0),),
    ),
}


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


@functools.cache
def _catalog_objective(name: str) -> Objective:
    entry = _CATALOG[name]
    parsed = parse(entry.text)
    return dataclasses.replace(
        parsed,
        name=name,
        view=entry.view,
        minima=entry.minima,
        saddles=entry.saddles,
        maxima=entry.maxima,
    )


def names() -> list[str]:
    """Names of the catalog objectives, one-dimensional ones first.

    Examples
    --------
    >>> names()[:3]
    ['parabola', 'shifted_parabola', 'wavy']
    >>> "rosenbrock" in names()
    True
    """
    return list(_CATALOG)


def get(name: str) -> Objective:
    """Return the catalog objective called ``name`` (case and ``-``/``_`` are ignored).

    The same instance is returned on every call, so its compiled functions are reused.

    Raises
    ------
    ObjectiveError
        If there is no such objective; the message lists the known names.

    Examples
    --------
    >>> f = get("cubic_bowl")
    >>> f.text, f.view, f.saddles
    ('x^2 + y^2 + y^3 + x*y', (-3.0, 3.0, -3.0, 3.0), ((0.25, -0.5),))
    >>> get("Long-Valley").name
    'long_valley'
    """
    key = _normalise(name) if isinstance(name, str) else ""
    if key not in _CATALOG:
        raise ObjectiveError(
            f"unknown objective {shorten(str(name))!r}; known: {', '.join(_CATALOG)}"
        )
    return _catalog_objective(key)


def resolve(text: str) -> Objective:
    """Return the catalog objective if ``text`` names one, otherwise :func:`parse` it.

    Examples
    --------
    >>> resolve("himmelblau").name
    'himmelblau'
    >>> resolve("x^2 + 3*y^2").name is None
    True
    """
    if isinstance(text, str) and _normalise(text) in _CATALOG:
        return get(text)
    return parse(text)
