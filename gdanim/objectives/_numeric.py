"""From sympy to numpy: compiled value, gradient and Hessian functions, and exact derivatives of
``abs`` on the real line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.str import StrPrinter

__all__ = ["after_differentiation", "compile_exprs", "for_differentiation", "text_of"]


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


def compile_exprs(
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


def for_differentiation(expr: sympy.Expr) -> sympy.Expr:
    if expr.has(sympy.Abs):
        return sympy.sympify(expr.replace(sympy.Abs, _RealAbs))
    return expr


def after_differentiation(expr: sympy.Expr) -> sympy.Expr:
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


def text_of(expr: sympy.Expr) -> str:
    """Plain text of ``expr`` in the syntax :func:`gdanim.objectives.parse` reads back."""
    return str(_TextPrinter().doprint(expr))
