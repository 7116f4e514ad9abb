r"""Typed descriptions of custom videos, read from the command line or from a TOML file.

A *video* is a sequence of *scenes*; each scene is a descent (plain gradient descent at one or
more learning rates) or a race (several optimizers from one start) on a function that is either
a catalog name or a typed formula. Everything here is checked before anything is rendered: the
formula is parsed (never evaluated as Python), the optimizers are built, the start is checked
against the function's dimension and the view, the step count against :data:`MAX_STEPS`. A
problem raises :class:`ConfigError` with one line that names the field and says what is allowed.

Limits: a start within ±:data:`MAX_COORD`; a view, given or computed, within ±:data:`MAX_COORD`
and spanning from :data:`MIN_SPAN` to :data:`MAX_SPAN` along each axis; a TOML file of at most
:data:`MAX_FILE_BYTES` bytes with at most :data:`MAX_SCENES` scenes, values nested at most
:data:`MAX_NESTING` deep and numbers of at most :data:`MAX_DIGITS` digits. A file may start
with a UTF-8 byte-order mark.

A TOML file looks like this (``examples/valley_race.toml`` is a complete one)::

    title = "Down the long valley"          # optional title card

    [output]                                # optional; the command line overrides it
    file = "valley_race.mp4"                # relative to the TOML file's folder
    quality = "h"                           # l, m, h, p or k
    format = "mp4"                          # mp4, webm, gif or png
    publish = false
    poster = true
    sections = false

    [slides]                                # optional, for gdanim slides
    loop = ["Title"]                        # sections (names, or numbers from 1) that loop
    once = []                               # sections that play once and hold

    [[scene]]
    type = "race"                           # or "descend"
    function = "x**2/20 + y**2"             # or a catalog name such as "long_valley"
    start = [-7, 2]
    steps = 100
    optimizers = ["sgd:lr=0.95", "adam:lr=0.3,betas=0.9/0.99"]
    view = [-10, 10, -5, 5]                 # optional
    title = "SGD against Adam"              # optional
    captions = ["A long, narrow valley."]   # optional subtitles
    3d = false                              # optional: draw the surface in 3D

    [[scene]]
    type = "descend"
    function = "x*cos(0.15*pi*x)"
    start = 15
    lr = [0.1, 3]
    steps = 10

Examples
--------
>>> spec = SceneSpec(kind="race", function="long_valley", start=(-7.0, 2.0), steps=100,
...                  optimizers=("sgd:lr=0.95", "adam:lr=0.3,betas=0.9/0.99"))
>>> plan = spec.resolve()
>>> plan.scene_class, plan.view
('CustomRace', (-10.0, 10.0, -5.0, 5.0))
>>> SceneSpec(kind="race", function="long_valley", start=(1.0,), steps=10,
...           optimizers=("sgd",)).resolve()  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gdanim.config.ConfigError: --start: 1 number given, but f(x, y) = x^2/20 + y^2 needs 2 (x, y), ...
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from gdanim import objectives, optimizers
from gdanim._typing import FloatArray
from gdanim.objectives import Objective, ObjectiveError
from gdanim.optimizers import Optimizer, OptimizerSpecError
from gdanim.trajectory import descend

__all__ = [
    "FORMATS",
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
    "OutputSettings",
    "ScenePlan",
    "SceneSpec",
    "VideoSpec",
    "check_output_path",
    "default_view",
    "did_you_mean",
    "format_for",
    "parse_numbers",
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

Kind = Literal["descend", "race"]
#: How a field is called in messages: ``"cli"`` (``--start``) or ``"toml"`` (``scene 2: start``).
Style = Literal["cli", "toml"]

_CLI_NAMES = {
    "function": "--function",
    "start": "--start",
    "steps": "--steps",
    "lr": "--lr",
    "optimizers": "--optimizer",
    "view": "--view",
    "title": "--title",
    "captions": "captions",
    "3d": "--3d",
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


def _num(v: float) -> str:
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
    gdanim.config.ConfigError: --start: 'a' is not a number; write numbers separated by commas, ...
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


# --------------------------------------------------------------------------------------------
# Scenes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenePlan:
    """A checked scene: what to render and the parameters the scene class reads.

    Attributes
    ----------
    spec
        The scene as given.
    objective
        The resolved function.
    optimizers
        One optimizer per path (plain SGD at each learning rate for a descent).
    view
        The view box: ``(xmin, xmax)`` or ``(xmin, xmax, ymin, ymax)``, given or computed.
    scene_class
        ``CustomDescent1D``, ``CustomDescent2D``, ``CustomRace`` or ``CustomRace3D``.
    """

    spec: SceneSpec
    objective: Objective
    optimizers: tuple[Optimizer, ...]
    view: tuple[float, ...]
    scene_class: str

    def params(self) -> dict[str, object]:
        """The JSON the scene reads (through the ``GDANIM_SCENE_PARAMS`` file).

        Every value is plain data: the function as text, optimizers as spec strings.
        """
        s = self.spec
        return {
            "kind": s.kind,
            "function": s.function.strip(),
            "start": [float(v) for v in s.start],
            "steps": int(s.steps),
            "lrs": [float(v) for v in s.lrs],
            "optimizers": [opt.spec for opt in self.optimizers],
            "view": [float(v) for v in self.view],
            "title": s.title or "",
            "captions": list(s.captions),
        }


@dataclass(frozen=True)
class SceneSpec:
    """One scene of a custom video, as typed.

    Parameters
    ----------
    kind
        ``"descend"``: plain gradient descent at each of ``lrs``; ``"race"``: ``optimizers``.
    function
        A catalog name (``saddle``) or a formula (``x**2/20 + y**2``).
    start
        The start point, one number per variable.
    steps
        Number of steps, 1 to :data:`MAX_STEPS`.
    lrs
        Learning rates (descend only).
    optimizers
        Optimizer specs such as ``adam:lr=0.1,betas=0.9/0.99`` (race only).
    view
        ``(xmin, xmax)`` or ``(xmin, xmax, ymin, ymax)``; ``None`` chooses one.
    title
        The scene's title; ``None`` for the default.
    captions
        Subtitles shown one after the other over the scene.
    three_d
        Draw a 2D function as a surface in 3D.
    """

    kind: Kind
    function: str
    start: tuple[float, ...]
    steps: int
    lrs: tuple[float, ...] = ()
    optimizers: tuple[str, ...] = ()
    view: tuple[float, ...] | None = None
    title: str | None = None
    captions: tuple[str, ...] = ()
    three_d: bool = False

    # -- checking -------------------------------------------------------------------------------

    def resolve(self, *, style: Style = "cli", where: str = "") -> ScenePlan:
        """Check everything and compute the view; raise :class:`ConfigError` on bad input.

        Parameters
        ----------
        style
            How fields are named in messages: ``--start`` (``"cli"``) or ``start``
            (``"toml"``).
        where
            Prefix for messages, e.g. ``"video.toml: scene 2: "``.
        """

        def name(key: str) -> str:
            return where + (_CLI_NAMES[key] if style == "cli" else key)

        def fail(key: str, text: str) -> ConfigError:
            return ConfigError(f"{name(key)}: {text}")

        if self.kind not in ("descend", "race"):
            raise ConfigError(f"{where}type: {self.kind!r} is not allowed; use descend or race")
        f = _resolve_function(self.function, name("function"))
        dims = (1, 2) if self.kind == "descend" else (2,)
        sig = _signature(f)
        if f.dim not in dims:
            if self.kind == "race":
                hint = " (for a function of x alone use descend)" if f.dim == 1 else ""
                raise fail("function", f"{sig} has {f.dim} variable{'s' if f.dim > 1 else ''}; "
                                       f"a race needs a function of two variables{hint}")
            raise fail("function", f"{sig} has {f.dim} variables; gdanim draws functions of "
                                   "one variable (x) or two (x and y)")

        # steps
        steps = self.steps
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) \
                or not 1 <= int(steps) <= MAX_STEPS:
            raise fail("steps", f"{_shown(steps)} is not allowed; give a whole number from 1 "
                                f"to {MAX_STEPS}")

        # start
        start = np.asarray(self.start, dtype=np.float64).ravel()
        example = ",".join(["-7", "2"][: f.dim]) if f.dim > 1 else "4"
        if start.size != f.dim:
            flag = "--start " if style == "cli" else "start = "
            got = f"{start.size} number{'s' if start.size != 1 else ''}"
            raise fail("start", f"{got} given, but {sig} = {f.text} needs {f.dim} "
                                f"({', '.join(f.variable_names)}), e.g. {flag}"
                                + (example if style == "cli" else f"[{example}]"))
        if not np.all(np.isfinite(start)):
            raise fail("start", "numbers must be finite")
        if np.any(np.abs(start) > MAX_COORD):
            far = float(start[np.argmax(np.abs(start))])
            raise fail("start", f"{_num(far)} is too far out; each coordinate must lie within "
                                f"±{MAX_COORD:,.0f}")
        with np.errstate(all="ignore"):
            v0 = float(np.asarray(f.value(start)))
            g0 = np.asarray(f.grad(start), dtype=np.float64)
        if not (math.isfinite(v0) and np.all(np.isfinite(g0))):
            raise fail("start", f"{sig} = {f.text} is not defined at {_point(start)}; choose a "
                                "start where f and its gradient are finite")

        # optimizers
        opts: list[Optimizer] = []
        if self.kind == "descend":
            if self.optimizers:
                raise fail("optimizers", "a descend scene takes learning rates (lr), not "
                                         "optimizers; use a race for optimizers")
            if not self.lrs:
                raise fail("lr", "give at least one learning rate, e.g. 0.1")
            if len(self.lrs) > MAX_LRS:
                raise fail("lr", f"{len(self.lrs)} learning rates given; at most {MAX_LRS} "
                                 "fit in one scene")
            for lr in self.lrs:
                if isinstance(lr, bool) or not isinstance(lr, int | float) \
                        or not math.isfinite(lr) or lr <= 0:
                    shown = _num(float(lr)) if isinstance(lr, int | float) else repr(lr)
                    raise fail("lr", f"{shown} is not allowed; a learning rate is a positive "
                                     "number such as 0.1")
                opts.append(optimizers.sgd(lr=float(lr)))
        else:
            if self.lrs:
                raise fail("lr", "a race takes optimizers, not learning rates; give "
                                 "e.g. sgd:lr=0.1")
            if not self.optimizers:
                raise fail("optimizers", "give at least one optimizer, e.g. sgd:lr=0.1 or "
                                         "adam:lr=0.1,betas=0.9/0.99")
            if len(self.optimizers) > MAX_OPTIMIZERS:
                raise fail("optimizers", f"{len(self.optimizers)} optimizers given; at most "
                                         f"{MAX_OPTIMIZERS} fit in one race")
            for text in self.optimizers:
                if not isinstance(text, str):
                    raise fail("optimizers", f"{text!r} is not an optimizer spec; write e.g. "
                                             "sgd:lr=0.1")
                try:
                    opts.append(optimizers.from_spec(text))
                except OptimizerSpecError as exc:
                    raise fail("optimizers", str(exc)) from None

        # 3D
        if self.three_d and f.dim != 2:
            raise fail("3d", f"a surface needs a function of x and y; {sig} is 1D")

        # title and captions
        if self.title is not None:
            _check_text(self.title, name("title"), MAX_TITLE)
        if len(self.captions) > MAX_CAPTIONS:
            raise fail("captions", f"{len(self.captions)} captions given; at most "
                                   f"{MAX_CAPTIONS} per scene")
        for text in self.captions:
            _check_text(text, name("captions"), MAX_CAPTION)

        # view
        if self.view is not None:
            view = _check_view(self.view, f, start, name("view"), style)
        else:
            view = _limit_view(default_view(f, start, opts, int(steps)), start)

        if f.dim == 1:
            scene = "CustomDescent1D"
        elif self.three_d:
            scene = "CustomRace3D"
        else:
            scene = "CustomDescent2D" if self.kind == "descend" else "CustomRace"
        return ScenePlan(
            spec=replace(self, steps=int(steps), start=tuple(float(v) for v in start)),
            objective=f,
            optimizers=tuple(opts),
            view=view,
            scene_class=scene,
        )

    # -- TOML ----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """The scene as a TOML table (keys as in the file)."""
        out: dict[str, object] = {"type": self.kind, "function": self.function}
        out["start"] = list(self.start) if len(self.start) != 1 else self.start[0]
        out["steps"] = self.steps
        if self.kind == "descend":
            out["lr"] = list(self.lrs) if len(self.lrs) != 1 else self.lrs[0]
        else:
            out["optimizers"] = list(self.optimizers)
        if self.view is not None:
            out["view"] = list(self.view)
        if self.title is not None:
            out["title"] = self.title
        if self.captions:
            out["captions"] = list(self.captions)
        if self.three_d:
            out["3d"] = True
        return out

    @classmethod
    def from_dict(cls, table: Mapping[str, Any], where: str = "") -> SceneSpec:
        """Read a ``[[scene]]`` table; unknown or missing keys raise :class:`ConfigError`."""
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where.rstrip(': ')}: must be a table with keys "
                              f"{', '.join(_SCENE_KEYS)}")
        _check_keys(table, _SCENE_KEYS, where)
        kind = table.get("type")
        if kind is None:
            raise ConfigError(f"{where}missing key 'type'; give type = \"race\" or "
                              "type = \"descend\"")
        if kind not in ("descend", "race"):
            hint = did_you_mean(str(kind), ["descend", "race"])
            raise ConfigError(f"{where}type: {kind!r} is not allowed{hint}; "
                              "use \"descend\" or \"race\"")
        needed = ["function", "start", "steps", "lr" if kind == "descend" else "optimizers"]
        for key in needed:
            if key not in table:
                raise ConfigError(f"{where}missing key {key!r}; {_SCENE_KEY_HELP[key]}")
        function = table["function"]
        if not isinstance(function, str):
            raise ConfigError(f"{where}function: must be text, e.g. \"x**2/20 + y**2\"")
        start = _numbers(table["start"], f"{where}start", "[-7, 2]")
        steps = table["steps"]
        if isinstance(steps, bool) or not isinstance(steps, int):
            raise ConfigError(f"{where}steps: {_shown(steps)} is not allowed; give a whole "
                              f"number from 1 to {MAX_STEPS}")
        lrs = _numbers(table["lr"], f"{where}lr", "[0.1, 0.5]") if "lr" in table else ()
        opts: tuple[str, ...] = ()
        if "optimizers" in table:
            raw = table["optimizers"]
            if isinstance(raw, str):
                raw = [raw]
            if not isinstance(raw, list) or not all(isinstance(o, str) for o in raw):
                raise ConfigError(f"{where}optimizers: must be a list of specs, e.g. "
                                  "[\"sgd:lr=0.1\", \"adam:lr=0.1\"]")
            opts = tuple(raw)
        view = _numbers(table["view"], f"{where}view", "[-10, 10, -5, 5]") \
            if "view" in table else None
        title = table.get("title")
        if title is not None and not isinstance(title, str):
            raise ConfigError(f"{where}title: must be text")
        captions = table.get("captions", [])
        if isinstance(captions, str):
            captions = [captions]
        if not isinstance(captions, list) or not all(isinstance(c, str) for c in captions):
            raise ConfigError(f"{where}captions: must be a list of texts")
        three_d = table.get("3d", False)
        if not isinstance(three_d, bool):
            raise ConfigError(f"{where}3d: must be true or false")
        return cls(kind=kind, function=function, start=start, steps=steps, lrs=lrs,
                   optimizers=opts, view=view, title=title, captions=tuple(captions),
                   three_d=three_d)


_SCENE_KEYS = ("type", "function", "start", "steps", "lr", "optimizers", "view", "title",
               "captions", "3d")
_SCENE_KEY_HELP = {
    "function": "give a catalog name or a formula, e.g. function = \"x**2/20 + y**2\"",
    "start": "give the start point, e.g. start = [-7, 2] (or start = 4 in 1D)",
    "steps": f"give the number of steps, 1 to {MAX_STEPS}, e.g. steps = 100",
    "lr": "a descend scene needs learning rates, e.g. lr = [0.1, 0.5]",
    "optimizers": "a race needs optimizers, e.g. optimizers = [\"sgd:lr=0.1\", \"adam:lr=0.1\"]",
}
_OUTPUT_KEYS = ("file", "quality", "format", "publish", "poster", "sections")
_TOP_KEYS = ("title", "output", "slides", "scene")


def _check_keys(table: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(
                f"{where}unknown key {key!r}{did_you_mean(str(key), allowed)}; allowed keys: "
                f"{', '.join(allowed)}"
            )


def _shown(value: object, limit: int = 40) -> str:
    """``repr(value)``, cut short when long (a huge integer gives its number of digits).

    Examples
    --------
    >>> _shown(10**400)
    'an integer of 401 digits'
    >>> _shown("x" * 100)[-12:]
    '... (102 chars)'
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        return f"an integer of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}... ({len(text)} chars)"


def _numbers(value: object, name: str, example: str) -> tuple[float, ...]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | float):
            key = name.split(": ")[-1]
            raise ConfigError(f"{name}: {_shown(item)} is not a number; write e.g. "
                              f"{key} = {example}")
        try:
            number = float(item)
        except OverflowError:
            raise ConfigError(f"{name}: {_shown(item)} is too large; numbers must be finite "
                              "(at most about 1.8e308, and far less for most fields)") from None
        if not math.isfinite(number):
            raise ConfigError(f"{name}: numbers must be finite")
        out.append(number)
    if not out:
        raise ConfigError(f"{name}: empty; write e.g. {name.split(': ')[-1]} = {example}")
    return tuple(out)


def _check_text(text: object, name: str, limit: int) -> None:
    if not isinstance(text, str):
        raise ConfigError(f"{name}: must be text")
    if not text.strip():
        raise ConfigError(f"{name}: empty; give some words or leave it out")
    if len(text) > limit:
        raise ConfigError(f"{name}: {len(text)} characters; at most {limit} are allowed")
    if any(not ch.isprintable() for ch in text):
        raise ConfigError(f"{name}: one line of printable characters only (no line breaks "
                          "or control characters)")


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_\- ]*")


def _resolve_function(text: object, name: str) -> Objective:
    if not isinstance(text, str):
        raise ConfigError(f"{name}: must be text, a catalog name or a formula")
    try:
        return objectives.resolve(text)
    except ObjectiveError as exc:
        stripped = text.strip()
        if _IDENTIFIER.fullmatch(stripped) and "unknown name" in str(exc):
            catalog = objectives.names()
            raise ConfigError(
                f"{name}: unknown function {stripped!r}"
                f"{did_you_mean(stripped.replace('-', '_').replace(' ', '_'), catalog)}; give a "
                f"catalog name ({', '.join(catalog)}) or a formula in x and y such as "
                "x**2/20 + y**2"
            ) from None
        raise ConfigError(f"{name}: {exc}") from None


def _signature(f: Objective) -> str:
    return f"f({', '.join(f.variable_names)})"


def _point(p: FloatArray) -> str:
    return "(" + ", ".join(_num(float(v)) for v in p) + ")"


def _check_view(
    view: Sequence[float], f: Objective, start: FloatArray, name: str, style: Style
) -> tuple[float, ...]:
    v = tuple(float(x) for x in view)
    want = 2 * f.dim
    shape = "XMIN,XMAX" if f.dim == 1 else "XMIN,XMAX,YMIN,YMAX"
    if len(v) != want:
        raise ConfigError(f"{name}: {len(v)} numbers given; {_signature(f)} needs {want} "
                          f"({shape})")
    if not all(math.isfinite(x) for x in v):
        raise ConfigError(f"{name}: numbers must be finite")
    for i, axis in enumerate(f.variable_names):
        lo, hi = v[2 * i], v[2 * i + 1]
        if not lo < hi:
            raise ConfigError(f"{name}: {axis} runs from {_num(lo)} to {_num(hi)}; the minimum "
                              "must be below the maximum")
        if max(abs(lo), abs(hi)) > MAX_COORD:
            raise ConfigError(f"{name}: {axis} runs from {_num(lo)} to {_num(hi)}; a view must "
                              f"lie within ±{MAX_COORD:,.0f}")
        if hi - lo > MAX_SPAN:
            raise ConfigError(f"{name}: {axis} spans {_num(hi - lo)}; at most {MAX_SPAN:,.0f} "
                              "is allowed")
        least = _min_span(lo, hi)
        if hi - lo < least:
            raise ConfigError(f"{name}: {axis} spans only {_num(hi - lo)}; a view must span at "
                              f"least {_num(least)} along each axis")
        if not lo <= start[i] <= hi:
            box = " x ".join(f"[{_num(v[2 * k])}, {_num(v[2 * k + 1])}]" for k in range(f.dim))
            raise ConfigError(
                f"{name}: the start {_point(start)} lies outside the view {box}; widen the view "
                "so that it contains the start"
            )
    return v


def _min_span(lo: float, hi: float) -> float:
    """The narrowest span allowed for an axis from ``lo`` to ``hi`` (see :data:`MIN_SPAN`)."""
    return max(MIN_SPAN, 1e-6 * max(abs(lo), abs(hi)))


def _limit_view(view: Sequence[float], start: FloatArray) -> tuple[float, ...]:
    """A computed view held to the limits of a typed one, still containing ``start``.

    Each axis is cut to ±:data:`MAX_COORD`, then, if still wider than :data:`MAX_SPAN`, to a
    window of that width around the start.

    Examples
    --------
    >>> _limit_view((-1.5e6, 1.5e6), np.array([9e5]))
    (0.0, 1000000.0)
    >>> _limit_view((-4.0, 4.0, -2.0, 2.0), np.array([3.0, 1.0]))
    (-4.0, 4.0, -2.0, 2.0)
    """
    out: list[float] = []
    for i in range(len(view) // 2):
        lo = max(float(view[2 * i]), -MAX_COORD)
        hi = min(float(view[2 * i + 1]), MAX_COORD)
        if hi - lo > MAX_SPAN:
            s = float(start[i])
            lo = max(lo, s - MAX_SPAN / 2)
            hi = lo + MAX_SPAN
            if hi > MAX_COORD:
                hi, lo = MAX_COORD, MAX_COORD - MAX_SPAN
        out += [lo, hi]
    return tuple(out)


# --------------------------------------------------------------------------------------------
# The default view
# --------------------------------------------------------------------------------------------

_VIEW_PROBE_STEPS = 2000


def _nice_step(span: float) -> float:
    raw = span / 8.0
    mag = 10.0 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= m * mag * (1 + 1e-9):
            return m * mag
    return 10.0 * mag


def _round_out(lo: float, hi: float) -> tuple[float, float]:
    step = _nice_step(hi - lo)
    return (math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step)


def default_view(
    objective: Objective,
    start: Sequence[float] | FloatArray,
    opts: Sequence[Optimizer],
    steps: int,
) -> tuple[float, ...]:
    """A view that holds the start and the paths, unless a path runs away.

    The catalog view is used when it holds the start; otherwise a box about the origin that
    holds the start with some room (at most 2.5 times longer than wide). Each
    optimizer is run (at most 2000 steps, without a bound) and the view grows to hold the
    visited points, up to three times its first size per axis; a run that goes further than
    that does not widen the view at all: it leaves the view, and the scene marks where it
    diverged.

    Returns
    -------
    tuple of float
        ``(xmin, xmax)`` or ``(xmin, xmax, ymin, ymax)`` on round numbers.

    Examples
    --------
    >>> from gdanim import objectives, optimizers
    >>> f = objectives.get("long_valley")
    >>> default_view(f, [-7.0, 2.0], [optimizers.sgd(lr=0.1)], 100)
    (-10.0, 10.0, -5.0, 5.0)
    >>> default_view(objectives.parse("x**2"), [3.0], [optimizers.sgd(lr=0.1)], 10)
    (-4.0, 4.0)
    """
    p0 = np.asarray(start, dtype=np.float64).ravel()
    d = objective.dim
    base: np.ndarray | None = None
    if objective.view is not None and len(objective.view) == 2 * d:
        cat = np.asarray(objective.view, dtype=np.float64).reshape(d, 2)
        if np.all((p0 >= cat[:, 0]) & (p0 <= cat[:, 1])):
            base = cat
    symmetric = base is None
    if base is None:
        # a box around the origin and the start, as wide as the start is far out along each
        # axis, but never more than 2.5 times longer than it is wide
        top = max(float(np.max(np.abs(p0))) * 1.25, 1.0)
        half = np.maximum(np.abs(p0) * 1.25, 0.4 * top)
        base = np.stack([-half, half], axis=1)
    centre = base.mean(axis=1)
    half_span = (base[:, 1] - base[:, 0]) / 2
    limit = np.stack([centre - 3 * half_span, centre + 3 * half_span], axis=1)

    visited = [p0[None, :]]
    probe = min(int(steps), _VIEW_PROBE_STEPS)
    for opt in opts:
        run = descend(objective, opt, p0, probe)
        end = run.points.shape[0] if run.stopped_at is None else int(run.stopped_at)
        pts = run.points[:end]
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        inside = np.all((pts >= limit[:, 0]) & (pts <= limit[:, 1]), axis=1)
        # a run that goes beyond the limit diverges: the view is not stretched for it, so the
        # others stay readable and it is seen leaving the view
        if inside.all():
            visited.append(pts)
    allpts = np.vstack(visited)
    lo = np.minimum(base[:, 0], allpts.min(axis=0))
    hi = np.maximum(base[:, 1], allpts.max(axis=0))
    grown = (lo < base[:, 0]) | (hi > base[:, 1])
    out: list[float] = []
    for i in range(d):
        a, b = float(lo[i]), float(hi[i])
        if grown[i]:
            pad = 0.08 * (b - a)
            a, b = a - pad if lo[i] < base[i, 0] else a, b + pad if hi[i] > base[i, 1] else b
        if symmetric:
            m = max(abs(a), abs(b))
            a, b = -m, m
        if grown[i] or symmetric:
            a, b = _round_out(a, b)
        out += [a, b]
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Output settings and the whole video
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutputSettings:
    """Output settings from a file's ``[output]`` table; ``None`` means "not set"."""

    file: str | None = None
    quality: str | None = None
    format: str | None = None
    publish: bool | None = None
    poster: bool | None = None
    sections: bool | None = None

    def to_dict(self) -> dict[str, object]:
        """The settings that are set, as a TOML table."""
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, table: Mapping[str, Any], where: str = "") -> OutputSettings:
        """Read an ``[output]`` table."""
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}output: must be a table ([output])")
        _check_keys(table, _OUTPUT_KEYS, f"{where}[output]: ")
        values: dict[str, Any] = {}
        for key in ("file", "quality", "format"):
            if key in table:
                if not isinstance(table[key], str):
                    raise ConfigError(f"{where}[output]: {key}: must be text")
                values[key] = table[key]
        if "quality" in values and values["quality"] not in QUALITY_NAMES:
            raise ConfigError(f"{where}[output]: quality: {values['quality']!r} is not allowed; "
                              f"use one of {', '.join(QUALITY_NAMES)}")
        if "format" in values and values["format"] not in FORMATS:
            raise ConfigError(
                f"{where}[output]: format: {values['format']!r} is not allowed"
                f"{did_you_mean(values['format'], list(FORMATS))}; use one of "
                f"{', '.join(FORMATS)}"
            )
        for key in ("publish", "poster", "sections"):
            if key in table:
                if not isinstance(table[key], bool):
                    raise ConfigError(f"{where}[output]: {key}: must be true or false")
                values[key] = table[key]
        return cls(**values)


@dataclass(frozen=True)
class VideoSpec:
    """A custom video: an optional title card, scenes in order and output settings.

    ``source`` is the file it was read from (output paths in it are relative to its folder).

    Examples
    --------
    >>> spec = VideoSpec.from_dict({"scene": [{"type": "descend", "function": "wavy",
    ...                                        "start": 15, "lr": [0.1, 3], "steps": 10}]})
    >>> spec.scenes[0].lrs
    (0.1, 3.0)
    >>> VideoSpec.from_dict({"scenes": []})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gdanim.config.ConfigError: unknown key 'scenes' (did you mean 'scene'?); allowed keys: ...
    """

    scenes: tuple[SceneSpec, ...]
    output: OutputSettings = field(default_factory=OutputSettings)
    title: str | None = None
    source: Path | None = None
    #: The ``[slides]`` table for ``gdanim slides`` (see :class:`gdanim.app.deck.SlideRules`).
    slides: Mapping[str, Any] = field(default_factory=dict)

    def resolve(self) -> list[ScenePlan]:
        """Check every scene (see :meth:`SceneSpec.resolve`)."""
        where = f"{self.source.name}: " if self.source is not None else ""
        if self.title is not None:
            _check_text(self.title, f"{where}title", MAX_TITLE)
        return [
            s.resolve(style="toml", where=f"{where}scene {i}: ")
            for i, s in enumerate(self.scenes, start=1)
        ]

    def output_path(self) -> Path | None:
        """``[output] file`` relative to the file's folder, or ``None``."""
        if self.output.file is None:
            return None
        path = Path(self.output.file).expanduser()
        if not path.is_absolute() and self.source is not None:
            path = self.source.parent / path
        return path

    # -- dictionaries and files -----------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """The video as nested dictionaries in the file's layout."""
        out: dict[str, object] = {}
        if self.title is not None:
            out["title"] = self.title
        settings = self.output.to_dict()
        if settings:
            out["output"] = settings
        if self.slides:
            out["slides"] = dict(self.slides)
        out["scene"] = [s.to_dict() for s in self.scenes]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: Path | None = None) -> VideoSpec:
        """Read the layout of :meth:`to_dict`; bad keys or values raise :class:`ConfigError`."""
        where = f"{source.name}: " if source is not None else ""
        _check_keys(data, _TOP_KEYS, where)
        raw = data.get("scene")
        if raw is None:
            raise ConfigError(f"{where}missing key 'scene'; describe each scene in a "
                              "[[scene]] table")
        if not isinstance(raw, list) or not raw:
            raise ConfigError(f"{where}scene: give one [[scene]] table per scene")
        if len(raw) > MAX_SCENES:
            raise ConfigError(f"{where}scene: {len(raw)} scenes given; at most {MAX_SCENES} fit "
                              "in one video (split it into several files)")
        scenes = tuple(
            SceneSpec.from_dict(t, f"{where}scene {i}: ") for i, t in enumerate(raw, start=1)
        )
        output = OutputSettings.from_dict(data.get("output", {}), where)
        title = data.get("title")
        if title is not None and not isinstance(title, str):
            raise ConfigError(f"{where}title: must be text")
        slides = data.get("slides", {})
        from gdanim.app.deck import DeckError, SlideRules

        try:
            SlideRules.from_dict(slides, where)
        except DeckError as exc:
            raise ConfigError(str(exc)) from None
        return cls(scenes=scenes, output=output, title=title, source=source, slides=slides)

    @classmethod
    def from_file(cls, path: str | Path) -> VideoSpec:
        """Read a TOML file; a missing file, bad TOML or bad content raise :class:`ConfigError`."""
        p = Path(path).expanduser()
        too_big = (f"{p.name}: larger than {MAX_FILE_BYTES:,} bytes; a video file describes "
                   f"at most {MAX_SCENES} scenes in a few kilobytes")
        try:
            if p.is_file() and p.stat().st_size > MAX_FILE_BYTES:
                raise ConfigError(too_big)
            with p.open("rb") as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            raise ConfigError(f"{p}: no such file") from None
        except IsADirectoryError:
            raise ConfigError(f"{p}: is a folder; give a .toml file") from None
        except OSError as exc:
            raise ConfigError(f"{p}: cannot read it ({exc.strerror})") from None
        if len(raw) > MAX_FILE_BYTES:
            raise ConfigError(too_big)
        try:
            text = raw.decode("utf-8-sig")  # a byte-order mark at the start is fine
        except UnicodeDecodeError:
            raise ConfigError(f"{p.name}: not a text file in UTF-8") from None
        hazard = _toml_hazard(text)
        if hazard is not None:
            raise ConfigError(f"{p.name}: {hazard}")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p.name}: not valid TOML: {exc}") from None
        except (RecursionError, ValueError) as exc:  # limits of Python's own parser
            raise ConfigError(f"{p.name}: not readable as TOML: {_one_line(str(exc))}") from None
        return cls.from_dict(data, source=p.resolve())

    def to_file(self, path: str | Path) -> Path:
        """Write the video as TOML (what :meth:`from_file` reads back)."""
        p = Path(path)
        p.write_text(_toml(self.to_dict()), encoding="utf-8")
        return p


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]


_NUMBER_START = re.compile(r"[+-]?[0-9]")
_NUMBER = re.compile(r"[+-]?[0-9A-Za-z_.:+-]*")


def _toml_hazard(text: str) -> str | None:
    """What in a TOML text would exceed the limits of Python's parser, or ``None``.

    Arrays and inline tables nested deeper than :data:`MAX_NESTING` (Python's parser recurses
    once per level and fails with ``RecursionError`` at a few hundred), and numbers of more
    than :data:`MAX_DIGITS` digits (Python refuses to read integers of more than 4300). The
    answer names the line and the key, e.g. ``line 7: start: arrays or inline tables nested
    17 deep; at most 16 levels are allowed``. Strings and comments are skipped; anything else
    is left to the parser.

    Examples
    --------
    >>> _toml_hazard("start = " + "[" * 20 + "1" + "]" * 20)
    'line 1: start: arrays or inline tables nested 17 deep; at most 16 levels are allowed'
    >>> _toml_hazard('title = "[[[[[[[[[[[[[[[[[[[["') is None
    True
    >>> _toml_hazard("[[scene]]\\nsteps = " + "9" * 5000)
    'line 2: steps: a number of 5000 digits; at most 1000 are allowed'
    """
    depth = 0
    key = ""
    line = 1
    line_start = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
            line_start = i
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c in "\"'":
            triple = text.startswith(c * 3, i)
            quote = c * 3 if triple else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if c == '"' and text[j] == "\\":
                    j += 1
                elif text[j] == "\n":
                    if not triple:
                        break
                    line += 1
                j += 1
            i = j + len(quote)
            continue
        if depth == 0 and c == "[" and not text[line_start:i].strip():
            end = text.find("\n", i)
            header = text[i : n if end < 0 else end].split("#")[0]
            key = header.strip().strip("[]").strip()
            i = n if end < 0 else end
            continue
        if c in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return (f"line {line}: {key}: arrays or inline tables nested {depth} deep; at "
                        f"most {MAX_NESTING} levels are allowed")
        elif c in "]}":
            depth = max(depth - 1, 0)
        elif c == "=" and depth == 0:
            start = max(text.rfind(sep, 0, i) for sep in ("\n", "{", ","))
            key = text[start + 1 : i].strip().strip("\"'") or key
        elif _NUMBER_START.match(text, i) and not (text[i - 1 : i].isalnum() if i else False):
            m = _NUMBER.match(text, i)
            token = m.group(0) if m else c
            digits = sum(ch.isdigit() for ch in token)
            if digits > MAX_DIGITS:
                return (f"line {line}: {key}: a number of {digits} digits; at most "
                        f"{MAX_DIGITS} are allowed")
            i += max(len(token), 1)
            continue
        i += 1
    return None


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("nan" if math.isnan(value) else
                                                          ("inf" if value > 0 else "-inf"))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml(data: Mapping[str, object]) -> str:
    lines: list[str] = []
    tables: list[tuple[str, Mapping[str, object]]] = []
    arrays: list[tuple[str, list[Mapping[str, object]]]] = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            tables.append((key, value))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            arrays.append((key, value))
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, table in tables:
        lines += ["", f"[{_toml_key(key)}]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
    for key, items in arrays:
        for item in items:
            lines += ["", f"[[{_toml_key(key)}]]"]
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in item.items()]
    return "\n".join(lines).lstrip("\n") + "\n"


# --------------------------------------------------------------------------------------------
# Output paths
# --------------------------------------------------------------------------------------------


def format_for(path: Path | None, fmt: str | None, name: str = "-o/--output") -> str:
    """The output format: ``fmt`` if given, else the one the suffix of ``path`` names.

    Examples
    --------
    >>> format_for(Path("a.webm"), None)
    'webm'
    >>> format_for(None, None)
    'mp4'
    >>> format_for(Path("a.mp4"), "gif")
    Traceback (most recent call last):
    ...
    gdanim.config.ConfigError: -o/--output: a.mp4 must end in .gif for --format gif
    """
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"--format: {fmt!r} is not allowed; use one of {', '.join(FORMATS)}")
    if path is None:
        return fmt or "mp4"
    suffix = path.suffix.lower()
    if fmt is None:
        for key, ext in FORMATS.items():
            if suffix == ext:
                return key
        raise ConfigError(f"{name}: {path.name} must end in one of "
                          f"{', '.join(FORMATS.values())}")
    if suffix != FORMATS[fmt]:
        raise ConfigError(f"{name}: {path.name} must end in {FORMATS[fmt]} for --format {fmt}")
    return fmt


def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists():
        if p.parent == p:
            break
        p = p.parent
    return p


def check_output_path(path: Path, name: str = "-o/--output") -> Path:
    """Check that ``path`` can be written, without writing anything; return it absolute.

    The folder may not exist yet (it is made when the video is written), but the nearest
    existing folder above it must be a writable folder, and ``path`` itself must not be a
    folder.
    """
    p = Path(os.path.abspath(path.expanduser()))
    if p.is_dir():
        raise ConfigError(f"{name}: {p} is a folder; give a file name such as {p / 'video.mp4'}")
    parent = p.parent
    existing = _nearest_existing(parent)
    if not existing.is_dir():
        raise ConfigError(f"{name}: cannot write {p}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(f"{name}: cannot write {p}: folder {existing} is not writable")
    try:  # an unnamed probe file: leaves nothing behind, catches read-only file systems
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise ConfigError(f"{name}: cannot write {p}: {exc.strerror or exc}") from None
    if p.exists() and not os.access(p, os.W_OK):
        raise ConfigError(f"{name}: cannot replace {p}: the file is read-only")
    return p

