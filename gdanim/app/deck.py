"""A slide deck from a rendered video's sections: one slide per section, offline in a browser.

The deck is made from an *output set* that ``--sections`` wrote: the video ``OUT.mp4``, its
section clips ``OUT.sections/``, the index ``OUT.sections.json`` (name, file, duration, start,
scene, type) and the subtitles ``OUT.srt``. :func:`load_slides` turns it into :class:`Slide`
objects; :func:`write_html_deck` writes a folder that opens from ``file://`` in any browser with
the network off (our own small player: ``index.html``, ``deck.css``, ``deck.js``, the clips,
poster frames, WebVTT captions and a PDF handout); :mod:`gdanim.app.pptx_deck` writes the same
slides as PowerPoint.

Speaker notes
    A slide's notes are the section's ``notes`` in the index when the render wrote one (the
    narration), else the captions that fall inside the section (each cue whose middle lies in
    the section's time window), one paragraph per caption.

Play once or loop
    A slide plays its clip once and holds the last frame, or loops. :class:`SlideRules` decides,
    first rule that applies wins:

    1. a section named (or numbered, from 1) in the TOML file's ``[slides]`` table or in
       ``--loop`` / ``--once`` on the command line;
    2. the section's manim type: a scene that starts a section with
       ``self.next_section(name, section_type="loop")`` loops it (``"once"`` plays it once);
    3. title cards (sections named ``Title``) loop: they are the idle background while the
       speaker opens; every other section (races, descents, explanations) plays once.

Holding the last frame
    Many clips end by fading their drawing out (the lecture's transitions). A slide that plays
    once stops on the *hold frame*: the clip's last frame, unless the clip ends much emptier
    than it was, in which case the last frame before the fade that is nearly as full as the
    fullest one. The same frame is the slide's poster (handout, PowerPoint, the next-slide
    preview of the notes view).
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from gdanim.app import platform as pf
from gdanim.app import probe

__all__ = [
    "DeckError",
    "Slide",
    "SlideRules",
    "choose_hold",
    "load_slides",
    "write_html_deck",
]


class DeckError(ValueError):
    """Bad deck input (a missing sections index, a bad ``[slides]`` table): one line."""


# --------------------------------------------------------------------------------------------
# Rules for looping
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlideRules:
    """Which slides loop and which play once (see the module's docstring for the order).

    Each entry is a section's name (as the scene gave it, or as the slide's title shows it;
    case does not matter) or a slide number from 1.
    """

    loop: tuple[str | int, ...] = ()
    once: tuple[str | int, ...] = ()

    @classmethod
    def from_dict(cls, table: Mapping[str, Any], where: str = "") -> SlideRules:
        """Read a TOML ``[slides]`` table: ``loop = [...]`` and ``once = [...]``.

        Examples
        --------
        >>> SlideRules.from_dict({"loop": ["Title", 3]})
        SlideRules(loop=('Title', 3), once=())
        >>> SlideRules.from_dict({"loops": []})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        gdanim.app.deck.DeckError: [slides]: unknown key 'loops' (did you mean 'loop'?); ...
        """
        if not isinstance(table, Mapping):
            raise DeckError(f"{where}slides: must be a table ([slides])")
        allowed = ("loop", "once")
        for key in table:
            if key not in allowed:
                import difflib

                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise DeckError(f"{where}[slides]: unknown key {key!r}{hint}; allowed keys: "
                                "loop, once")
        values: dict[str, tuple[str | int, ...]] = {}
        for key in allowed:
            raw = table.get(key, [])
            if isinstance(raw, str | int) and not isinstance(raw, bool):
                raw = [raw]
            if not isinstance(raw, list) or not all(
                    (isinstance(v, str) and v.strip()) or (isinstance(v, int)
                                                           and not isinstance(v, bool) and v >= 1)
                    for v in raw):
                raise DeckError(f"{where}[slides]: {key}: give section names or slide numbers "
                                f"from 1, e.g. {key} = [\"Title\", 3]")
            values[key] = tuple(raw)
        both = {str(v).lower() for v in values["loop"]} & {str(v).lower() for v in values["once"]}
        if both:
            raise DeckError(f"{where}[slides]: {sorted(both)[0]!r} is in both loop and once")
        return cls(**values)

    def loops(self, number: int, name: str, title: str, kind: str) -> bool:
        """Whether slide ``number`` (from 1) of section ``name`` (type ``kind``) loops."""

        def named(entries: Sequence[str | int]) -> bool:
            for e in entries:
                if isinstance(e, int):
                    if e == number:
                        return True
                elif e.strip().lower() in (name.lower(), title.lower()):
                    return True
            return False

        if named(self.once):
            return False
        if named(self.loop):
            return True
        if kind.lower() in ("loop", "once"):
            return kind.lower() == "loop"
        return name.strip().lower() == "title"

    def check(self, slides_count: int, names: Sequence[tuple[str, str]]) -> None:
        """Raise :class:`DeckError` for an entry that names no slide of the deck."""
        known = {n.lower() for pair in names for n in pair}
        for key, entries in (("loop", self.loop), ("once", self.once)):
            for e in entries:
                if isinstance(e, int) and e > slides_count:
                    raise DeckError(f"{key}: slide {e} does not exist; the deck has "
                                    f"{slides_count} slides")
                if isinstance(e, str) and e.strip().lower() not in known:
                    raise DeckError(f"{key}: no section is called {e!r}; the sections are: "
                                    + ", ".join(repr(n) for n, _ in names))


# --------------------------------------------------------------------------------------------
# Slides from an output set
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slide:
    """One slide: a section's clip and everything shown with it.

    Attributes
    ----------
    number
        From 1.
    name, title
        The section's name as the scene gave it, and as a viewer reads it.
    scene
        The scene (or render job) the section belongs to.
    clip
        The section's clip.
    start, duration
        Where the section lies in the whole video, and its length (seconds).
    loop
        Loop the clip, or play it once and hold.
    hold
        Seconds into the clip at which a slide that plays once stops (``None``: at its end).
    poster_at
        Seconds into the clip of the poster frame (the hold frame).
    notes
        The speaker notes: the narration, else the captions inside the section.
    cues
        The captions inside the section, on the clip's clock.
    audio
        Whether the clip has sound.
    """

    number: int
    name: str
    title: str
    scene: str
    clip: Path
    start: float
    duration: float
    loop: bool
    hold: float | None
    poster_at: float
    notes: str
    cues: tuple[pf.Cue, ...] = field(default_factory=tuple)
    audio: bool = False

    @property
    def slug(self) -> str:
        """File stem for this slide's files: ``03-optimizer-race-on-a-saddle``."""
        s = re.sub(r"[^A-Za-z0-9]+", "-", self.name).strip("-").lower()[:40].rstrip("-")
        return f"{self.number:02d}-{s or 'section'}"


def _run(cmd: Sequence[str], what: str) -> bytes:
    proc = subprocess.run(list(cmd), capture_output=True, check=False)
    if proc.returncode != 0:
        raise pf.PlatformError(f"{what} failed: "
                               f"{proc.stderr.decode('utf-8', 'replace').strip()[-500:]}")
    return proc.stdout


def _ffmpeg() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise pf.PlatformError("ffmpeg was not found on PATH; run scripts/setup.sh to install it")
    return exe


#: Samples per second read from a clip to find its hold frame, and their size in pixels.
_SAMPLE_FPS = 4
_SAMPLE_SIZE = (64, 36)


def choose_hold(clip: Path, duration: float) -> tuple[float | None, float]:
    """The hold frame of a clip that plays once: ``(hold, poster_at)`` in seconds.

    The clip is read at 4 frames a second, 64x36 grey; a frame's *fullness* is how far its
    pixels lie from the background (the commonest grey), on average; a fade-out lowers it.
    The clip's *final fade* is the run of samples at its end whose fullness never rises
    (within 2 % of the largest). When that run ends at most 40 % as full as the fullest frame
    in it and the last frame at least 90 % as full lies within 2 s of the end, the slide stops
    there (``hold``); otherwise it plays to its end (``hold`` is ``None``). The poster is the
    hold frame, or the last frame.
    """
    w, h = _SAMPLE_SIZE
    raw = _run([_ffmpeg(), "-v", "error", "-nostdin", "-i", str(clip), "-an", "-vf",
                f"fps={_SAMPLE_FPS},scale={w}:{h},format=gray", "-f", "rawvideo", "-"],
               f"reading {clip.name}")
    frames = np.frombuffer(raw, dtype=np.uint8)
    n = frames.size // (w * h)
    end = max(duration - 0.05, 0.0)
    if n == 0:
        return None, end
    frames = frames[: n * w * h].reshape(n, h * w).astype(np.int16)
    background = int(np.bincount(frames.ravel(), minlength=256).argmax())
    full = np.abs(frames - background).mean(axis=1)
    top = float(full.max())
    if top <= 0:
        return None, end
    k = n - 1
    while k > 0 and full[k - 1] >= full[k] - 0.02 * top:
        k -= 1
    peak = float(full[k:].max())
    if full[-1] > 0.4 * peak:
        return None, end
    hold = k + int(np.nonzero(full[k:] >= 0.9 * peak)[0][-1])
    at = min(hold / _SAMPLE_FPS, end)
    if end - at > _MAX_FADE_SECONDS:
        return None, end
    return at, at


#: The longest final fade a slide skips (the scenes fade out in about a second).
_MAX_FADE_SECONDS = 2.0


def _has_audio(clip: Path) -> bool:
    try:
        return probe.has_audio(clip)
    except probe.ProbeError as exc:
        raise pf.PlatformError(str(exc)) from None


def _notes(cues: Sequence[pf.Cue]) -> str:
    return "\n".join(" ".join(c.text.split()) for c in cues if c.text.strip())


def load_slides(video: Path, rules: SlideRules | None = None) -> list[Slide]:
    """The slides of an output set written with ``--sections`` (see the module docstring).

    Parameters
    ----------
    video
        The output's main file, e.g. ``talk.mp4``; ``talk.sections.json`` must be beside it.
    rules
        Which slides loop (default: :class:`SlideRules` with no overrides).
    """
    rules = rules or SlideRules()
    video = Path(video)
    index_path = video.with_name(video.stem + ".sections.json")
    if not index_path.exists():
        raise DeckError(f"{video.name}: no sections index {index_path.name} beside it; render "
                        "with --sections first")
    try:
        entries = json.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DeckError(f"{index_path.name}: not a sections index ({exc})") from None
    if not isinstance(entries, list) or not entries:
        raise DeckError(f"{index_path.name}: no sections in it")
    srt = video.with_suffix(".srt")
    cues = pf.read_srt(srt.read_text(encoding="utf-8")) if srt.exists() else []
    names = [(str(e.get("name", "")), pf.readable_name(str(e.get("name", "")),
                                                       str(e.get("scene", ""))))
             for e in entries]
    rules.check(len(entries), names)
    slides: list[Slide] = []
    t = 0.0
    for number, entry in enumerate(entries, start=1):
        clip = video.parent / str(entry["file"])
        if not clip.exists():
            raise DeckError(f"{index_path.name}: section {number}'s clip {entry['file']} is "
                            "missing")
        duration = float(entry["duration"])
        start = float(entry.get("start", t))
        t = start + duration
        name, title = names[number - 1]
        scene = str(entry.get("scene", ""))
        loop = rules.loops(number, name, title, str(entry.get("type", "")))
        inside = pf.cues_between(cues, start, start + duration)
        notes = entry.get("notes")
        if not isinstance(notes, str) or not notes.strip():
            notes = _notes(inside)
        hold, poster_at = choose_hold(clip, duration)
        if loop:
            hold = None  # a loop plays to its end; its poster is still the fullest late frame
        slides.append(Slide(number=number, name=name, title=title, scene=scene, clip=clip,
                            start=start, duration=duration, loop=loop, hold=hold,
                            poster_at=poster_at, notes=notes, cues=tuple(inside),
                            audio=_has_audio(clip)))
    return slides


def write_poster(slide: Slide, out: Path) -> Path:
    """Write the slide's poster frame as a JPEG (the hold frame; see :func:`choose_hold`)."""
    end = slide.poster_at >= slide.duration - 0.06
    # the last frame: read the last 0.4 s and keep overwriting; else the one frame at the time
    seek, keep = (["-sseof", "-0.4"], ["-update", "1"]) if end else \
        (["-ss", f"{slide.poster_at:.3f}"], ["-frames:v", "1"])
    _run([_ffmpeg(), "-y", "-v", "error", "-nostdin", *seek, "-i", str(slide.clip), "-an",
          "-vf", "scale=in_range=tv:out_range=pc,format=yuvj420p", *keep,
          "-q:v", "3", "-f", "image2", "-c:v", "mjpeg", str(out)],
         f"writing the poster of slide {slide.number}")
    if not out.exists() or out.stat().st_size == 0:
        raise pf.PlatformError(f"no poster frame for slide {slide.number}")
    return out


# --------------------------------------------------------------------------------------------
# The HTML deck
# --------------------------------------------------------------------------------------------

_ASSETS = ("deck.css", "deck.js")


def _asset(name: str) -> bytes:
    return resources.files("gdanim.app").joinpath("deck_assets", name).read_bytes()


def _page(title: str, slides: Sequence[Slide], captions: bool) -> str:
    esc = html.escape
    data = {
        "title": title,
        "slides": [
            {"title": s.title, "notes": s.notes, "loop": s.loop, "hold": s.hold,
             "audio": s.audio, "poster": f"posters/{s.slug}.jpg",
             "duration": round(s.duration, 3)}
            for s in slides
        ],
    }
    # inside <script>, "</" would end the element: JSON allows "<\/" for it
    blob = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    parts = []
    for s in slides:
        # a browser loads no <track> file from a page opened from file:// (each file is an
        # origin of its own), so the captions are inlined as a data: URL; the same WebVTT is
        # in captions/ for other players
        vtt = base64.b64encode(pf.vtt_text(s.cues).encode("utf-8")).decode("ascii")
        track = (f'\n      <track kind="captions" srclang="en" label="Captions" default '
                 f'data-file="captions/{s.slug}.vtt" '
                 f'src="data:text/vtt;charset=utf-8;base64,{vtt}">') if captions and s.cues else ""
        mode = "loop" if s.loop else "once"
        parts.append(
            f'  <section class="slide" id="slide-{s.number}" data-mode="{mode}" '
            f'aria-label="{esc(s.title)}">\n'
            f'    <video src="clips/{s.slug}.mp4" preload="auto" playsinline '
            f'disablepictureinpicture>{track}\n    </video>\n  </section>'
        )
    body = "\n".join(parts)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gdanim">
<title>{esc(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="deck.css">
</head>
<body>
<main id="stage" aria-live="polite">
{body}
</main>
<div id="counter"></div>
<div id="sound-hint" hidden>Press any key for sound</div>
<div id="notes" hidden>
  <img id="notes-current-poster" alt="">
  <div id="notes-text"></div>
  <div id="notes-side">
    <div id="notes-number"></div>
    <div id="notes-title"></div>
    <div id="notes-clock">0:00</div>
    <div id="notes-next-title"></div>
    <img id="notes-next-poster" alt="The next slide">
  </div>
</div>
<script id="deck-data" type="application/json">
{blob}
</script>
<script src="deck.js"></script>
</body>
</html>
"""


def write_html_deck(slides: Sequence[Slide], folder: Path, title: str, *,
                    handout: bool = True) -> Path:
    """Write the browser deck into ``folder`` (which should be empty); returns ``index.html``.

    The folder holds ``index.html``, ``deck.css`` and ``deck.js`` (the player), ``clips/``
    (one MP4 per slide), ``posters/`` (the hold frames as JPEG), ``captions/`` (WebVTT per
    slide, on the clip's clock, as ``<track>`` elements) and ``handout.pdf`` (see
    :mod:`gdanim.app.handout`). Nothing in it refers to another host.
    """
    if not slides:
        raise DeckError("no slides: the render has no sections")
    folder = Path(folder)
    for sub in ("clips", "posters", "captions"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for slide in slides:
        shutil.copyfile(slide.clip, folder / "clips" / f"{slide.slug}.mp4")
        write_poster(slide, folder / "posters" / f"{slide.slug}.jpg")
        if slide.cues:
            (folder / "captions" / f"{slide.slug}.vtt").write_text(
                pf.vtt_text(slide.cues), encoding="utf-8")
    for name in _ASSETS:
        (folder / name).write_bytes(_asset(name))
    index = folder / "index.html"
    index.write_text(_page(title, slides, captions=True), encoding="utf-8")
    if handout:
        from gdanim.app.handout import write_handout

        write_handout(slides, [folder / "posters" / f"{s.slug}.jpg" for s in slides],
                      folder / "handout.pdf", title)
    return index
