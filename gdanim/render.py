"""Render scenes with manim in subprocesses and assemble the results.

gdanim never imports manim: scenes are rendered by ``python -m manim render`` in child
processes (several at once when asked), and the finished clips are joined with ffmpeg's concat
demuxer without re-encoding. Subcaption files (``.srt``) are merged with the right time offsets.
Every output is written to a temporary name and renamed only when complete, so a failed or
interrupted render leaves nothing half-written behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "QUALITIES",
    "RenderError",
    "RenderJob",
    "RenderResult",
    "atomic_output",
    "concat_videos",
    "merge_srt",
    "probe_duration",
    "render_many",
    "render_scene",
]

#: manim's quality presets: flag letter -> (folder name manim writes to, description).
QUALITIES: dict[str, tuple[str, str]] = {
    "l": ("480p15", "854x480, 15 fps (preview)"),
    "m": ("720p30", "1280x720, 30 fps"),
    "h": ("1080p60", "1920x1080, 60 fps"),
    "p": ("1440p60", "2560x1440, 60 fps"),
    "k": ("2160p60", "3840x2160, 60 fps"),
}

REPO_ROOT = Path(__file__).resolve().parent.parent


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
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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


def render_scene(
    job: RenderJob,
    *,
    quality: str = "h",
    fmt: str = "mp4",
    media_dir: Path,
    sections: bool = False,
    quiet: bool = False,
    log: Callable[[str], None] | None = None,
) -> RenderResult:
    """Render one scene with ``python -m manim render`` and return the produced files.

    ``media_dir`` is manim's media folder; keeping it between runs lets manim reuse its
    partial-movie cache. Scene parameters reach the scene through a JSON file named by the
    ``GDANIM_SCENE_PARAMS`` environment variable.
    """
    if quality not in QUALITIES:
        raise RenderError(f"quality must be one of {', '.join(QUALITIES)}, got {quality!r}")
    media_dir = Path(media_dir)
    media_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "manim", "render", f"-q{quality}", "--media_dir", str(media_dir)]
    if fmt != "mp4":
        cmd += ["--format", fmt]
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
    try:
        proc = subprocess.run(
            cmd, env=env, cwd=REPO_ROOT, check=False,
            stdout=subprocess.PIPE if quiet else None,
            stderr=subprocess.PIPE, text=True,
        )
    finally:
        if params_file is not None:
            params_file.unlink(missing_ok=True)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or "").strip().splitlines()[-15:])
        raise RenderError(f"rendering {job.name} failed (manim exit {proc.returncode}):\n{tail}")
    if proc.stderr and not quiet:
        sys.stderr.write(proc.stderr)
    folder = media_dir / "videos" / Path(job.file).stem / QUALITIES[quality][0]
    video = folder / f"{job.scene}.{fmt}"
    if not video.exists():
        raise RenderError(f"manim finished but {video} is missing")
    srt = folder / f"{job.scene}.srt"
    sec = folder / "sections" / f"{job.scene}.json"
    if log:
        log(f"{job.name}: {seconds:.1f} s")
    return RenderResult(job, video, srt if srt.exists() else None,
                        sec if sections and sec.exists() else None, seconds)


def render_many(
    jobs: Sequence[RenderJob],
    *,
    workers: int = 1,
    progress: Callable[[int, int, RenderJob, float], None] | None = None,
    **kwargs: object,
) -> list[RenderResult]:
    """Render ``jobs`` with up to ``workers`` manim processes at once, results in job order.

    ``progress(done, total, job, elapsed)`` is called as each job finishes.
    """
    total = len(jobs)
    started = time.monotonic()
    results: list[RenderResult | None] = [None] * total
    done = 0

    def one(i: int) -> None:
        nonlocal done
        results[i] = render_scene(jobs[i], **kwargs)  # type: ignore[arg-type]
        done += 1
        if progress:
            progress(done, total, jobs[i], time.monotonic() - started)

    if workers <= 1 or total <= 1:
        for i in range(total):
            one(i)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(one, i) for i in range(total)]
            for fut in futures:
                fut.result()
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
