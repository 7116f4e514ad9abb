"""Render scenes with manim in subprocesses and assemble the results.

gdanim never imports manim: scenes are rendered by ``python -m manim render`` in child
processes (several at once when asked), and the finished clips are joined with ffmpeg's concat
demuxer without re-encoding. Subcaption files (``.srt``) are merged with the right time offsets.
Every output is written to a temporary name and renamed only when complete, and the files of
one output (video, subtitles, poster, section clips and their index) are put in place together
or not at all (:class:`OutputSet`), so a failed or interrupted render leaves nothing
half-written behind and never replaces part of a previous output. An interrupt stops the manim
processes at once; they also stop when gdanim itself is killed (:mod:`gdanim.manim_child`).
Temporary names carry gdanim's process id, and what a killed run left behind is removed by the
next run into the same folder (:func:`clean_stale`).

Two renders of the same scene with the same parameters (two jobs of one video, or two gdanim
processes) share manim's build folder; each takes a lock on it for the length of its manim run
(the second waits, then takes the first one's animations from manim's cache), and with a
``workdir`` each moves its results out before letting go.

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

import errno
import fcntl
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gdanim import manim_child

__all__ = [
    "FRAME_RATES",
    "QUALITIES",
    "Assembled",
    "OutputRequest",
    "OutputSet",
    "RenderError",
    "RenderJob",
    "RenderResult",
    "assemble",
    "atomic_dir",
    "atomic_output",
    "build_root",
    "clean_stale",
    "concat_videos",
    "extract_last_frame",
    "merge_srt",
    "probe_duration",
    "probe_streams",
    "render_many",
    "render_scene",
    "run_folder",
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


# --------------------------------------------------------------------------------------------
# Temporary names, sets of outputs, and what killed runs leave behind
# --------------------------------------------------------------------------------------------

#: A member of an output set or its old version moved aside: ``.NAME.PID-XXXXXXXX.part[.EXT]``
#: or ``.NAME.PID-XXXXXXXX.old[.EXT]`` beside ``NAME``.
_STAGED = re.compile(
    r"^\.(?P<name>.+)\.(?P<pid>\d+)-[a-z0-9_]{6,}\.(?P<kind>part|old)(?:\.[A-Za-z0-9]+)?$"
)
#: Scratch folders and scene-parameter files in the temporary folder, and run folders in the
#: build folder.
_SCRATCH = re.compile(r"^(?:gdanim-|gdanim-params-|\.run-)(?P<pid>\d+)-[a-z0-9_]{6,}(?:\.json)?$")


def _prefix(name: str) -> str:
    return f".{name}.{os.getpid()}-"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except (OverflowError, ValueError):  # no such process id at all
        return False
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def clean_stale(folder: Path) -> list[Path]:
    """Remove what gdanim processes that no longer run left in ``folder``; return it.

    Only names gdanim makes are touched, and only when the process id in the name is not a
    running process: hidden members of an output set (``.out.mp4.PID-XXXXXXXX.part.mp4``),
    scratch folders and scene-parameter files (``gdanim-PID-XXXXXXXX``,
    ``gdanim-params-PID-XXXXXXXX.json``) and run folders (``.run-PID-XXXXXXXX``). A previous
    output moved aside by a run that was killed before it could put the new one in place
    (``.out.mp4.PID-XXXXXXXX.old.mp4``) is put back when nothing took its place, else removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _STAGED.match(entry.name) or _SCRATCH.match(entry.name)
        if match is None or _pid_alive(int(match["pid"])):
            continue
        path = Path(entry.path)
        try:
            if match.re is _STAGED and match["kind"] == "old":
                target = path.with_name(match["name"])
                if not os.path.lexists(target):
                    os.rename(path, target)
                    continue
            _remove(path)
            removed.append(path)
        except OSError:
            pass
    return removed


class OutputSet:
    """Files and folders that appear together, or not at all.

    Each member is written under a hidden temporary name beside its target, holding this
    process's id (``.NAME.PID-XXXXXXXX.part``, see :func:`clean_stale`). :meth:`commit` puts the
    members in place in the reverse of the order they were added (so the first one, the main
    file, appears last): an existing target is kept aside (a hard link for a file, so that the
    file is replaced in one step; a rename for a folder) until every member is in place, and
    removed only then. If any step fails, or is interrupted, the members already placed are
    taken away and the kept targets put back: the previous set stays whole. :meth:`discard`
    removes the temporary members.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> outputs = OutputSet()
    >>> outputs.file(root / "a.txt").write_text("new")
    3
    >>> (outputs.folder(root / "a.parts") / "1.txt").write_text("one")
    3
    >>> outputs.commit()
    >>> sorted(p.name for p in root.iterdir())
    ['a.parts', 'a.txt']
    """

    def __init__(self) -> None:
        self._members: list[tuple[Path, Path, bool]] = []  # temporary, target, is a folder

    def file(self, target: Path) -> Path:
        """A temporary file for ``target`` (its folder is made when missing)."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=_prefix(target.name), suffix=f".part{target.suffix}",
                                    dir=target.parent)
        os.close(fd)
        self._members.append((Path(name), target, False))
        return Path(name)

    def folder(self, target: Path) -> Path:
        """A temporary folder for ``target``."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        name = tempfile.mkdtemp(prefix=_prefix(target.name), suffix=".part", dir=target.parent)
        self._members.append((Path(name), target, True))
        return Path(name)

    def discard(self) -> None:
        """Remove the temporary members (nothing at the targets is touched)."""
        for tmp, _, _ in self._members:
            try:
                _remove(tmp)
            except OSError:
                pass
        self._members = []

    @staticmethod
    def _keep_aside(target: Path) -> Path | None:
        """Keep the current ``target`` under a hidden name; ``None`` when there is none."""
        if not os.path.lexists(target):
            return None
        if target.is_dir() and not target.is_symlink():
            aside = Path(tempfile.mkdtemp(prefix=_prefix(target.name), suffix=".old",
                                          dir=target.parent))
            os.rename(target, aside)  # onto the empty placeholder folder
            return aside
        fd, name = tempfile.mkstemp(prefix=_prefix(target.name), suffix=f".old{target.suffix}",
                                    dir=target.parent)
        os.close(fd)
        aside = Path(name)
        try:
            aside.unlink()
            os.link(target, aside)  # the target stays in place until the new file replaces it
        except OSError:  # no hard links here: move it aside instead
            os.rename(target, aside)
        return aside

    def commit(self) -> None:
        """Put every member in place, or (on any failure) leave every target as it was.

        A target of the other kind (a folder where a file goes, or a file where a folder goes)
        is never replaced: that is an error, and nothing changes.
        """
        mask = _umask()
        placed: list[tuple[Path, Path | None]] = []
        try:
            for tmp, target, is_dir in reversed(self._members):
                if os.path.lexists(target):
                    target_is_dir = target.is_dir() and not target.is_symlink()
                    if target_is_dir and not is_dir:
                        raise IsADirectoryError(errno.EISDIR, "is a folder", str(target))
                    if is_dir and not target_is_dir:
                        raise NotADirectoryError(errno.ENOTDIR, "is not a folder", str(target))
                os.chmod(tmp, (0o777 if is_dir else 0o666) & ~mask)
                aside = self._keep_aside(target)
                try:
                    os.replace(tmp, target)
                except BaseException:
                    if aside is not None:
                        _put_back(aside, target)
                    raise
                placed.append((target, aside))
        except BaseException:
            for target, aside in reversed(placed):
                try:
                    if aside is None:
                        _remove(target)
                    else:
                        _put_back(aside, target)
                except OSError:
                    pass
            self.discard()
            raise
        for _, aside in placed:
            if aside is not None:
                try:
                    _remove(aside)
                except OSError:
                    pass
        self._members = []


def _put_back(aside: Path, target: Path) -> None:
    """Return a target kept aside by :meth:`OutputSet.commit` to its place."""
    if aside.is_dir() and not aside.is_symlink():
        if os.path.lexists(target):
            _remove(target)
        os.rename(aside, target)
    elif os.path.lexists(target) and os.path.samefile(aside, target):
        aside.unlink()  # a hard link to the target, which was never replaced
    else:
        os.replace(aside, target)


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only on success.

    On any exception (including ``KeyboardInterrupt``) the temporary file is removed, so no
    partial output is ever left at ``path``.
    """
    outputs = OutputSet()
    try:
        yield outputs.file(Path(path))
        outputs.commit()
    except BaseException:
        outputs.discard()
        raise


@contextmanager
def _scratch() -> Iterator[Path]:
    """A private temporary folder named after this process (see :func:`clean_stale`)."""
    with tempfile.TemporaryDirectory(prefix=f"gdanim-{os.getpid()}-") as tmp:
        yield Path(tmp)


@contextmanager
def run_folder(root: Path) -> Iterator[Path]:
    """A private folder for one run inside ``root`` (``.run-PID-XXXXXXXX``), removed after it.

    Run folders of processes that no longer run are removed first.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    clean_stale(root)
    folder = Path(tempfile.mkdtemp(prefix=f".run-{os.getpid()}-", dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def build_root() -> Iterator[Path]:
    """The folder for manim's build files (partial movies, TeX, scene videos).

    ``<cache>/build`` under gdanim's cache folder (:func:`gdanim.cache.cache_dir`, which honours
    ``GDANIM_CACHE_DIR``), so that a second render takes unchanged animations from manim's
    partial-movie cache; never inside the installed package or the output's folder. When the
    cache is off (``GDANIM_CACHE_DIR=off``) or cannot be written, a temporary folder that is
    removed afterwards.
    """
    from gdanim.cache import cache_dir

    folder = cache_dir()
    build: Path | None = None
    if folder is not None:
        try:
            candidate = Path(os.path.abspath(folder.expanduser())) / "build"
            candidate.mkdir(parents=True, exist_ok=True)
            if os.access(candidate, os.W_OK | os.X_OK):
                build = candidate
        except OSError:
            build = None
    if build is not None:
        yield build
        return
    with _scratch() as tmp:
        yield tmp


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
#: Set while renders are being stopped: jobs waiting for a lock give up, output is not echoed.
_STOPPING = threading.Event()


def terminate_renders() -> None:
    """Stop every manim process this process started (used on Ctrl-C, SIGTERM and SIGHUP).

    Each child's process group gets SIGTERM (the child stops as on Ctrl-C and removes the
    partial movie it was writing), and SIGKILL if it is still running 5 seconds later.
    """
    _STOPPING.set()
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
_WARNING = b"gdanim: warning: "


def _pump(stream: object, echo: bool, tail: list[bytes]) -> None:
    """Copy a child's output to our stderr (when ``echo``) and keep its last 16 kB.

    gdanim's own warning lines (``gdanim: warning: ...``) are copied even when not ``echo``;
    nothing is copied once the renders are being stopped.
    """
    fd = stream.fileno()  # type: ignore[attr-defined]
    kept = 0
    line = b""
    while True:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        chunk = _BANNER.sub(b"", chunk)
        if _STOPPING.is_set():
            pass
        elif echo and chunk:
            with _STDERR_LOCK:
                sys.stderr.write(chunk.decode("utf-8", "replace"))
                sys.stderr.flush()
        elif not echo:
            *done, line = (line + chunk).split(b"\n")
            for text in done:
                if text.startswith(_WARNING):
                    with _STDERR_LOCK:
                        sys.stderr.write(text.decode("utf-8", "replace") + "\n")
                        sys.stderr.flush()
            line = line[-4096:]
        tail.append(chunk)
        kept += len(chunk)
        while kept > 16384 and len(tail) > 1:
            kept -= len(tail.pop(0))


@contextmanager
def _exclusive(path: Path, waiting: Callable[[], None]) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (``flock``), waiting for it if need be.

    ``waiting()`` is called once if another holder makes us wait. The wait ends with a
    :class:`RenderError` when the renders are being stopped. The lock goes with the file
    descriptor: a process that dies lets go of it. Where the file system has no locks, the
    render goes ahead without one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    waiting()
                    told = True
                if _STOPPING.wait(0.2):
                    raise RenderError("stopped while waiting for an identical render") from None
            except OSError:
                break  # no locking here (e.g. some network file systems)
        yield
    finally:
        os.close(fd)


def _manim_outputs(media_dir: Path, job: RenderJob, quality: str) -> Path:
    return media_dir / "videos" / Path(job.file).stem / QUALITIES[quality][0]


def _drop_partials(media_dir: Path, job: RenderJob, quality: str, since: float) -> None:
    """Remove the partial movies a failed render wrote (they may be cut short)."""
    folder = _manim_outputs(media_dir, job, quality) / "partial_movie_files" / job.scene
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_file() and entry.stat().st_mtime >= since:
                os.unlink(entry.path)
        except OSError:
            pass


def _move(src: Path, dst: Path) -> None:
    """Move ``src`` to ``dst``: a rename on one file system, else a copy."""
    try:
        os.rename(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _take_out(result: RenderResult, workdir: Path) -> RenderResult:
    """Move a job's files into a folder of its own in ``workdir`` (the build folder is shared).

    manim writes a scene's clip anew from its partial movies on every render, so the next
    identical job finds its cache whole; it could not rewrite a clip this job still reads.
    """
    job = result.job
    own = Path(tempfile.mkdtemp(prefix=f"{job.output_name[:60]}-", dir=workdir))
    video = own / result.video.name
    _move(result.video, video)
    srt = None
    if result.srt is not None:
        srt = own / result.srt.name
        _move(result.srt, srt)
    sections = None
    if result.sections is not None:
        sec_dir = own / "sections"
        sec_dir.mkdir()
        sections = sec_dir / result.sections.name
        entries = json.loads(result.sections.read_text(encoding="utf-8"))
        _move(result.sections, sections)
        for entry in entries:
            clip = result.sections.parent / str(entry["video"])
            if clip.exists():
                _move(clip, sec_dir / clip.name)
    return RenderResult(job, video, srt, sections, result.seconds)


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
    workdir: Path | None = None,
) -> RenderResult:
    """Render one scene with manim in a child process and return the produced files.

    ``media_dir`` is manim's media folder; keeping it between runs lets manim reuse its
    partial-movie cache (a job with parameters gets a folder of its own inside it, so that two
    jobs of one scene class never share a cache). The child (:mod:`gdanim.manim_child`) runs
    in that folder, in a session of its own, and stops when gdanim stops. Scene parameters reach
    the scene through a JSON file named by the ``GDANIM_SCENE_PARAMS`` environment variable.
    ``fmt`` is ``"mp4"`` or ``"png"`` (the last frame); ``lossless`` renders lossless RGB clips
    (see :data:`LOSSLESS_MASTER`). The child's progress bars are shown live unless ``quiet``;
    on Ctrl-C the child is stopped (see :func:`terminate_renders`).

    The manim run holds a lock on the job's place in ``media_dir``: an identical job (here or
    in another process) waits for it, then finds its animations in manim's cache. With
    ``workdir`` (on the same file system as ``media_dir``) the results are moved into a folder
    of their own inside it before the lock is let go, so that the next identical job cannot
    rewrite them while they are being assembled.
    A render that fails or is stopped removes the partial movies it wrote.
    """
    if quality not in QUALITIES:
        raise RenderError(f"quality must be one of {', '.join(QUALITIES)}, got {quality!r}")
    if fmt not in ("mp4", "png"):
        raise RenderError(f"manim renders mp4 clips or a png frame here, not {fmt!r}")
    media_dir = Path(os.path.abspath(media_dir))
    if job.params:
        media_dir = media_dir / "custom" / job.key
    media_dir.mkdir(parents=True, exist_ok=True)

    def waiting() -> None:
        if not quiet:
            with _STDERR_LOCK:
                sys.stderr.write(f"[gdanim] {job.name}: waiting for an identical render to "
                                 "finish, then reusing its animations\n")
                sys.stderr.flush()

    with _exclusive(media_dir / ".config" / f"{job.scene}.lock", waiting):
        result = _render_locked(job, quality, fmt, media_dir, sections, lossless, quiet)
        if workdir is not None:
            result = _take_out(result, workdir)
    if log:
        log(f"{job.name}: {result.seconds:.1f} s")
    return result


def _render_locked(job: RenderJob, quality: str, fmt: str, media_dir: Path, sections: bool,
                   lossless: bool, quiet: bool) -> RenderResult:
    """:func:`render_scene`'s manim run, with the job's lock held."""
    # each scene typesets into a TeX folder of its own: scenes rendered at the same time would
    # otherwise write the same <hash>.tex/.dvi files (tick labels are common to many) at once
    tex_dir = media_dir / "Tex" / job.scene
    cfg = media_dir / ".config" / f"{job.scene}.cfg"
    cfg_text = f"[CLI]\ntex_dir = {tex_dir.as_posix()}\n"
    if not cfg.exists() or cfg.read_text(encoding="utf-8") != cfg_text:
        cfg.write_text(cfg_text, encoding="utf-8")
    cmd = [sys.executable, "-m", manim_child.__name__, "render", f"-q{quality}",
           "--media_dir", str(media_dir), "-c", str(cfg), "-o", job.output_name]
    if fmt == "png":
        cmd += ["--format", "png"]
    else:
        if lossless:
            cmd += list(LOSSLESS_MASTER)
        if sections:
            cmd.append("--save_sections")
    cmd += ["--progress_bar", "none" if quiet else "display", "-v", "WARNING"]
    cmd += [str(Path(os.path.abspath(job.file))), job.scene]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
    )
    env[manim_child.PARENT_ENV] = str(os.getpid())
    params_file: Path | None = None
    if job.params:
        # named after this process: a run that is killed leaves it for the next to remove
        fd, name = tempfile.mkstemp(prefix=f"gdanim-params-{os.getpid()}-", suffix=".json")
        with os.fdopen(fd, "w") as fh:
            json.dump(job.params, fh)
        params_file = Path(name)
        env["GDANIM_SCENE_PARAMS"] = name
    start = time.monotonic()
    since = time.time() - 1.0
    tail: list[bytes] = []
    ok = False
    try:
        # a session of its own: a Ctrl-C in the terminal reaches gdanim only, which then stops
        # the child cleanly instead of both printing tracebacks
        proc = subprocess.Popen(
            cmd, env=env, cwd=media_dir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
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
        ok = returncode == 0
    finally:
        if params_file is not None:
            params_file.unlink(missing_ok=True)
        if not ok and fmt != "png":
            _drop_partials(media_dir, job, quality, since)
    seconds = time.monotonic() - start
    if returncode != 0:
        if _STOPPING.is_set():
            raise RenderError(f"rendering {job.name} was stopped")
        text = b"".join(tail).decode("utf-8", "replace").replace("\r", "\n")
        lines = [ln for ln in text.strip().splitlines() if ln.strip()]
        detail = "\n".join(lines[-15:])
        raise RenderError(f"rendering {job.name} failed (manim exit {returncode}):\n{detail}")
    if fmt == "png":
        image = media_dir / "images" / Path(job.file).stem / f"{job.output_name}.png"
        if not image.exists():
            raise RenderError(f"manim finished but {image} is missing")
        return RenderResult(job, image, None, None, seconds)
    folder = _manim_outputs(media_dir, job, quality)
    video = folder / f"{job.output_name}.mp4"
    if not video.exists():
        raise RenderError(f"manim finished but {video} is missing")
    srt = folder / f"{job.output_name}.srt"
    sec = folder / "sections" / f"{job.output_name}.json"
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
    running manim process before it propagates. Other keywords go to :func:`render_scene`.
    """
    _STOPPING.clear()
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
    with _scratch() as tmpdir:
        listing = _listing(parts, tmpdir)
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
    with atomic_output(Path(out)) as tmp:
        _write_srt(parts, tmp)
    return Path(out)


def _write_srt(parts: Sequence[tuple[Path | None, float]], out: Path) -> None:
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
    out.write_text(body, encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Final outputs
# --------------------------------------------------------------------------------------------


@contextmanager
def atomic_dir(path: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; it replaces ``path`` only on success."""
    outputs = OutputSet()
    try:
        yield outputs.folder(Path(path))
        outputs.commit()
    except BaseException:
        outputs.discard()
        raise


def _listing(parts: Sequence[Path], folder: Path) -> Path:
    """The list of ``parts`` for ffmpeg's concat demuxer, written into ``folder``."""
    listing = folder / "parts.txt"
    listing.write_text(
        "".join(f"file '{Path(p).resolve().as_posix()}'\n" for p in parts), encoding="utf-8"
    )
    return listing


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
    with _scratch() as tmpdir:
        listing = _listing(parts, tmpdir)
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
        _last_frame(video, tmp)
    return Path(png)


def _last_frame(video: Path, png: Path) -> None:
    _run_ffmpeg(["-sseof", "-0.5", "-i", str(video), "-an", "-fps_mode", "passthrough",
                 "-update", "1", "-f", "image2", "-c:v", "png", str(png)],
                "extracting the last frame")
    if png.stat().st_size == 0:  # clip shorter than the seek: read it all
        _run_ffmpeg(["-i", str(video), "-an", "-fps_mode", "passthrough", "-update", "1",
                     "-f", "image2", "-c:v", "png", str(png)], "extracting the last frame")


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
        with _scratch() as tmpdir:
            listing = _listing(parts, tmpdir)
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
        with _scratch() as scratch:
            if chapter_list:
                meta = scratch / "chapters"
                meta.write_text(pf.ffmetadata(chapter_list, t), encoding="utf-8")
            _write_clip(parts, tmp_video, req, meta)
        srt = vtt = chapters = thumbnail = None
        if want_srt:
            tmp_srt = outputs.file(req.srt_path)
            _write_srt(srt_parts, tmp_srt)
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
            _last_frame(parts[-1], outputs.file(req.poster_path))
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
