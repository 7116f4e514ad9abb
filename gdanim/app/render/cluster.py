"""Render scenes on a Dask distributed cluster: one task per scene, the files back as bytes.

``gdanim ... --cluster tcp://host:8786`` sends each scene of a video to the workers of a Dask
scheduler (``dask scheduler`` on one machine, ``dask worker tcp://host:8786`` on each machine
that renders, every one with gdanim installed with its ``cluster`` extra). No folder is shared:

- the client sends a :class:`SceneTask` (the :class:`~gdanim.app.render.manim.RenderJob`, its
  scene module named relative to the ``scenes`` package, and the render settings);
- the worker renders it with :func:`~gdanim.app.render.manim.render_scene`, exactly as a local
  render does, in its own build folder (its gdanim cache, so that a second render there takes
  the unchanged scenes it rendered before) and answers with a :class:`SceneFiles`: the clip,
  its subtitles, its sections (index and clips), and for a narrated scene its narration log
  and the speech it plays, all as bytes;
- the client writes them into its run folder and makes ordinary
  :class:`~gdanim.app.render.manim.RenderResult` objects, which
  :func:`~gdanim.app.render.assemble.assemble` joins as it joins local renders.

Failures: a worker that dies while rendering loses its task to another worker (the scheduler
moves it); a scene whose render raises is tried once more (``retries=1``), and a scene that
fails twice stops the whole render with its error in one line (:class:`ClusterError`). The
outputs are written by the client only, all at once or not at all, as for a local render.

Dask is imported only here, and only when a command is given ``--cluster`` or renders a
course on a cluster; gdanim's core never imports it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gdanim.app.render.base import RenderError
from gdanim.app.render.manim import RenderJob, RenderResult, render_scene
from gdanim.app.render.outputs import build_root, run_folder
from scenes.catalog import SCENES_DIR
from scenes.params import NarrationLog

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "ClusterError",
    "ClusterUnreachable",
    "SceneFiles",
    "SceneTask",
    "check_address",
    "connect",
    "render_many",
    "render_task",
]

#: Seconds to wait for the scheduler to answer, and then for a worker to be there.
CONNECT_TIMEOUT = 10.0

_ADDRESS = re.compile(r"^(?:(?P<scheme>[a-z]+)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)"
                      r"(?::(?P<port>[0-9]{1,5}))?$")


class ClusterError(RenderError):
    """A scene failed on the cluster (twice), or the cluster lost it; one line."""


class ClusterUnreachable(RenderError):
    """The address is not a scheduler's, or no scheduler (or no worker) answers there."""


def check_address(address: str) -> str:
    """The scheduler's address in Dask's form (``tcp://host:port``), or
    :class:`ClusterUnreachable` naming what is wrong.

    A bare ``host`` or ``host:port`` means TCP, and the port defaults to Dask's 8786.

    Examples
    --------
    >>> check_address("tcp://10.0.0.5:8786")
    'tcp://10.0.0.5:8786'
    >>> check_address("render-box")
    'tcp://render-box:8786'
    >>> check_address("http://host:8787")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gdanim.app.render.cluster.ClusterUnreachable: --cluster: 'http://host:8787' ...
    """
    text = address.strip()
    m = _ADDRESS.match(text)
    if m is None or (m["scheme"] or "tcp") not in ("tcp", "tls") \
            or (m["port"] is not None and not 0 < int(m["port"]) < 65536):
        raise ClusterUnreachable(
            f"--cluster: {address!r} is not a Dask scheduler's address; give one as "
            "tcp://HOST:PORT, e.g. --cluster tcp://10.0.0.5:8786 (tls:// for TLS)")
    return f"{m['scheme'] or 'tcp'}://{m['host']}:{m['port'] or 8786}"


def _one_line(text: str, limit: int = 400) -> str:
    lines = [ln.strip() for ln in str(text).replace("\r", "\n").splitlines() if ln.strip()]
    if len(lines) > 2:
        lines = [lines[0], "...", lines[-1]]
    out = " ".join(lines)
    return out if len(out) <= limit else out[: limit - 3] + "..."


@contextmanager
def _quiet_dask() -> Iterator[None]:
    """Dask's own log lines (connection retries, closing comms) are not shown to the user;
    gdanim says what went wrong in one line."""
    loggers = [logging.getLogger(name) for name in ("distributed", "tornado", "asyncio")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _worker_info() -> dict[str, str]:
    """What a worker has installed (run on every worker when gdanim connects)."""
    from importlib import metadata

    import gdanim

    try:
        manim = metadata.version("manim")
    except metadata.PackageNotFoundError:
        manim = "missing"
    return {"gdanim": gdanim.__version__, "manim": manim, "host": socket.gethostname()}


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Client:
    """A Dask client of the scheduler at ``address``, with at least one worker that has gdanim
    and the same manim as this machine.

    Raises
    ------
    ClusterUnreachable
        When ``address`` is malformed, no scheduler answers within ``timeout`` seconds, no
        worker joins it within ``timeout`` seconds, or a worker lacks gdanim or has another
        manim (its frames could differ).
    """
    url = check_address(address)
    try:
        from distributed import Client
    except ImportError:
        raise ClusterUnreachable("--cluster: Dask is not installed here; install gdanim with "
                                 "its cluster extra (pip install 'gdanim[cluster]')") from None
    with _quiet_dask():
        try:
            client = Client(url, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterUnreachable(
                f"--cluster: no Dask scheduler answers at {url} within {timeout:g} s "
                f"({_one_line(str(exc), 160)}); start one with `dask scheduler` and check the "
                "address") from None
        try:
            client.wait_for_workers(1, timeout=timeout)
            infos: dict[str, dict[str, str]] = client.run(_worker_info)
        except (OSError, TimeoutError) as exc:
            client.close()
            raise ClusterUnreachable(
                f"--cluster: the scheduler at {url} has no worker ({_one_line(str(exc), 160)}); "
                f"start one on each rendering machine with `dask worker {url}`") from None
        except Exception as exc:  # a worker could not run gdanim's code at all
            client.close()
            raise ClusterUnreachable(
                f"--cluster: a worker of {url} cannot run gdanim ({type(exc).__name__}: "
                f"{_one_line(str(exc), 160)}); install gdanim with its cluster extra on every "
                "worker") from None
    mine = _worker_info()
    for worker, info in sorted(infos.items()):
        if info["manim"] != mine["manim"] or info["gdanim"] != mine["gdanim"]:
            client.close()
            raise ClusterUnreachable(
                f"--cluster: the worker {worker} ({info['host']}) has gdanim {info['gdanim']} "
                f"with manim {info['manim']}, this machine gdanim {mine['gdanim']} with manim "
                f"{mine['manim']}; install the same versions everywhere")
    return client


# --------------------------------------------------------------------------------------------
# What travels: the task to the worker, the files back
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SceneTask:
    """One scene to render on a worker, with the settings of :func:`render_scene`.

    ``scene_file`` names the job's scene module relative to the ``scenes`` package (POSIX
    form), so that each worker renders its own installed copy of it.
    """

    job: RenderJob
    scene_file: str
    quality: str = "h"
    fmt: str = "mp4"
    sections: bool = False
    lossless: bool = False

    @classmethod
    def of(cls, job: RenderJob, **settings: Any) -> SceneTask:
        """The task of ``job``; its scene module must be one of the ``scenes`` package."""
        path = Path(os.path.abspath(job.file))
        try:
            rel = path.relative_to(SCENES_DIR).as_posix()
        except ValueError:
            raise RenderError(f"{job.name}: {path} is not a module of the scenes package; "
                              "only gdanim's own scenes render on a cluster") from None
        return cls(job, rel, **settings)

    @property
    def key(self) -> str:
        """The job's key with the settings: two equal keys give the same files."""
        return (f"{self.job.key}-{self.quality}-{self.fmt}-{int(self.sections)}"
                f"{int(self.lossless)}")


@dataclass(frozen=True)
class SceneFiles:
    """A scene rendered on a worker: its files as bytes, by file name.

    ``sections`` holds the section index (``NAME.json``) and the clips it names;
    ``speech`` the audio files of a narrated scene, by the path its narration log gives.
    """

    video: tuple[str, bytes]
    srt: tuple[str, bytes] | None
    sections: tuple[tuple[str, bytes], ...]
    narration: tuple[str, bytes] | None
    speech: tuple[tuple[str, bytes], ...]
    seconds: float
    timings: Mapping[str, float] = field(default_factory=dict)
    #: The worker that rendered it (``host:pid``).
    worker: str = ""


def _pack(result: RenderResult) -> SceneFiles:
    """Read a finished render's files into a :class:`SceneFiles`."""
    srt = None if result.srt is None else (result.srt.name, result.srt.read_bytes())
    sections: list[tuple[str, bytes]] = []
    if result.sections is not None:
        sections.append((result.sections.name, result.sections.read_bytes()))
        for entry in json.loads(result.sections.read_text(encoding="utf-8")):
            clip = result.sections.parent / str(entry["video"])
            if clip.exists():
                sections.append((clip.name, clip.read_bytes()))
    narration = None
    speech: list[tuple[str, bytes]] = []
    if result.narration is not None:
        narration = (result.narration.name, result.narration.read_bytes())
        for line in NarrationLog.from_file(result.narration).lines:
            if line.wav is not None and all(str(line.wav) != s for s, _ in speech):
                speech.append((str(line.wav), Path(line.wav).read_bytes()))
    return SceneFiles((result.video.name, result.video.read_bytes()), srt, tuple(sections),
                      narration, tuple(speech), result.seconds, dict(result.timings),
                      f"{socket.gethostname()}:{os.getpid()}")


def render_task(task: SceneTask) -> SceneFiles:
    """Render ``task`` here (on a worker) and return its files.

    The worker's own copy of the scene module renders, into the worker's build folder
    (:func:`~gdanim.app.render.outputs.build_root`); the results are read from a run folder
    of their own, which is removed afterwards.
    """
    job = replace(task.job, file=SCENES_DIR.joinpath(*task.scene_file.split("/")))
    with build_root() as build, run_folder(build) as work:
        result = render_scene(job, quality=task.quality, fmt=task.fmt, media_dir=build,
                              sections=task.sections, lossless=task.lossless, quiet=True,
                              workdir=work)
        return _pack(result)


def _safe_name(name: str) -> str:
    """A file name as sent by a worker, reduced to its last part (never a path)."""
    base = Path(name.replace("\\", "/")).name
    if base in ("", ".", ".."):
        raise ClusterError(f"a worker sent a file without a usable name ({name!r})")
    return base


def _unpack(files: SceneFiles, job: RenderJob, workdir: Path) -> RenderResult:
    """Write a worker's files into a folder of their own in ``workdir``; their result."""
    own = Path(tempfile.mkdtemp(prefix=f"{job.output_name[:60]}-", dir=workdir))
    video = own / _safe_name(files.video[0])
    video.write_bytes(files.video[1])
    srt = None
    if files.srt is not None:
        srt = own / _safe_name(files.srt[0])
        srt.write_bytes(files.srt[1])
    sections = None
    if files.sections:
        sec_dir = own / "sections"
        sec_dir.mkdir()
        for i, (name, data) in enumerate(files.sections):
            path = sec_dir / _safe_name(name)
            path.write_bytes(data)
            if i == 0:
                sections = path
    narration = None
    if files.narration is not None:
        speech_dir = own / "speech"
        speech_dir.mkdir()
        local: dict[str, Path] = {}
        for i, (name, data) in enumerate(files.speech):
            path = speech_dir / f"{i:04d}-{_safe_name(name)}"
            path.write_bytes(data)
            local[name] = path
        log = NarrationLog.from_json(files.narration[1].decode("utf-8"))
        lines = tuple(line if line.wav is None else replace(line, wav=local[str(line.wav)])
                      for line in log.lines)
        narration = replace(log, lines=lines).to_file(own / _safe_name(files.narration[0]))
    return RenderResult(job, video, srt, sections, files.seconds, narration,
                        dict(files.timings))


# --------------------------------------------------------------------------------------------
# The client's side
# --------------------------------------------------------------------------------------------


def _failure(job: RenderJob, exc: BaseException) -> str:
    """One line on why ``job`` came back without its files.

    Examples
    --------
    >>> job = RenderJob(SCENES_DIR / "tangent.py", "Demo")
    >>> _failure(job, RenderError("rendering Demo failed (manim exit 1):\\nA\\nB: c"))
    'Demo failed twice on the cluster: rendering Demo failed (manim exit 1): ... B: c'
    """
    what = type(exc).__name__
    if isinstance(exc, RenderError):  # the render itself failed, on its first try and its retry
        return f"{job.name} failed twice on the cluster: {_one_line(str(exc))}"
    if what == "KilledWorker":
        return (f"{job.name}: the workers rendering it died too often (the cluster gave up on "
                "it); see the workers' logs")
    if "Cancelled" in what:
        return (f"{job.name}: the cluster dropped it before it was done (did the scheduler "
                "stop?)")
    return f"{job.name} failed twice on the cluster: {what}: {_one_line(str(exc))}"


def render_many(
    client: Client,
    jobs: Sequence[RenderJob],
    *,
    workdir: Path,
    progress: Callable[[int, int, RenderJob, float], None] | None = None,
    started: Callable[[int, int, RenderJob], None] | None = None,
    settings: Sequence[Mapping[str, object]] | None = None,
    quality: str = "h",
    fmt: str = "mp4",
    sections: bool = False,
    lossless: bool = False,
    **_local: object,
) -> list[RenderResult]:
    """Render ``jobs`` on the cluster of ``client``, one task per job; results in job order.

    The same keywords as :func:`~gdanim.app.render.manim.render_many` (``settings`` gives each
    job keywords of its own); those that only concern a local render (``media_dir``,
    ``quiet``, ``log``) are taken and ignored, since every worker renders into its own folder.
    ``started`` is called as each task is sent, ``progress`` as each comes back; the files are
    written into ``workdir``.

    Raises
    ------
    ClusterError
        When a scene failed twice, or the workers rendering it died too often: the scene and
        the error in one line. The other scenes' tasks are cancelled.
    """
    from distributed import as_completed

    total = len(jobs)
    if settings is not None and len(settings) != total:
        raise ValueError(f"{len(settings)} settings given for {total} jobs")
    base: dict[str, Any] = {"quality": quality, "fmt": fmt, "sections": sections,
                            "lossless": lossless}
    tasks = [SceneTask.of(job, **{**base, **({} if settings is None else settings[i])})
             for i, job in enumerate(jobs)]
    t0 = time.monotonic()
    index: dict[Any, int] = {}
    futures = []
    for i, task in enumerate(tasks):
        if started:
            started(i + 1, total, task.job)
        key = f"gdanim-{task.job.scene}-{task.key}-{uuid.uuid4().hex[:8]}"
        fut = client.submit(render_task, task, key=key, retries=1, pure=False)
        index[fut] = i
        futures.append(fut)
    results: list[RenderResult | None] = [None] * total
    done = 0
    try:
        for fut in as_completed(futures, loop=client.loop):
            i = index[fut]
            try:
                files: SceneFiles = fut.result()
            except Exception as exc:
                raise ClusterError(_failure(jobs[i], exc)) from None
            results[i] = _unpack(files, jobs[i], workdir)
            done += 1
            if progress:
                progress(done, total, jobs[i], time.monotonic() - t0)
    except BaseException:
        with _quiet_dask():
            client.cancel(futures)
        raise
    return [r for r in results if r is not None]
