r"""A custom video described in a TOML file: an optional title card, scenes in order, output
settings, and slide rules.

Everything here is checked before anything is rendered; a problem raises
:class:`~gdanim.app.config.limits.ConfigError` with one line that names the file, the scene and
the field. Limits: a file of at most :data:`~gdanim.app.config.limits.MAX_FILE_BYTES` bytes
with at most :data:`~gdanim.app.config.limits.MAX_SCENES` scenes, values nested at most
:data:`~gdanim.app.config.limits.MAX_NESTING` deep and numbers of at most
:data:`~gdanim.app.config.limits.MAX_DIGITS` digits. A file may start with a UTF-8 byte-order
mark.

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
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gdanim.app.config.limits import (
    FORMATS,
    MAX_DIGITS,
    MAX_FILE_BYTES,
    MAX_NESTING,
    MAX_SCENES,
    MAX_TITLE,
    QUALITY_NAMES,
    ConfigError,
    check_keys,
    check_text,
    did_you_mean,
)
from gdanim.app.config.scene import ScenePlan, SceneSpec

__all__ = ["OutputSettings", "VideoSpec", "read_toml"]

_OUTPUT_KEYS = ("file", "quality", "format", "publish", "poster", "sections")
_TOP_KEYS = ("title", "output", "slides", "scene")



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
        check_keys(table, _OUTPUT_KEYS, f"{where}[output]: ")
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
    gdanim.app.config.limits.ConfigError: unknown key 'scenes' (did you mean 'scene'?); ...
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
            check_text(self.title, f"{where}title", MAX_TITLE)
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
        check_keys(data, _TOP_KEYS, where)
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
        data = read_toml(p, f"a video file describes at most {MAX_SCENES} scenes in a few "
                            "kilobytes")
        return cls.from_dict(data, source=p.resolve())

    def to_file(self, path: str | Path) -> Path:
        """Write the video as TOML (what :meth:`from_file` reads back)."""
        p = Path(path)
        p.write_text(_toml(self.to_dict()), encoding="utf-8")
        return p


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]


def read_toml(p: Path, what: str) -> dict[str, Any]:
    """The TOML file ``p`` as a table, read within gdanim's limits (at most
    :data:`MAX_FILE_BYTES` bytes, UTF-8 with an optional byte-order mark, nesting and number
    sizes that Python's parser handles); anything else raises :class:`ConfigError` in one line
    (``what`` says what such a file holds, for the line about a file that is too large)."""
    too_big = f"{p.name}: larger than {MAX_FILE_BYTES:,} bytes; {what}"
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
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p.name}: not valid TOML: {exc}") from None
    except (RecursionError, ValueError) as exc:  # limits of Python's own parser
        raise ConfigError(f"{p.name}: not readable as TOML: {_one_line(str(exc))}") from None


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
