"""The :class:`Objective`: a sympy expression with its exact gradient and Hessian, compiled once."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from gdanim._typing import ArrayLike, FloatArray
from gdanim.objectives._numeric import (
    after_differentiation,
    compile_exprs,
    for_differentiation,
    text_of,
)
from gdanim.objectives.limits import MAX_VARIABLES, ObjectiveError

__all__ = ["Objective"]


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
        >>> from gdanim.objectives import parse
        >>> parse("x*cos(0.15*pi*x)").latex
        'x \\cos{\\left(\\frac{3 \\pi x}{20} \\right)}'
        """
        return str(sympy.latex(self.expr))

    @functools.cached_property
    def _grad_work(self) -> tuple[sympy.Expr, ...]:
        work = for_differentiation(self.expr)
        return tuple(sympy.diff(work, v) for v in self.variables)

    @functools.cached_property
    def grad_exprs(self) -> tuple[sympy.Expr, ...]:
        r"""The partial derivatives :math:`\partial f / \partial x_i` as sympy expressions.

        Examples
        --------
        >>> from gdanim.objectives import parse
        >>> parse("x**2 + x*y").grad_exprs
        (2*x + y, x)
        """
        return tuple(after_differentiation(g) for g in self._grad_work)

    @functools.cached_property
    def hessian_exprs(self) -> tuple[tuple[sympy.Expr, ...], ...]:
        r"""The second partial derivatives :math:`\partial^2 f / \partial x_i \partial x_j`.

        Examples
        --------
        >>> from gdanim.objectives import parse
        >>> parse("x**2*y").hessian_exprs
        ((2*y, 2*x), (2*x, 0))
        """
        rows = []
        for gi in self._grad_work:
            rows.append(tuple(after_differentiation(sympy.diff(gi, v)) for v in self.variables))
        return tuple(rows)

    @functools.cached_property
    def grad_latex(self) -> str:
        r"""LaTeX of the gradient: :math:`f'(x)` in 1D, a ``pmatrix`` of partials otherwise.

        Examples
        --------
        >>> from gdanim.objectives import parse
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
        >>> from gdanim.objectives import parse
        >>> parse("(1-x)^2 + 100*(y-x^2)^2").display_text
        '(1 - x)**2 + 100*(-x**2 + y)**2'
        """
        return text_of(self.expr)

    # -- numerics ------------------------------------------------------------------------------

    @functools.cached_property
    def _value_fn(self) -> Callable[..., list[Any]]:
        return compile_exprs(self.variables, [self.expr])

    @functools.cached_property
    def _grad_fn(self) -> Callable[..., list[Any]]:
        return compile_exprs(self.variables, list(self.grad_exprs))

    @functools.cached_property
    def _hessian_fn(self) -> Callable[..., list[Any]]:
        upper = [self.hessian_exprs[i][j] for i in range(self.dim) for j in range(i, self.dim)]
        return compile_exprs(self.variables, upper)

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
        >>> from gdanim.objectives import parse
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
        >>> from gdanim.objectives import parse
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
        >>> from gdanim.objectives import parse
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
