"""Render scenes with manim in child processes, several at once when asked.

gdanim never imports manim: each scene is rendered by ``python -m manim render`` in a child
process of its own (:mod:`gdanim.app.manim_child`, which stops when gdanim stops). What the
scene is to show reaches it as one typed :class:`scenes.params.SceneParams`, written to a JSON
file named in :data:`scenes.params.PARAMS_ENV`; which scene, and where its module is, comes
from :mod:`scenes.catalog` (:meth:`RenderJob.of`). The child runs in its media folder, with
the folders holding the ``gdanim`` and ``scenes`` packages on its path, so an installed gdanim
renders from wherever it is run.

A job with a voice (:attr:`RenderJob.voice`) is a narrated scene, rendered in two passes
(:mod:`gdanim.app.narrate`): a dry run collects its lines, the app speaks them, and the real
render plays them.

A finished render is kept in the build folder with a stamp (:func:`render_key`: the job, the
output settings, and a digest of the gdanim and scenes code and of the manim and Pillow
versions): the same job asked for again, by this run or a later one, takes those files
instead of rendering again; any change to the code, the parameters, the voice or the quality
renders anew. manim's own per-animation cache is off (``--disable_caching``): the hash it
computes of every ``play`` call walks every mobject on screen, which was 7 to 22% of a 2D
scene's render time at 1080p60 and a third of the lecture's at 480p15, and a whole scene is
what gdanim reuses.

Two renders of the same scene with the same parameters (two jobs of one video, or two gdanim
processes) share the build folder; each takes a lock on it for the length of its manim run
(the second waits, then takes the first one's files), and with a ``workdir`` each links (or
copies) its results out before letting go.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import importlib.metadata
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
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import gdanim
from gdanim.app import manim_child
from gdanim.app.render.base import CLIP_ENCODER, LOSSLESS_MASTER, QUALITIES, RenderError
from scenes.catalog import SCENES_DIR, SceneInfo
from scenes.params import (
    PARAMS_ENV,
    CustomParams,
    SceneParams,
    SpeechParams,
    narration_path,
)

if TYPE_CHECKING:
    from gdanim.app.voice import VoiceSettings

__all__ = [
    "RenderJob",
    "RenderResult",
    "code_digest",
    "render_key",
    "render_many",
    "render_scene",
    "run_manim",
    "terminate_renders",
    "warn",
]


@dataclass(frozen=True)
class RenderJob:
    """One scene to render: the scene's module file and class, its parameters, and for a
    narrated scene the voice that speaks it.

    Build one from the catalog with :meth:`of`; ``file`` and ``scene`` are the catalog
    entry's (a test may name a scene file of its own).
    """

    file: Path
    scene: str
    params: CustomParams | None = None
    label: str = ""
    voice: VoiceSettings | None = None

    @classmethod
    def of(cls, info: SceneInfo, params: CustomParams | None = None, *, label: str = "",
           voice: VoiceSettings | None = None) -> RenderJob:
        """The job of rendering the catalog's scene ``info`` with ``params``."""
        if not info.accepts(params):
            given = "no parameters" if params is None else type(params).__name__
            raise RenderError(f"{info.name} cannot be rendered with {given}")
        return cls(info.file, info.name, params, label, voice)

    @property
    def name(self) -> str:
        """Display name of the job (the label, or the scene class)."""
        return self.label or self.scene

    @property
    def own_folder(self) -> bool:
        """Whether the job's build files go into a folder of their own (a job with parameters
        or a voice: two such jobs of one scene class never share a build folder)."""
        return self.params is not None or self.voice is not None

    @property
    def key(self) -> str:
        """A short digest of the scene, its parameters and its voice (names the job's files)."""
        blob = json.dumps([Path(self.file).name, self.scene,
                           SceneParams(scene=self.params).to_dict(),
                           None if self.voice is None else self.voice.to_json()],
                          sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]

    @property
    def output_name(self) -> str:
        """File name (without suffix) manim writes: the class, plus the key for a job of its
        own."""
        return self.scene if not self.own_folder else f"{self.scene}_{self.key}"


@dataclass(frozen=True)
class RenderResult:
    """Paths produced by rendering one :class:`RenderJob`, and how long each pass took.

    ``narration`` is the narrated scene's log (:class:`scenes.params.NarrationLog`);
    ``timings`` the seconds of each pass (``render``, and for a narrated scene ``collect``
    and ``speak``).
    """

    job: RenderJob
    video: Path
    srt: Path | None
    sections: Path | None
    seconds: float
    narration: Path | None = None
    timings: Mapping[str, float] = field(default_factory=dict)


#: The folders holding the ``gdanim`` and ``scenes`` packages: the child's path, so that it
#: finds them wherever they are installed (a checkout, site-packages, a target folder).
_PACKAGE_ROOTS = tuple(dict.fromkeys(
    str(folder) for folder in (Path(gdanim.__file__).resolve().parent.parent, SCENES_DIR.parent)
))


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
    """Link ``src`` at ``dst`` too (else copy it): the build folder keeps its files for the
    next identical job, and a new render never writes into them (:func:`_forget` first)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _take_out(result: RenderResult, workdir: Path) -> RenderResult:
    """Link (or copy) a job's files into a folder of its own in ``workdir`` (the build folder
    is shared).

    A render of the same job with other code or settings removes the build folder's files
    before it writes new ones; the links stay whole while this job's video is assembled.
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
    narration = None
    if result.narration is not None:
        narration = own / result.narration.name
        _move(result.narration, narration)
    return RenderResult(job, video, srt, sections, result.seconds, narration, result.timings)



def warn(text: str) -> None:
    """One warning line on stderr (``gdanim: warning: ...``), whole even when renders run at
    once."""
    with _STDERR_LOCK:
        sys.stderr.write(f"gdanim: warning: {text}\n")
        sys.stderr.flush()


def run_manim(job: RenderJob, params: SceneParams, args: Sequence[str], *, media_dir: Path,
              quiet: bool) -> float:
    """Run manim on ``job``'s scene with ``params`` and the options ``args``; the seconds it
    took.

    The child (:mod:`gdanim.app.manim_child`) runs in ``media_dir``, in a session of its own,
    with the folders of the ``gdanim`` and ``scenes`` packages on its path; ``params`` reach it
    in a file named by :data:`scenes.params.PARAMS_ENV` (named after this process, so that a
    killed run leaves it for the next to remove). Its output is shown live unless ``quiet``;
    on Ctrl-C it is stopped (see :func:`terminate_renders`).

    Raises
    ------
    RenderError
        When manim fails or is stopped; the message ends with manim's last lines.
    """
    cmd = [sys.executable, "-m", manim_child.__name__, "render", *args,
           "--progress_bar", "none" if quiet else "display", "-v", "WARNING",
           str(Path(os.path.abspath(job.file))), job.scene]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        dict.fromkeys(p for p in (*_PACKAGE_ROOTS, *env.get("PYTHONPATH", "").split(os.pathsep))
                      if p))
    env[manim_child.PARENT_ENV] = str(os.getpid())
    env.pop(PARAMS_ENV, None)
    params_file: Path | None = None
    if params != SceneParams():
        fd, name = tempfile.mkstemp(prefix=f"gdanim-params-{os.getpid()}-", suffix=".json")
        os.close(fd)
        params_file = Path(name)
        env.update(params.env(params_file))
    start = time.monotonic()
    tail: list[bytes] = []
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
    finally:
        if params_file is not None:
            params_file.unlink(missing_ok=True)
    if returncode != 0:
        if _STOPPING.is_set():
            raise RenderError(f"rendering {job.name} was stopped")
        text = b"".join(tail).decode("utf-8", "replace").replace("\r", "\n")
        lines = [ln for ln in text.strip().splitlines() if ln.strip()]
        detail = "\n".join(lines[-15:])
        raise RenderError(f"rendering {job.name} failed (manim exit {returncode}):\n{detail}")
    return time.monotonic() - start


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

    ``media_dir`` is manim's media folder; a finished render stays in it with its stamp
    (:func:`render_key`), and the same job asked for again with the same code takes those
    files instead of rendering (its ``seconds`` are then 0 and ``timings["reused"]`` the
    seconds the render took). A job with parameters or a voice gets a folder of its own
    inside it, so that two jobs of one scene class never share one. ``fmt`` is ``"mp4"`` or
    ``"png"`` (the last frame); ``lossless`` renders lossless RGB clips (see
    :data:`~gdanim.app.render.base.LOSSLESS_MASTER`). The child's progress bars are shown live
    unless ``quiet``. A job with a voice is rendered in two passes (see
    :mod:`gdanim.app.narrate`).

    The manim run holds a lock on the job's place in ``media_dir``: an identical job (here or
    in another process) waits for it, then takes the files it left. With
    ``workdir`` (on the same file system as ``media_dir``) the results are linked into a folder
    of their own inside it before the lock is let go, so that the next identical job cannot
    rewrite them while they are being assembled.
    A render that fails or is stopped removes the partial movies it wrote.
    """
    if quality not in QUALITIES:
        raise RenderError(f"quality must be one of {', '.join(QUALITIES)}, got {quality!r}")
    if fmt not in ("mp4", "png"):
        raise RenderError(f"manim renders mp4 clips or a png frame here, not {fmt!r}")
    media_dir = Path(os.path.abspath(media_dir))
    if job.own_folder:
        media_dir = media_dir / "custom" / job.key
    media_dir.mkdir(parents=True, exist_ok=True)

    def waiting() -> None:
        if not quiet:
            with _STDERR_LOCK:
                sys.stderr.write(f"[gdanim] {job.name}: waiting for an identical render to "
                                 "finish, then reusing its render\n")
                sys.stderr.flush()

    with _exclusive(media_dir / ".config" / f"{job.scene}.lock", waiting):
        key = render_key(job, quality, fmt, sections, lossless)
        found = _stamped(job, media_dir, key, quality) if fmt == "mp4" else None
        if found is not None:
            result = found
        else:
            cfg = _manim_config(job, media_dir)
            if fmt == "mp4":
                _forget(job, media_dir, quality)
            speech: SpeechParams | None = None
            timings: dict[str, float] = {}
            if job.voice is not None:
                from gdanim.app import narrate

                speech, timings = narrate.prepare(job, job.voice, media_dir=media_dir,
                                                  config=cfg, quiet=quiet, log=log)
            result = _render_locked(job, quality, fmt, media_dir, cfg, sections, lossless,
                                    quiet, speech, timings)
            if fmt == "mp4":
                _write_stamp(result, media_dir, key, quality)
        if workdir is not None:
            result = _take_out(result, workdir)
    if log:
        log(f"{job.name}: reused" if "reused" in result.timings
            else f"{job.name}: {result.seconds:.1f} s")
    return result


@functools.cache
def code_digest() -> str:
    """A digest of what draws the frames: every ``.py`` file of the ``gdanim`` and ``scenes``
    packages (path and bytes) and the installed manim and Pillow versions."""
    h = hashlib.sha256()
    for dist in ("manim", "pillow"):
        try:
            h.update(f"{dist}={importlib.metadata.version(dist)}\n".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{dist}=?\n".encode())
    for root in (Path(gdanim.__file__).resolve().parent, SCENES_DIR):
        for path in sorted(root.rglob("*.py")):
            h.update(f"{root.name}/{path.relative_to(root).as_posix()}\n".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def render_key(job: RenderJob, quality: str, fmt: str, sections: bool, lossless: bool) -> str:
    """The stamp of a finished render: the same for the same job (scene, parameters, voice),
    output settings and code (:func:`code_digest`), different when any of them changes."""
    blob = json.dumps([job.key, job.output_name, quality, fmt, sections, lossless,
                       code_digest()])
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _stamp_path(media_dir: Path, job: RenderJob, quality: str) -> Path:
    return _manim_outputs(media_dir, job, quality) / f"{job.output_name}.gdanim-stamp.json"


def _write_stamp(result: RenderResult, media_dir: Path, key: str, quality: str) -> None:
    """Record that ``result``'s files are the finished render stamped ``key``."""
    stamp = _stamp_path(media_dir, result.job, quality)
    files = {"video": result.video, "srt": result.srt, "sections": result.sections,
             "narration": result.narration}
    data = {"key": key, "seconds": result.seconds, "timings": dict(result.timings),
            "files": {k: None if v is None else os.path.relpath(v, stamp.parent)
                      for k, v in files.items()}}
    if result.sections is not None:
        entries = json.loads(result.sections.read_text(encoding="utf-8"))
        data["clips"] = [os.path.relpath(result.sections.parent / str(e["video"]), stamp.parent)
                         for e in entries]
    tmp = stamp.with_name(stamp.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, stamp)


def _forget(job: RenderJob, media_dir: Path, quality: str) -> None:
    """Remove the stamp and the files of the job's previous render in ``media_dir``, so that
    the render about to run writes new files (links to the old ones taken out stay whole)."""
    stamp = _stamp_path(media_dir, job, quality)
    old: list[Path] = []
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
        old += [stamp.parent / v for v in data["files"].values() if v is not None]
        old += [stamp.parent / c for c in data.get("clips", [])]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    folder = _manim_outputs(media_dir, job, quality)
    old += [folder / f"{job.output_name}.mp4", folder / f"{job.output_name}.srt", stamp]
    for path in old:
        path.unlink(missing_ok=True)


def _stamped(job: RenderJob, media_dir: Path, key: str, quality: str) -> RenderResult | None:
    """The finished render stamped ``key`` in ``media_dir``, if it is there whole."""
    stamp = _stamp_path(media_dir, job, quality)
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    files = {k: None if v is None else stamp.parent / v for k, v in data["files"].items()}
    needed = [p for p in files.values() if p is not None]
    needed += [stamp.parent / c for c in data.get("clips", [])]
    video = files.get("video")
    if video is None or not all(p.is_file() for p in needed):
        return None
    return RenderResult(job, video, files["srt"], files["sections"], 0.0,
                        files["narration"], {"reused": float(data["seconds"])})


def _manim_config(job: RenderJob, media_dir: Path) -> Path:
    """The job's manim config file: a TeX folder of the scene's own (scenes rendered at the
    same time would otherwise write the same ``<hash>.tex``/``.dvi`` files at once)."""
    tex_dir = media_dir / "Tex" / job.scene
    cfg = media_dir / ".config" / f"{job.scene}.cfg"
    cfg_text = f"[CLI]\ntex_dir = {tex_dir.as_posix()}\n"
    if not cfg.exists() or cfg.read_text(encoding="utf-8") != cfg_text:
        cfg.write_text(cfg_text, encoding="utf-8")
    return cfg


def _render_locked(job: RenderJob, quality: str, fmt: str, media_dir: Path, cfg: Path,
                   sections: bool, lossless: bool, quiet: bool, speech: SpeechParams | None,
                   timings: Mapping[str, float]) -> RenderResult:
    """:func:`render_scene`'s manim run, with the job's lock held."""
    args = [f"-q{quality}", "--media_dir", str(media_dir), "-c", str(cfg),
            "-o", job.output_name, "--disable_caching"]
    if fmt == "png":
        args += ["--format", "png"]
    else:
        args += list(LOSSLESS_MASTER if lossless else CLIP_ENCODER)
        if sections:
            args.append("--save_sections")
    since = time.time() - 1.0
    ok = False
    try:
        seconds = run_manim(job, SceneParams(scene=job.params, speech=speech), args,
                            media_dir=media_dir, quiet=quiet)
        ok = True
    finally:
        if not ok and fmt != "png":
            _drop_partials(media_dir, job, quality, since)
    all_timings = {**timings, "render": seconds}
    if fmt == "png":
        image = media_dir / "images" / Path(job.file).stem / f"{job.output_name}.png"
        if not image.exists():
            raise RenderError(f"manim finished but {image} is missing")
        return RenderResult(job, image, None, None, seconds, None, all_timings)
    folder = _manim_outputs(media_dir, job, quality)
    video = folder / f"{job.output_name}.mp4"
    if not video.exists():
        raise RenderError(f"manim finished but {video} is missing")
    srt = folder / f"{job.output_name}.srt"
    sec = folder / "sections" / f"{job.output_name}.json"
    log = narration_path(video)
    return RenderResult(job, video, srt if srt.exists() else None,
                        sec if sections and sec.exists() else None, seconds,
                        log if log.exists() else None, all_timings)


def render_many(
    jobs: Sequence[RenderJob],
    *,
    workers: int = 1,
    progress: Callable[[int, int, RenderJob, float], None] | None = None,
    started: Callable[[int, int, RenderJob], None] | None = None,
    settings: Sequence[Mapping[str, object]] | None = None,
    **kwargs: object,
) -> list[RenderResult]:
    """Render ``jobs`` with up to ``workers`` manim processes at once, results in job order.

    ``started(index, total, job)`` is called as each job starts (index from 1) and
    ``progress(done, total, job, elapsed)`` as each finishes. An exception or Ctrl-C stops every
    running manim process before it propagates. Other keywords go to :func:`render_scene`;
    ``settings`` (one mapping per job) adds keywords of each job's own on top of them (the
    quality of each video of a course, for example).
    """
    if settings is not None and len(settings) != len(jobs):
        raise ValueError(f"{len(settings)} settings given for {len(jobs)} jobs")
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
        own = kwargs if settings is None else {**kwargs, **settings[i]}
        results[i] = render_scene(jobs[i], **own)  # type: ignore[arg-type]
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

