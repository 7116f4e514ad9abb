"""What a typed formula may contain, and the error for what it may not.

The limits keep :func:`gdanim.objectives.parse` fast and safe on hostile input: a formula is
short, shallow, with few variables, small exponents and constants of bounded size, and calls
only the functions of :data:`FUNCTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

import sympy

__all__ = [
    "FUNCTIONS",
    "MAX_CONSTANT_BITS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_POWER_TOWER",
    "MAX_TEXT_LENGTH",
    "MAX_VARIABLES",
    "ObjectiveError",
]

#: Longest formula text accepted by :func:`parse`.
MAX_TEXT_LENGTH = 500
#: Most variables an objective may have.
MAX_VARIABLES = 3
#: Largest magnitude of a constant exponent (``x**100`` is allowed, ``x**101`` is not).
MAX_EXPONENT = 100
#: Deepest nesting of operations and calls; chains of ``+ -`` or of ``* /`` count once.
MAX_DEPTH = 50
#: Most powers stacked in one tower (``x**y**z`` is allowed, ``x**x**x**x`` is not).
MAX_POWER_TOWER = 2
#: Largest size in bits of an exact integer or of a fraction's numerator or denominator.
MAX_CONSTANT_BITS = 1000

#: Functions a formula may call, by the name used in the text (read-only).
FUNCTIONS: Mapping[str, Callable[[sympy.Expr], sympy.Expr]] = MappingProxyType(
    {
        "sin": sympy.sin,
        "cos": sympy.cos,
        "tan": sympy.tan,
        "exp": sympy.exp,
        "log": sympy.log,
        "sqrt": sympy.sqrt,
        "abs": sympy.Abs,
        "tanh": sympy.tanh,
        "sinh": sympy.sinh,
        "cosh": sympy.cosh,
    }
)


class ObjectiveError(ValueError):
    """A formula or a catalog name that cannot be turned into an :class:`Objective`.

    The message is one line naming the offending piece, where it is and what is allowed.

    Examples
    --------
    >>> from gdanim.objectives import parse
    >>> parse("x + os")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gdanim.objectives.ObjectiveError: unknown name 'os' at column 5; allowed: x, y, z, ...
    """
