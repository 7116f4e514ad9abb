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

Layout: :mod:`~gdanim.speech.words` (numbers and Greek letters),
:mod:`~gdanim.speech.expressions` (sympy formulas), :mod:`~gdanim.speech.captions`
(:func:`spoken`) and :mod:`~gdanim.speech.timing` (sentences, chunks, reading time).

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

from gdanim.speech.captions import spoken
from gdanim.speech.expressions import speak_expr, speak_symbol
from gdanim.speech.timing import READING_RATE, caption_chunks, reading_time, split_sentences
from gdanim.speech.words import GREEK, ordinal, speak_integer, speak_number

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
