"""A course: several videos rendered by one command (``gdanim course FILE.toml``).

Each ``[[item]]`` is one video: the lecture (``lecture = true``), built-in scenes by name
(``scenes = [...]``), or a custom video described in a TOML file of its own (``video =
"file.toml"``, see :mod:`gdanim.app.config.video`); with its own output file and settings.
Everything is checked before anything is rendered; a problem raises
:class:`~gdanim.app.config.limits.ConfigError` with one line that names the file, the item and
the key. Paths are relative to the course file's folder. ``examples/course.toml`` is a
complete one::

    [[item]]
    lecture = true
    file = "course/lecture_480p15.mp4"      # optional (default media/course/<name>_<quality>)
    quality = "l"                           # l, m, h, p or k (default h)
    format = "mp4"                          # mp4, webm, gif or png
    publish = false
    poster = false
    sections = false

    [[item]]
    scenes = ["TitleCard", "LearningFromData"]
    file = "course/opening.mp4"
    quality = "l"

    [[item]]
    video = "valley_race.toml"              # its [output] settings apply where the item
    quality = "l"                           # sets none
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gdanim.app.config.limits import (
    FORMATS,
    MAX_TITLE,
    QUALITY_NAMES,
    ConfigError,
    check_keys,
    check_text,
    did_you_mean,
    shown,
)
from gdanim.app.config.video import OutputSettings, read_toml
from scenes import catalog

__all__ = ["MAX_ITEMS", "CourseItem", "CourseSpec"]

#: The most videos one course file describes.
MAX_ITEMS = 64
#: The most scenes one ``scenes = [...]`` item names.
MAX_ITEM_SCENES = 64

_KINDS = ("lecture", "scenes", "video")
_ITEM_KEYS = (*_KINDS, "name", "file", "quality", "format", "publish", "poster", "sections")


@dataclass(frozen=True)
class CourseItem:
    """One video of a course: what it shows (``kind`` is ``"lecture"``, ``"scenes"`` or
    ``"video"``), its name, and its output settings (``file`` relative to the course file)."""

    kind: str
    name: str
    scenes: tuple[str, ...] = ()
    video: Path | None = None
    output: OutputSettings = OutputSettings()

    @classmethod
    def from_dict(cls, table: Mapping[str, Any], where: str, folder: Path | None) -> CourseItem:
        """Read one ``[[item]]`` table."""
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}must be a table ([[item]])")
        check_keys(table, _ITEM_KEYS, where)
        kinds = [k for k in _KINDS if k in table]
        if len(kinds) != 1:
            given = " and ".join(kinds) if kinds else "none of them"
            raise ConfigError(f"{where}give exactly one of lecture = true, scenes = [...] or "
                              f"video = \"file.toml\" ({given} given)")
        kind = kinds[0]
        scenes: tuple[str, ...] = ()
        video: Path | None = None
        if kind == "lecture":
            if table["lecture"] is not True:
                raise ConfigError(f"{where}lecture: must be true (leave it out for another "
                                  "kind of item)")
            default_name = "gdanim_lecture"
        elif kind == "scenes":
            raw = table["scenes"]
            if not isinstance(raw, list) or not raw or not all(isinstance(n, str) for n in raw):
                raise ConfigError(f"{where}scenes: give a list of built-in scene names, e.g. "
                                  "scenes = [\"TitleCard\", \"LearningFromData\"]")
            if len(raw) > MAX_ITEM_SCENES:
                raise ConfigError(f"{where}scenes: {len(raw)} names; at most "
                                  f"{MAX_ITEM_SCENES} are allowed")
            names = []
            for name in raw:
                try:
                    names.append(catalog.find(name).name)
                except KeyError as exc:
                    raise ConfigError(f"{where}scenes: {exc.args[0]}") from None
            scenes = tuple(names)
            default_name = "_".join(names)[:60]
        else:
            if not isinstance(table["video"], str) or not table["video"].strip():
                raise ConfigError(f"{where}video: give the path of a video's TOML file, e.g. "
                                  "video = \"valley_race.toml\"")
            video = Path(table["video"]).expanduser()
            if not video.is_absolute() and folder is not None:
                video = folder / video
            default_name = video.stem
        name = table.get("name", default_name)
        check_text(name, f"{where}name", MAX_TITLE)
        values: dict[str, Any] = {}
        for key in ("file", "quality", "format"):
            if key in table:
                if not isinstance(table[key], str) or not table[key].strip():
                    raise ConfigError(f"{where}{key}: must be text, got {shown(table[key])}")
                values[key] = table[key]
        if "quality" in values and values["quality"] not in QUALITY_NAMES:
            raise ConfigError(f"{where}quality: {values['quality']!r} is not allowed; use one "
                              f"of {', '.join(QUALITY_NAMES)}")
        if "format" in values and values["format"] not in FORMATS:
            raise ConfigError(f"{where}format: {values['format']!r} is not allowed"
                              f"{did_you_mean(values['format'], list(FORMATS))}; use one of "
                              f"{', '.join(FORMATS)}")
        for key in ("publish", "poster", "sections"):
            if key in table:
                if not isinstance(table[key], bool):
                    raise ConfigError(f"{where}{key}: must be true or false, got "
                                      f"{shown(table[key])}")
                values[key] = table[key]
        if "file" in values:
            path = Path(values["file"]).expanduser()
            if not path.is_absolute() and folder is not None:
                path = folder / path
            values["file"] = str(path)
        return cls(kind, name, scenes, video, OutputSettings(**values))

    def output_path(self) -> Path | None:
        """The item's output file (made absolute against the course file's folder), or
        ``None``."""
        return None if self.output.file is None else Path(self.output.file)


@dataclass(frozen=True)
class CourseSpec:
    """A course: its videos in order, and the file it was read from.

    Examples
    --------
    >>> spec = CourseSpec.from_dict({"item": [{"lecture": True, "quality": "l"},
    ...                                       {"scenes": ["titlecard"], "file": "t.mp4"}]})
    >>> [(i.kind, i.name, i.output.quality) for i in spec.items]
    [('lecture', 'gdanim_lecture', 'l'), ('scenes', 'TitleCard', None)]
    >>> CourseSpec.from_dict({"item": [{"scenes": ["TitleCard"], "qualty": "l"}]})
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gdanim.app.config.limits.ConfigError: item 1: unknown key 'qualty' (did you mean ...
    """

    items: tuple[CourseItem, ...]
    source: Path | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: Path | None = None) -> CourseSpec:
        """Read a course's tables; bad keys or values raise :class:`ConfigError`."""
        where = f"{source.name}: " if source is not None else ""
        check_keys(data, ("item",), where)
        raw = data.get("item")
        if not isinstance(raw, list) or not raw:
            raise ConfigError(f"{where}give one [[item]] table per video of the course")
        if len(raw) > MAX_ITEMS:
            raise ConfigError(f"{where}item: {len(raw)} items; at most {MAX_ITEMS} videos fit "
                              "in one course (split it into several files)")
        folder = source.parent if source is not None else None
        items = tuple(CourseItem.from_dict(t, f"{where}item {i}: ", folder)
                      for i, t in enumerate(raw, start=1))
        return cls(items, source)

    @classmethod
    def from_file(cls, path: str | Path) -> CourseSpec:
        """Read a course file; a missing file, bad TOML or bad content raise
        :class:`ConfigError`."""
        p = Path(path).expanduser()
        data = read_toml(p, f"a course file describes at most {MAX_ITEMS} videos in a few "
                            "kilobytes")
        return cls.from_dict(data, source=p.resolve())
