"""Files for video platforms: chapters, WebVTT captions, the thumbnail, and upload checks.

A rendered video is a sequence of scenes and each scene a sequence of named sections (manim's
``next_section``). :func:`timeline` lays the sections out on the video's clock; from it come

- the chapters (:func:`chapters`): a list ready to paste into a video description, and the same
  as MP4 chapter metadata (:func:`ffmetadata`). The platform shows chapters only when the first
  starts at 0:00, there are at least :data:`MIN_CHAPTERS` and each lasts at least
  :data:`MIN_CHAPTER_SECONDS`; sections shorter than that are merged with their neighbours, and
  a merged chapter is named after its longest section. :func:`check_chapters` states the rules
  and is what the tests use;
- the captions as WebVTT (:func:`srt_to_vtt`), beside the ``.srt``;
- the thumbnail (:func:`write_thumbnail`): 1280x720 JPEG under 2 MB, by default the title frame
  of the first race (:func:`default_thumbnail_time`).

:func:`check_upload` reads an MP4 back (its boxes, and its streams with PyAV) and lists every
way it misses the platform's recommended upload settings: an edit list, ``moov`` after
``mdat``, not H.264 High 4:2:0 progressive, more than 2 consecutive B-frames, keyframes not
every half second of frames (a closed GOP of half the frame rate), missing BT.709 tags, audio
that is not AAC-LC at 48 kHz.

Examples
--------
>>> secs = [Section("Title", "TitleCard", 0.0, 6.0), Section("tangent", "TangentSlope", 6.0, 40.0),
...         Section("Optimizer race on a saddle", "OptimizerRace", 46.0, 30.0),
...         Section("What the paths show", "OptimizerRace", 76.0, 8.0)]
>>> chs = chapters(secs, 84.0)
>>> print(chapters_text(chs), end="")
0:00 The derivative as the slope of the tangent
0:46 Optimizer race on a saddle
>>> check_chapters(chs, 84.0)
['2 chapters; the platform shows chapters only from 3 on']
"""

from __future__ import annotations

import json
import math
import re
import shutil
import struct
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gdanim.app import probe
from gdanim.app.subtitles import Cue, read_cues

__all__ = [
    "MIN_CHAPTERS",
    "MIN_CHAPTER_SECONDS",
    "THUMBNAIL_MAX_BYTES",
    "THUMBNAIL_SIZE",
    "Chapter",
    "Cue",
    "PlatformError",
    "Section",
    "chapters",
    "chapters_text",
    "check_chapters",
    "check_upload",
    "check_vtt",
    "cues_between",
    "default_thumbnail_time",
    "ffmetadata",
    "gop_length",
    "mp4_boxes",
    "parse_chapters_text",
    "read_srt",
    "readable_name",
    "srt_to_vtt",
    "timeline",
    "vtt_text",
    "write_thumbnail",
]

#: The fewest chapters the platform shows, and the shortest chapter, in seconds.
MIN_CHAPTERS = 3
MIN_CHAPTER_SECONDS = 10
#: The thumbnail's size in pixels and its largest file size in bytes.
THUMBNAIL_SIZE = (1280, 720)
THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024
#: Seconds into a race's first section at which its title has been written (the thumbnail).
TITLE_FRAME_SECONDS = 1.5


class PlatformError(RuntimeError):
    """A platform file could not be written (ffmpeg failed, bad subtitles...)."""


# --------------------------------------------------------------------------------------------
# Sections on the video's clock
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One named section of a rendered video.

    Attributes
    ----------
    name
        The name the scene gave it (``self.section(name)``).
    scene
        The render job it belongs to (a scene class, or a label such as ``CustomRace #2``).
    start, duration
        Where it lies in the whole video, in seconds.
    kind
        manim's section type (``default.normal`` unless the scene chose another, e.g. ``loop``).
    clip
        manim's clip of the section, when sections were saved.
    """

    name: str
    scene: str
    start: float
    duration: float
    kind: str = "default.normal"
    clip: Path | None = None

    @property
    def end(self) -> float:
        """Where the section ends, in seconds."""
        return self.start + self.duration

    @property
    def title(self) -> str:
        """A readable name (see :func:`readable_name`)."""
        return readable_name(self.name, self.scene)


def timeline(parts: Sequence[tuple[str, float, float, Path | None]]) -> list[Section]:
    """Lay out the sections of rendered scenes on the whole video's clock.

    Parameters
    ----------
    parts
        One ``(scene, offset, duration, index)`` per scene in order: the scene's name, where it
        starts in the whole video, its length, and manim's sections index (JSON with ``name``,
        ``type``, ``video``, ``duration`` per section) or ``None`` when sections were not saved
        (the scene is then one section named after it).

    Returns
    -------
    list of Section
        Every section in order; within a scene each starts where the one before it ended.
    """
    out: list[Section] = []
    for scene, offset, duration, index in parts:
        entries = json.loads(index.read_text(encoding="utf-8")) if index is not None else []
        if not entries:
            out.append(Section(scene, scene, offset, duration))
            continue
        t = offset
        for k, entry in enumerate(entries):
            length = float(entry.get("duration", 0.0))
            if k == len(entries) - 1:  # the last section runs to the scene's end
                length = max(offset + duration - t, 0.0)
            clip = index.parent / str(entry["video"]) if index is not None else None
            out.append(Section(str(entry["name"]), scene, t, length,
                               str(entry.get("type", "default.normal")), clip))
            t += length
    return out


_SCENARIO_TAG = re.compile(r"\s*\((?:S\d[^)]*)\)\s*$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d[A-Z])")


def _scene_title(scene: str) -> str:
    """A built-in scene's one-line summary (without scenario tags), else its split class name."""
    base = scene.split(" #")[0]
    try:
        from scenes import catalog  # plain data, no manim

        info = catalog.SCENES.get(base)
    except ImportError:  # pragma: no cover - the scenes package ships with gdanim
        info = None
    if info is not None:
        return _SCENARIO_TAG.sub("", info.summary)
    words = _CAMEL.sub(" ", base).strip()
    return words[:1].upper() + words[1:].lower() if words else "Video"


def readable_name(name: str, scene: str) -> str:
    """A section's name as a viewer should read it (chapters, slide titles).

    Names the scenes give as short code words (``tangent``, ``steps1d``) become the scene's
    one-line summary, with the word after a colon when it is not the scene's first section;
    ``Title`` becomes ``Introduction``; other names keep their words, with underscores as
    spaces and a capital first letter.

    Examples
    --------
    >>> readable_name("tangent", "TangentSlope")
    'The derivative as the slope of the tangent'
    >>> readable_name("Gradient field: long_valley", "GradientField")
    'Gradient field: long valley'
    >>> readable_name("Title", "CustomTitle")
    'Introduction'
    """
    text = " ".join(name.replace("_", " ").split())
    if name == scene.split(" #")[0]:  # a scene without sections is one named after it
        return _scene_title(scene)
    if text.lower() in ("title", "autocreated", ""):
        return "Introduction" if text.lower() == "title" else _scene_title(scene)
    if re.fullmatch(r"[a-z0-9 ]+", text) and " " not in text.strip():
        summary = _scene_title(scene)
        first = _FIRST_SECTION.get(scene.split(" #")[0])
        return summary if first in (None, text) else f"{summary}: {text}"
    return text[:1].upper() + text[1:]


#: The first section's code word of the built-in scenes that name sections that way (a later
#: code word gets the summary and the word: "Descent on a 3D surface...: result").
_FIRST_SECTION = {"TangentSlope": "tangent", "GradientSteps1D": "steps1d",
                  "LearningRateRegimes": "regimes", "SurfaceDescent3D": "surface"}


# --------------------------------------------------------------------------------------------
# Chapters
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chapter:
    """A chapter: where it starts (whole seconds) and its title."""

    start: int
    title: str


def chapters(sections: Sequence[Section], duration: float) -> list[Chapter]:
    """Chapters from sections: starts on whole seconds, each at least 10 s long.

    A section shorter than :data:`MIN_CHAPTER_SECONDS` joins the chapter before it (the first
    joins the one after it); a chapter of several sections is named after the longest of them.
    The result may still break the platform's rules (too short a video, too few sections):
    :func:`check_chapters` says so, and callers then write no chapters.
    """
    groups: list[list[Section]] = []
    starts: list[int] = []
    for sec in sections:
        start = int(math.floor(sec.start + 1e-6))
        if groups and start - starts[-1] < MIN_CHAPTER_SECONDS:
            groups[-1].append(sec)
        else:
            groups.append([sec])
            starts.append(start)
    if not groups:
        return []
    starts[0] = 0
    # the last chapter must run 10 s to the end too
    while len(groups) > 1 and math.floor(duration) - starts[-1] < MIN_CHAPTER_SECONDS:
        tail = groups.pop()
        starts.pop()
        groups[-1].extend(tail)
    first_of_scene: dict[str, Section] = {}
    for sec in sections:
        first_of_scene.setdefault(sec.scene, sec)
    out: list[Chapter] = []
    for start, group in zip(starts, groups, strict=True):
        longest = max(group, key=lambda s: s.duration)
        title = longest.title
        head = first_of_scene[longest.scene]
        words = [s.title for s in group if s.scene == longest.scene and _one_word(s, head)]
        if _one_word(longest, head):
            # one-word sections inside a scene ("SGD", "AdaGrad", "Training") are named with
            # the scene's opening section: "Six optimizers, six characters: SGD, AdaGrad"
            title = f"{head.title}: {', '.join(words)}"
        if out and out[-1].title == title:
            continue  # two chapters of one name: one chapter
        out.append(Chapter(start, title))
    return out


def _one_word(sec: Section, head: Section) -> bool:
    """A section inside its scene named with one proper word (not a code word like ``start``)."""
    name = sec.name.strip()
    return sec is not head and " " not in name and sec.title == name[:1].upper() + name[1:] \
        and name.lower() not in ("title", "autocreated")


def _clock(seconds: int) -> str:
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def chapters_text(chs: Sequence[Chapter]) -> str:
    """The chapter list for a video description: ``0:00 Title`` per line."""
    return "".join(f"{_clock(c.start)} {c.title}\n" for c in chs)


_CHAPTER_LINE = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d\d) (\S.*)")


def parse_chapters_text(text: str) -> list[Chapter]:
    """Read :func:`chapters_text` back; a line that is not ``M:SS title`` raises ValueError.

    Examples
    --------
    >>> parse_chapters_text("0:00 Intro\\n1:02:03 End\\n")
    [Chapter(start=0, title='Intro'), Chapter(start=3723, title='End')]
    """
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _CHAPTER_LINE.fullmatch(line.strip())
        if m is None:
            raise ValueError(f"not a chapter line: {line!r}")
        h, mi, s, title = m.groups()
        out.append(Chapter(int(h or 0) * 3600 + int(mi) * 60 + int(s), title.strip()))
    return out


def check_chapters(chs: Sequence[Chapter], duration: float) -> list[str]:
    """Every way ``chs`` breaks the platform's chapter rules (empty when they are valid).

    The rules: the first chapter starts at 0:00; there are at least :data:`MIN_CHAPTERS`;
    starts increase and every chapter (the last one up to ``duration``) lasts at least
    :data:`MIN_CHAPTER_SECONDS`; every chapter has a title.
    """
    problems = []
    if not chs:
        return ["no chapters"]
    if chs[0].start != 0:
        problems.append(f"the first chapter starts at {_clock(chs[0].start)}, not 0:00")
    if len(chs) < MIN_CHAPTERS:
        problems.append(f"{len(chs)} chapter{'s' if len(chs) != 1 else ''}; the platform shows "
                        f"chapters only from {MIN_CHAPTERS} on")
    ends = [c.start for c in chs[1:]] + [math.floor(duration)]
    for c, end in zip(chs, ends, strict=True):
        if end - c.start < MIN_CHAPTER_SECONDS:
            problems.append(f"chapter {c.title!r} at {_clock(c.start)} lasts {end - c.start} s; "
                            f"at least {MIN_CHAPTER_SECONDS} s are needed")
        if not c.title.strip():
            problems.append(f"chapter at {_clock(c.start)} has no title")
    return problems


def ffmetadata(chs: Sequence[Chapter], duration: float) -> str:
    """The chapters in ffmpeg's FFMETADATA format (read with ``-map_chapters``)."""
    lines = [";FFMETADATA1"]
    ends = [c.start for c in chs[1:]] + [duration]
    for c, end in zip(chs, ends, strict=True):
        title = re.sub(r"([=;#\\\n])", r"\\\1", c.title)
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={c.start * 1000}",
                  f"END={int(round(end * 1000))}", f"title={title}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Captions
# --------------------------------------------------------------------------------------------


_SRT_TIME = re.compile(r"(\d+):(\d\d):(\d\d)[,.](\d{3})")


def _seconds(text: str) -> float:
    m = _SRT_TIME.fullmatch(text.strip())
    if m is None:
        raise PlatformError(f"bad subtitle time {text!r}")
    h, mi, s, ms = (int(g) for g in m.groups())
    return h * 3600 + mi * 60 + s + ms / 1000.0


def read_srt(text: str) -> list[Cue]:
    """The cues of an ``.srt`` file's text, in order (:func:`gdanim.app.subtitles.read_cues`)."""
    return read_cues(text)


def _vtt_time(t: float) -> str:
    ms = int(round(max(t, 0.0) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def vtt_text(cues: Sequence[Cue]) -> str:
    """Cues as a WebVTT file's text."""
    body = "".join(
        f"{i}\n{_vtt_time(c.start)} --> {_vtt_time(c.end)}\n"
        f"{c.text.replace('-->', '->')}\n\n"
        for i, c in enumerate(cues, start=1) if c.end > c.start and c.text.strip()
    )
    return "WEBVTT\n\n" + body


def srt_to_vtt(srt: str) -> str:
    """Convert an ``.srt`` file's text to WebVTT.

    Examples
    --------
    >>> print(srt_to_vtt("1\\n00:00:01,000 --> 00:00:02,500\\nHello\\n"), end="")
    WEBVTT
    <BLANKLINE>
    1
    00:00:01.000 --> 00:00:02.500
    Hello
    <BLANKLINE>
    """
    return vtt_text(read_srt(srt))


_VTT_TIMING = re.compile(r"(\d{2,}:)?\d\d:\d\d\.\d{3} --> (\d{2,}:)?\d\d:\d\d\.\d{3}( .*)?")


def check_vtt(text: str) -> list[str]:
    """Every way ``text`` is not a valid WebVTT file of cues (empty when valid).

    Checks the ``WEBVTT`` header, that each cue has a timing line ``start --> end`` with
    ``end > start``, that starts do not decrease, and that every cue has text.
    """
    problems = []
    if not (text.startswith("WEBVTT") and (len(text) == 6 or text[6] in " \t\n")):
        problems.append("does not start with the WEBVTT header")
    blocks = re.split(r"\n\s*\n", text.strip())[1:]
    last = -1.0
    for block in blocks:
        lines = block.splitlines()
        timing = next((ln for ln in lines[:2] if "-->" in ln), None)
        if timing is None:
            if lines and lines[0].startswith(("NOTE", "STYLE", "REGION")):
                continue
            problems.append(f"a cue without a timing line: {lines[0]!r}")
            continue
        if not _VTT_TIMING.fullmatch(timing.strip()):
            problems.append(f"bad timing line {timing!r}")
            continue
        a, b = (p.strip().split(" ")[0] for p in timing.split("-->"))
        ta, tb = _seconds(a if a.count(":") == 2 else "00:" + a), \
            _seconds(b if b.count(":") == 2 else "00:" + b)
        if tb <= ta:
            problems.append(f"cue {timing!r} ends before it starts")
        if ta < last:
            problems.append(f"cue {timing!r} starts before the one above it")
        last = ta
        if not any(ln.strip() for ln in lines[lines.index(timing) + 1:]):
            problems.append(f"cue {timing!r} has no text")
    return problems


def cues_between(cues: Sequence[Cue], start: float, end: float) -> list[Cue]:
    """The cues whose middle falls in ``[start, end)``, shifted to start at 0 and clipped."""
    out = []
    for c in cues:
        if start <= (c.start + c.end) / 2 < end:
            out.append(Cue(max(c.start - start, 0.0), min(c.end, end) - start, c.text))
    return out


# --------------------------------------------------------------------------------------------
# Thumbnail
# --------------------------------------------------------------------------------------------


def _ffmpeg() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise PlatformError("ffmpeg was not found on PATH; run scripts/setup.sh to install it")
    return exe


def default_thumbnail_time(sections: Sequence[Section]) -> float:
    """The title frame of the first race: its first section's start plus 1.5 s.

    A race is a scene whose name has ``Race`` in it (the lecture's ``OptimizerRace``, a custom
    race); without one, the first section that is not the title card, else the first section.
    By then the section's heading has been written and the race is set out on the map.
    """
    if not sections:
        return 0.0
    pick = next((s for s in sections if "Race" in s.scene), None)
    if pick is None:
        pick = next((s for s in sections if s.name != "Title"), sections[0])
    return pick.start + min(TITLE_FRAME_SECONDS, pick.duration / 2)


def write_thumbnail(video: Path, at: float, out: Path) -> Path:
    """Write the frame at ``at`` seconds of ``video`` as a 1280x720 JPEG under 2 MB.

    The frame is scaled to 1280x720 (letterboxed when the video is not 16:9) and converted from
    BT.709 video levels to the full-range JPEG colours; the quality steps down until the file
    is under :data:`THUMBNAIL_MAX_BYTES`.
    """
    w, h = THUMBNAIL_SIZE
    fit = (f"scale={w}:{h}:force_original_aspect_ratio=decrease:in_color_matrix=bt709:"
           f"in_range=tv:out_color_matrix=bt601:out_range=pc,"
           f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuvj420p")
    for q in (2, 4, 7, 12, 20):
        cmd = [_ffmpeg(), "-y", "-v", "error", "-nostdin", "-ss", f"{max(at, 0.0):.3f}",
               "-i", str(video), "-frames:v", "1", "-an", "-vf", fit, "-q:v", str(q),
               "-f", "image2", "-c:v", "mjpeg", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            raise PlatformError(f"writing the thumbnail at {at:.2f} s failed: "
                                f"{proc.stderr.strip()[-500:] or 'no frame there'}")
        if out.stat().st_size < THUMBNAIL_MAX_BYTES:
            return out
    raise PlatformError("the thumbnail stays above 2 MB even at low quality")


# --------------------------------------------------------------------------------------------
# Checking an upload
# --------------------------------------------------------------------------------------------

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"udta", b"dinf", b"mvex",
               b"moof", b"traf"}


def mp4_boxes(path: Path) -> list[tuple[int, str]]:
    """Every box of an MP4 file as ``(depth, type)`` in file order (containers opened).

    Examples
    --------
    >>> import tempfile, os
    >>> p = Path(tempfile.mkdtemp()) / "t.mp4"
    >>> _ = p.write_bytes(struct.pack(">I4s", 16, b"moov") + struct.pack(">I4s", 8, b"mvhd")
    ...                   + struct.pack(">I4s", 8, b"mdat"))
    >>> mp4_boxes(p)
    [(0, 'moov'), (1, 'mvhd'), (0, 'mdat')]
    """
    data_len = path.stat().st_size
    out: list[tuple[int, str]] = []
    with path.open("rb") as fh:

        def walk(end: int, depth: int) -> None:
            while fh.tell() + 8 <= end:
                start = fh.tell()
                size, kind = struct.unpack(">I4s", fh.read(8))
                if size == 1:
                    size = struct.unpack(">Q", fh.read(8))[0]
                elif size == 0:
                    size = end - start
                if size < 8 or start + size > end:
                    raise PlatformError(f"{path.name}: a broken box at byte {start}")
                out.append((depth, kind.decode("latin-1")))
                if kind in _CONTAINERS:
                    walk(start + size, depth + 1)
                fh.seek(start + size)

        walk(data_len, 0)
    return out


def gop_length(fps: float) -> int:
    """Frames between keyframes for the platform: half the frame rate, rounded up.

    Examples
    --------
    >>> gop_length(60), gop_length(30), gop_length(15)
    (30, 15, 8)
    """
    return max(1, math.ceil(fps / 2 - 1e-9))


def check_upload(path: Path) -> list[str]:
    """Every way an MP4 misses the platform's recommended upload settings (empty: none).

    Reads the boxes (no ``elst`` edit list; ``moov`` before ``mdat``), the video stream
    (H.264 High, ``yuv420p``, progressive, ``has_b_frames`` at most 2, BT.709 primaries,
    transfer and matrix), every video packet (a keyframe exactly every :func:`gop_length`
    frames, and closed GOPs: no frame after a keyframe in decoding order is shown before it)
    and the audio (AAC-LC at 48 kHz).
    """
    problems: list[str] = []
    boxes = mp4_boxes(path)
    kinds = [k for _, k in boxes]
    if "elst" in kinds:
        problems.append("has an edit list (elst)")
    top = [k for d, k in boxes if d == 0]
    if "moov" not in top or "mdat" not in top or top.index("moov") > top.index("mdat"):
        problems.append(f"moov is not before mdat (top-level boxes: {' '.join(top)})")
    try:
        streams = probe.streams(path)
        packets = probe.video_packets(path)
    except probe.ProbeError as exc:
        raise PlatformError(str(exc)) from None
    videos = [s for s in streams if s.kind == "video"]
    if len(videos) != 1:
        return [*problems, f"{len(videos)} video streams, not 1"]
    v = videos[0]
    want = {"codec": "h264", "profile": "High", "pix_fmt": "yuv420p",
            "field_order": "progressive", "color_primaries": "bt709",
            "color_transfer": "bt709", "color_space": "bt709"}
    for key, value in want.items():
        if getattr(v, key) != value:
            problems.append(f"video {key} is {getattr(v, key)!r}, not {value!r}")
    if (v.reorder_depth or 0) > 2:
        problems.append(f"has_b_frames is {v.reorder_depth}, more than 2")
    fps = v.frame_rate or 0.0
    gop = gop_length(fps) if fps > 0 else 0
    pts = [p for p, _ in packets]
    keys = [i for i, (_, key) in enumerate(packets) if key]
    order = sorted(range(len(pts)), key=lambda i: pts[i])
    rank = {i: r for r, i in enumerate(order)}  # decode index -> display index
    key_frames = sorted(rank[i] for i in keys)
    if not key_frames or key_frames[0] != 0:
        problems.append("the first frame is not a keyframe")
    gaps = {b - a for a, b in zip(key_frames, key_frames[1:], strict=False)}
    if gaps and gaps != {gop}:
        problems.append(f"keyframes every {sorted(gaps)} frames, not every {gop} "
                        f"(half of {fps:g} fps)")
    for k in keys:
        if any(pts[j] < pts[k] for j in range(k + 1, len(pts))):
            problems.append(f"open GOP: a frame after the keyframe at display frame {rank[k]} "
                            "in decoding order is shown before it")
            break
    for a in (s for s in streams if s.kind == "audio"):
        if a.codec != "aac" or a.profile != "LC":
            problems.append(f"audio is {a.codec} {a.profile}, not AAC-LC")
        if a.sample_rate != 48000:
            problems.append(f"audio sample rate is {a.sample_rate}, not 48000")
    return problems
