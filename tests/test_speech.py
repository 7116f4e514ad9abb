"""Spoken forms: every catalog formula, the numbers the scenes print, captions with symbols."""

from __future__ import annotations

import re

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gdanim import objectives
from gdanim.speech import (
    caption_chunks,
    ordinal,
    reading_time,
    speak_expr,
    speak_integer,
    speak_number,
    speak_symbol,
    split_sentences,
    spoken,
)

#: Every catalog formula, read in the order sympy.latex prints it (what the screen shows).
CATALOG_SPOKEN = {
    "parabola": "x squared",
    "shifted_parabola": "x squared plus four x plus one",
    "wavy": "x times cosine of three pi x over twenty",
    "bowl": "x squared plus y squared",
    "long_valley": "x squared over twenty plus y squared",
    "cubic_bowl": "x squared plus x y plus y cubed plus y squared",
    "saddle": "minus x squared over two plus y squared",
    "monkey_saddle": "x cubed minus three x y squared",
    "rosenbrock": "the quantity one minus x, squared, plus one hundred times the quantity minus "
                  "x squared plus y, squared",
    "beale": "the quantity x y minus x plus three over two, squared, plus the quantity x y "
             "squared minus x plus nine over four, squared, plus the quantity x y cubed minus x "
             "plus twenty-one over eight, squared",
    "himmelblau": "the quantity x plus y squared minus seven, squared, plus the quantity x "
                  "squared plus y minus eleven, squared",
    "rastrigin": "x squared plus y squared minus ten times cosine of two pi x, minus ten times "
                 "cosine of two pi y, plus twenty",
}

#: The same formulas as the captions write them (the catalog text with powers as superscripts,
#: products as a dot or juxtaposed, a true minus sign), read in the order written.
CATALOG_CAPTIONS = {
    "parabola": ("x²", "x squared"),
    "shifted_parabola": ("x² + 4x + 1", "x squared plus four x plus one"),
    "wavy": ("x·cos(0.15·π·x)", "x times cosine of zero point one five pi x"),
    "bowl": ("x² + y²", "x squared plus y squared"),
    "long_valley": ("x²/20 + y²", "x squared over twenty plus y squared"),
    "cubic_bowl": ("x² + y² + y³ + xy", "x squared plus y squared plus y cubed plus x y"),
    "saddle": ("−x²/2 + y²", "minus x squared over two plus y squared"),
    "monkey_saddle": ("x³ − 3xy²", "x cubed minus three x y squared"),
    "rosenbrock": ("(1 − x)² + 100(y − x²)²",
                   "the quantity one minus x, squared, plus one hundred times the quantity y "
                   "minus x squared, squared"),
    "beale": ("(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
              "the quantity one point five minus x plus x y, squared, plus the quantity two "
              "point two five minus x plus x y squared, squared, plus the quantity two point "
              "six two five minus x plus x y cubed, squared"),
    "himmelblau": ("(x² + y − 11)² + (x + y² − 7)²",
                   "the quantity x squared plus y minus eleven, squared, plus the quantity x "
                   "plus y squared minus seven, squared"),
    "rastrigin": ("20 + x² − 10·cos(2·π·x) + y² − 10·cos(2·π·y)",
                  "twenty plus x squared minus ten times cosine of two pi x, plus y squared "
                  "minus ten times cosine of two pi y"),
}

#: What a voice may be handed: words, spaces and sentence punctuation, nothing else.
SAYABLE = re.compile(r"[A-Za-z ,.;:!?'\-]*")


def test_the_tables_cover_the_whole_catalog() -> None:
    assert set(CATALOG_SPOKEN) == set(objectives.names()) == set(CATALOG_CAPTIONS)


@pytest.mark.parametrize("name", objectives.names())
def test_every_catalog_formula_is_read_from_its_sympy_expression(name: str) -> None:
    said = speak_expr(objectives.get(name).expr)
    assert said == CATALOG_SPOKEN[name]
    assert SAYABLE.fullmatch(said)


@pytest.mark.parametrize("name", objectives.names())
def test_every_catalog_formula_is_read_from_its_caption(name: str) -> None:
    written, said = CATALOG_CAPTIONS[name]
    # the caption's formula is the catalog's function: same value at a test point
    text = objectives.get(name).text
    typed = objectives.parse(
        written.replace("²", "^2").replace("³", "^3").replace("−", "-").replace("·", "*")
        .replace("π", "pi").replace("xy", "x*y").replace("4x", "4*x").replace("3x", "3*x")
        .replace("100(", "100*(")
    )
    point = [0.3, -0.7][: typed.dim]
    assert float(typed.value(point)) == pytest.approx(float(objectives.parse(text).value(point)))
    assert spoken(f"f = {written}.") == f"f equals {said}."


def test_the_issue_examples() -> None:
    x, y, eta = sympy.symbols("x y eta")
    assert speak_expr(x**2 / 20 + y**2) == "x squared over twenty plus y squared"
    assert speak_expr(eta) == "eta"
    assert speak_number(0.05) == "zero point zero five"
    assert speak_number(1e-5) == "ten to the minus five"
    assert spoken("η") == "eta"


@pytest.mark.parametrize(
    ("expr", "said"),
    [
        ("exp(-x**2/2)", "e to the minus x squared over two"),
        ("log(x) + sqrt(y)", "the square root of y, plus log of x"),  # the order sympy.latex prints
        ("abs(x - 1)", "the absolute value of x minus one"),
        ("tanh(2*x)*y", "y times hyperbolic tangent of two x"),
        ("x**4 - 2*x", "x to the fourth minus two x"),
        ("x**y", "x to the y"),
        ("cos(x)**2 + sin(x)**2", "sine squared of x plus cosine squared of x"),
        ("x/(x + 1)", "x over the quantity x plus one"),
        ("1/(x*y)", "one over x y"),
        ("0.0025*x", "zero point zero zero two five x"),
        ("pi*x**2/2", "pi x squared over two"),
        ("-x", "minus x"),
    ],
)
def test_functions_powers_fractions_and_signs(expr: str, said: str) -> None:
    assert speak_expr(objectives.parse(expr).expr) == said


def test_symbols_greek_and_indexed() -> None:
    assert [speak_symbol(s) for s in ("eta", "η", "kappa", "x1", "x_2", "theta3")] == [
        "eta", "eta", "kappa", "x one", "x two", "theta three"]
    f = objectives.parse("x1**2 + 3*x2", ["x1", "x2"])
    assert speak_expr(f.expr) == "x one squared plus three x two"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (0, "zero"),
        (7, "seven"),
        (13, "thirteen"),
        (40, "forty"),
        (137, "one hundred thirty-seven"),
        (500, "five hundred"),
        (1000, "one thousand"),
        (2024, "two thousand twenty-four"),
        (100_000, "one hundred thousand"),
        (1_000_001, "one million one"),
        (-42, "minus forty-two"),
        (3_000_000_000, "three billion"),
    ],
)
def test_integers(value: int, said: str) -> None:
    assert speak_integer(value) == said
    assert speak_number(value) == said
    assert speak_number(str(value)) == said


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (0.05, "zero point zero five"),
        (1e-5, "ten to the minus five"),
        ("1e-5", "ten to the minus five"),
        ("1e-3", "ten to the minus three"),
        ("2.5e-3", "two point five times ten to the minus three"),
        (2.5e-7, "two point five times ten to the minus seven"),
        (0.952, "zero point nine five two"),
        (-0.5, "minus zero point five"),
        ("−1.25", "minus one point two five"),
        (1e16, "ten to the sixteen"),
        (123456789.0, "one hundred twenty-three million four hundred fifty-six thousand seven "
                      "hundred eighty-nine"),
        ("1,000", "one thousand"),
        ("1.23e+08", "one point two three times ten to the eight"),
        ("4.000", "four"),
        ("0.100", "zero point one"),
        ("-0.000", "zero"),
        (float("inf"), "infinity"),
        ("nan", "not a number"),
    ],
)
def test_numbers(value: float | str, said: str) -> None:
    assert speak_number(value) == said


@pytest.mark.parametrize("bad", ["1.2.3", "x", "", "--1", True])
def test_not_a_number_is_an_error(bad: object) -> None:
    with pytest.raises(ValueError, match="not a number"):
        speak_number(bad)  # type: ignore[arg-type]


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 5, 8, 9, 12, 20, 21, 100, 103)] == [
        "first", "second", "third", "fourth", "fifth", "eighth", "ninth", "twelfth",
        "twentieth", "twenty-first", "one hundredth", "one hundred third"]


@pytest.mark.parametrize(
    ("caption", "said"),
    [
        ("Each step moves against the gradient: x ← x − η ∇f(x), straight downhill.",
         "Each step moves against the gradient: x becomes x minus eta times the gradient of f "
         "at x, straight downhill."),
        ("Gradient descent on f(x) = x^2 + 4 x + 1 from x = 2.000, learning rate 0.700: "
         "each arrow is one step, x minus eta times f'(x).",
         "Gradient descent on f of x equals x squared plus four x plus one from x equals two, "
         "learning rate zero point seven: each arrow is one step, x minus eta times f prime of "
         "x."),
        ("Adam with learning rate η = 0.1.", "Adam with learning rate eta equals zero point one."),
        ("to the minimum by 1 − η·2 = 0.8.",
         "to the minimum by one minus eta times two equals zero point eight."),
        ("With κ ≈ 20 (the condition number), 1,000 samples and 95% of them.",
         "With kappa is about twenty, the condition number, one thousand samples and "
         "ninety-five percent of them."),
        ("The step 1e-3 vs. 2.5e-3, e.g. in 3D.",
         "The step ten to the minus three versus two point five times ten to the minus three, "
         "for example in three D."),
        ("f''(x) = 2 and √2 ≈ 1.414, sin²(x) + x₁ × 3.",
         "f double prime of x equals two and the square root of two is about one point four "
         "one four, sine squared of x plus x one times three."),
        ("Nesterov's mini-batch steps, 10–20 of them; torch's rule.",
         "Nesterov's mini-batch steps, ten to twenty of them; torch's rule."),
        ("A saddle: f(x, y) = −x²/2 + y²; at (0, 0) the gradient vanishes.",
         "A saddle: f of x and y equals minus x squared over two plus y squared; at zero, zero "
         "the gradient vanishes."),
        ("Typed as x**2/20 + y**2 in Python.",
         "Typed as x squared over twenty plus y squared in Python."),
        ("The loss ends at 1.23e+08 × 2 = 2.46e+08 → ∞.",
         "The loss ends at one point two three times ten to the eight times two equals two "
         "point four six times ten to the eight goes to infinity."),
    ],
)
def test_captions_are_turned_into_what_is_said(caption: str, said: str) -> None:
    assert spoken(caption) == said


def test_prose_is_left_alone() -> None:
    text = "Torch's conventions: epsilon outside the square root, and Nesterov's step uses it."
    assert spoken(text) == text


_CAPTION_ALPHABET = st.sampled_from(
    list("xyzfabc 0123456789.,;:()^+-−*·×/=≈←∇'²³ηκπ√%") + ["cos", "sin", "pi", "e", "the "]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_CAPTION_ALPHABET, max_size=40).map("".join))
def test_any_caption_gives_only_words_and_punctuation(caption: str) -> None:
    said = spoken(caption)
    assert SAYABLE.fullmatch(said), (caption, said)
    assert "  " not in said and not said.startswith(" ")


def test_sentences_are_split_outside_numbers_and_abbreviations() -> None:
    text = ("The rate is 0.05. After 137 steps, e.g. here, it stops! Why? "
            "Because x = 4. 3D views follow.")
    assert split_sentences(text) == [
        "The rate is 0.05.", "After 137 steps, e.g. here, it stops!", "Why?",
        "Because x = 4.", "3D views follow."]
    assert split_sentences("  ") == []


def test_long_sentences_are_cut_at_clauses_into_short_captions() -> None:
    sentence = ("Colour shows the height of f(x, y) = x² + y² + y³ + xy; the lines are "
                "contours, where f stays constant, and the arrows point downhill.")
    chunks = caption_chunks(sentence, 60)
    assert " ".join(chunks) == sentence
    assert all(len(c) <= 60 for c in chunks)
    assert chunks[0].endswith(";")
    # never inside brackets
    assert all(c.count("(") == c.count(")") for c in chunks)
    assert caption_chunks("word " * 3) == ["word word word"]


def test_reading_time_is_fifteen_characters_a_second() -> None:
    assert reading_time("x" * 45) == 3.0
    assert reading_time("Hi.") == 1.0
