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

import ast
import dataclasses
import functools
import keyword
import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import sympy
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.str import StrPrinter

from gdanim._typing import ArrayLike, FloatArray

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

_FLOAT_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "abs": abs,
    "tanh": math.tanh,
    "sinh": math.sinh,
    "cosh": math.cosh,
}

_CONSTANTS: dict[str, tuple[sympy.Expr, float]] = {
    "pi": (sympy.pi, math.pi),
    "e": (sympy.E, math.e),
}

#: Variable names recognised automatically, in the order they become coordinates.
_AUTO_VARIABLES = ("x", "y", "z", "x1", "x2", "x3")

_ALLOWED_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t+-*/^().,_"
)
_VARIABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")

_BINARY_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
}
_UNARY_OPERATORS: dict[type[ast.unaryop], str] = {
    ast.UAdd: "+",
    ast.USub: "-",
    ast.Not: "not",
    ast.Invert: "~",
}
_NODE_DESCRIPTIONS: dict[str, str] = {
    "Attribute": "attribute access",
    "Subscript": "indexing",
    "Lambda": "lambda",
    "IfExp": "conditional expression",
    "Compare": "comparison",
    "BoolOp": "boolean operator",
    "Tuple": "tuple",
    "List": "list",
    "Set": "set",
    "Dict": "dict",
    "ListComp": "comprehension",
    "SetComp": "comprehension",
    "DictComp": "comprehension",
    "GeneratorExp": "generator expression",
    "JoinedStr": "f-string",
    "NamedExpr": "assignment expression",
    "Starred": "starred argument",
    "Await": "await",
    "Yield": "yield",
    "YieldFrom": "yield",
    "Slice": "slice",
}
_ADDITIVE = (ast.Add, ast.Sub)
_MULTIPLICATIVE = (ast.Mult, ast.Div)
_NOT_FINITE = (sympy.zoo, sympy.oo, -sympy.oo, sympy.nan)


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


# --------------------------------------------------------------------------------------------
# Objective
# --------------------------------------------------------------------------------------------


class _TextPrinter(StrPrinter):  # type: ignore[misc]
    """Print sympy expressions in the syntax that :func:`parse` reads back."""

    def _print_Abs(self, expr: sympy.Abs) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Exp1(self, expr: sympy.Expr) -> str:
        return "e"


def _intpow(base: Any, n: int) -> Any:
    """``base ** n`` for an integer ``n >= 2`` by repeated squaring.

    numpy's ``power`` is about a hundred times slower than a few multiplications for
    exponents other than 2, which matters for a gradient called a thousand times per run.
    """
    result = None
    square = base
    while True:
        if n & 1:
            result = square if result is None else result * square
        n >>= 1
        if not n:
            return result
        square = square * square


class _FastNumPyPrinter(NumPyPrinter):  # type: ignore[misc]
    """numpy printer that writes integer powers as multiplications (see :func:`_intpow`)."""

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        exponent = expr.exp
        if isinstance(exponent, sympy.Integer) and (exponent >= 3 or exponent <= -2):
            n = abs(int(exponent))
            call = f"_intpow({self._print(expr.base)}, {n})"
            return call if exponent > 0 else f"(1/{call})"
        return str(super()._print_Pow(expr, rational=rational))


def _real_or_nan(part: Any) -> Any:
    """Complex results (which only a faulty expression could give) become ``nan`` unless real."""
    array = np.asarray(part)
    if np.iscomplexobj(array):
        return np.where(array.imag == 0, array.real, np.nan)
    return part


def _compile(
    variables: Sequence[sympy.Symbol], exprs: Sequence[sympy.Expr]
) -> Callable[..., list[Any]]:
    """Lambdify a list of expressions for numpy, sharing common subexpressions.

    The returned function takes one array per variable and returns a list with one array (or
    scalar, for a constant) per expression.
    """
    cleaned = [sympy.sympify(e).xreplace({sympy.zoo: sympy.nan}) for e in exprs]
    printer = _FastNumPyPrinter(
        {"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": False}
    )
    function: Callable[..., list[Any]] = sympy.lambdify(
        list(variables),
        cleaned,
        modules=[{"_intpow": _intpow}, "numpy"],
        printer=printer,
        cse=True,
    )
    if not any(e.has(sympy.I) for e in cleaned):
        return function

    def real_parts(*columns: Any) -> list[Any]:
        return [_real_or_nan(part) for part in function(*columns)]

    return real_parts


class _RealAbs(sympy.Function):  # type: ignore[misc]
    r"""Stand-in for :math:`|u|` while differentiating: :math:`(|u|)' = \operatorname{sign}(u)\,u'`.

    sympy differentiates ``Abs(u)`` through real and imaginary parts unless it knows ``u`` is
    real, which it cannot for ``abs(sqrt(x))``; on the real domain this rule is the right one.
    """

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return _RealSign(self.args[0])


class _RealSign(sympy.Function):  # type: ignore[misc]
    """Stand-in for ``sign(u)`` while differentiating: its derivative is zero almost everywhere."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.S.Zero


def _for_differentiation(expr: sympy.Expr) -> sympy.Expr:
    if expr.has(sympy.Abs):
        return sympy.sympify(expr.replace(sympy.Abs, _RealAbs))
    return expr


def _after_differentiation(expr: sympy.Expr) -> sympy.Expr:
    if expr.has(_RealAbs) or expr.has(_RealSign):
        expr = expr.replace(_RealAbs, sympy.Abs).replace(_RealSign, sympy.sign)
    return _drop_distributions(sympy.sympify(expr))


def _drop_distributions(expr: sympy.Expr) -> sympy.Expr:
    """Replace ``DiracDelta`` terms (from differentiating ``sign``) by zero.

    They are zero everywhere except on a set of measure zero, which is what a sampled Hessian
    of ``abs`` should show.
    """
    if expr.has(sympy.DiracDelta):
        return sympy.sympify(expr.replace(sympy.DiracDelta, lambda *args: sympy.S.Zero))
    return expr


@dataclass(frozen=True)
class Objective:
    r"""A scalar function of one, two or three real variables, with exact derivatives.

    Parameters
    ----------
    expr
        The sympy expression :math:`f`.
    variables
        The real sympy symbols, in coordinate order: a point ``p`` has ``p[..., i]`` for
        ``variables[i]``.
    name
        Catalog name, or ``None`` for a typed formula.
    view
        Default view box: ``(xmin, xmax)`` in 1D, ``(xmin, xmax, ymin, ymax)`` in 2D and
        ``(xmin, xmax, ymin, ymax, zmin, zmax)`` in 3D; ``None`` if unknown.
    minima, saddles
        Critical points to mark, each a tuple of ``dim`` floats (for a function with very many
        local minima, such as Rastrigin, only the global one).
    text
        The source text; when empty, the canonical :attr:`display_text` is used.
    maxima
        Local maxima to mark, like ``minima``.

    Notes
    -----
    :meth:`value`, :meth:`grad` and :meth:`hessian` take points of shape ``(..., dim)``: one
    point ``(dim,)``, a batch ``(k, dim)`` or a meshgrid stacked on the last axis
    ``(ny, nx, dim)``. They compute in float64 with functions lambdified once per objective and
    return non-finite numbers (``nan``, ``inf``) instead of raising.

    .. math::

        \nabla f = \left(\frac{\partial f}{\partial x_i}\right)_i, \qquad
        H_{ij} = \frac{\partial^2 f}{\partial x_i \, \partial x_j}

    Examples
    --------
    >>> import sympy
    >>> x, y = sympy.symbols("x y", real=True)
    >>> f = Objective(x**2 + 3 * y**2, (x, y))
    >>> f.dim, f.text
    (2, 'x**2 + 3*y**2')
    >>> f.grad([[1.0, 1.0], [0.0, 2.0]]).tolist()
    [[2.0, 6.0], [0.0, 12.0]]
    >>> f.hessian([0.0, 0.0]).tolist()
    [[2.0, 0.0], [0.0, 6.0]]
    """

    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    name: str | None = None
    view: tuple[float, ...] | None = None
    minima: tuple[tuple[float, ...], ...] = ()
    saddles: tuple[tuple[float, ...], ...] = ()
    text: str = ""
    maxima: tuple[tuple[float, ...], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.expr, sympy.Expr):
            raise ObjectiveError(f"expr must be a sympy expression, got {type(self.expr).__name__}")
        variables = tuple(self.variables)
        if not 1 <= len(variables) <= MAX_VARIABLES:
            raise ObjectiveError(
                f"an objective has 1 to {MAX_VARIABLES} variables, got {len(variables)}"
            )
        if not all(isinstance(v, sympy.Symbol) for v in variables):
            raise ObjectiveError("variables must be sympy symbols")
        if len(set(variables)) != len(variables):
            raise ObjectiveError(f"variables must be distinct, got {variables}")
        extra = self.expr.free_symbols - set(variables)
        if extra:
            listed = ", ".join(sorted(str(s) for s in extra))
            raise ObjectiveError(f"expression uses {listed}, which is not among the variables")
        dim = len(variables)
        object.__setattr__(self, "variables", variables)
        if self.view is not None:
            view = tuple(float(v) for v in self.view)
            if len(view) != 2 * dim:
                raise ObjectiveError(f"view must have {2 * dim} numbers for dim {dim}, got {view}")
            if not all(lo < hi for lo, hi in zip(view[::2], view[1::2], strict=True)):
                raise ObjectiveError(f"view must list (min, max) pairs with min < max, got {view}")
            object.__setattr__(self, "view", view)
        for field_name in ("minima", "saddles", "maxima"):
            points = tuple(tuple(float(c) for c in point) for point in getattr(self, field_name))
            if any(len(point) != dim for point in points):
                raise ObjectiveError(f"every point in {field_name} must have {dim} coordinates")
            object.__setattr__(self, field_name, points)
        if not self.text:
            object.__setattr__(self, "text", self.display_text)

    def __getstate__(self) -> dict[str, object]:
        """Pickle the fields only; compiled functions are rebuilt on first use."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    # -- symbolic views ------------------------------------------------------------------------

    @property
    def dim(self) -> int:
        """Number of variables."""
        return len(self.variables)

    @property
    def variable_names(self) -> tuple[str, ...]:
        """Names of the variables in coordinate order, such as ``("x", "y")``."""
        return tuple(v.name for v in self.variables)

    @functools.cached_property
    def latex(self) -> str:
        r"""LaTeX of :math:`f` from :func:`sympy.latex`, without ``$``.

        Examples
        --------
        >>> parse("x*cos(0.15*pi*x)").latex
        'x \\cos{\\left(\\frac{3 \\pi x}{20} \\right)}'
        """
        return str(sympy.latex(self.expr))

    @functools.cached_property
    def _grad_work(self) -> tuple[sympy.Expr, ...]:
        work = _for_differentiation(self.expr)
        return tuple(sympy.diff(work, v) for v in self.variables)

    @functools.cached_property
    def grad_exprs(self) -> tuple[sympy.Expr, ...]:
        r"""The partial derivatives :math:`\partial f / \partial x_i` as sympy expressions.

        Examples
        --------
        >>> parse("x**2 + x*y").grad_exprs
        (2*x + y, x)
        """
        return tuple(_after_differentiation(g) for g in self._grad_work)

    @functools.cached_property
    def hessian_exprs(self) -> tuple[tuple[sympy.Expr, ...], ...]:
        r"""The second partial derivatives :math:`\partial^2 f / \partial x_i \partial x_j`.

        Examples
        --------
        >>> parse("x**2*y").hessian_exprs
        ((2*y, 2*x), (2*x, 0))
        """
        rows = []
        for gi in self._grad_work:
            rows.append(tuple(_after_differentiation(sympy.diff(gi, v)) for v in self.variables))
        return tuple(rows)

    @functools.cached_property
    def grad_latex(self) -> str:
        r"""LaTeX of the gradient: :math:`f'(x)` in 1D, a ``pmatrix`` of partials otherwise.

        Examples
        --------
        >>> parse("x**3").grad_latex
        '3 x^{2}'
        >>> parse("x**2 + y**2").grad_latex
        '\\begin{pmatrix}2 x\\\\2 y\\end{pmatrix}'
        """
        if self.dim == 1:
            return str(sympy.latex(self.grad_exprs[0]))
        matrix = sympy.Matrix(list(self.grad_exprs))
        return str(sympy.latex(matrix, mat_str="pmatrix", mat_delim=""))

    @property
    def display_text(self) -> str:
        """Canonical plain-text form of the expression, which :func:`parse` reads back.

        Examples
        --------
        >>> parse("(1-x)^2 + 100*(y-x^2)^2").display_text
        '(1 - x)**2 + 100*(-x**2 + y)**2'
        """
        return str(_TextPrinter().doprint(self.expr))

    # -- numerics ------------------------------------------------------------------------------

    @functools.cached_property
    def _value_fn(self) -> Callable[..., list[Any]]:
        return _compile(self.variables, [self.expr])

    @functools.cached_property
    def _grad_fn(self) -> Callable[..., list[Any]]:
        return _compile(self.variables, list(self.grad_exprs))

    @functools.cached_property
    def _hessian_fn(self) -> Callable[..., list[Any]]:
        upper = [self.hessian_exprs[i][j] for i in range(self.dim) for j in range(i, self.dim)]
        return _compile(self.variables, upper)

    def _points(self, p: ArrayLike) -> FloatArray:
        arr = np.asarray(p, dtype=np.float64)
        if arr.ndim == 0 or arr.shape[-1] != self.dim:
            raise ValueError(
                f"points must have shape (..., {self.dim}) for a {self.dim}D objective, "
                f"got shape {arr.shape}"
            )
        return arr

    def value(self, p: ArrayLike) -> FloatArray:
        """Evaluate :math:`f` at points of shape ``(..., dim)``.

        Parameters
        ----------
        p
            Points, last axis the coordinates.

        Returns
        -------
        FloatArray
            Shape ``p.shape[:-1]`` (a 0-d array for a single point); non-finite where ``f`` is.

        Examples
        --------
        >>> f = parse("x**2 + y**2")
        >>> float(f.value([3.0, 4.0]))
        25.0
        >>> f.value([[1.0, 0.0], [1.0, 1.0]]).tolist()
        [1.0, 2.0]
        >>> float(parse("log(x)").value([-1.0]))
        nan
        """
        arr = self._points(p)
        columns = [arr[..., i] for i in range(self.dim)]
        out = np.empty(arr.shape[:-1], dtype=np.float64)
        with np.errstate(all="ignore"):
            out[...] = self._value_fn(*columns)[0]
        return out

    def grad(self, p: ArrayLike) -> FloatArray:
        r"""Evaluate the exact gradient :math:`\nabla f` at points of shape ``(..., dim)``.

        Parameters
        ----------
        p
            Points, last axis the coordinates.

        Returns
        -------
        FloatArray
            Shape ``p.shape``; component ``i`` is :math:`\partial f / \partial x_i`.

        Examples
        --------
        >>> parse("x**2/20 + y**2").grad([[10.0, 1.0], [0.0, 0.0]]).tolist()
        [[1.0, 2.0], [0.0, 0.0]]
        """
        arr = self._points(p)
        columns = [arr[..., i] for i in range(self.dim)]
        out = np.empty(arr.shape, dtype=np.float64)
        with np.errstate(all="ignore"):
            parts = self._grad_fn(*columns)
            for i, part in enumerate(parts):
                out[..., i] = part
        return out

    def hessian(self, p: ArrayLike) -> FloatArray:
        r"""Evaluate the exact Hessian at points of shape ``(..., dim)``.

        Parameters
        ----------
        p
            Points, last axis the coordinates.

        Returns
        -------
        FloatArray
            Shape ``p.shape + (dim,)``; entry ``[..., i, j]`` is
            :math:`\partial^2 f / \partial x_i \partial x_j` (symmetric).

        Examples
        --------
        >>> parse("x**2 + x*y").hessian([1.0, 2.0]).tolist()
        [[2.0, 1.0], [1.0, 0.0]]
        """
        arr = self._points(p)
        columns = [arr[..., i] for i in range(self.dim)]
        out = np.empty(arr.shape + (self.dim,), dtype=np.float64)
        with np.errstate(all="ignore"):
            parts = self._hessian_fn(*columns)
            k = 0
            for i in range(self.dim):
                for j in range(i, self.dim):
                    out[..., i, j] = parts[k]
                    if j != i:
                        out[..., j, i] = out[..., i, j]
                    k += 1
        return out


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------


class _Built(NamedTuple):
    """A sympy expression and, when it is constant, its value as a Python float."""

    expr: sympy.Expr
    value: float | None


def _tower_height(node: ast.expr) -> int:
    """Number of powers stacked in ``a ** b ** c ...`` (signs in exponents skipped)."""
    height = 0
    while True:
        if isinstance(node, ast.UnaryOp):
            node = node.operand
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            height += 1
            node = node.right
        else:
            return height


def _shorten(piece: str, limit: int = 40) -> str:
    return piece if len(piece) <= limit else piece[: limit - 3] + "..."


def _number(value: float) -> sympy.Expr:
    """Turn a float literal into an exact integer, a small exact fraction, or a sympy float.

    ``0.15`` becomes 3/20 and ``2.625`` becomes 21/8 (numerator and denominator at most 100),
    which sympy shows as fractions; ``0.001`` or ``123.456`` stay decimals.
    """
    if value.is_integer() and abs(value) < 1e16:
        return sympy.Integer(int(value))
    exact = sympy.Rational(repr(value))
    if exact.q <= 100 and abs(exact.p) <= 100:
        return exact
    return sympy.Float(repr(value))


class _Builder:
    """Walk a Python expression tree against the whitelist, building sympy objects."""

    def __init__(
        self,
        text: str,
        source: str,
        columns: list[int],
        variables: dict[str, sympy.Symbol] | None,
    ) -> None:
        self.text = text
        self.source = source
        self.columns = columns
        self.variables = variables
        self.used: set[str] = set()
        allowed_variables = list(variables) if variables is not None else list(_AUTO_VARIABLES)
        self.allowed = ", ".join([*allowed_variables, *_CONSTANTS, *FUNCTIONS])

    # -- locating pieces of the original text --------------------------------------------------

    def column(self, node: ast.AST) -> int:
        offset = getattr(node, "col_offset", 0)
        offset = min(max(offset, 0), len(self.columns) - 1)
        return self.columns[offset] + 1

    def piece(self, node: ast.AST) -> str:
        start = getattr(node, "col_offset", None)
        end = getattr(node, "end_col_offset", None)
        if start is None or end is None or end <= start:
            return _shorten(self.source)
        first = self.columns[min(start, len(self.columns) - 1)]
        last = self.columns[min(end - 1, len(self.columns) - 1)]
        return _shorten(self.text[first : last + 1])

    def fail(self, node: ast.AST, subject: str, rest: str = " is not allowed") -> ObjectiveError:
        """An error reading ``<subject> at column <n><rest>``."""
        return ObjectiveError(f"{subject} at column {self.column(node)}{rest}")

    # -- checks on what sympy built -----------------------------------------------------------

    def check(self, built: _Built, node: ast.AST) -> _Built:
        expr = built.expr
        where = f"{self.piece(node)!r} at column {self.column(node)}"
        if built.value is not None and not math.isfinite(built.value):
            raise ObjectiveError(f"{where} is not a finite real number")
        if any(expr.has(bad) for bad in _NOT_FINITE):
            raise ObjectiveError(f"{where} is not a finite real number")
        if expr.has(sympy.I):
            raise ObjectiveError(f"{where} is not real-valued")
        for sub in sympy.preorder_traversal(expr):
            if isinstance(sub, sympy.Rational):
                if max(int(sub.p).bit_length(), int(sub.q).bit_length()) > MAX_CONSTANT_BITS:
                    raise ObjectiveError(f"{where} builds a constant that is too large")
            elif isinstance(sub, sympy.Float):
                number = float(sub)
                if not math.isfinite(number) or (number == 0.0 and not sub.is_zero):
                    raise ObjectiveError(f"{where} builds a constant outside the float64 range")
            elif isinstance(sub, sympy.Pow) and isinstance(sub.exp, sympy.Number):
                if abs(float(sub.exp)) > MAX_EXPONENT:
                    raise ObjectiveError(
                        f"{where} builds the exponent {_shorten(str(sub.exp))}; "
                        f"constant exponents must lie in [-{MAX_EXPONENT}, {MAX_EXPONENT}]"
                    )
        return built

    # -- the walk -------------------------------------------------------------------------------

    def build(self, node: ast.AST, depth: int = 0, tower: int = 0) -> _Built:
        if depth > MAX_DEPTH:
            raise self.fail(
                node, f"{self.piece(node)!r}", f" is nested more than {MAX_DEPTH} levels deep"
            )
        if isinstance(node, ast.Expression):
            return self.build(node.body, depth, tower)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth, tower)
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth, tower)
        if isinstance(node, ast.Call):
            return self.call(node, depth, tower)
        description = _NODE_DESCRIPTIONS.get(type(node).__name__, type(node).__name__)
        raise self.fail(node, f"{description} {self.piece(node)!r}")

    def constant(self, node: ast.Constant) -> _Built:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = {str: "string", bytes: "bytes", complex: "complex number"}.get(
                type(value), "constant"
            )
            raise self.fail(node, f"{kind} {self.piece(node)!r}")
        if isinstance(value, int):
            if abs(value) > 10**300:
                raise self.fail(node, f"number {self.piece(node)!r}", " is too large")
            return _Built(sympy.Integer(value), float(value))
        if not math.isfinite(value):
            raise self.fail(node, f"number {self.piece(node)!r}", " is too large")
        return _Built(_number(value), value)

    def name(self, node: ast.Name) -> _Built:
        name = node.id
        if name in _CONSTANTS:
            expr, number = _CONSTANTS[name]
            return _Built(expr, number)
        if name in FUNCTIONS:
            raise self.fail(node, f"function '{name}'", f" must be called, as in {name}(x)")
        if self.variables is None:
            if name in _AUTO_VARIABLES:
                self.used.add(name)
                return _Built(sympy.Symbol(name, real=True), None)
        elif name in self.variables:
            self.used.add(name)
            return _Built(self.variables[name], None)
        raise self.fail(node, f"unknown name {_shorten(name)!r}", f"; allowed: {self.allowed}")

    def unary(self, node: ast.UnaryOp, depth: int, tower: int) -> _Built:
        if not isinstance(node.op, ast.USub | ast.UAdd):
            symbol = _UNARY_OPERATORS.get(type(node.op), type(node.op).__name__)
            raise self.fail(node, f"operator '{symbol}' in {self.piece(node)!r}")
        operand = self.build(node.operand, depth + 1, tower)
        if isinstance(node.op, ast.UAdd):
            return operand
        value = None if operand.value is None else -operand.value
        return self.check(_Built(-operand.expr, value), node)

    def binary(self, node: ast.BinOp, depth: int, tower: int) -> _Built:
        op = node.op
        if not isinstance(op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow):
            symbol = _BINARY_OPERATORS.get(type(op), type(op).__name__)
            raise self.fail(
                node,
                f"operator '{symbol}' in {self.piece(node)!r}",
                " is not allowed; allowed: + - * / ** ^",
            )
        # A chain a + b - c + ... (or a * b / c ...) is one level, however long.
        same_family = isinstance(node.left, ast.BinOp) and (
            (isinstance(op, _ADDITIVE) and isinstance(node.left.op, _ADDITIVE))
            or (isinstance(op, _MULTIPLICATIVE) and isinstance(node.left.op, _MULTIPLICATIVE))
        )
        if isinstance(op, ast.Pow):
            if tower + _tower_height(node) > MAX_POWER_TOWER:
                raise self.fail(
                    node,
                    f"power tower {self.piece(node)!r}",
                    f" is too tall; at most {MAX_POWER_TOWER} powers may be stacked",
                )
            left = self.build(node.left, depth + 1, tower)
            right = self.build(node.right, depth + 1, tower + 1)
            return self.check(self.power(left, right, node), node)
        left = self.build(node.left, depth if same_family else depth + 1, tower)
        right = self.build(node.right, depth + 1, tower)
        lv, rv = left.value, right.value
        value: float | None = None
        if isinstance(op, ast.Add):
            expr = left.expr + right.expr
            if lv is not None and rv is not None:
                value = lv + rv
        elif isinstance(op, ast.Sub):
            expr = left.expr - right.expr
            if lv is not None and rv is not None:
                value = lv - rv
        elif isinstance(op, ast.Mult):
            expr = left.expr * right.expr
            if lv is not None and rv is not None:
                value = lv * rv
        else:
            if right.expr.is_zero or rv == 0.0:
                raise ObjectiveError(
                    f"division by zero in {self.piece(node)!r} at column {self.column(node)}"
                )
            expr = left.expr / right.expr
            if lv is not None and rv is not None:
                value = lv / rv
        return self.check(_Built(expr, value), node)

    def power(self, base: _Built, exponent: _Built, node: ast.BinOp) -> _Built:
        where = f"{self.piece(node)!r} at column {self.column(node)}"
        if exponent.value is not None and abs(exponent.value) > MAX_EXPONENT:
            raise ObjectiveError(
                f"exponent {self.piece(node.right)!r} = {exponent.value:.6g} in {where} is too "
                f"large; constant exponents must lie in [-{MAX_EXPONENT}, {MAX_EXPONENT}]"
            )
        if (
            base.value is not None
            and exponent.value is None
            and not (base.value > 0.0 and base.expr.is_positive is not False)
        ):
            raise ObjectiveError(
                f"{where}: a power with a variable exponent needs a positive base, "
                f"got {self.piece(node.left)!r}"
            )
        value = None
        if base.value is not None and exponent.value is not None:
            if base.value == 0.0 and exponent.value < 0:
                raise ObjectiveError(f"division by zero in {where}")
            try:
                value = math.pow(base.value, exponent.value)
            except (OverflowError, ValueError):
                raise ObjectiveError(f"{where} is not a finite real number") from None
        return _Built(sympy.Pow(base.expr, exponent.expr), value)

    def call(self, node: ast.Call, depth: int, tower: int) -> _Built:
        func = node.func
        if not isinstance(func, ast.Name):
            raise self.fail(node, f"call {self.piece(node)!r}")
        name = func.id
        if name not in FUNCTIONS:
            if (
                name in _CONSTANTS
                or name in _AUTO_VARIABLES
                or (self.variables is not None and name in self.variables)
            ):
                raise self.fail(node, f"'{name}'", f" is not a function; write {name}*(...)")
            raise ObjectiveError(
                f"unknown function {_shorten(name)!r} at column {self.column(node)}; "
                f"allowed functions: {', '.join(FUNCTIONS)}"
            )
        if node.keywords:
            keyword_name = node.keywords[0].arg or "**"
            raise self.fail(
                node,
                f"keyword argument '{keyword_name}' in {self.piece(node)!r}",
                f" is not allowed; {name} takes exactly 1 positional argument",
            )
        if any(isinstance(argument, ast.Starred) for argument in node.args):
            raise self.fail(node, f"starred argument in {self.piece(node)!r}")
        if len(node.args) != 1:
            raise self.fail(
                node,
                f"{self.piece(node)!r}",
                f" passes {len(node.args)} arguments; {name} takes exactly 1",
            )
        argument = self.build(node.args[0], depth + 1, tower)
        value = None
        if argument.value is not None:
            try:
                value = _FLOAT_FUNCTIONS[name](argument.value)
            except (OverflowError, ValueError):
                raise ObjectiveError(
                    f"{self.piece(node)!r} at column {self.column(node)} "
                    "is not a finite real number"
                ) from None
        return self.check(_Built(FUNCTIONS[name](argument.expr), value), node)


def _check_variables(variables: Sequence[str]) -> dict[str, sympy.Symbol]:
    if isinstance(variables, str):
        raise ObjectiveError(
            f"variables must be a list of names such as ['x', 'y'], not the string {variables!r}"
        )
    names = list(variables)
    if not 1 <= len(names) <= MAX_VARIABLES:
        raise ObjectiveError(f"give 1 to {MAX_VARIABLES} variables, got {len(names)}")
    reserved = set(_CONSTANTS) | set(FUNCTIONS)
    for name in names:
        if (
            not isinstance(name, str)
            or not _VARIABLE_NAME.fullmatch(name)
            or keyword.iskeyword(name)
            or name in reserved
        ):
            raise ObjectiveError(
                f"variable name {name!r} is not allowed; use a letter followed by letters, "
                "digits or '_' (not pi, e or a function name)"
            )
    if len(set(names)) != len(names):
        raise ObjectiveError(f"variable names must be distinct, got {names}")
    return {name: sympy.Symbol(name, real=True) for name in names}


def parse(text: str, variables: Sequence[str] | None = None) -> Objective:
    """Read a formula such as ``x**2/20 + y**2`` into an :class:`Objective`.

    The text is parsed by :func:`ast.parse` and checked node by node against a whitelist;
    it never reaches ``eval``. ``^`` means power.

    Parameters
    ----------
    text
        The formula, at most :data:`MAX_TEXT_LENGTH` characters.
    variables
        Names of the variables in coordinate order. By default they are found in the text
        among ``x, y, z`` and ``x1, x2, x3`` and ordered that way; giving them fixes the
        dimension, so ``parse("x**2", ["x", "y"])`` is a 2D function constant in ``y``.

    Returns
    -------
    Objective
        With ``name=None``, no view and no critical points; ``text`` is the stripped input.

    Raises
    ------
    ObjectiveError
        For anything outside the whitelist, syntax errors, unknown names, constant exponents
        beyond :data:`MAX_EXPONENT`, constants that are not finite reals (``1/0``, ``log(0)``),
        too deep nesting, too long text, more than :data:`MAX_VARIABLES` variables, and
        formulas that do not depend on any variable.

    Examples
    --------
    >>> f = parse("(1-x)^2 + 100*(y-x^2)^2")
    >>> f.variable_names
    ('x', 'y')
    >>> float(f.value([1.0, 1.0]))
    0.0
    >>> parse("x*cos(0.15*pi*x)").expr
    x*cos(3*pi*x/20)
    >>> parse("x**2", ["x", "y"]).dim
    2
    >>> parse("open('f')")
    Traceback (most recent call last):
    ...
    gdanim.objectives.ObjectiveError: character "'" at column 6 is not allowed; allowed: ...
    """
    if not isinstance(text, str):
        raise ObjectiveError(f"a formula must be text, got {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise ObjectiveError(
            f"formula is {len(text)} characters long; at most {MAX_TEXT_LENGTH} are allowed"
        )
    symbols = None if variables is None else _check_variables(variables)
    for index, char in enumerate(text):
        if char not in _ALLOWED_CHARACTERS:
            raise ObjectiveError(
                f"character {char!r} at column {index + 1} is not allowed; allowed: letters, "
                "digits, spaces and + - * / ^ ( ) . , _"
            )
    stripped = text.strip()
    if not stripped:
        raise ObjectiveError("empty formula; write for example x**2 or x**2 + y**2")
    offset = len(text) - len(text.lstrip())
    source_parts: list[str] = []
    columns: list[int] = []
    for index, char in enumerate(stripped):
        replacement = "**" if char == "^" else char
        source_parts.append(replacement)
        columns.extend([index + offset] * len(replacement))
    columns.append(len(stripped) + offset)
    source = "".join(source_parts)
    try:
        with warnings.catch_warnings():
            # "1or x" parses with a SyntaxWarning; treat it as the syntax error it is.
            warnings.simplefilter("error", SyntaxWarning)
            tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        reason = error.msg or "invalid syntax"
        where = ""
        if error.offset and error.offset > 0:
            where = f" at column {columns[min(error.offset - 1, len(columns) - 1)] + 1}"
        raise ObjectiveError(f"syntax error{where} in {_shorten(stripped)!r}: {reason}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ObjectiveError(f"cannot read the formula {_shorten(stripped)!r}") from None

    builder = _Builder(text, stripped, columns, symbols)
    try:
        built = builder.build(tree)
    except ObjectiveError:
        raise
    except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError) as error:
        raise ObjectiveError(
            f"cannot build {_shorten(stripped)!r}: {type(error).__name__}"
        ) from None

    if symbols is None:
        order = [name for name in _AUTO_VARIABLES if name in builder.used]
        if len(order) > MAX_VARIABLES:
            raise ObjectiveError(
                f"formula uses {len(order)} variables ({', '.join(order)}); "
                f"at most {MAX_VARIABLES} are allowed"
            )
        chosen = tuple(sympy.Symbol(name, real=True) for name in order)
    else:
        chosen = tuple(symbols.values())
    expr = built.expr
    if not chosen or not (expr.free_symbols & set(chosen)):
        raise ObjectiveError(
            f"formula {_shorten(stripped)!r} does not depend on any variable; "
            "use x (1D), x and y (2D) or x, y and z (3D)"
        )
    return Objective(expr=expr, variables=chosen, text=stripped)


# --------------------------------------------------------------------------------------------
# Catalog
# --------------------------------------------------------------------------------------------


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
            f"unknown objective {_shorten(str(name))!r}; known: {', '.join(_CATALOG)}"
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
