"""How gdanim writes numbers on screen and picks round axis ranges and tick steps.

Plain functions of floats (no manim), re-exported by :mod:`scenes.style`: :func:`fmt` and its
LaTeX and scientific variants for numbers shown in readouts and captions, and the 1-2-5 tick
steps and ranges the axes use.

Examples
--------
>>> fmt(-0.00001, 3)
'0.000'
>>> nice_range(-0.3, 9.2)
(-2.0, 10.0, 2.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = [
    "fitting_step",
    "fmt",
    "fmt_sci",
    "fmt_tex",
    "nice_range",
    "nice_step",
    "symmetric_range",
    "tick_decimals",
]


def fmt(x: float, digits: int = 3) -> str:
    """Format a number for display with a fixed number of decimals.

    ``-0.000`` is shown as ``0.000``; very large or very small magnitudes switch to scientific
    notation; non-finite values become ``inf`` / ``-inf`` / ``nan``.

    Examples
    --------
    >>> fmt(0.1)
    '0.100'
    >>> fmt(-1e-9, 2)
    '0.00'
    >>> fmt(123456789.0, 2)
    '1.23e+08'
    """
    v = float(x)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if abs(v) >= 1e6:
        return f"{v:.{digits}e}"
    s = f"{v:.{digits}f}"
    if float(s) == 0.0:
        s = s.lstrip("-")
    return s


def fmt_tex(x: float, digits: int = 3) -> str:
    """:func:`fmt` as LaTeX (``1.23 \\times 10^{8}``, ``\\infty``).

    Examples
    --------
    >>> fmt_tex(123456789.0, 2)
    '1.23 \\\\times 10^{8}'
    """
    s = fmt(x, digits)
    if s in ("inf", "-inf"):
        return s.replace("inf", r"\infty")
    if "e" in s and s != "nan":
        mant, exp = s.split("e")
        return rf"{mant} \times 10^{{{int(exp)}}}"
    return s


def fmt_sci(x: float, digits: int = 1) -> str:
    """A number in short scientific notation, ``8.1e-9``, ``-1e-5`` (no ``+``, no padding zeros).

    Examples
    --------
    >>> fmt_sci(8.0566e-9)
    '8.1e-9'
    >>> fmt_sci(-1e-5, 0)
    '-1e-5'
    >>> fmt_sci(1.7756e-11, 1)
    '1.8e-11'
    """
    mant, exp = f"{float(x):.{digits}e}".split("e")
    return f"{mant}e{int(exp)}"


def nice_step(span: float, target_ticks: int = 8) -> float:
    """A 1-2-5 tick spacing giving about ``target_ticks`` ticks over ``span``.

    Examples
    --------
    >>> nice_step(10.0)
    2.0
    >>> nice_step(30.0)
    5.0
    """
    if not math.isfinite(span) or span <= 0:
        return 1.0
    raw = span / max(target_ticks, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= m * mag * 1.0000001:
            return m * mag
    return 10.0 * mag


def nice_range(lo: float, hi: float, target_ticks: int = 8) -> tuple[float, float, float]:
    """Widen ``[lo, hi]`` outward to multiples of a 1-2-5 step; returns ``(lo, hi, step)``.

    Examples
    --------
    >>> nice_range(-0.3, 9.2)
    (-2.0, 10.0, 2.0)
    """
    if hi <= lo:
        hi = lo + 1.0
    step = nice_step(hi - lo, target_ticks)
    return (math.floor(lo / step) * step, math.ceil(hi / step) * step, step)


def symmetric_range(
    values: Iterable[float], margin: float = 0.1, target_ticks: int = 8
) -> tuple[float, float, float]:
    """A range symmetric about 0 covering every finite value, with ``margin`` spare (relative).

    Examples
    --------
    >>> symmetric_range([4.0, -0.3, 1.2], target_ticks=10)
    (-5.0, 5.0, 1.0)
    """
    finite = [abs(float(v)) for v in values if math.isfinite(float(v))]
    half = max(finite, default=1.0) * (1.0 + margin)
    half = half if half > 0 else 1.0
    step = nice_step(2 * half, target_ticks)
    half = math.ceil(half / step) * step
    return (-half, half, step)


def fitting_step(lo: float, hi: float, target_ticks: int) -> float:
    """A 1-2-5 step of which ``lo`` is a multiple (so ticks land on round numbers)."""
    span = hi - lo
    if not math.isfinite(span) or span <= 0:
        return 1.0
    best: tuple[float, float] | None = None
    mag = 10.0 ** math.floor(math.log10(span))
    for scale in (mag / 100, mag / 10, mag, mag * 10):
        for m in (1.0, 2.0, 2.5, 5.0):
            step = m * scale
            k = lo / step
            if abs(k - round(k)) > 1e-9:
                continue
            score = abs(math.log((span / step) / target_ticks))
            if best is None or score < best[0]:
                best = (score, step)
    return best[1] if best is not None else nice_step(span, target_ticks)


def tick_decimals(step: float) -> int:
    """Fewest decimals that write every multiple of ``step`` exactly (0.25 -> 2, 5 -> 0)."""
    for d in range(5):
        scaled = step * 10**d
        if abs(scaled - round(scaled)) < 1e-9 * max(1.0, scaled):
            return d
    return 4
