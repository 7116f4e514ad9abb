"""What a media file holds, read with PyAV (FFmpeg's libraries, which manim installs): its
duration, its streams and their encoding, and its video packets.

Nothing here runs a program; a file that cannot be read raises :class:`ProbeError` with one
line that names it.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> bad = Path(tempfile.mkdtemp()) / "bad.mp4"
>>> _ = bad.write_bytes(b"not a video")
>>> duration(bad)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gdanim.app.probe.ProbeError: cannot read .../bad.mp4: ...
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

__all__ = [
    "ProbeError",
    "StreamInfo",
    "duration",
    "has_audio",
    "stream_durations",
    "streams",
    "video_packets",
]

#: FFmpeg's ``AVFieldOrder``, ``AVColorPrimaries``, ``AVColorTransferCharacteristic`` and
#: ``AVColorSpace`` values, by the names ffprobe gives them (the common ones; any other value
#: reads as "unknown").
_FIELD_ORDERS = {0: "unknown", 1: "progressive", 2: "tt", 3: "bb", 4: "tb", 5: "bt"}
_PRIMARIES = {1: "bt709", 2: "unknown", 4: "bt470m", 5: "bt470bg", 6: "smpte170m",
              7: "smpte240m", 8: "film", 9: "bt2020", 12: "smpte432"}
_TRANSFERS = {1: "bt709", 2: "unknown", 4: "gamma22", 5: "gamma28", 6: "smpte170m",
              7: "smpte240m", 8: "linear", 13: "iec61966-2-1", 14: "bt2020-10",
              15: "bt2020-12", 16: "smpte2084", 18: "arib-std-b67"}
_SPACES = {0: "gbr", 1: "bt709", 2: "unknown", 4: "fcc", 5: "bt470bg", 6: "smpte170m",
           7: "smpte240m", 8: "ycgco", 9: "bt2020nc", 10: "bt2020c"}


class ProbeError(RuntimeError):
    """A media file that cannot be read."""


@contextmanager
def _opened(path: Path | str) -> Iterator[Any]:
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise ProbeError(f"cannot read {path}: {exc}") from None
    try:
        yield container
    finally:
        container.close()


@dataclass(frozen=True)
class StreamInfo:
    """One stream of a media file.

    ``kind`` is ``"video"``, ``"audio"`` or another of FFmpeg's types; ``duration`` is in
    seconds (``None`` when the container gives none per stream, as WebM does). The video fields
    (``width``, ``height``, ``pix_fmt``, ``frame_rate``, the colour tags, ``field_order`` and
    ``reorder_depth``, what ffprobe calls ``has_b_frames``) are ``None`` for other streams,
    ``sample_rate`` for streams that are not audio.
    """

    kind: str
    codec: str
    profile: str | None
    duration: float | None
    width: int | None = None
    height: int | None = None
    pix_fmt: str | None = None
    frame_rate: float | None = None
    color_primaries: str | None = None
    color_transfer: str | None = None
    color_space: str | None = None
    field_order: str | None = None
    reorder_depth: int | None = None
    sample_rate: int | None = None


def _info(stream: Any) -> StreamInfo:
    cc = stream.codec_context
    kind = str(stream.type)
    length = None if stream.duration is None or stream.time_base is None else \
        float(stream.duration * stream.time_base)
    if cc is None:  # a data stream (an MP4's chapter track): no decoder, no codec
        return StreamInfo(kind, "", None, length)
    codec = str(cc.name)
    profile = None if cc.profile is None else str(cc.profile)
    if kind == "video":
        rate = stream.average_rate
        return StreamInfo(
            kind, codec, profile, length, width=int(cc.width), height=int(cc.height),
            pix_fmt=None if cc.pix_fmt is None else str(cc.pix_fmt),
            frame_rate=None if not rate else float(Fraction(rate)),
            color_primaries=_PRIMARIES.get(int(cc.color_primaries), "unknown"),
            color_transfer=_TRANSFERS.get(int(cc.color_trc), "unknown"),
            color_space=_SPACES.get(int(cc.colorspace), "unknown"),
            field_order=_FIELD_ORDERS.get(int(cc.field_order), "unknown"),
            reorder_depth=int(cc.reorder_depth))
    if kind == "audio":
        return StreamInfo(kind, codec, profile, length, sample_rate=int(cc.sample_rate))
    return StreamInfo(kind, codec, profile, length)


def streams(path: Path | str) -> list[StreamInfo]:
    """Every stream of ``path``, in file order."""
    with _opened(path) as container:
        return [_info(s) for s in container.streams]


def has_audio(path: Path | str) -> bool:
    """Whether ``path`` has an audio stream."""
    return any(s.kind == "audio" for s in streams(path))


def duration(path: Path | str) -> float:
    """The duration of ``path`` in seconds, as its container gives it (ffprobe's
    ``format=duration``)."""
    with _opened(path) as container:
        if container.duration is None:
            raise ProbeError(f"cannot read {path}: it gives no duration")
        return float(container.duration) / av.time_base


def stream_durations(path: Path | str) -> dict[str, float]:
    """Durations in seconds of the first video and the first audio stream (keys ``video``,
    ``audio``; a stream without a duration of its own, or missing, is left out)."""
    out: dict[str, float] = {}
    for s in streams(path):
        if s.kind in ("video", "audio") and s.kind not in out and s.duration is not None:
            out[s.kind] = s.duration
    return out


def video_packets(path: Path | str) -> list[tuple[int, bool]]:
    """The first video stream's packets in decoding order: ``(pts, is_keyframe)``."""
    with _opened(path) as container:
        if not container.streams.video:
            return []
        stream = container.streams.video[0]
        try:
            return [(int(p.pts), bool(p.is_keyframe)) for p in container.demux(stream)
                    if p.pts is not None]
        except av.error.FFmpegError as exc:
            raise ProbeError(f"cannot read the packets of {path}: {exc}") from None
