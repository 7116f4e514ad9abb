"""How numbers and Greek letters are said: integers, ordinals, decimals, powers of ten."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["GREEK", "ordinal", "speak_integer", "speak_number"]

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
