"""Formulas read aloud: a sympy expression in the order :func:`sympy.latex` prints it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import sympy

from gdanim.speech.words import _GREEK_NAMES, GREEK, ordinal, speak_integer, speak_number

__all__ = ["speak_expr", "speak_symbol"]

#: How a function of the catalog's formulas is said, before its argument.
_FUNCTION_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "sin": "sine of", "cos": "cosine of", "tan": "tangent of", "log": "log of",
        "ln": "log of", "exp": "e to the", "sqrt": "the square root of",
        "Abs": "the absolute value of", "abs": "the absolute value of",
        "sinh": "hyperbolic sine of", "cosh": "hyperbolic cosine of",
        "tanh": "hyperbolic tangent of",
    }
)
_SQUARED_FUNCTION = {"sin": "sine", "cos": "cosine", "tan": "tangent"}


def speak_symbol(name: str) -> str:
    """A variable's name as said: Greek names as they are, digits and subscripts as numbers.

    Examples
    --------
    >>> speak_symbol("eta"), speak_symbol("x1"), speak_symbol("x_2"), speak_symbol("η")
    ('eta', 'x one', 'x two', 'eta')
    """
    if name in GREEK:
        return GREEK[name]
    m = re.fullmatch(r"([A-Za-z]+?)_?(\d+)", name)
    if m and m[1] not in _GREEK_NAMES | {"x", "y", "z", "w"} and len(m[1]) > 1:
        m = None
    if m:
        return f"{speak_symbol(m[1])} {speak_integer(int(m[2]))}"
    return " ".join(part for part in name.split("_") if part)


#: Marks the end of a group (a function's argument, a bracketed base) that the listener needs
#: to hear closed; becomes a comma unless the sentence ends there.
_CLOSE = "\u0000"
#: Joins the two halves of a hyphenated word.
_HYPHEN = "\u0001"


def _is_compound(expr: sympy.Expr) -> bool:
    """Whether ``expr`` needs "the quantity ..." when it is a base or a factor."""
    if isinstance(expr, sympy.Add):
        return True
    if isinstance(expr, sympy.Rational) and not isinstance(expr, sympy.Integer):
        return True
    if expr.is_Number and expr.is_negative:
        return True
    return isinstance(expr, sympy.Mul) and len(expr.args) > 1


def _say(expr: sympy.Expr) -> str:
    if isinstance(expr, sympy.Integer):
        return speak_integer(int(expr))
    if isinstance(expr, sympy.Rational):
        p, q = int(expr.p), int(expr.q)
        if (abs(p), q) == (1, 2):
            return ("minus " if p < 0 else "") + "one half"
        return f"{speak_integer(p)} over {speak_integer(q)}"
    if isinstance(expr, sympy.Float):
        return speak_number(float(expr))
    if expr is sympy.pi:
        return "pi"
    if expr is sympy.E:
        return "e"
    if expr is sympy.oo:
        return "infinity"
    if isinstance(expr, sympy.Symbol):
        return speak_symbol(expr.name)
    if isinstance(expr, sympy.Add):
        return _say_add(expr)
    if isinstance(expr, sympy.Mul):
        return _say_mul(expr)
    if isinstance(expr, sympy.Pow):
        return _say_pow(expr)
    if isinstance(expr, sympy.Function):
        return _say_function(expr)
    raise ValueError(f"cannot say {type(expr).__name__} {expr}")


def _say_add(expr: sympy.Add) -> str:
    words: list[str] = []
    for i, term in enumerate(expr.as_ordered_terms()):
        negative = bool(term.could_extract_minus_sign())
        body = _say(-term if negative else term)
        if i == 0:
            words.append(("minus " if negative else "") + body)
        else:
            words.append(("minus " if negative else "plus ") + body)
    return " ".join(words)


def _factor_kind(expr: sympy.Expr) -> str:
    """``number``, ``letter`` (a symbol or a power of one) or ``other`` (needs "times")."""
    if expr.is_Number or expr in (sympy.pi, sympy.E):
        return "number" if expr.is_Number else "letter"
    if isinstance(expr, sympy.Symbol):
        return "letter"
    if isinstance(expr, sympy.Pow) and isinstance(expr.base, sympy.Symbol):
        return "letter" if expr.exp.is_Integer and expr.exp > 0 else "other"
    return "other"


def _say_product(factors: list[sympy.Expr]) -> str:
    words = ""
    previous = ""
    for factor in factors:
        kind = _factor_kind(factor)
        said = _say(factor)
        if _is_compound(factor) and not isinstance(factor, sympy.Pow):
            said = f"the quantity {said}{_CLOSE}"
        if not words:
            words = said
        elif kind == "letter" and previous in ("number", "letter"):
            words += " " + said
        else:
            words += " times " + said
        previous = kind
    return words


def _say_mul(expr: sympy.Mul) -> str:
    if expr.could_extract_minus_sign():
        return "minus " + _say(-expr)
    numerator, denominator = sympy.fraction(expr)
    if denominator != 1:
        top = _say_factors(numerator)
        bottom = _say_factors(denominator)
        if isinstance(denominator, sympy.Add):
            bottom = f"the quantity {bottom}{_CLOSE}"
        return f"{top} over {bottom}"
    return _say_factors(expr)


def _say_factors(expr: sympy.Expr) -> str:
    if isinstance(expr, sympy.Mul):
        return _say_product(list(expr.as_ordered_factors()))
    return _say(expr)


def _say_exponent(exponent: sympy.Expr) -> str:
    if exponent == 2:
        return "squared"
    if exponent == 3:
        return "cubed"
    if exponent.is_Integer and exponent > 0:
        return "to the " + ordinal(int(exponent))
    if exponent.is_Integer or isinstance(exponent, sympy.Symbol):
        return "to the " + _say(exponent)
    return f"to the power {_say(exponent)}{_CLOSE}"


def _say_pow(expr: sympy.Pow) -> str:
    base, exponent = expr.base, expr.exp
    if exponent.is_Number and exponent.is_negative:
        return "one over " + _say(sympy.Pow(base, -exponent, evaluate=False))
    if exponent == sympy.Rational(1, 2):
        return f"the square root of {_say(base)}{_CLOSE}"
    if base is sympy.E:
        return _say_function(sympy.exp(exponent, evaluate=False))
    if isinstance(base, sympy.Function) and exponent in (2, 3):
        name = type(base).__name__
        if name in _SQUARED_FUNCTION:
            power = "squared" if exponent == 2 else "cubed"
            return f"{_SQUARED_FUNCTION[name]} {power} of {_argument(base.args[0])}"
    said = _say(base)
    if _is_compound(base) or isinstance(base, sympy.Function):
        return f"the quantity {said}{_CLOSE} {_say_exponent(exponent)}{_CLOSE}"
    return f"{said} {_say_exponent(exponent)}"


def _argument(arg: sympy.Expr) -> str:
    said = _say(arg)
    return said + _CLOSE if _is_compound(arg) or isinstance(arg, sympy.Pow) else said


def _say_function(expr: sympy.Function) -> str:
    name = type(expr).__name__
    words = _FUNCTION_WORDS.get(name, f"{speak_symbol(name)} of")
    return f"{words} {_argument(expr.args[0]) if expr.args else ''}".rstrip()


def _finish(text: str) -> str:
    """Turn group ends into commas where more follows, and tidy the spaces."""
    text = re.sub(rf"{_CLOSE}+(?=\s*$)", "", text)
    text = re.sub(rf"{_CLOSE}+(\s*[,.;:!?])", r"\1", text)
    text = re.sub(rf"{_CLOSE}+", ",", text)
    text = re.sub(r",(?=\S)", ", ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",(\s*,)+", ",", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def speak_expr(expr: sympy.Expr | int | float) -> str:
    """A sympy expression in words, terms and factors in the order :func:`sympy.latex` uses.

    Powers are "squared", "cubed" or "to the fourth"; fractions are "over"; a bracketed sum
    that is raised to a power or multiplied is "the quantity ..., squared"; functions are
    "cosine of ..."; a comma closes a group that more words follow.

    Examples
    --------
    >>> from gdanim import objectives
    >>> speak_expr(objectives.get("wavy").expr)
    'x times cosine of three pi x over twenty'
    >>> speak_expr(objectives.get("rosenbrock").expr)
    'the quantity one minus x, squared, plus one hundred times the quantity minus x squared plus y, squared'
    >>> x = sympy.Symbol("x")
    >>> speak_expr(sympy.exp(-x**2 / 2)), speak_expr(3 / x**7), speak_expr(sympy.sqrt(x + 1))
    ('e to the minus x squared over two', 'three over x to the seventh', 'the square root of x plus one')
    """  # noqa: E501
    return _finish(_say(sympy.sympify(expr)))
