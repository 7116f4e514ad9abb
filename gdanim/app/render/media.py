"""Media files with FFmpeg: reading them (with PyAV), joining clips, encoding for publishing,
WebM and GIF, and taking the last frame.

- ``mp4``: the scenes' H.264 clips joined without re-encoding, ``+faststart``;
- ``mp4`` for publishing: lossless RGB clips encoded once to the video platform's recommended
  upload settings: H.264 High 4:2:0 progressive, CRF 18, BT.709 (matrix, primaries, transfer),
  at most 2 B-frames, a closed GOP of half the frame rate, no edit list, ``+faststart``,
  AAC-LC 48 kHz when there is audio (see :mod:`gdanim.app.platform`);
- ``webm``: VP9 (for slides, which loop it), from lossless clips; ``gif``: a looping GIF with
  one palette per clip, at most 25 frames per second (GIF counts time in hundredths of a
  second).

Every file is written to a temporary name and appears only when complete.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from gdanim.app import probe
from gdanim.app.probe import StreamInfo
from gdanim.app.render.base import RenderError
from gdanim.app.render.outputs import atomic_output, scratch

__all__ = [
    "concat_videos",
    "encode",
    "extract_last_frame",
    "last_frame",
    "concat_list",
    "probe_duration",
    "probe_streams",
    "run_ffmpeg",
]


def _ffmpeg() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise RenderError("ffmpeg was not found on PATH; run scripts/setup.sh to install it")
    return exe



def concat_list(parts: Sequence[Path], folder: Path) -> Path:
    """The list of ``parts`` for ffmpeg's concat demuxer, written into ``folder``."""
    listing = folder / "parts.txt"
    listing.write_text(
        "".join(f"file '{Path(p).resolve().as_posix()}'\n" for p in parts), encoding="utf-8"
    )
    return listing


def probe_streams(path: Path) -> list[StreamInfo]:
    """The streams of a media file: kind, codec, profile, pixel format, colour tags... (read
    with PyAV, see :func:`gdanim.app.probe.streams`)."""
    try:
        return probe.streams(path)
    except probe.ProbeError as exc:
        raise RenderError(str(exc)) from None


def probe_duration(path: Path) -> float:
    """Duration of a media file in seconds (its container's, read with PyAV)."""
    try:
        return probe.duration(path)
    except probe.ProbeError as exc:
        raise RenderError(str(exc)) from None


def _has_audio(paths: Sequence[Path]) -> bool:
    return any(s.kind == "audio" for p in paths for s in probe_streams(p))


def run_ffmpeg(args: Sequence[str], what: str) -> None:
    proc = subprocess.run([_ffmpeg(), "-y", "-v", "error", "-nostdin", *args],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RenderError(f"{what} failed: {proc.stderr.strip()[-2000:]}")


#: Convert RGB or BT.601-matrix YUV to BT.709 YUV 4:2:0 in limited range, and tag it so.
_BT709_FILTER = "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p"
_BT709_TAGS = ("-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
               "-color_range", "tv")


def _publish_args(fps: int, audio: bool, chapters: Path | None) -> list[str]:
    """ffmpeg output options for the video platform's recommended upload settings.

    H.264 High 4:2:0 progressive, CRF 18, at most 2 consecutive B-frames, a closed GOP of half
    the frame rate (a keyframe every ``ceil(fps / 2)`` frames, none added at scene cuts),
    BT.709 tags, AAC-LC 48 kHz stereo when there is audio, ``moov`` before ``mdat``
    (``+faststart``) and no edit list (the B-frames' delay is kept out of the timestamps with
    negative composition offsets instead). ``chapters`` is an FFMETADATA file whose chapters
    are written into the MP4 (input 1 of the command).
    """
    from gdanim.app.platform import gop_length

    gop = str(gop_length(fps))
    meta = ["-i", str(chapters), "-map_metadata", "1", "-map_chapters", "1"] if chapters else []
    return [
        *meta, "-map", "0:v:0", *(["-map", "0:a:0"] if audio else []),
        "-vf", _BT709_FILTER, "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-crf", "18", "-preset", "medium", "-tune", "animation", "-bf", "2", "-g", gop,
        "-keyint_min", gop, "-sc_threshold", "0", "-flags", "+cgop",
        "-x264-params", "open-gop=0", "-field_order", "progressive", *_BT709_TAGS,
        *(["-c:a", "aac", "-profile:a", "aac_low", "-ar", "48000", "-ac", "2", "-b:a", "192k"]
          if audio else ["-an"]),
        "-movflags", "+faststart+negative_cts_offsets", "-use_editlist", "0", "-f", "mp4",
    ]


def encode(parts: Sequence[Path], out: Path, fmt: str, publish: bool, fps: int,
            chapters: Path | None = None) -> None:
    """Encode ``parts`` (joined in order) into ``out`` (a temporary path) as ``fmt``."""
    with scratch() as tmpdir:
        listing = concat_list(parts, tmpdir)
        src = ["-f", "concat", "-safe", "0", "-i", str(listing)]
        audio = _has_audio(parts)
        if fmt == "mp4" and publish:
            args = [*src, *_publish_args(fps, audio, chapters), str(out)]
            what = "encoding for publishing"
        elif fmt == "webm":
            args = [
                *src, "-map", "0:v:0", *(["-map", "0:a:0"] if audio else []),
                "-vf", _BT709_FILTER, "-c:v", "libvpx-vp9", "-crf", "30", "-b:v", "0",
                "-row-mt", "1", "-deadline", "realtime", "-cpu-used", "5",
                "-g", str(2 * fps), *_BT709_TAGS,
                *(["-c:a", "libopus", "-ar", "48000"] if audio else ["-an"]),
                "-f", "webm", str(out),
            ]
            what = "encoding WebM"
        elif fmt == "gif":
            rate = f"fps={min(fps, 25)}," if fps > 25 else ""
            graph = (f"{rate}split[a][b];[a]palettegen=stats_mode=diff[p];"
                     "[b][p]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle")
            args = [*src, "-an", "-vf", graph, "-loop", "0", "-f", "gif", str(out)]
            what = "encoding GIF"
        else:
            raise RenderError(f"no encoder for format {fmt!r}")
        run_ffmpeg(args, what)


def extract_last_frame(video: Path, png: Path) -> Path:
    """Write the last frame of ``video`` to ``png`` (``png`` appears only when complete)."""
    with atomic_output(Path(png)) as tmp:
        last_frame(video, tmp)
    return Path(png)


def last_frame(video: Path, png: Path) -> None:
    run_ffmpeg(["-sseof", "-0.5", "-i", str(video), "-an", "-fps_mode", "passthrough",
                 "-update", "1", "-f", "image2", "-c:v", "png", str(png)],
                "extracting the last frame")
    if png.stat().st_size == 0:  # clip shorter than the seek: read it all
        run_ffmpeg(["-i", str(video), "-an", "-fps_mode", "passthrough", "-update", "1",
                     "-f", "image2", "-c:v", "png", str(png)], "extracting the last frame")



def concat_videos(parts: Sequence[Path], out: Path) -> Path:
    """Join video files of identical encoding into ``out`` without re-encoding.

    Uses ffmpeg's concat demuxer with stream copy and ``+faststart``. ``out`` appears only when
    the join succeeded.
    """
    if not parts:
        raise RenderError("nothing to join")
    out = Path(out)
    with scratch() as tmpdir:
        listing = concat_list(parts, tmpdir)
        with atomic_output(out) as tmp:
            cmd = [_ffmpeg(), "-y", "-v", "error", "-f", "concat", "-safe", "0",
                   "-i", str(listing), "-c", "copy"]
            if out.suffix.lower() in (".mp4", ".mov"):
                cmd += ["-movflags", "+faststart"]
            cmd += ["-f", {".webm": "webm", ".gif": "gif"}.get(out.suffix.lower(), "mp4"),
                    str(tmp)]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise RenderError(f"joining clips failed: {proc.stderr.strip()}")
    return out

