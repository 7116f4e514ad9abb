"""Limits of what a custom video may ask for, the error every check raises, and the small
readers the checks share.

A problem raises :class:`ConfigError` with one line that names the field and says what is
allowed; the command line prints it and exits with status 2.

Examples
--------
>>> check_rate(0.1, "--lr")
0.1
>>> check_rate(0, "--lr")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gdanim.app.config.limits.ConfigError: --lr: 0 is not allowed; a learning rate is a positive ...
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from gdanim._typing import FloatArray
from gdanim.objectives import Objective

__all__ = [
    "FORMATS",
    "MAX_CAPTION",
    "MAX_CAPTIONS",
    "MAX_COORD",
    "MAX_DIGITS",
    "MAX_FILE_BYTES",
    "MAX_LRS",
    "MAX_NESTING",
    "MAX_OPTIMIZERS",
    "MAX_SCENES",
    "MAX_SPAN",
    "MAX_STEPS",
    "MAX_TITLE",
    "MIN_SPAN",
    "QUALITY_NAMES",
    "ConfigError",
    "Kind",
    "Style",
    "check_keys",
    "check_rate",
    "check_text",
    "did_you_mean",
    "num_text",
    "parse_numbers",
    "point_text",
    "shown",
    "signature",
    "table_numbers",
]

#: The largest step count a scene accepts.
MAX_STEPS = 100_000
#: Learning rates one descent scene shows side by side (1D) or on one map (2D).
MAX_LRS = 4
#: Optimizers one race shows (one colour and one marker shape each).
MAX_OPTIMIZERS = 8
#: Longest title, in characters.
MAX_TITLE = 80
#: Longest caption, and the most captions per scene.
MAX_CAPTION = 200
MAX_CAPTIONS = 20
#: The largest coordinate of a start or a view, in absolute value.
MAX_COORD = 1e6
#: The widest a view may be along one axis.
MAX_SPAN = 1e6
#: The narrowest a view may be along one axis (and at least ``1e-6`` of its largest
#: coordinate): narrower, float64 cannot tell its points apart well enough to draw them.
MIN_SPAN = 1e-3
#: The most scenes one video file may hold.
MAX_SCENES = 200
#: The largest video file read, in bytes.
MAX_FILE_BYTES = 1_000_000
#: How deep arrays and inline tables may nest in a video file.
MAX_NESTING = 16
#: The most digits a number in a video file may have.
MAX_DIGITS = 1000
#: Output formats and their file suffixes.
FORMATS: dict[str, str] = {"mp4": ".mp4", "webm": ".webm", "gif": ".gif", "png": ".png"}
#: manim's quality letters.
QUALITY_NAMES: tuple[str, ...] = ("l", "m", "h", "p", "k")

#: The kinds of custom scene.
Kind = Literal["descend", "race"]
#: How a field is called in messages: ``"cli"`` (``--start``) or ``"toml"`` (``scene 2: start``).
Style = Literal["cli", "toml"]

#: The command-line names of a scene's fields (in messages of ``style="cli"``).
CLI_NAMES = {
    "function": "--function",
    "start": "--start",
    "steps": "--steps",
    "lr": "--lr",
    "optimizers": "--optimizer",
    "view": "--view",
    "title": "--title",
    "captions": "captions",
    "3d": "--3d",
    "schedule": "--schedule",
    "tune": "--tune",
    "tune_target": "--tune-target",
}


class ConfigError(ValueError):
    """Bad input for a video: one line naming the field and saying what is allowed."""


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``choices``, or ``""``.

    Examples
    --------
    >>> did_you_mean("optimiser", ["optimizers", "function"])
    " (did you mean 'optimizers'?)"
    >>> did_you_mean("zzz", ["optimizers"])
    ''
    """
    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def num_text(v: float) -> str:
    """A number as a user would type it back: ``-7``, ``0.5``, ``1e-05``."""
    return f"{v:g}"


def parse_numbers(text: str, name: str, *, example: str) -> tuple[float, ...]:
    """Comma-separated finite numbers, e.g. ``"-7,2"``; :class:`ConfigError` names ``name``.

    Examples
    --------
    >>> parse_numbers("-7, 2", "--start", example="-7,2")
    (-7.0, 2.0)
    >>> parse_numbers("1,a", "--start", example="-7,2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gdanim.app.config.limits.ConfigError: --start: 'a' is not a number; write numbers ...
    """
    pieces = [p.strip() for p in str(text).split(",")]
    values = []
    for piece in pieces:
        try:
            value = float(piece)
        except ValueError:
            raise ConfigError(
                f"{name}: {piece!r} is not a number; write numbers separated by commas, "
                f"e.g. {example}"
            ) from None
        if not math.isfinite(value):
            raise ConfigError(f"{name}: {piece} is not allowed; numbers must be finite")
        values.append(value)
    return tuple(values)


def check_rate(lr: object, name: str, what: str | None = None) -> float:
    """A learning rate a video can show: a finite number above 0; ``lr`` as a float.

    The one rule for every rate a user gives, in ``gdanim descend`` (``--lr``) and in
    ``gdanim race`` (an optimizer's ``lr``): at a rate of 0 nothing moves, and a negative rate
    climbs. ``what`` names the value in the message (default: the number itself).
    """
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not math.isfinite(lr) \
            or lr <= 0:
        given = what or (num_text(float(lr)) if isinstance(lr, int | float) else repr(lr))
        raise ConfigError(f"{name}: {given} is not allowed; a learning rate is a positive "
                          "number such as 0.1")
    return float(lr)


def check_keys(table: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(
                f"{where}unknown key {key!r}{did_you_mean(str(key), allowed)}; allowed keys: "
                f"{', '.join(allowed)}"
            )


def shown(value: object, limit: int = 40) -> str:
    """``repr(value)``, cut short when long (a huge integer gives its number of digits).

    Examples
    --------
    >>> shown(10**400)
    'an integer of 401 digits'
    >>> shown("x" * 100)[-12:]
    '... (102 chars)'
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        return f"an integer of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}... ({len(text)} chars)"


def table_numbers(value: object, name: str, example: str) -> tuple[float, ...]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | float):
            key = name.split(": ")[-1]
            raise ConfigError(f"{name}: {shown(item)} is not a number; write e.g. "
                              f"{key} = {example}")
        try:
            number = float(item)
        except OverflowError:
            raise ConfigError(f"{name}: {shown(item)} is too large; numbers must be finite "
                              "(at most about 1.8e308, and far less for most fields)") from None
        if not math.isfinite(number):
            raise ConfigError(f"{name}: numbers must be finite")
        out.append(number)
    if not out:
        raise ConfigError(f"{name}: empty; write e.g. {name.split(': ')[-1]} = {example}")
    return tuple(out)


def check_text(text: object, name: str, limit: int) -> None:
    if not isinstance(text, str):
        raise ConfigError(f"{name}: must be text")
    if not text.strip():
        raise ConfigError(f"{name}: empty; give some words or leave it out")
    if len(text) > limit:
        raise ConfigError(f"{name}: {len(text)} characters; at most {limit} are allowed")
    if any(not ch.isprintable() for ch in text):
        raise ConfigError(f"{name}: one line of printable characters only (no line breaks "
                          "or control characters)")


def signature(f: Objective) -> str:
    return f"f({', '.join(f.variable_names)})"


def point_text(p: FloatArray) -> str:
    return "(" + ", ".join(num_text(float(v)) for v in p) + ")"

