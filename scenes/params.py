r"""The contract between the app and a scene process: typed parameters in one JSON file.

The app (:mod:`gdanim.app`) describes what a scene process is to show in one
:class:`SceneParams`, writes it once to a JSON file (:meth:`SceneParams.to_file`) and names
that file in the environment variable :data:`PARAMS_ENV`; the scene reads it once
(:meth:`SceneParams.from_env`). Nothing else crosses the boundary: no class names, paths or
environment-variable names as loose strings. This module imports no manim, so the app can
import it.

What a scene may be given:

* :class:`DescentParams` - plain gradient descent at one or more learning rates
  (``CustomDescent1D``, ``CustomDescent2D``, ``CustomRace3D``);
* :class:`RaceParams` - optimizers racing from one start (``CustomRace``, ``CustomRace3D``),
  each an :class:`OptimizerParams`: the factory name and its hyperparameters as JSON numbers
  (never a spec string read back), plus an optional learning-rate schedule;
* :class:`TitleParams` - a title card (``CustomTitle``);
* :class:`SpeechParams` - for a narrated scene: either "collect your lines" (a dry run, which
  writes the :class:`Line` objects it would say to a file) or the speech to play, line id ->
  :class:`SpeechClip` (audio file and duration), which the app synthesised in between.

A narrated scene leaves a :class:`NarrationLog` beside its video (:func:`narration_path`):
every line with its start, duration and audio, the soundtrack's source.

Examples
--------
>>> p = SceneParams(scene=RaceParams(function="long_valley", start=(-7.0, 2.0), steps=100,
...                 view=(-10.0, 10.0, -5.0, 5.0),
...                 optimizers=(OptimizerParams("adam", {"lr": 0.3, "betas": (0.9, 0.99)}),)))
>>> SceneParams.from_json(p.to_json()) == p
True
>>> opt, schedule = p.scene.optimizers[0].build(steps=100)
>>> opt.label, schedule is None
('Adam (lr=0.3, betas=0.9/0.99)', True)
>>> Line("Demo", 0, "η = 0.05.", "eta equals zero point zero five.").id
'Demo-000-edae8e57'
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from gdanim.optimizers import Optimizer
    from gdanim.schedules import Schedule

__all__ = [
    "FORMAT",
    "NARRATION_SUFFIX",
    "PARAMS_ENV",
    "CustomParams",
    "DescentParams",
    "HyperValue",
    "Line",
    "NarrationLog",
    "OptimizerParams",
    "ParamsError",
    "PathParams",
    "RaceParams",
    "SceneParams",
    "SpeechClip",
    "SpeechParams",
    "SpokenLine",
    "TitleParams",
    "line_id",
    "narration_path",
    "read_lines",
    "write_lines",
]

#: The environment variable naming the JSON file with a scene process's :class:`SceneParams`.
PARAMS_ENV = "GDANIM_SCENE_PARAMS"
#: Version of the parameters file; a file of another version is refused.
FORMAT = 1
#: What a narrated scene's log adds to its video's stem.
NARRATION_SUFFIX = ".narration.json"

#: A hyperparameter as JSON carries it: a number, a flag, or a pair of numbers (``betas``).
HyperValue = float | bool | tuple[float, ...]


class ParamsError(ValueError):
    """A parameters file that is not what the scene expects; one line saying what is wrong."""


# --------------------------------------------------------------------------------------------
# Reading plain JSON data with checks
# --------------------------------------------------------------------------------------------


def _obj(data: object, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ParamsError(f"{what}: expected an object, got {type(data).__name__}")
    return data


def _keys(data: Mapping[str, Any], what: str, required: Sequence[str],
          optional: Sequence[str] = ()) -> None:
    missing = [k for k in required if k not in data]
    if missing:
        raise ParamsError(f"{what}: missing {', '.join(missing)}")
    extra = sorted(set(data) - set(required) - set(optional))
    if extra:
        raise ParamsError(f"{what}: unknown key {extra[0]!r}")


def _float(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParamsError(f"{what}: expected a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ParamsError(f"{what}: {value!r} is not finite")
    return number


def _floats(value: object, what: str) -> tuple[float, ...]:
    if not isinstance(value, list | tuple):
        raise ParamsError(f"{what}: expected a list of numbers, got {value!r}")
    return tuple(_float(v, what) for v in value)


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamsError(f"{what}: expected a whole number, got {value!r}")
    return value


def _str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ParamsError(f"{what}: expected text, got {value!r}")
    return value


def _strs(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise ParamsError(f"{what}: expected a list of texts, got {value!r}")
    return tuple(_str(v, what) for v in value)


def _opt_str(value: object, what: str) -> str | None:
    return None if value is None else _str(value, what)


# --------------------------------------------------------------------------------------------
# Optimizers
# --------------------------------------------------------------------------------------------


def _hyper(value: object, what: str) -> HyperValue:
    if isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        return _floats(value, what)
    return _float(value, what)


@dataclass(frozen=True)
class OptimizerParams:
    """An optimizer as the app hands it to a scene: its factory name, its hyperparameters as
    numbers, and optionally a learning-rate schedule.

    Parameters
    ----------
    name
        A factory of :mod:`gdanim.optimizers` (``"sgd"``, ``"adam"``, ...).
    hyperparameters
        Keyword arguments of the factory; torch's defaults stand for the rest. Numbers travel
        as JSON numbers (``repr`` of a float reads back to the same float), so a rate is never
        formatted and parsed on its way.
    schedule
        A schedule spec for :func:`gdanim.schedules.from_spec` (``"cosine:T_max=200"``), or
        ``None`` for a constant rate.

    Examples
    --------
    >>> from gdanim import optimizers
    >>> p = OptimizerParams.of(optimizers.from_spec("momentum:lr=0.1"))
    >>> p.name, p.hyperparameters["momentum"]
    ('sgd', 0.9)
    >>> p.build(steps=10)[0] == optimizers.from_spec("momentum:lr=0.1")
    True
    """

    name: str
    hyperparameters: Mapping[str, HyperValue] = field(default_factory=dict)
    schedule: str | None = None

    @classmethod
    def of(cls, optimizer: Optimizer, schedule: Schedule | None = None) -> OptimizerParams:
        """The description of a built optimizer (and its schedule)."""
        return cls(optimizer.name, {k: _hyper(v, k) for k, v in
                                    optimizer.hyperparameters.items()},
                   None if schedule is None else schedule.spec)

    @property
    def lr(self) -> float:
        """The learning rate given (``nan`` when left at the factory's default)."""
        value = self.hyperparameters.get("lr")
        return float(value) if isinstance(value, int | float) else math.nan

    def build(self, steps: int | None = None) -> tuple[Optimizer, Schedule | None]:
        """The optimizer (:func:`gdanim.optimizers.make`) and its schedule, if any.

        ``steps`` is the run's length, which a schedule spec may need
        (see :func:`gdanim.schedules.from_spec`).
        """
        from gdanim import optimizers, schedules

        opt = optimizers.make(self.name, **dict(self.hyperparameters))
        if self.schedule is None:
            return opt, None
        return opt, schedules.from_spec(self.schedule, steps=steps)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data."""
        hp = {k: list(v) if isinstance(v, tuple) else v for k, v in self.hyperparameters.items()}
        return {"name": self.name, "hyperparameters": hp, "schedule": self.schedule}

    @classmethod
    def from_dict(cls, data: object, what: str = "optimizer") -> OptimizerParams:
        """Read :meth:`to_dict`'s output; anything else raises :class:`ParamsError`."""
        d = _obj(data, what)
        _keys(d, what, ("name", "hyperparameters"), ("schedule",))
        hp = _obj(d["hyperparameters"], f"{what}: hyperparameters")
        return cls(_str(d["name"], f"{what}: name"),
                   {str(k): _hyper(v, f"{what}: {k}") for k, v in hp.items()},
                   _opt_str(d.get("schedule"), f"{what}: schedule"))


# --------------------------------------------------------------------------------------------
# The custom scenes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PathParams:
    """What every scene of paths over a function takes.

    Parameters
    ----------
    function
        A catalog name or a formula (:func:`gdanim.objectives.resolve`, never evaluated).
    start
        The start point, one number per variable.
    steps
        Number of steps.
    view
        ``(xmin, xmax)`` or ``(xmin, xmax, ymin, ymax)``; every run is computed with
        ``bound=view``, so a run that leaves it stops there and is marked.
    title
        The scene's title; empty for the scene's own.
    captions
        Subtitles spread over the scene; empty for the scene's own narration.
    """

    function: str
    start: tuple[float, ...]
    steps: int
    view: tuple[float, ...]
    title: str = ""
    captions: tuple[str, ...] = ()

    def _base_dict(self) -> dict[str, Any]:
        return {"function": self.function, "start": list(self.start), "steps": self.steps,
                "view": list(self.view), "title": self.title, "captions": list(self.captions)}

    @staticmethod
    def _base_fields(d: Mapping[str, Any], what: str) -> dict[str, Any]:
        return {
            "function": _str(d["function"], f"{what}: function"),
            "start": _floats(d["start"], f"{what}: start"),
            "steps": _int(d["steps"], f"{what}: steps"),
            "view": _floats(d["view"], f"{what}: view"),
            "title": _str(d.get("title", ""), f"{what}: title"),
            "captions": _strs(d.get("captions", []), f"{what}: captions"),
        }

    def optimizer_params(self) -> tuple[OptimizerParams, ...]:
        """One optimizer per run."""
        raise NotImplementedError


_PATH_KEYS = ("function", "start", "steps", "view")
_PATH_OPTIONAL = ("title", "captions")


@dataclass(frozen=True, kw_only=True)
class DescentParams(PathParams):
    """Plain gradient descent (SGD without momentum) at each of ``lrs``."""

    lrs: tuple[float, ...]

    def optimizer_params(self) -> tuple[OptimizerParams, ...]:
        """Plain SGD at each learning rate."""
        return tuple(OptimizerParams("sgd", {"lr": float(lr)}) for lr in self.lrs)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {**self._base_dict(), "lrs": list(self.lrs)}

    @classmethod
    def from_dict(cls, data: object, what: str = "descent") -> DescentParams:
        """Read :meth:`to_dict`'s output."""
        d = _obj(data, what)
        _keys(d, what, (*_PATH_KEYS, "lrs"), _PATH_OPTIONAL)
        return cls(**cls._base_fields(d, what), lrs=_floats(d["lrs"], f"{what}: lrs"))


@dataclass(frozen=True, kw_only=True)
class RaceParams(PathParams):
    """Optimizers racing from one start.

    Parameters
    ----------
    optimizers
        The racers, in order.
    tuning
        How the rates were chosen, said as the race starts (for example "Each at its best
        of 48 rates from 0.0001 to 10, by final loss"); empty when the rates are as given.
    """

    optimizers: tuple[OptimizerParams, ...]
    tuning: str = ""

    def optimizer_params(self) -> tuple[OptimizerParams, ...]:
        """The racers, in order."""
        return self.optimizers

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data."""
        out = {**self._base_dict(), "optimizers": [o.to_dict() for o in self.optimizers]}
        if self.tuning:
            out["tuning"] = self.tuning
        return out

    @classmethod
    def from_dict(cls, data: object, what: str = "race") -> RaceParams:
        """Read :meth:`to_dict`'s output."""
        d = _obj(data, what)
        _keys(d, what, (*_PATH_KEYS, "optimizers"), (*_PATH_OPTIONAL, "tuning"))
        raw = d["optimizers"]
        if not isinstance(raw, list):
            raise ParamsError(f"{what}: optimizers: expected a list")
        return cls(**cls._base_fields(d, what), optimizers=tuple(
            OptimizerParams.from_dict(o, f"{what}: optimizer {i}") for i, o in enumerate(raw, 1)),
            tuning=_str(d.get("tuning", ""), f"{what}: tuning"))

    @classmethod
    def from_specs(cls, table: Mapping[str, Any]) -> RaceParams:
        """A race given as a table with optimizer spec strings (how the lecture's races are
        written: ``{"function": ..., "optimizers": ["sgd:lr=0.01", ...], ...}``)."""
        from gdanim import optimizers

        specs = [optimizers.from_spec_with_schedule(str(s), steps=int(table["steps"]))
                 for s in table["optimizers"]]
        return cls(function=str(table["function"]),
                   start=tuple(float(v) for v in table["start"]), steps=int(table["steps"]),
                   view=tuple(float(v) for v in table["view"]),
                   title=str(table.get("title", "")),
                   captions=tuple(str(c) for c in table.get("captions", [])),
                   optimizers=tuple(OptimizerParams.of(o, s) for o, s in specs))


@dataclass(frozen=True, kw_only=True)
class TitleParams:
    """A title card: the video's title and the titles of the scenes that follow."""

    title: str
    scenes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {"title": self.title, "scenes": list(self.scenes)}

    @classmethod
    def from_dict(cls, data: object, what: str = "title") -> TitleParams:
        """Read :meth:`to_dict`'s output."""
        d = _obj(data, what)
        _keys(d, what, ("title",), ("scenes",))
        return cls(title=_str(d["title"], f"{what}: title"),
                   scenes=_strs(d.get("scenes", []), f"{what}: scenes"))


#: The parameters of a custom scene.
CustomParams = DescentParams | RaceParams | TitleParams
_KINDS: dict[str, type[DescentParams] | type[RaceParams] | type[TitleParams]] = {
    "descent": DescentParams,
    "race": RaceParams,
    "title": TitleParams,
}
_KIND_OF = {cls: kind for kind, cls in _KINDS.items()}


# --------------------------------------------------------------------------------------------
# Narration: lines, the speech manifest, and what was said
# --------------------------------------------------------------------------------------------


def line_id(scene: str, index: int, text: str) -> str:
    """A line's id: the scene, the line's place in it, and 8 hex digits of a hash of its text.

    Stable across renders while the text stays the same; a changed text gets a new id, so an
    old recording is never played over new words.

    Examples
    --------
    >>> line_id("TangentSlope", 3, "The slope is two.")
    'TangentSlope-003-a21e0045'
    """
    digest = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:8]
    return f"{scene}-{index:03d}-{digest}"


@dataclass(frozen=True)
class Line:
    """One narrated line: what is shown (``caption``) and what is said (``text``)."""

    scene: str
    index: int
    caption: str
    text: str

    @property
    def id(self) -> str:
        """See :func:`line_id`."""
        return line_id(self.scene, self.index, self.text)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (with the id, for readers that only want it)."""
        return {"id": self.id, "scene": self.scene, "index": self.index,
                "caption": self.caption, "text": self.text}

    @classmethod
    def from_dict(cls, data: object) -> Line:
        """Read :meth:`to_dict`'s output."""
        d = _obj(data, "line")
        _keys(d, "line", ("scene", "index", "caption", "text"), ("id",))
        return cls(_str(d["scene"], "line: scene"), _int(d["index"], "line: index"),
                   _str(d["caption"], "line: caption"), _str(d["text"], "line: text"))


def _write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return path


def write_lines(lines: Sequence[Line], path: Path | str) -> Path:
    """Write the lines a dry run collected (what :func:`read_lines` reads)."""
    return _write_text(Path(path), json.dumps({"format": FORMAT, "lines": [
        line.to_dict() for line in lines]}, indent=1, ensure_ascii=False))


def read_lines(path: Path | str) -> list[Line]:
    """The lines :func:`write_lines` wrote."""
    try:
        data = _obj(json.loads(Path(path).read_text(encoding="utf-8")), "lines file")
    except json.JSONDecodeError as exc:
        raise ParamsError(f"lines file {path}: not JSON ({exc})") from None
    if data.get("format") != FORMAT or not isinstance(data.get("lines"), list):
        raise ParamsError(f"lines file {path}: not a list of lines of format {FORMAT}")
    return [Line.from_dict(d) for d in data["lines"]]


@dataclass(frozen=True)
class SpeechClip:
    """A line's speech as the app made it: its audio file (``None`` when nothing is spoken)
    and how long it lasts."""

    wav: str | None
    duration: float
    voice: str
    fallback: bool = False
    """``True`` when a recorded line was missing and a text-to-speech voice read it."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {"wav": self.wav, "duration": self.duration, "voice": self.voice,
                "fallback": self.fallback}

    @classmethod
    def from_dict(cls, data: object, what: str = "clip") -> SpeechClip:
        """Read :meth:`to_dict`'s output."""
        d = _obj(data, what)
        _keys(d, what, ("wav", "duration", "voice"), ("fallback",))
        fallback = d.get("fallback", False)
        if not isinstance(fallback, bool):
            raise ParamsError(f"{what}: fallback: expected true or false")
        return cls(_opt_str(d["wav"], f"{what}: wav"), _float(d["duration"], f"{what}: duration"),
                   _str(d["voice"], f"{what}: voice"), fallback)


@dataclass(frozen=True, kw_only=True)
class SpeechParams:
    """What a narrated scene is told about its speech.

    Parameters
    ----------
    collect_to
        A dry run: say nothing, and write the lines the scene would say to this file
        (:func:`write_lines`). ``None`` for a real render.
    clips
        The speech manifest: line id -> :class:`SpeechClip`, synthesised by the app from the
        lines a dry run collected. A line without a clip is an error: the scene said
        something its dry run did not.
    voice
        The app's voice settings as plain data; the scene does not read them, it writes them
        into its :class:`NarrationLog`.
    """

    collect_to: str | None = None
    clips: Mapping[str, SpeechClip] = field(default_factory=dict)
    voice: Mapping[str, str | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {"collect_to": self.collect_to,
                "clips": {k: c.to_dict() for k, c in self.clips.items()},
                "voice": dict(self.voice)}

    @classmethod
    def from_dict(cls, data: object, what: str = "speech") -> SpeechParams:
        """Read :meth:`to_dict`'s output."""
        d = _obj(data, what)
        _keys(d, what, (), ("collect_to", "clips", "voice"))
        clips = _obj(d.get("clips", {}), f"{what}: clips")
        voice = _obj(d.get("voice", {}), f"{what}: voice")
        return cls(collect_to=_opt_str(d.get("collect_to"), f"{what}: collect_to"),
                   clips={str(k): SpeechClip.from_dict(v, f"{what}: clip {k}")
                          for k, v in clips.items()},
                   voice={str(k): _opt_str(v, f"{what}: voice") for k, v in voice.items()})


@dataclass(frozen=True)
class SpokenLine:
    """One line as it was spoken in a scene: the caption is shown, and the audio plays, from
    ``start`` for ``duration`` seconds (scene time)."""

    id: str
    scene: str
    index: int
    caption: str
    text: str
    start: float
    duration: float
    wav: Path | None
    voice: str
    fallback: bool = False
    """A recorded line that was missing and was read by a text-to-speech voice instead."""

    @property
    def end(self) -> float:
        """When the line ends."""
        return self.start + self.duration

    def to_dict(self) -> dict[str, Any]:
        """The line as plain JSON data."""
        return {"id": self.id, "scene": self.scene, "index": self.index,
                "caption": self.caption, "text": self.text, "start": self.start,
                "duration": self.duration, "wav": None if self.wav is None else str(self.wav),
                "voice": self.voice, "fallback": self.fallback}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SpokenLine:
        """Read :meth:`to_dict`'s output."""
        return cls(
            id=str(data["id"]), scene=str(data["scene"]), index=int(data["index"]),
            caption=str(data["caption"]), text=str(data["text"]),
            start=float(data["start"]), duration=float(data["duration"]),
            wav=None if data["wav"] is None else Path(data["wav"]),
            voice=str(data["voice"]), fallback=bool(data.get("fallback", False)),
        )


def narration_path(video: Path | str) -> Path:
    """Where a narrated scene's log goes: beside its video, ``<stem>.narration.json``.

    Examples
    --------
    >>> narration_path("media/Demo.mp4").name
    'Demo.narration.json'
    """
    video = Path(video)
    return video.with_name(video.stem + NARRATION_SUFFIX)


@dataclass(frozen=True)
class NarrationLog:
    """Everything a narrated scene said, in order, with the voice settings it was given."""

    scene: str
    voice: Mapping[str, str | None]
    lines: tuple[SpokenLine, ...]

    def to_json(self) -> str:
        """The log as JSON (the narration file's format)."""
        return json.dumps({"format": FORMAT, "scene": self.scene, "voice": dict(self.voice),
                           "lines": [line.to_dict() for line in self.lines]}, indent=1,
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> NarrationLog:
        """Read :meth:`to_json`'s output; anything else raises :class:`ParamsError`."""
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise ParamsError(f"narration format {data.get('format')!r} is not {FORMAT}")
            voice = _obj(data["voice"], "narration: voice")
            return cls(str(data["scene"]), {str(k): _opt_str(v, "narration: voice")
                                            for k, v in voice.items()},
                       tuple(SpokenLine.from_dict(d) for d in data["lines"]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, ParamsError):
                raise
            raise ParamsError(f"not a gdanim narration file ({exc})") from None

    def to_file(self, path: Path | str) -> Path:
        """Write the log to ``path``, whole or not at all."""
        return _write_text(Path(path), self.to_json())

    @classmethod
    def from_file(cls, path: Path | str) -> NarrationLog:
        """Read a narration file."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# The whole parameters object
# --------------------------------------------------------------------------------------------

P = TypeVar("P", DescentParams, RaceParams, TitleParams)
Q = TypeVar("Q", DescentParams, RaceParams, TitleParams)


@dataclass(frozen=True, kw_only=True)
class SceneParams:
    """Everything the app tells one scene process.

    Parameters
    ----------
    scene
        A custom scene's parameters, or ``None`` (a built-in scene, or a custom scene's
        built-in example).
    speech
        For a narrated scene: collect the lines, or the speech to play; ``None`` says nothing
        aloud (each line lasts its caption's reading time).
    """

    scene: CustomParams | None = None
    speech: SpeechParams | None = None

    @overload
    def custom(self, kind: type[P], /, *, name: str = ...) -> P | None: ...

    @overload
    def custom(self, kind: type[P], other: type[Q], /, *, name: str = ...) -> P | Q | None: ...

    def custom(self, *kinds: type[Any], name: str = "the scene") -> Any:
        """The custom parameters if they are of one of ``kinds``; ``None`` when there are none.

        Raises
        ------
        ParamsError
            When the file holds parameters of another kind.
        """
        if self.scene is None:
            return None
        if not isinstance(self.scene, kinds):
            allowed = " or ".join(k.__name__ for k in kinds)
            raise ParamsError(f"{name} takes {allowed}, not {type(self.scene).__name__}")
        return self.scene

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: ``{"format": 1, "scene": {"type": ..., ...}, "speech": {...}}``."""
        scene = None if self.scene is None else {"type": _KIND_OF[type(self.scene)],
                                                 **self.scene.to_dict()}
        return {"format": FORMAT, "scene": scene,
                "speech": None if self.speech is None else self.speech.to_dict()}

    def to_json(self) -> str:
        """One line of JSON."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: object) -> SceneParams:
        """Read :meth:`to_dict`'s output; anything else raises :class:`ParamsError`."""
        d = _obj(data, "scene parameters")
        if d.get("format") != FORMAT:
            raise ParamsError(f"scene parameters of format {d.get('format')!r}; this gdanim "
                              f"reads format {FORMAT}")
        _keys(d, "scene parameters", ("format",), ("scene", "speech"))
        scene: CustomParams | None = None
        raw = d.get("scene")
        if raw is not None:
            table = dict(_obj(raw, "scene"))
            kind = table.pop("type", None)
            if kind not in _KINDS:
                raise ParamsError(f"scene: type {kind!r} is not one of {', '.join(_KINDS)}")
            scene = _KINDS[kind].from_dict(table, f"scene ({kind})")
        speech = d.get("speech")
        return cls(scene=scene,
                   speech=None if speech is None else SpeechParams.from_dict(speech))

    @classmethod
    def from_json(cls, text: str) -> SceneParams:
        """Read :meth:`to_json`'s output."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParamsError(f"scene parameters are not JSON ({exc})") from None
        return cls.from_dict(data)

    def to_file(self, path: Path | str) -> Path:
        """Write the parameters to ``path`` (whole or not at all)."""
        return _write_text(Path(path), self.to_json())

    @classmethod
    def from_file(cls, path: Path | str) -> SceneParams:
        """Read a parameters file."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ParamsError(f"cannot read the scene parameters {path}: {exc}") from None
        return cls.from_json(text)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SceneParams:
        """The parameters in the file named by :data:`PARAMS_ENV`; empty ones when it is unset.

        Examples
        --------
        >>> SceneParams.from_env({}) == SceneParams()
        True
        """
        path = (os.environ if environ is None else environ).get(PARAMS_ENV, "").strip()
        return cls.from_file(path) if path else cls()

    def env(self, path: Path | str) -> dict[str, str]:
        """Write the parameters to ``path``; the environment entry that names the file."""
        self.to_file(path)
        return {PARAMS_ENV: str(path)}

