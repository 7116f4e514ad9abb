"""Render scenes with manim in subprocesses and assemble the results.

gdanim never imports manim: scenes are rendered by ``python -m manim render`` in child
processes (several at once when asked), and the finished clips are joined with ffmpeg's concat
demuxer without re-encoding. Subcaption files (``.srt``) are merged with the right time offsets.
Every output is written to a temporary name and renamed only when complete, so a failed or
interrupted render leaves nothing half-written behind; an interrupt also stops the manim
processes at once.

Final outputs (:func:`assemble`):

- ``mp4``: the scenes' H.264 clips joined without re-encoding, ``+faststart``;
- ``mp4`` with ``publish``: manim renders lossless RGB clips, encoded once to the video
  platform's recommended upload settings: H.264 High 4:2:0 progressive, CRF 18, BT.709 (matrix,
  primaries, transfer), at most 2 B-frames, a closed GOP of half the frame rate, no edit list,
  ``+faststart``, AAC-LC 48 kHz when there is audio; with chapters (also ``OUT.chapters.txt``)
  and a thumbnail ``OUT.thumb.jpg`` (see :mod:`gdanim.app.platform`);
- ``webm``: VP9 (for slides, which loop it), from lossless clips; ``gif``: a looping GIF with one
  palette per clip, at most 25 frames per second (GIF counts time in hundredths of a second);
- ``png``: the last frame of the last scene;
- sidecars: the ``.srt`` subtitles and the same as WebVTT (``.vtt``), a poster (the last frame
  as PNG) and a folder with one clip per section plus a JSON index (name, file, duration, and
  where the section starts, its scene and its manim section type).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "FRAME_RATES",
    "QUALITIES",
    "Assembled",
    "OutputRequest",
    "RenderError",
    "RenderJob",
    "RenderResult",
    "assemble",
    "atomic_dir",
    "atomic_output",
    "concat_videos",
    "extract_last_frame",
    "merge_srt",
    "probe_duration",
    "probe_streams",
    "render_many",
    "render_scene",
    "terminate_renders",
]

#: manim's quality presets: flag letter -> (folder name manim writes to, description).
QUALITIES: dict[str, tuple[str, str]] = {
    "l": ("480p15", "854x480, 15 fps (preview)"),
    "m": ("720p30", "1280x720, 30 fps"),
    "h": ("1080p60", "1920x1080, 60 fps"),
    "p": ("1440p60", "2560x1440, 60 fps"),
    "k": ("2160p60", "3840x2160, 60 fps"),
}

#: Frames per second of each quality preset.
FRAME_RATES: dict[str, int] = {"l": 15, "m": 30, "h": 60, "p": 60, "k": 60}

REPO_ROOT = Path(__file__).resolve().parent.parent

#: manim options for lossless RGB clips (one H.264 4:4:4 RGB stream at CRF 0), the master from
#: which publishing, WebM and GIF outputs are encoded exactly once.
LOSSLESS_MASTER: tuple[str, ...] = (
    "--video-codec", "libx264rgb", "--pixel-format", "rgb24",
    "--encoder-option", "crf=0", "--encoder-option", "preset=ultrafast",
)


class RenderError(RuntimeError):
    """A render or an assembly step failed; the message says which and why."""


@dataclass(frozen=True)
class RenderJob:
    """One scene to render: the scene file, the class, and scene parameters (JSON-able)."""

    file: Path
    scene: str
    params: dict[str, object] = field(default_factory=dict)
    label: str = ""

    @property
    def name(self) -> str:
        """Display name of the job (the label, or the scene class)."""
        return self.label or self.scene

    @property
    def key(self) -> str:
        """A short digest of the scene and its parameters (names the job's files)."""
        blob = json.dumps([Path(self.file).name, self.scene, self.params], sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]

    @property
    def output_name(self) -> str:
        """File name (without suffix) manim writes: the class, plus the key with parameters."""
        return self.scene if not self.params else f"{self.scene}_{self.key}"


@dataclass(frozen=True)
class RenderResult:
    """Paths produced by rendering one :class:`RenderJob`."""

    job: RenderJob
    video: Path
    srt: Path | None
    sections: Path | None
    seconds: float


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only on success.

    On any exception (including ``KeyboardInterrupt``) the temporary file is removed, so no
    partial output is ever left at ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".part{path.suffix}",
                                    dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp makes the file private; give it the usual permissions before it appears
        os.chmod(tmp, 0o666 & ~_umask())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _ffmpeg() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise RenderError("ffmpeg was not found on PATH; run scripts/setup.sh to install it")
    return exe


def probe_duration(path: Path) -> float:
    """Duration of a media file in seconds, read with ffprobe."""
    exe = shutil.which("ffprobe")
    if exe is None:
        raise RenderError("ffprobe was not found on PATH; run scripts/setup.sh to install it")
    out = subprocess.run(
        [exe, "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        raise RenderError(f"ffprobe could not read {path}: {out.stderr.strip()}")
    return float(json.loads(out.stdout)["format"]["duration"])


# --------------------------------------------------------------------------------------------
# Running manim
# --------------------------------------------------------------------------------------------

_RUNNING: set[subprocess.Popen[bytes]] = set()
_RUNNING_LOCK = threading.Lock()
_STDERR_LOCK = threading.Lock()


def terminate_renders() -> None:
    """Stop every manim process this process started (used on Ctrl-C)."""
    with _RUNNING_LOCK:
        procs = list(_RUNNING)
    for proc in procs:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
    deadline = time.monotonic() + 5.0
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()


_BANNER = re.compile(rb"Manim Community v[0-9.]+\r?\n(?:\r?\n)?")


def _pump(stream: object, echo: bool, tail: list[bytes]) -> None:
    """Copy a child's output to our stderr (when ``echo``) and keep its last 16 kB."""
    fd = stream.fileno()  # type: ignore[attr-defined]
    kept = 0
    while True:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        chunk = _BANNER.sub(b"", chunk)
        if echo and chunk:
            with _STDERR_LOCK:
                sys.stderr.write(chunk.decode("utf-8", "replace"))
                sys.stderr.flush()
        tail.append(chunk)
        kept += len(chunk)
        while kept > 16384 and len(tail) > 1:
            kept -= len(tail.pop(0))


def render_scene(
    job: RenderJob,
    *,
    quality: str = "h",
    fmt: str = "mp4",
    media_dir: Path,
    sections: bool = False,
    lossless: bool = False,
    quiet: bool = False,
    log: Callable[[str], None] | None = None,
) -> RenderResult:
    """Render one scene with ``python -m manim render`` and return the produced files.

    ``media_dir`` is manim's media folder; keeping it between runs lets manim reuse its
    partial-movie cache (a job with parameters gets a folder of its own inside it, so that two
    jobs of one scene class never share a cache). Scene parameters reach the scene through a
    JSON file named by the ``GDANIM_SCENE_PARAMS`` environment variable. ``fmt`` is ``"mp4"``
    or ``"png"`` (the last frame); ``lossless`` renders lossless RGB clips (see
    :data:`LOSSLESS_MASTER`). The child's progress bars are shown live unless ``quiet``; on
    Ctrl-C the child is stopped (see :func:`terminate_renders`).
    """
    if quality not in QUALITIES:
        raise RenderError(f"quality must be one of {', '.join(QUALITIES)}, got {quality!r}")
    if fmt not in ("mp4", "png"):
        raise RenderError(f"manim renders mp4 clips or a png frame here, not {fmt!r}")
    media_dir = Path(media_dir)
    if job.params:
        media_dir = media_dir / "custom" / job.key
    media_dir.mkdir(parents=True, exist_ok=True)
    # each scene typesets into a TeX folder of its own: scenes rendered at the same time would
    # otherwise write the same <hash>.tex/.dvi files (tick labels are common to many) at once
    tex_dir = media_dir / "Tex" / job.scene
    cfg = media_dir / ".config" / f"{job.scene}.cfg"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg_text = f"[CLI]\ntex_dir = {tex_dir.resolve().as_posix()}\n"
    if not cfg.exists() or cfg.read_text(encoding="utf-8") != cfg_text:
        cfg.write_text(cfg_text, encoding="utf-8")
    cmd = [sys.executable, "-m", "manim", "render", f"-q{quality}", "--media_dir", str(media_dir),
           "-c", str(cfg), "-o", job.output_name]
    if fmt == "png":
        cmd += ["--format", "png"]
    else:
        if lossless:
            cmd += list(LOSSLESS_MASTER)
        if sections:
            cmd.append("--save_sections")
    cmd += ["--progress_bar", "none" if quiet else "display", "-v", "WARNING"]
    cmd += [str(job.file), job.scene]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
    )
    params_file: Path | None = None
    if job.params:
        fd, name = tempfile.mkstemp(prefix="gdanim-params-", suffix=".json")
        with os.fdopen(fd, "w") as fh:
            json.dump(job.params, fh)
        params_file = Path(name)
        env["GDANIM_SCENE_PARAMS"] = name
    start = time.monotonic()
    tail: list[bytes] = []
    try:
        # a session of its own: a Ctrl-C in the terminal reaches gdanim only, which then stops
        # the child cleanly instead of both printing tracebacks
        proc = subprocess.Popen(
            cmd, env=env, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        with _RUNNING_LOCK:
            _RUNNING.add(proc)
        try:
            reader = threading.Thread(target=_pump, args=(proc.stdout, not quiet, tail),
                                      daemon=True)
            reader.start()
            returncode = proc.wait()
            reader.join()
        except BaseException:
            terminate_renders()
            raise
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(proc)
            if proc.stdout is not None:
                proc.stdout.close()
    finally:
        if params_file is not None:
            params_file.unlink(missing_ok=True)
    seconds = time.monotonic() - start
    if returncode != 0:
        text = b"".join(tail).decode("utf-8", "replace").replace("\r", "\n")
        lines = [ln for ln in text.strip().splitlines() if ln.strip()]
        detail = "\n".join(lines[-15:])
        raise RenderError(f"rendering {job.name} failed (manim exit {returncode}):\n{detail}")
    if fmt == "png":
        image = media_dir / "images" / Path(job.file).stem / f"{job.output_name}.png"
        if not image.exists():
            raise RenderError(f"manim finished but {image} is missing")
        if log:
            log(f"{job.name}: {seconds:.1f} s")
        return RenderResult(job, image, None, None, seconds)
    folder = media_dir / "videos" / Path(job.file).stem / QUALITIES[quality][0]
    video = folder / f"{job.output_name}.mp4"
    if not video.exists():
        raise RenderError(f"manim finished but {video} is missing")
    srt = folder / f"{job.output_name}.srt"
    sec = folder / "sections" / f"{job.output_name}.json"
    if log:
        log(f"{job.name}: {seconds:.1f} s")
    return RenderResult(job, video, srt if srt.exists() else None,
                        sec if sections and sec.exists() else None, seconds)


def render_many(
    jobs: Sequence[RenderJob],
    *,
    workers: int = 1,
    progress: Callable[[int, int, RenderJob, float], None] | None = None,
    started: Callable[[int, int, RenderJob], None] | None = None,
    **kwargs: object,
) -> list[RenderResult]:
    """Render ``jobs`` with up to ``workers`` manim processes at once, results in job order.

    ``started(index, total, job)`` is called as each job starts (index from 1) and
    ``progress(done, total, job, elapsed)`` as each finishes. An exception or Ctrl-C stops every
    running manim process before it propagates.
    """
    total = len(jobs)
    t0 = time.monotonic()
    results: list[RenderResult | None] = [None] * total
    done = 0
    lock = threading.Lock()

    def one(i: int) -> None:
        nonlocal done
        if started:
            started(i + 1, total, jobs[i])
        results[i] = render_scene(jobs[i], **kwargs)  # type: ignore[arg-type]
        with lock:
            done += 1
            count = done
        if progress:
            progress(count, total, jobs[i], time.monotonic() - t0)

    if workers <= 1 or total <= 1:
        for i in range(total):
            one(i)
    else:
        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            futures = [pool.submit(one, i) for i in range(total)]
            for fut in futures:
                fut.result()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            terminate_renders()
            raise
        pool.shutdown(wait=True)
    return [r for r in results if r is not None]


def concat_videos(parts: Sequence[Path], out: Path) -> Path:
    """Join video files of identical encoding into ``out`` without re-encoding.

    Uses ffmpeg's concat demuxer with stream copy and ``+faststart``. ``out`` appears only when
    the join succeeded.
    """
    if not parts:
        raise RenderError("nothing to join")
    out = Path(out)
    with tempfile.TemporaryDirectory() as tmpdir:
        listing = Path(tmpdir) / "parts.txt"
        listing.write_text(
            "".join(f"file '{Path(p).resolve().as_posix()}'\n" for p in parts), encoding="utf-8"
        )
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


_TIME = re.compile(r"(\d+):(\d\d):(\d\d)[,.](\d{3})")


def _parse_time(text: str) -> float:
    m = _TIME.fullmatch(text.strip())
    if m is None:
        raise RenderError(f"bad subtitle time {text!r}")
    h, mi, s, ms = (int(g) for g in m.groups())
    return h * 3600 + mi * 60 + s + ms / 1000.0


def _format_time(t: float) -> str:
    ms = int(round(max(t, 0.0) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def _read_srt(path: Path) -> list[tuple[float, float, str]]:
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        lines = block.strip().splitlines()
        if len(lines) < 2:
            continue
        timing = lines[1] if "-->" in lines[1] else lines[0]
        text_lines = lines[2:] if "-->" in lines[1] else lines[1:]
        a, b = (part.strip() for part in timing.split("-->"))
        entries.append((_parse_time(a), _parse_time(b), "\n".join(text_lines)))
    return entries


def merge_srt(parts: Sequence[tuple[Path | None, float]], out: Path) -> Path:
    """Merge subtitle files, each shifted by its offset in seconds, into one ``.srt``."""
    entries: list[tuple[float, float, str]] = []
    for path, offset in parts:
        if path is None:
            continue
        entries += [(a + offset, b + offset, text) for a, b, text in _read_srt(path)]
    entries.sort(key=lambda e: e[0])
    body = "".join(
        f"{i}\n{_format_time(a)} --> {_format_time(b)}\n{text}\n\n"
        for i, (a, b, text) in enumerate(entries, start=1)
    )
    with atomic_output(Path(out)) as tmp:
        tmp.write_text(body, encoding="utf-8")
    return Path(out)


# --------------------------------------------------------------------------------------------
# Final outputs
# --------------------------------------------------------------------------------------------


@contextmanager
def atomic_dir(path: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; it replaces ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        tmp.replace(path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def probe_streams(path: Path) -> list[dict[str, object]]:
    """The streams of a media file as ffprobe reports them (``codec_type``, ``codec_name``...)."""
    exe = shutil.which("ffprobe")
    if exe is None:
        raise RenderError("ffprobe was not found on PATH; run scripts/setup.sh to install it")
    out = subprocess.run(
        [exe, "-v", "error", "-show_streams", "-of", "json", str(path)],
        capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        raise RenderError(f"ffprobe could not read {path}: {out.stderr.strip()}")
    streams: list[dict[str, object]] = json.loads(out.stdout).get("streams", [])
    return streams


def _has_audio(paths: Sequence[Path]) -> bool:
    return any(s.get("codec_type") == "audio" for p in paths for s in probe_streams(p))


def _run_ffmpeg(args: Sequence[str], what: str) -> None:
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


def _encode(parts: Sequence[Path], out: Path, fmt: str, publish: bool, fps: int,
            chapters: Path | None = None) -> None:
    """Encode ``parts`` (joined in order) into ``out`` (a temporary path) as ``fmt``."""
    with tempfile.TemporaryDirectory() as tmpdir:
        listing = Path(tmpdir) / "parts.txt"
        listing.write_text(
            "".join(f"file '{Path(p).resolve().as_posix()}'\n" for p in parts), encoding="utf-8"
        )
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
        _run_ffmpeg(args, what)


def extract_last_frame(video: Path, png: Path) -> Path:
    """Write the last frame of ``video`` to ``png`` (``png`` appears only when complete)."""
    with atomic_output(Path(png)) as tmp:
        _run_ffmpeg(["-sseof", "-0.5", "-i", str(video), "-an", "-fps_mode", "passthrough",
                     "-update", "1", "-f", "image2", "-c:v", "png", str(tmp)],
                    "extracting the last frame")
        if tmp.stat().st_size == 0:  # clip shorter than the seek: read it all
            _run_ffmpeg(["-i", str(video), "-an", "-fps_mode", "passthrough", "-update", "1",
                         "-f", "image2", "-c:v", "png", str(tmp)], "extracting the last frame")
    return Path(png)


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


def _slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return s[:40] or "section"


def _write_clip(parts: Sequence[Path], out: Path, req: OutputRequest,
                chapters: Path | None = None) -> None:
    if req.fmt == "mp4" and not req.publish:
        cmd = ["-f", "concat", "-safe", "0"]
        with tempfile.TemporaryDirectory() as tmpdir:
            listing = Path(tmpdir) / "parts.txt"
            listing.write_text(
                "".join(f"file '{Path(p).resolve().as_posix()}'\n" for p in parts),
                encoding="utf-8",
            )
            _run_ffmpeg([*cmd, "-i", str(listing), "-c", "copy", "-movflags", "+faststart",
                         "-f", "mp4", str(out)], "joining clips")
    else:
        _encode(parts, out, req.fmt, req.publish, FRAME_RATES[req.quality], chapters)


def assemble(
    results: Sequence[RenderResult],
    req: OutputRequest,
    *,
    log: Callable[[str], None] | None = None,
) -> Assembled:
    """Turn rendered clips into the requested output and its sidecars.

    Every file is written under a temporary name and renamed only once all of them are done,
    so a failure or Ctrl-C leaves nothing at ``req.path`` (nor half-written sidecars).
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

    with ExitStack() as stack:
        # entered first, renamed last: the main file appears after all its sidecars
        tmp_video = stack.enter_context(atomic_output(req.path))
        chapter_list: list[pf.Chapter] = []
        meta: Path | None = None
        if req.publish:
            chapter_list = pf.chapters(timeline, t)
            problems = pf.check_chapters(chapter_list, t)
            if problems:
                say(f"no chapters: {problems[0]}")
                chapter_list = []
            else:
                meta = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "chapters"
                meta.write_text(pf.ffmetadata(chapter_list, t), encoding="utf-8")
        say({"mp4": "encoding for publishing" if req.publish else "joining clips",
             "webm": "encoding WebM (VP9)", "gif": "encoding GIF"}[req.fmt])
        _write_clip(parts, tmp_video, req, meta)
        srt = vtt = chapters = thumbnail = None
        if want_srt:
            tmp_srt = stack.enter_context(atomic_output(req.srt_path))
            merge_srt(srt_parts, tmp_srt)
            srt = req.srt_path
            tmp_vtt = stack.enter_context(atomic_output(req.vtt_path))
            tmp_vtt.write_text(pf.srt_to_vtt(tmp_srt.read_text(encoding="utf-8")),
                               encoding="utf-8")
            vtt = req.vtt_path
        if chapter_list:
            tmp_ch = stack.enter_context(atomic_output(req.chapters_path))
            tmp_ch.write_text(pf.chapters_text(chapter_list), encoding="utf-8")
            chapters = req.chapters_path
        if req.publish:
            at = req.thumbnail_at if req.thumbnail_at is not None \
                else pf.default_thumbnail_time(timeline)
            if not 0 <= at < t:
                raise RenderError(f"--thumbnail-at: {at:g} s is not inside the video "
                                  f"(0 to {t:.1f} s)")
            say(f"writing the thumbnail (the frame at {at:.2f} s)")
            tmp_thumb = stack.enter_context(atomic_output(req.thumbnail_path))
            try:
                pf.write_thumbnail(tmp_video, at, tmp_thumb)
            except pf.PlatformError as exc:
                raise RenderError(str(exc)) from None
            thumbnail = req.thumbnail_path
        poster = None
        if req.poster:
            say("writing the poster frame")
            tmp_poster = stack.enter_context(atomic_output(req.poster_path))
            extract_last_frame(parts[-1], tmp_poster)
            poster = req.poster_path
        index_path = None
        files: list[Path] = []
        if req.sections:
            say(f"writing {len(clips)} section clips")
            tmp_dir = stack.enter_context(atomic_dir(req.sections_dir))
            index: list[dict[str, object]] = []
            ext = req.path.suffix
            for i, sec in enumerate(clips, start=1):
                assert sec.clip is not None
                fname = f"{i:02d}-{_slug(sec.name)}{ext}"
                _write_clip([sec.clip], tmp_dir / fname, req)
                index.append({
                    "name": sec.name,
                    "file": f"{req.sections_dir.name}/{fname}",
                    "duration": round(probe_duration(tmp_dir / fname), 3),
                    "start": round(sec.start, 3),
                    "scene": sec.scene,
                    "type": sec.kind,
                })
                files.append(req.sections_dir / fname)
            tmp_index = stack.enter_context(atomic_output(req.sections_index))
            tmp_index.write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
            index_path = req.sections_index
        duration = probe_duration(tmp_video)
    return Assembled(video=req.path, duration=duration, srt=srt, poster=poster,
                     sections_index=index_path, section_files=tuple(files), vtt=vtt,
                     chapters=chapters, thumbnail=thumbnail)
