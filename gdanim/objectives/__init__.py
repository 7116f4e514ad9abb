"""Objective functions: a whitelisted formula parser and a catalog of classic test functions.

An :class:`Objective` wraps a sympy expression in one, two or three real variables together with
its exact gradient and Hessian, compiled once to vectorised numpy functions. Everything a scene
writes as a formula comes from the same sympy objects (:attr:`Objective.latex`,
:attr:`Objective.grad_latex`), so what is shown is what was computed.

Typed formulas go through :func:`parse`, which reads the text with Python's :mod:`ast` module and
walks the tree against a strict whitelist, building sympy objects directly. The text is never
handed to ``eval``, ``exec``, :func:`sympy.sympify` or
:func:`sympy.parsing.sympy_parser.parse_expr`.
Allowed are numbers (``3``, ``0.15``, ``1e-3``), the variables, ``+ - * / **``, ``^`` (a synonym
for ``**``), parentheses, unary signs, the constants ``pi`` and ``e`` and the functions
``sin cos tan exp log sqrt abs tanh sinh cosh`` with exactly one argument. Everything else raises
:class:`ObjectiveError` with one line that names the offending piece and its column.

Decimal numbers equal to a small fraction stay exact (``0.15`` becomes
:math:`\\tfrac{3}{20}`, so ``x*cos(0.15*pi*x)`` is shown as
:math:`x \\cos\\left(\\tfrac{3 \\pi x}{20}\\right)`); other decimals become sympy floats.

The catalog (:func:`get`, :func:`names`, :func:`resolve`) holds the functions used by the videos,
each with a default view box and its critical points.

Layout: :mod:`~gdanim.objectives.objective` (the :class:`Objective`),
:mod:`~gdanim.objectives.parser` (:func:`parse`), :mod:`~gdanim.objectives.limits` (what a
formula may contain, :class:`ObjectiveError`), :mod:`~gdanim.objectives.catalog` (the named
functions) and ``_numeric`` (sympy to numpy).

Examples
--------
>>> from gdanim import objectives
>>> f = objectives.parse("x**2/20 + y**2")
>>> f.dim, f.latex
(2, '\\\\frac{x^{2}}{20} + y^{2}')
>>> f.grad([2.0, 1.0]).tolist()
[0.2, 2.0]
>>> objectives.get("rosenbrock").minima
((1.0, 1.0),)
"""

from __future__ import annotations

from gdanim.objectives.catalog import get, names, resolve
from gdanim.objectives.limits import (
    FUNCTIONS,
    MAX_CONSTANT_BITS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_POWER_TOWER,
    MAX_TEXT_LENGTH,
    MAX_VARIABLES,
    ObjectiveError,
)
from gdanim.objectives.objective import Objective
from gdanim.objectives.parser import parse

__all__ = [
    "FUNCTIONS",
    "MAX_CONSTANT_BITS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_POWER_TOWER",
    "MAX_TEXT_LENGTH",
    "MAX_VARIABLES",
    "Objective",
    "ObjectiveError",
    "get",
    "names",
    "parse",
    "resolve",
]

# shown in tracebacks as gdanim.objectives.ObjectiveError, where users import it from
ObjectiveError.__module__ = __name__
