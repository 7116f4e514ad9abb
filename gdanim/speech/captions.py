"""Captions turned into the text a voice reads: symbols, primes, superscripts, simple formulas
and numbers become words, prose stays as it is."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gdanim.speech.expressions import _CLOSE, _FUNCTION_WORDS, _HYPHEN, _SQUARED_FUNCTION, _finish
from gdanim.speech.words import GREEK, ordinal, speak_number

__all__ = ["spoken"]

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
    text = text.translate(_SUBSCRIPTS).replace("\u2033", "''").replace("**", "^")
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
