"""Subtitles as SubRip (``.srt``), read and written with the ``srt`` package.

A scene's subtitles come from manim (one ``.srt`` per clip); :func:`merged_srt` joins the clips'
files into the video's, each shifted by where its clip starts, and :func:`read_cues` gives the
cues to the WebVTT writer, the deck and the handout. Times are kept to the millisecond,
rounded to the nearest.

Examples
--------
>>> cues = read_cues("1\\n00:00:01,000 --> 00:00:02,500\\nHello\\n")
>>> cues
[Cue(start=1.0, end=2.5, text='Hello')]
>>> print(compose_srt([Cue(c.start + 60.25, c.end + 60.25, c.text) for c in cues]), end="")
1
00:01:01,250 --> 00:01:02,750
Hello
<BLANKLINE>
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import srt

__all__ = ["Cue", "compose_srt", "merged_srt", "read_cues", "read_srt_file"]


@dataclass(frozen=True)
class Cue:
    """One caption: start and end in seconds, and its text."""

    start: float
    end: float
    text: str


def _seconds(t: datetime.timedelta) -> float:
    return t.total_seconds()


def _delta(seconds: float) -> datetime.timedelta:
    """``seconds`` as a time stamp, rounded to the millisecond (``srt`` writes whole
    milliseconds and would cut the rest off)."""
    return datetime.timedelta(milliseconds=round(max(seconds, 0.0) * 1000))


def read_cues(text: str) -> list[Cue]:
    """The cues of an ``.srt`` file's text, by start time; blocks that are not cues are
    skipped."""
    subs = srt.parse(text.replace("\r\n", "\n"), ignore_errors=True)
    cues = [Cue(_seconds(s.start), _seconds(s.end), s.content.strip()) for s in subs]
    return sorted(cues, key=lambda c: c.start)


def read_srt_file(path: Path | str) -> list[Cue]:
    """The cues of an ``.srt`` file."""
    return read_cues(Path(path).read_text(encoding="utf-8"))


def compose_srt(cues: Iterable[Cue]) -> str:
    """Cues as an ``.srt`` file's text, numbered from 1 in the order given."""
    subs = [srt.Subtitle(i, _delta(c.start), _delta(c.end), c.text)
            for i, c in enumerate(cues, start=1)]
    return str(srt.compose(subs, reindex=False))


def merged_srt(parts: Sequence[tuple[Path | None, float]]) -> str:
    """The ``.srt`` files of ``parts`` (``None`` for a clip without subtitles), each shifted by
    its offset in seconds, as one file's text ordered by start time.

    When the clips follow each other (ascending offsets), a cue ends at the latest where the
    next clip begins: a caption never outlasts its clip.
    """
    cues: list[Cue] = []
    for i, (path, offset) in enumerate(parts):
        if path is None:
            continue
        nxt = parts[i + 1][1] if i + 1 < len(parts) else math.inf
        limit = nxt if nxt > offset else math.inf
        cues += [Cue(c.start + offset, min(c.end + offset, limit), c.text)
                 for c in read_srt_file(path) if c.start + offset < limit]
    cues.sort(key=lambda c: c.start)
    return compose_srt(cues)
