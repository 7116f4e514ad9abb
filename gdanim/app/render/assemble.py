"""Turn rendered clips into the output asked for, with its sidecars, all at once or not at all.

Final outputs (:func:`assemble`):

- ``mp4``: the scenes' clips joined without re-encoding; with ``publish``, encoded once to the
  video platform's recommended upload settings, with chapters (also ``OUT.chapters.txt``) and a
  thumbnail ``OUT.thumb.jpg`` (see :mod:`gdanim.app.platform`);
- ``webm`` and ``gif`` (see :mod:`gdanim.app.render.media`);
- ``png``: the last frame of the last scene;
- sidecars: the ``.srt`` subtitles (the clips' own, each shifted by where its clip starts) and
  the same as WebVTT (``.vtt``), a poster (the last frame as PNG) and a folder with one clip
  per section plus a JSON index (name, file, duration, and where the section starts, its scene
  and its manim section type).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gdanim._typing import FloatArray
from gdanim.app.render.base import FRAME_RATES, RenderError
from gdanim.app.render.manim import RenderResult
from gdanim.app.render.media import (
    concat_list,
    encode,
    last_frame,
    probe_duration,
    run_ffmpeg,
)
from gdanim.app.render.outputs import OutputSet, atomic_output, scratch
from gdanim.app.subtitles import merged_srt

__all__ = ["Assembled", "OutputRequest", "assemble", "merge_srt"]


@dataclass(frozen=True)
class OutputRequest:
    """What to write: the main file and its sidecars.

    ``path`` ends in the suffix of ``fmt``; the subtitles go to ``path.with_suffix(".srt")``,
    the poster to ``path.with_suffix(".png")``, the sections to the folder
    ``<stem>.sections`` with the index ``<stem>.sections.json`` beside ``path``.
    """

    path: Path
    fmt: str = "mp4"
    quality: str = "h"
    publish: bool = False
    poster: bool = False
    sections: bool = False
    #: With ``publish``: the second of the thumbnail's frame (``None``: the default frame).
    thumbnail_at: float | None = None

    @property
    def lossless(self) -> bool:
        """Whether manim should render lossless clips (the output is encoded once more)."""
        return self.publish or self.fmt in ("webm", "gif")

    @property
    def srt_path(self) -> Path:
        return self.path.with_suffix(".srt")

    @property
    def poster_path(self) -> Path:
        return self.path.with_suffix(".png")

    @property
    def sections_dir(self) -> Path:
        return self.path.with_name(self.path.stem + ".sections")

    @property
    def sections_index(self) -> Path:
        return self.path.with_name(self.path.stem + ".sections.json")

    @property
    def vtt_path(self) -> Path:
        return self.path.with_suffix(".vtt")

    @property
    def chapters_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".chapters.txt")

    @property
    def thumbnail_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".thumb.jpg")


@dataclass(frozen=True)
class Assembled:
    """The files :func:`assemble` wrote (``None`` for those not asked for or not produced)."""

    video: Path
    duration: float
    srt: Path | None = None
    poster: Path | None = None
    sections_index: Path | None = None
    section_files: tuple[Path, ...] = ()
    vtt: Path | None = None
    chapters: Path | None = None
    thumbnail: Path | None = None

    @property
    def files(self) -> list[Path]:
        """Every file written, the main one first."""
        extra = [p for p in (self.srt, self.vtt, self.poster, self.chapters, self.thumbnail,
                             self.sections_index) if p is not None]
        return [self.video, *extra, *self.section_files]


def _slice(track: FloatArray, start: float, duration: float) -> FloatArray:
    """``duration`` seconds of ``track`` from ``start`` (padded with silence at the end)."""
    from gdanim.app.audio import RATE

    first, n = int(round(start * RATE)), int(round(duration * RATE))
    piece = np.zeros(n)
    chunk = track[first: first + n]
    piece[: len(chunk)] = chunk
    return piece


def _slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return s[:40] or "section"


def _write_clip(parts: Sequence[Path], out: Path, req: OutputRequest,
                chapters: Path | None = None) -> None:
    if req.fmt == "mp4" and not req.publish:
        cmd = ["-f", "concat", "-safe", "0"]
        with scratch() as tmpdir:
            listing = concat_list(parts, tmpdir)
            run_ffmpeg([*cmd, "-i", str(listing), "-c", "copy", "-movflags", "+faststart",
                         "-f", "mp4", str(out)], "joining clips")
    else:
        encode(parts, out, req.fmt, req.publish, FRAME_RATES[req.quality], chapters)


def _add_audio(video: Path, track: FloatArray, req: OutputRequest) -> None:
    """Mux ``track`` into ``video`` (in place) with the audio settings of ``req``'s format.

    The encoded track's true peaks are measured and limited where encoding raised them above
    -1 dBTP (see :func:`gdanim.app.audio.mux_audio`); a section clip is checked too, since a
    clip that starts in the middle of a sentence overshoots where the joined video did not.
    """
    from gdanim.app.audio import PEAK_LIMIT_DBTP as limit
    from gdanim.app.audio import mux_audio

    if req.fmt == "webm":
        mux_audio(video, track, video, codec="libopus", bitrate="96k", peak_limit=limit,
                  container=("-f", "webm"))
    elif req.publish:
        # the video platform's upload settings: AAC-LC 48 kHz stereo, no edit list
        mux_audio(video, track, video, bitrate="192k", channels=2, peak_limit=limit,
                  container=("-movflags", "+faststart+negative_cts_offsets",
                             "-use_editlist", "0", "-f", "mp4"))
    else:
        mux_audio(video, track, video, peak_limit=limit)


def _narration_track(results: Sequence[RenderResult], offsets: Sequence[float],
                     duration: float) -> FloatArray | None:
    """The joined soundtrack of the narrated results, or ``None`` when none is narrated."""
    if not any(r.narration is not None for r in results):
        return None
    from gdanim.app.narration import Narration, joined_soundtrack

    parts = [(None if r.narration is None else Narration.from_file(r.narration), t)
             for r, t in zip(results, offsets, strict=True)]
    return joined_soundtrack(parts, duration)


def assemble(
    results: Sequence[RenderResult],
    req: OutputRequest,
    *,
    log: Callable[[str], None] | None = None,
) -> Assembled:
    """Turn rendered clips into the requested output and its sidecars.

    Every file is written under a temporary name, and the whole set (video, subtitles, poster,
    section clips and their index) is put in place together once all of them are done
    (:class:`OutputSet`): a failure or Ctrl-C leaves nothing at ``req.path``, and never
    replaces part of a previous set.
    """
    if not results:
        raise RenderError("nothing to assemble")
    say = log or (lambda _msg: None)
    if req.fmt == "png":
        with atomic_output(req.path) as tmp:
            shutil.copyfile(results[-1].video, tmp)
        return Assembled(video=req.path, duration=0.0)

    from gdanim.app import platform as pf

    parts = [r.video for r in results]
    srt_parts: list[tuple[Path | None, float]] = []
    scene_parts: list[tuple[str, float, float, Path | None]] = []
    t = 0.0
    for r in results:
        srt_parts.append((r.srt, t))
        length = probe_duration(r.video)
        scene_parts.append((r.job.name, t, length, r.sections))
        t += length
    timeline = pf.timeline(scene_parts)
    want_srt = req.fmt in ("mp4", "webm") and any(r.srt is not None for r in results)
    clips = [s for s in timeline if s.clip is not None and s.clip.exists()] \
        if req.sections else []

    outputs = OutputSet()
    try:
        # added first, put in place last: the main file appears after all its sidecars
        tmp_video = outputs.file(req.path)
        chapter_list: list[pf.Chapter] = []
        meta: Path | None = None
        if req.publish:
            chapter_list = pf.chapters(timeline, t)
            problems = pf.check_chapters(chapter_list, t)
            if problems:
                say(f"no chapters: {problems[0]}")
                chapter_list = []
        say({"mp4": "encoding for publishing" if req.publish else "joining clips",
             "webm": "encoding WebM (VP9)", "gif": "encoding GIF"}[req.fmt])
        with scratch() as tmpdir:
            if chapter_list:
                meta = tmpdir / "chapters"
                meta.write_text(pf.ffmetadata(chapter_list, t), encoding="utf-8")
            _write_clip(parts, tmp_video, req, meta)
        track = None
        if req.fmt in ("mp4", "webm"):
            track = _narration_track(results, [p[1] for p in scene_parts],
                                     probe_duration(tmp_video))
        if track is not None:
            from gdanim.app.audio import RATE, integrated_loudness, true_peak

            say(f"mixing the narration ({integrated_loudness(track, RATE):.1f} LUFS, true "
                f"peak {true_peak(track, RATE):.1f} dBTP)")
            _add_audio(tmp_video, track, req)
        srt = vtt = chapters = thumbnail = None
        if want_srt:
            tmp_srt = outputs.file(req.srt_path)
            tmp_srt.write_text(merged_srt(srt_parts), encoding="utf-8")
            srt = req.srt_path
            outputs.file(req.vtt_path).write_text(
                pf.srt_to_vtt(tmp_srt.read_text(encoding="utf-8")), encoding="utf-8")
            vtt = req.vtt_path
        if chapter_list:
            outputs.file(req.chapters_path).write_text(pf.chapters_text(chapter_list),
                                                       encoding="utf-8")
            chapters = req.chapters_path
        if req.publish:
            at = req.thumbnail_at if req.thumbnail_at is not None \
                else pf.default_thumbnail_time(timeline)
            if not 0 <= at < t:
                raise RenderError(f"--thumbnail-at: {at:g} s is not inside the video "
                                  f"(0 to {t:.1f} s)")
            say(f"writing the thumbnail (the frame at {at:.2f} s)")
            try:
                pf.write_thumbnail(tmp_video, at, outputs.file(req.thumbnail_path))
            except pf.PlatformError as exc:
                raise RenderError(str(exc)) from None
            thumbnail = req.thumbnail_path
        poster = None
        if req.poster:
            say("writing the poster frame")
            last_frame(parts[-1], outputs.file(req.poster_path))
            poster = req.poster_path
        index_path = None
        files: list[Path] = []
        if req.sections:
            say(f"writing {len(clips)} section clips")
            tmp_dir = outputs.folder(req.sections_dir)
            index: list[dict[str, object]] = []
            ext = req.path.suffix
            for i, sec in enumerate(clips, start=1):
                assert sec.clip is not None
                fname = f"{i:02d}-{_slug(sec.name)}{ext}"
                _write_clip([sec.clip], tmp_dir / fname, req)
                if track is not None:
                    _add_audio(tmp_dir / fname, _slice(track, sec.start,
                                                       probe_duration(tmp_dir / fname)), req)
                index.append({
                    "name": sec.name,
                    "file": f"{req.sections_dir.name}/{fname}",
                    "duration": round(probe_duration(tmp_dir / fname), 3),
                    "start": round(sec.start, 3),
                    "scene": sec.scene,
                    "type": sec.kind,
                })
                files.append(req.sections_dir / fname)
            outputs.file(req.sections_index).write_text(json.dumps(index, indent=2) + "\n",
                                                         encoding="utf-8")
            index_path = req.sections_index
        duration = probe_duration(tmp_video)
        outputs.commit()
    except BaseException:
        outputs.discard()
        raise
    return Assembled(video=req.path, duration=duration, srt=srt, poster=poster,
                     sections_index=index_path, section_files=tuple(files), vtt=vtt,
                     chapters=chapters, thumbnail=thumbnail)


def merge_srt(parts: Sequence[tuple[Path | None, float]], out: Path) -> Path:
    """Merge subtitle files, each shifted by its offset in seconds, into one ``.srt`` at
    ``out`` (which appears only when complete)."""
    with atomic_output(Path(out)) as tmp:
        tmp.write_text(merged_srt(parts), encoding="utf-8")
    return Path(out)
