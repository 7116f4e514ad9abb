r"""Spoken forms: mathematics, numbers and captions written to be heard.

A narrated video says what its captions show, but a caption is written to be read: it holds
symbols (``η``, ``x²``, ``∇f``, ``≈``), formulas and numbers printed with a fixed number of
decimals. A voice reading them as they are spells out characters or says nothing at all. This
module turns each of them into words:

- :func:`speak_expr` reads a sympy expression, in the order in which :func:`sympy.latex` prints
  it, so the voice follows the formula on screen (``x**2/20 + y**2`` is "x squared over twenty
  plus y squared");
- :func:`speak_number` reads a number or a number as printed (``"0.050"`` is "zero point zero
  five", ``"1e-5"`` "ten to the minus five", ``"1.23e+08"`` "one point two three times ten to
  the eight"); trailing zeros of a fixed-decimal display are not read;
- :func:`spoken` turns a caption into the text a voice reads: symbols, Greek letters, primes,
  superscripts, simple formulas and numbers become words; the prose is left as it is;
- :func:`split_sentences` and :func:`caption_chunks` cut a caption into the pieces that are
  shown one at a time (one sentence, or a clause of a long one);
- :func:`reading_time` is the time a caption is shown when nothing is spoken.

Everything here is plain text processing over sympy objects; nothing is evaluated.

Examples
--------
>>> import sympy
>>> x, y = sympy.symbols("x y")
>>> speak_expr(x**2 / 20 + y**2)
'x squared over twenty plus y squared'
>>> speak_number(0.05), speak_number(1e-5), speak_number("2.5e-3")
('zero point zero five', 'ten to the minus five', 'two point five times ten to the minus three')
>>> spoken("With η = 0.100, x ← x − η·f'(x).")
'With eta equals zero point one, x becomes x minus eta times f prime of x.'
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sympy

__all__ = [
    "GREEK",
    "READING_RATE",
    "caption_chunks",
    "ordinal",
    "reading_time",
    "speak_expr",
    "speak_integer",
    "speak_number",
    "speak_symbol",
    "split_sentences",
    "spoken",
]

#: Characters per second at which a caption is read when no voice speaks it.
READING_RATE = 15.0

#: Greek letters (Unicode and the names sympy gives symbols) and how they are said.
GREEK: Mapping[str, str] = MappingProxyType(
    {
        "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
        "ζ": "zeta", "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda",
        "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau",
        "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "gamma",
        "Δ": "delta", "Θ": "theta", "Λ": "lambda", "Σ": "sigma", "Φ": "phi", "Ψ": "psi",
        "Ω": "omega",
    }
)
_GREEK_NAMES = frozenset(GREEK.values())

# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ("", "thousand", "million", "billion", "trillion", "quadrillion")
_DIGITS = _ONES[:10]


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words += [_ONES[hundreds], "hundred"]
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(_TENS[tens] + (f"-{_ONES[ones]}" if ones else ""))
    elif rest or not words:
        words.append(_ONES[rest])
    return words


def speak_integer(n: int) -> str:
    """An integer in words (American style: no "and").

    Integers of 10**18 and more are read digit by digit.

    Examples
    --------
    >>> speak_integer(0), speak_integer(137), speak_integer(-42)
    ('zero', 'one hundred thirty-seven', 'minus forty-two')
    >>> speak_integer(1_000_000), speak_integer(2_305)
    ('one million', 'two thousand three hundred five')
    """
    n = int(n)
    if n < 0:
        return "minus " + speak_integer(-n)
    if n == 0:
        return "zero"
    if n >= 1000 ** len(_SCALES):
        return " ".join(_DIGITS[int(d)] for d in str(n))
    words: list[str] = []
    for power in range(len(_SCALES) - 1, -1, -1):
        group, n = divmod(n, 1000**power)
        if group:
            words += _below_thousand(group)
            if _SCALES[power]:
                words.append(_SCALES[power])
    return " ".join(words)


_ORDINAL_ENDINGS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
    "nine": "ninth", "twelve": "twelfth",
}


def ordinal(n: int) -> str:
    """An integer as an ordinal word ("fourth", "twenty-first", "one hundredth").

    Examples
    --------
    >>> ordinal(4), ordinal(21), ordinal(100), ordinal(12)
    ('fourth', 'twenty-first', 'one hundredth', 'twelfth')
    """
    words = speak_integer(n)
    head, sep, last = words.rpartition(" ")
    stem, dash, tail = last.rpartition("-")
    if tail in _ORDINAL_ENDINGS:
        tail = _ORDINAL_ENDINGS[tail]
    elif tail.endswith("y"):
        tail = tail[:-1] + "ieth"
    else:
        tail += "th"
    return head + sep + stem + dash + tail


_NUMBER = re.compile(
    r"(?P<sign>[-+\u2212]?)(?P<int>\d+(?:,\d{3})*)(?:\.(?P<frac>\d+))?"
    r"(?:[eE](?P<exp>[-+\u2212]?\d+))?"
)


def _power_of_ten(exponent: int) -> str:
    if exponent == 1:
        return "ten"
    return "ten to the " + speak_integer(exponent)


def speak_number(value: float | int | str) -> str:
    """A number in words, from its value or from the way it is printed.

    A string keeps the digits as shown (``"0.950"`` and ``0.95`` are both "zero point nine
    five": trailing zeros of a fixed-decimal display are not read); a float is read from its
    shortest representation. Scientific notation is read as a power of ten.

    Raises
    ------
    ValueError
        If ``value`` is a string that is not a number.

    Examples
    --------
    >>> speak_number(0.952), speak_number("-0.500"), speak_number("4.000")
    ('zero point nine five two', 'minus zero point five', 'four')
    >>> speak_number("1.23e+08"), speak_number(1e-05)
    ('one point two three times ten to the eight', 'ten to the minus five')
    >>> speak_number(1_234_567)
    'one million two hundred thirty-four thousand five hundred sixty-seven'
    >>> speak_number(float("nan")), speak_number("-inf")
    ('not a number', 'minus infinity')
    """
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int):
        return speak_integer(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "not a number"
        if math.isinf(value):
            return "infinity" if value > 0 else "minus infinity"
        text = repr(value)
    else:
        text = str(value).strip()
    low = text.lower().lstrip("+")
    if low in ("nan",):
        return "not a number"
    if low in ("inf", "infinity", "\u221e"):
        return "infinity"
    if low in ("-inf", "-infinity", "\u2212inf", "-\u221e", "\u2212\u221e"):
        return "minus infinity"
    m = _NUMBER.fullmatch(text)
    if m is None:
        raise ValueError(f"not a number: {text!r}")
    sign = "minus " if m["sign"] in ("-", "\u2212") else ""
    whole = int(m["int"].replace(",", ""))
    frac = (m["frac"] or "").rstrip("0")
    exponent = int(m["exp"].replace("\u2212", "-")) if m["exp"] else 0
    if exponent and whole == 1 and not frac:
        return sign + _power_of_ten(exponent)
    if exponent and whole == 0 and not frac:
        return sign + "zero"
    words = speak_integer(whole)
    if frac:
        words += " point " + " ".join(_DIGITS[int(d)] for d in frac)
    if exponent:
        words += " times " + _power_of_ten(exponent)
    if sign and words == "zero":
        sign = ""
    return sign + words


# --------------------------------------------------------------------------------------------
# Expressions
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Captions
# --------------------------------------------------------------------------------------------

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789--")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_ABBREVIATIONS = (
    (re.compile(r"\be\.\s?g\.", re.IGNORECASE), "for example"),
    (re.compile(r"\bi\.\s?e\.", re.IGNORECASE), "that is"),
    (re.compile(r"\bvs\.?(?=\s)", re.IGNORECASE), "versus"),
    (re.compile(r"\bapprox\.", re.IGNORECASE), "about"),
)
_TOKEN = re.compile(
    r"(?P<num>\d+(?:,\d{3})+(?![\d,])(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE][-+\u2212]?\d+(?![A-Za-z]))?)"
    r"|(?P<word>[A-Za-z]+(?:'[a-z]+)?)"
    r"|(?P<greek>[\u0370-\u03ff])"
    r"|(?P<space>\s+)"
    r"|(?P<prime>['\u2032]+)"
    r"|(?P<op><=|>=|<-|->|[-+\u2212*\u00b7\u22c5\u00d7/^=\u2248\u2260<>\u2264\u2265\u2190\u2192"
    r"\u00b1\u2207\u2202\u221a\u221e%\u2211])"
    r"|(?P<open>[(\[])|(?P<close>[)\]])"
    r"|(?P<punct>[,.;:!?\u2014\u2013\u2026])"
    r"|(?P<other>.)",
    re.DOTALL,
)
#: How operators are said where they are not handled by their neighbours.
_OPERATOR_WORDS = {
    "+": "plus", "=": "equals", "\u2248": "is about", "\u2260": "is not equal to",
    "<": "is less than", ">": "is greater than", "<=": "is at most", "\u2264": "is at most",
    ">=": "is at least", "\u2265": "is at least", "<-": "becomes", "\u2190": "becomes",
    "->": "goes to", "\u2192": "goes to", "\u00b1": "plus or minus", "\u2202": "partial",
    "\u221e": "infinity", "%": "percent", "\u2211": "the sum of", "\u00d7": "times",
}
#: Letters read as a function when brackets follow them at once: ``f(x)`` is "f of x".
_FUNCTION_LETTERS = frozenset("fghFGHLJ") | {"cost", "loss"}
_VARIABLE_RUN = re.compile(r"[xyz]{2,3}")


@dataclass
class _Tok:
    kind: str
    text: str


@dataclass
class _Group:
    items: list[_Tok | _Group]
    kind: str = "group"

    @property
    def text(self) -> str:
        return "(" + "".join(i.text for i in self.items) + ")"


_Item = _Tok | _Group


_GLUE_PIECES = ("pi", "sqrt", "tanh", "sinh", "cosh", "sin", "cos", "tan", "exp", "log", "ln",
                "x", "y", "z", "w")


def _unglue(word: str) -> list[str] | None:
    """Split a word printed without multiplication signs (``xcos``, ``pix``) into its pieces,
    or ``None`` if it is not made only of variables x, y, z, w, pi and function names."""
    if not word:
        return []
    for piece in _GLUE_PIECES:
        if word.startswith(piece):
            rest = _unglue(word[len(piece):])
            if rest is not None:
                return [piece, *rest]
    return None


def _tokenize(text: str) -> list[_Item]:
    for pattern, words in _ABBREVIATIONS:
        text = pattern.sub(words, text)
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+", lambda m: "^" + m[0].translate(_SUPERSCRIPTS), text)
    text = text.translate(_SUBSCRIPTS).replace("\u2033", "''")
    root: list[_Item] = []
    stack: list[list[_Item]] = [root]
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind == "open":
            group = _Group([])
            stack[-1].append(group)
            stack.append(group.items)
        elif kind == "close":
            if len(stack) > 1:
                stack.pop()
        elif kind == "word" and len(m[0]) > 2 and m[0] not in _FUNCTION_WORDS and m[0] != "pi":
            pieces = _unglue(m[0])
            stack[-1].extend(_Tok("word", p) for p in (pieces if pieces else [m[0]]))
        else:
            stack[-1].append(_Tok(kind, m[0]))
    return root


def _significant(items: list[_Item], i: int, step: int) -> tuple[_Item | None, bool, int]:
    """The nearest item before (step -1) or after (+1) ``i`` that is not a space, whether a
    space lies between, and its index."""
    spaced = False
    j = i + step
    while 0 <= j < len(items):
        item = items[j]
        if isinstance(item, _Tok) and item.kind == "space":
            spaced = True
            j += step
            continue
        return item, spaced, j
    return None, spaced, j


def _is_variable(item: _Item | None) -> bool:
    if not isinstance(item, _Tok):
        return False
    if item.kind == "greek":
        return True
    return item.kind == "word" and (len(item.text) == 1 or item.text == "pi"
                                    or bool(_VARIABLE_RUN.fullmatch(item.text)))


def _is_operand(item: _Item | None) -> bool:
    if isinstance(item, _Group):
        return True
    return isinstance(item, _Tok) and (item.kind == "num" or _is_variable(item))


def _has_math(items: list[_Item]) -> bool:
    for item in items:
        if isinstance(item, _Group):
            if _has_math(item.items):
                return True
        elif item.kind in ("op", "greek", "num") or (
            item.kind == "word" and item.text not in _FUNCTION_WORDS and len(item.text) == 1
        ):
            return True
    return False


def _is_prose(items: list[_Item]) -> bool:
    return any(
        isinstance(i, _Tok) and i.kind == "word" and len(i.text) > 2
        and i.text not in _FUNCTION_WORDS and i.text != "pi"
        and not _VARIABLE_RUN.fullmatch(i.text)
        for i in items
    )


def _arguments(group: _Group) -> str:
    """A function's arguments: ``(x, y)`` is "x and y"."""
    parts: list[list[_Item]] = [[]]
    for item in group.items:
        if isinstance(item, _Tok) and item.text == ",":
            parts.append([])
        else:
            parts[-1].append(item)
    said = [_read(p).strip() for p in parts]
    said = [s for s in said if s]
    close = _CLOSE if any(_has_operator(p) for p in parts) else ""
    if len(said) <= 1:
        return (said[0] if said else "") + close
    return ", ".join(said[:-1]) + " and " + said[-1] + close


def _applied(items: list[_Item], i: int) -> bool:
    """Whether the letter at ``i`` is applied as a function (a prime or a bracket follows)."""
    nxt = items[i + 1] if i + 1 < len(items) else None
    return isinstance(nxt, _Group) or (isinstance(nxt, _Tok) and nxt.kind == "prime")


def _has_operator(items: list[_Item]) -> bool:
    return any(isinstance(i, _Group) or i.kind == "op" for i in items)


def _exponent(items: list[_Item], j: int) -> tuple[str, int]:
    """Read the exponent after a ``^`` at ``j - 1``; returns the words and the next index."""
    nxt = items[j] if j < len(items) else None
    if isinstance(nxt, _Group):
        return f"to the power {_read(nxt.items)}{_CLOSE}", j + 1
    if isinstance(nxt, _Tok) and nxt.text in ("-", "\u2212") and j + 1 < len(items):
        after = items[j + 1]
        if isinstance(after, _Tok) and after.kind == "num":
            return "to the minus " + speak_number(after.text), j + 2
    if isinstance(nxt, _Tok) and nxt.kind == "num":
        if nxt.text == "2":
            return "squared", j + 1
        if nxt.text == "3":
            return "cubed", j + 1
        if nxt.text.isdigit():
            return "to the " + ordinal(int(nxt.text)), j + 1
        return "to the " + speak_number(nxt.text), j + 1
    if isinstance(nxt, _Tok) and nxt.kind in ("word", "greek"):
        return "to the " + _word(nxt.text), j + 1
    return "to the power", j


def _word(text: str) -> str:
    if text in GREEK:
        return GREEK[text]
    if _VARIABLE_RUN.fullmatch(text):
        return " ".join(text)
    return text


def _read(items: list[_Item]) -> str:
    out: list[str] = []
    i = 0
    n = len(items)

    def following_power(k: int) -> bool:
        return k < n and isinstance(items[k], _Tok) and items[k].text == "^"

    while i < n:
        item = items[i]
        before, spaced_before, _ = _significant(items, i, -1)
        after, spaced_after, after_at = _significant(items, i, +1)
        if isinstance(item, _Group):
            inner = _read(item.items)
            times = "times " if _is_operand(before) and not _is_prose(item.items) else ""
            if following_power(i + 1):
                words, i = _exponent(items, i + 2)
                out.append(f"{times}the quantity {inner}{_CLOSE} {words}{_CLOSE}")
                continue
            if _is_prose(item.items) or not _has_math(item.items):
                out.append(f", {inner},")
            elif _is_operand(before) and not spaced_before:
                out.append(f"times the quantity {inner}{_CLOSE}")
            else:
                out.append(inner)
            i += 1
            continue
        kind, text = item.kind, item.text
        nxt = items[i + 1] if i + 1 < n else None
        if kind == "space":
            out.append(" ")
        elif kind == "num":
            out.append(speak_number(text))
            if following_power(i + 1):
                words, i = _exponent(items, i + 2)
                out.append(" " + words)
                continue
        elif kind in ("word", "greek"):
            if (text in _SQUARED_FUNCTION and following_power(i + 1) and i + 3 < n
                    and isinstance(items[i + 3], _Group)):
                # sin^2(x): "sine squared of x"
                power, j = _exponent(items, i + 2)
                if j == i + 3:
                    group = items[j]
                    assert isinstance(group, _Group)
                    out.append(("times " if _is_operand(before) else "")
                               + f"{_SQUARED_FUNCTION[text]} {power} of {_arguments(group)}")
                    i = j + 1
                    continue
            if text in _FUNCTION_WORDS and isinstance(nxt, _Group):
                if _is_operand(before):
                    out.append("times")
                if following_power(i + 2) and text in _SQUARED_FUNCTION:
                    words, j = _exponent(items, i + 3)
                    out.append(f"{_SQUARED_FUNCTION[text]} {words} of {_arguments(nxt)}")
                    i = j
                    continue
                out.append(f"{_FUNCTION_WORDS[text]} {_arguments(nxt)}")
                i += 2
                continue
            primes = ""
            j = i + 1
            if j < n and isinstance(items[j], _Tok) and items[j].kind == "prime" and (
                len(text) == 1 or text in _FUNCTION_LETTERS
            ):
                count = len(items[j].text)
                primes = " prime" if count == 1 else " double prime" if count == 2 else " " + (
                    " ".join(["prime"] * count))
                j += 1
            target = items[j] if j < n else None
            if isinstance(target, _Group) and (primes or text in _FUNCTION_LETTERS
                                               or re.fullmatch(r"[fgh]\d", text)):
                out.append(f"{_word(text)}{primes} of {_arguments(target)}")
                i = j + 1
                continue
            if primes:
                out.append(_word(text) + primes)
                i = j
                continue
            out.append(_word(text))
            if following_power(i + 1):
                words, i = _exponent(items, i + 2)
                out.append(words)
                continue
        elif kind == "op":
            if text in ("-", "\u2212"):
                hyphen = (text == "-" and not spaced_before and not spaced_after
                          and isinstance(before, _Tok) and before.kind == "word"
                          and isinstance(after, _Tok) and after.kind == "word"
                          and len(after.text) > 1 and after.text not in _FUNCTION_WORDS)
                out.append(_HYPHEN if hyphen else "minus")
            elif text in ("*", "\u00b7", "\u22c5"):
                implicit = (
                    isinstance(before, _Tok) and isinstance(after, _Tok)
                    and before.kind in ("num", "word", "greek") and _is_variable(after)
                    and (before.kind == "num" or _is_variable(before))
                    and not _applied(items, after_at)
                )
                out.append(" " if implicit else " times ")
            elif text == "/":
                out.append(" over " if _is_operand(before) or _is_operand(after) else " slash ")
            elif text == "^":
                words, i = _exponent(items, i + 1)
                out.append(" " + words)
                continue
            elif text == "\u2207":
                lead = " times " if _is_operand(before) else " "
                target = items[i + 1] if i + 1 < n else None
                if isinstance(target, _Tok) and target.kind in ("word", "greek"):
                    args = items[i + 2] if i + 2 < n else None
                    said = f"{lead}the gradient of {_word(target.text)}"
                    if isinstance(args, _Group):
                        out.append(f"{said} at {_arguments(args)}")
                        i += 3
                        continue
                    out.append(said)
                    i += 2
                    continue
                out.append(f"{lead}the gradient")
            elif text == "\u221a":
                out.append(" the square root of ")
            else:
                out.append(f" {_OPERATOR_WORDS[text]} ")
        elif kind == "punct":
            if text == "\u2013":
                numbers = (isinstance(before, _Tok) and before.kind == "num"
                           and isinstance(after, _Tok) and after.kind == "num")
                out.append(" to " if numbers else ", ")
            elif text == "\u2014":
                out.append(", ")
            elif text == "\u2026":
                out.append("...")
            else:
                out.append(text)
        elif kind == "prime":
            pass
        elif kind == "other" and (text.isalnum() or text in "&#"):
            out.append({"&": " and ", "#": " number "}.get(text, text))
        elif kind == "other" and text in "\"\u201c\u201d\u2018\u2019":
            pass
        i += 1
    return re.sub(rf"\s*{_HYPHEN}\s*", "-", " ".join(out))


def spoken(caption: str) -> str:
    """A caption as it is said: symbols, formulas and numbers in words, prose unchanged.

    Reads Greek letters (``η`` is "eta"), superscripts and ``^`` powers ("x squared", "x to the
    fourth"), ``/`` between operands ("over"), ``·``, ``*`` and ``×`` ("times", or nothing
    between a number and a letter: "three pi x"), a true minus or a spaced ``-`` ("minus"),
    ``=`` ("equals"), ``≈`` ("is about"), ``←`` ("becomes"), ``f(x)`` ("f of x"), ``f'(x)``
    ("f prime of x"), ``∇f`` ("the gradient of f"), functions ("cosine of"), a bracket raised
    to a power ("the quantity ..., squared") and every number (:func:`speak_number`).
    Hyphenated words and apostrophes stay as they are.

    Examples
    --------
    >>> spoken("f(x, y) = x²/20 + y², a long valley.")
    'f of x and y equals x squared over twenty plus y squared, a long valley.'
    >>> spoken("A step of 2.5e-3 with κ ≈ 100: the loss falls to 1.23e+08 × less.")
    'A step of two point five times ten to the minus three with kappa is about one hundred: the loss falls to one point two three times ten to the eight times less.'
    >>> spoken("Each step: x ← x − η ∇f(x). SGD's path zig-zags until step 137.")
    "Each step: x becomes x minus eta times the gradient of f at x. SGD's path zig-zags until step one hundred thirty-seven."
    """  # noqa: E501
    return _finish(_read(_tokenize(caption)))


# --------------------------------------------------------------------------------------------
# Sentences and caption pieces
# --------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"\u201d)]?\s+(?=[\"\u201c(]?[A-Z0-9\u0370-\u03ff])")
_NO_END_BEFORE = re.compile(r"(?:\b(?:e\.g|i\.e|vs|approx|etc|Fig|cf|Dr|Mr|Ms|No)\.)$",
                            re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    """Cut a caption into sentences (at ``.``, ``!`` or ``?`` and a space, before a capital
    letter or a digit; never inside a number or after an abbreviation such as "e.g.").

    Examples
    --------
    >>> split_sentences("The rate is 0.05. After 137 steps, e.g. here, it stops! Why?")
    ['The rate is 0.05.', 'After 137 steps, e.g. here, it stops!', 'Why?']
    """
    text = " ".join(text.split())
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        piece = text[start:m.start()].strip()
        if _NO_END_BEFORE.search(piece):
            continue
        sentences.append(piece)
        start = m.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _depths(text: str) -> list[int]:
    depth, out = 0, []
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        out.append(depth)
    return out


def caption_chunks(sentence: str, max_chars: int = 84) -> list[str]:
    """Cut a sentence longer than ``max_chars`` at clause boundaries into shorter captions.

    The cut is made at a ``;``, ``:``, ``,`` or dash outside brackets, as near the middle as
    possible; without one, at the space nearest the middle. Pieces are cut again until each
    fits (84 characters is two subtitle lines of 42).

    Examples
    --------
    >>> caption_chunks("Short enough.")
    ['Short enough.']
    >>> caption_chunks("Adaptive methods scale each coordinate by its own history of "
    ...                "gradients, so they leave the saddle at once, while SGD crawls.", 72)
    ['Adaptive methods scale each coordinate by its own history of gradients,', 'so they leave the saddle at once, while SGD crawls.']
    """  # noqa: E501
    sentence = sentence.strip()
    if len(sentence) <= max_chars:
        return [sentence] if sentence else []
    depth = _depths(sentence)
    middle = len(sentence) / 2
    best: tuple[float, int] | None = None
    for m in re.finditer(r"[;:,\u2014\u2013](?=\s)", sentence):
        k = m.end()
        if depth[m.start()] or sentence[m.start() - 1: m.start()].isdigit() and \
                sentence[k + 1: k + 2].isdigit():
            continue
        weight = {";": 0.0, ":": 0.05, "\u2014": 0.05, "\u2013": 0.05}.get(m[0], 0.1)
        score = abs(k - middle) / len(sentence) + weight
        if best is None or score < best[0]:
            best = (score, k)
    if best is None:
        spaces = [m.start() for m in re.finditer(r" ", sentence) if not depth[m.start()]]
        if not spaces:
            return [sentence]
        cut = min(spaces, key=lambda k: abs(k - middle))
    else:
        cut = best[1]
    head, tail = sentence[:cut].strip(), sentence[cut:].strip()
    if not head or not tail:
        return [sentence]
    return caption_chunks(head, max_chars) + caption_chunks(tail, max_chars)


def reading_time(caption: str, rate: float = READING_RATE, minimum: float = 1.0) -> float:
    """Seconds a caption is shown when nothing is spoken: its length at ``rate`` characters a
    second, at least ``minimum``.

    Examples
    --------
    >>> reading_time("Every step of gradient descent applies one rule.")
    3.2
    """
    return round(max(len(caption.strip()) / rate, minimum), 3)

