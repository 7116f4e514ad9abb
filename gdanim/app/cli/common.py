"""What the commands share: bad input as one line, progress, the output options and their
check, and producing a video from render jobs.

Every input is checked before anything is rendered, every path of the output set included
(video, subtitles, poster, section clips and their index): bad input is reported in one line on
stderr with exit status 2, and nothing is written. Outputs go where ``-o`` says, by default
under ``media/`` in the current folder; manim's build files (partial movies, TeX) go under
gdanim's cache folder (see :func:`gdanim.app.render.build_root`), never into the installed
package.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from gdanim.app import config as cfg
from gdanim.app import render as rd
from gdanim.app.voice import (
    VOICES,
    VoiceError,
    VoiceSettings,
    available_voices,
    default_voice,
)

__all__ = [
    "InputError",
    "Outputs",
    "Progress",
    "check_title",
    "clean_before",
    "cluster_option",
    "common",
    "connect_cluster",
    "errors_as_input",
    "format_option",
    "function_option",
    "jobs_option",
    "media",
    "opt",
    "poster_option",
    "produce",
    "publish_option",
    "quality_option",
    "quiet_option",
    "render_jobs",
    "request",
    "sections_option",
    "slug",
    "steps_option",
    "thumbnail_time",
    "thumbnail_option",
    "three_d_option",
    "title_option",
    "view_option",
    "voice_options",
    "voice_settings",
    "with_voice",
    "worker_count",
]


def media() -> Path:
    """The default output folder: ``media/`` in the current folder."""
    return Path(os.path.abspath("media"))


class InputError(click.ClickException):
    """Bad input from the user: reported in one line, exit status 2."""

    exit_code = 2



# --------------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------------


class Progress:
    """Job-level progress on stderr: scene k of n, elapsed time and an estimate of what is left.

    manim's own per-animation bars appear between these lines; ``quiet`` silences everything.
    """

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.t0 = time.monotonic()

    def say(self, text: str) -> None:
        """One status line."""
        if not self.quiet:
            click.echo(f"[gdanim] {text}", err=True)

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def started(self, index: int, total: int, job: rd.RenderJob) -> None:
        self.say(f"scene {index} of {total}: {job.name} ...")

    def finished(self, done: int, total: int, job: rd.RenderJob, elapsed: float) -> None:
        left = elapsed / done * (total - done)
        estimate = f", about {left:.0f} s left" if done < total else ""
        self.say(f"scene {done} of {total} done ({job.name}); elapsed {self.elapsed():.0f} s"
                 f"{estimate}")


# --------------------------------------------------------------------------------------------
# Options shared by the commands
# --------------------------------------------------------------------------------------------


def opt(*decls: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(*decls, **kwargs)


quality_option = opt(
    "-q", "--quality", type=click.Choice(list(rd.QUALITIES)), default=None,
    help="manim quality preset: l=480p15, m=720p30, h=1080p60 (default), p=1440p60, "
         "k=2160p60. Example: -q l",
)
format_option = opt(
    "--format", "fmt", type=click.Choice(list(cfg.FORMATS)), default=None,
    help="mp4 (default), webm (VP9, for slides), gif (loops for ever) or png (the last frame "
         "only). Default: taken from the -o suffix, else mp4. Example: --format webm",
)
publish_option = opt(
    "--publish/--no-publish", default=None,
    help="Encode for video platforms (their recommended upload settings): H.264 High 4:2:0, "
         "CRF 18, BT.709, at most 2 B-frames, a closed GOP of half the frame rate, no edit "
         "list, +faststart, AAC-LC 48 kHz if there is audio; chapters (also OUT.chapters.txt), "
         "a thumbnail OUT.thumb.jpg, captions as .srt and .vtt. mp4 only.",
)
poster_option = opt(
    "--poster/--no-poster", default=None,
    help="Also write the last frame as a PNG beside the video (OUT.png).",
)
sections_option = opt(
    "--sections/--no-sections", default=None,
    help="Also write one clip per section into OUT.sections/ and an index OUT.sections.json "
         "(name, file, duration), e.g. for slides.",
)


def _remember_thumbnail(ctx: click.Context, _param: click.Parameter,
                        value: float | None) -> None:
    if value is not None:
        ctx.meta[_THUMBNAIL_KEY] = value


_THUMBNAIL_KEY = "gdanim.thumbnail_at"
thumbnail_option = opt(
    "--thumbnail-at", type=float, default=None, metavar="T", expose_value=False,
    callback=_remember_thumbnail,
    help="With --publish: the second of the frame for the thumbnail OUT.thumb.jpg (1280x720). "
         "Default: the title frame of the first race (else of the first section). "
         "Example: --thumbnail-at 95.5",
)
_VOICE_KEYS = {"voice": "gdanim.voice", "voice_model": "gdanim.voice_model",
               "recordings": "gdanim.recordings"}
#: Environment variable that sets the default voice (one of the ``--voice`` choices).
VOICE_ENV = "GDANIM_VOICE"


def _remember(ctx: click.Context, param: click.Parameter, value: object) -> None:
    if value is not None and param.name is not None:
        ctx.meta[_VOICE_KEYS[param.name]] = value


voice_options = (
    opt("--voice", type=click.Choice(list(VOICES)), default=None, expose_value=False,
        callback=_remember,
        help="Who narrates: piper (an offline neural voice; the default where installed), "
             "espeak (espeak-ng), recorded (your own recordings, see --recordings and gdanim "
             f"script) or none (silent, captions only). Default: ${VOICE_ENV} if set, else "
             "piper. Example: --voice none"),
    opt("--voice-model", type=click.Path(path_type=Path), default=None, metavar="PATH.onnx",
        expose_value=False, callback=_remember,
        help="Another Piper voice (a .onnx file with its .onnx.json beside it) for --voice "
             "piper. Example: --voice-model ~/voices/en_GB-alan-medium.onnx"),
    opt("--recordings", type=click.Path(path_type=Path), default=None, metavar="DIR",
        expose_value=False, callback=_remember,
        help="With --voice recorded: the folder of recordings, one <line id>.wav per line "
             "(gdanim script lists the ids); lines without one are read by piper and "
             "listed. Example: --voice recorded --recordings takes/"),
)


def voice_settings() -> VoiceSettings | None:
    """The voice of the running command (checked), or ``None`` for a silent video."""
    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    name = meta.get(_VOICE_KEYS["voice"])
    model = meta.get(_VOICE_KEYS["voice_model"])
    recordings = meta.get(_VOICE_KEYS["recordings"])
    where = "--voice"
    if name is None:
        env = os.environ.get(VOICE_ENV, "").strip()
        if env:
            if env not in VOICES:
                raise cfg.ConfigError(f"${VOICE_ENV}: {env!r} is not a voice; choose from "
                                      f"{', '.join(VOICES)}")
            name, where = env, f"${VOICE_ENV}"
        elif recordings is not None:
            name = "recorded"
        else:
            name = default_voice()
    if name not in available_voices():
        raise cfg.ConfigError(f"{where}: the {name} voice is not installed here; run "
                              "scripts/setup.sh, or choose --voice none")
    if model is not None:
        model = Path(model).expanduser()
        if model.suffix != ".onnx" or not model.is_file():
            raise cfg.ConfigError(f"--voice-model: {model} is not a Piper voice (a .onnx "
                                  "file)")
        if not Path(f"{model}.json").is_file():
            raise cfg.ConfigError(f"--voice-model: {model}.json, the voice's config, is "
                                  "missing beside it")
    if recordings is not None and not Path(recordings).expanduser().is_dir():
        raise cfg.ConfigError(f"--recordings: {recordings} is not a folder")
    if name == "recorded" and recordings is None:
        raise cfg.ConfigError("--voice recorded: give the folder of recordings with "
                              "--recordings DIR")
    try:
        settings = VoiceSettings(
            name, model=model,
            recordings=None if recordings is None else Path(recordings).expanduser().resolve())
    except VoiceError as exc:
        raise cfg.ConfigError(f"--voice: {exc}") from None
    return None if settings.name == "none" else settings


def with_voice(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--voice``, ``--voice-model`` and ``--recordings`` (read by
    :func:`voice_settings`)."""
    for option in reversed(voice_options):
        fn = option(fn)
    return fn


quiet_option = opt("--quiet", is_flag=True,
                    help="No progress display (neither gdanim's nor manim's); print only the "
                         "output path.")
jobs_option = opt(
    "-j", "--jobs", type=click.IntRange(1, 64), default=None,
    help="Scenes rendered at once, in separate processes (default: the number of cores).",
)
cluster_option = opt(
    "--cluster", default=None, metavar="ADDRESS",
    help="Render on a Dask cluster: one task per scene, sent to the workers of the scheduler "
         "at ADDRESS (each with gdanim installed; no shared folder needed); -j is then not "
         "used. Example: --cluster tcp://10.0.0.5:8786",
)
title_option = opt("--title", default=None,
                    help=f"Title shown at the top (at most {cfg.MAX_TITLE} characters). "
                         "Example: --title \"Into the valley\"")
view_option = opt(
    "--view", default=None, metavar="XMIN,XMAX[,YMIN,YMAX]",
    help="Part of the plane to show; must contain the start. Default: the function's catalog "
         "view, or one that holds the start and the paths. Example: --view -10,10,-5,5",
)
three_d_option = opt("--3d", "three_d", is_flag=True,
                      help="Draw the function of x and y as a 3D surface with the paths on it.")
function_option = opt(
    "--function", "-f", "function", required=True, metavar="F",
    help="A catalog name (see the list below) or a formula in x (and y), e.g. "
         "\"x**2/20 + y**2\"; ^ also means power. Never evaluated as Python.",
)
steps_option = opt("--steps", "-n", type=int, required=True, metavar="N",
                    help=f"Number of steps, 1 to {cfg.MAX_STEPS}. Example: --steps 100")


def output_option(default_hint: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return opt("-o", "--output", type=click.Path(path_type=Path), default=None, metavar="PATH",
                help=f"Output file (default: {default_hint}). Example: -o /tmp/valley.mp4")


def common(default_hint: str, title: bool = True) -> Callable[[Callable[..., Any]],
                                                              Callable[..., Any]]:
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        opts = [quality_option, format_option, output_option(default_hint), publish_option,
                thumbnail_option, poster_option, sections_option]
        if title:
            opts.append(title_option)
        opts.extend(voice_options)
        opts.append(quiet_option)
        for opt in reversed(opts):
            fn = opt(fn)
        return fn

    return deco


@dataclass(frozen=True)
class Outputs:
    """The output options as given on the command line (``None``: not given)."""

    quality: str | None
    fmt: str | None
    output: Path | None
    publish: bool | None
    poster: bool | None
    sections: bool | None


def request(opts: Outputs, default_path: Callable[[str, str], Path],
             settings: cfg.OutputSettings | None = None,
             settings_path: Path | None = None) -> rd.OutputRequest:
    """Merge command line, file settings and defaults; check the combination and the path."""
    s = settings or cfg.OutputSettings()
    quality = opts.quality or s.quality or "h"
    publish = opts.publish if opts.publish is not None else bool(s.publish)
    poster = opts.poster if opts.poster is not None else bool(s.poster)
    sections = opts.sections if opts.sections is not None else bool(s.sections)
    path = opts.output if opts.output is not None else settings_path
    fmt_given = opts.fmt or (s.format if opts.output is None else None)
    if opts.output is None and opts.fmt is not None and path is not None:
        path = path.with_suffix(cfg.FORMATS[opts.fmt])  # --format wins over the file's name
    name = "[output] file" if opts.output is None and settings_path is not None \
        else "-o/--output"
    fmt = cfg.format_for(path, fmt_given, name)
    # a file's setting that does not apply to the format asked for is dropped; the same
    # option given on the command line is an error
    if publish and fmt != "mp4":
        if opts.publish is None:
            publish = False
        else:
            raise cfg.ConfigError(f"--publish: makes an H.264 MP4 for video platforms; it "
                                  f"cannot be combined with --format {fmt} (use mp4)")
    if fmt == "png" and poster:
        if opts.poster is None:
            poster = False
        else:
            raise cfg.ConfigError("--poster: a png output is already the last frame; drop "
                                  "--poster or choose --format mp4, webm or gif")
    if fmt == "png" and sections:
        if opts.sections is None:
            sections = False
        else:
            raise cfg.ConfigError("--sections: a png output is one frame; choose --format mp4, "
                                  "webm or gif for section clips")
    if path is None:
        path = default_path(quality, cfg.FORMATS[fmt])
    path = cfg.check_output_path(path, name)
    thumbnail_at = thumbnail_time(publish)
    req = rd.OutputRequest(path=path, fmt=fmt, quality=quality, publish=publish, poster=poster,
                           sections=sections, thumbnail_at=thumbnail_at)
    check_sidecars(req, name)
    return req


def check_sidecars(req: rd.OutputRequest, name: str) -> None:
    """Check the paths of the files written beside the video, as the video's own path is.

    A folder where a file of the set goes (or a file where its folder of section clips goes),
    or a read-only file, is reported now, before anything is rendered.
    """
    files: list[tuple[Path, str]] = []
    if req.fmt in ("mp4", "webm"):
        files.append((req.srt_path, "subtitles"))
        files.append((req.vtt_path, "WebVTT captions"))
    if req.publish:
        files.append((req.chapters_path, "chapter list"))
        files.append((req.thumbnail_path, "thumbnail"))
    if req.poster:
        files.append((req.poster_path, "poster"))
    if req.sections:
        files.append((req.sections_index, "index of the section clips"))
    for path, what in files:
        if path.is_dir():
            raise cfg.ConfigError(f"{name}: {path} is a folder, but the {what} of "
                                  f"{req.path.name} would be written there; move it away or "
                                  "choose another output name")
        if path.exists() and not os.access(path, os.W_OK):
            raise cfg.ConfigError(f"{name}: cannot replace {path} (the {what} of "
                                  f"{req.path.name}): the file is read-only")
    folder = req.sections_dir
    if req.sections and os.path.lexists(folder) and not folder.is_dir():
        raise cfg.ConfigError(f"{name}: {folder} is a file, but the section clips of "
                              f"{req.path.name} go into a folder of that name; move it away or "
                              "choose another output name")


def clean_before(reqs: Sequence[rd.OutputRequest]) -> None:
    """Remove what killed gdanim runs left beside the outputs and in the temporary folder."""
    for folder in {r.path.parent for r in reqs} | {Path(tempfile.gettempdir())}:
        rd.clean_stale(folder)


def worker_count(jobs: int | None) -> int:
    return jobs if jobs is not None else max(1, os.cpu_count() or 1)


def slug(text: str, limit: int = 40) -> str:
    s = re.sub(r"[^A-Za-z0-9.]+", "_", text.replace("**", "^")).strip("_.").lower()
    return s[:limit].rstrip("_.") or "video"


@contextmanager
def errors_as_input() -> Iterator[None]:
    """Turn :class:`~gdanim.app.config.ConfigError` into a one-line exit-2 error."""
    try:
        yield
    except cfg.ConfigError as exc:
        raise InputError(str(exc)) from None


def connect_cluster(address: str | None) -> Any:
    """A client of the Dask scheduler at ``address`` (``None`` for none: render locally).

    Called before anything is said or rendered: a bad address, or a scheduler (or worker) that
    does not answer within 10 seconds, is bad input: one line, exit status 2. The client is
    closed by :func:`render_jobs`.
    """
    if address is None:
        return None
    from gdanim.app.render import cluster as rc

    try:
        return rc.connect(address)
    except rc.ClusterUnreachable as exc:
        raise InputError(str(exc)) from None


def render_jobs(jobs: Sequence[rd.RenderJob], *, workers: int, client: Any = None,
                **kwargs: Any) -> list[rd.RenderResult]:
    """Render ``jobs`` with :func:`gdanim.app.render.render_many` (``workers`` at once), or
    with ``client`` (see :func:`connect_cluster`) on its Dask cluster, one task per scene (see
    :mod:`gdanim.app.render.cluster`); the client is closed afterwards.
    """
    if client is None:
        return rd.render_many(jobs, workers=workers, **kwargs)
    from gdanim.app.render import cluster as rc

    try:
        return rc.render_many(client, jobs, **kwargs)
    finally:
        client.close()


def produce(jobs: list[rd.RenderJob], req: rd.OutputRequest, *, workers: int,
             quiet: bool, voice: VoiceSettings | None = None,
             cluster: str | None = None) -> rd.Assembled:
    """Render ``jobs`` (on the Dask cluster at ``cluster`` when given) and assemble them into
    ``req``; prints progress, returns the files.

    ``voice`` narrates every scene (default: the command's ``--voice``, see
    :func:`voice_settings`); a png or gif has no sound, and is rendered silent.
    """
    progress = Progress(quiet)
    if req.fmt == "png":
        jobs = jobs[-1:]  # the last frame of the video is the last frame of its last scene
    if voice is None and req.fmt in ("mp4", "webm"):
        with errors_as_input():
            voice = voice_settings()
    client = connect_cluster(cluster)
    if voice is not None and req.fmt in ("mp4", "webm"):
        jobs = [dataclasses.replace(job, voice=voice) for job in jobs]
        progress.say(f"narrated by {voice.name}")
    n = len(jobs)
    what = "scene" if n == 1 else "scenes"
    progress.say(f"rendering {n} {what} at {rd.QUALITIES[req.quality][1]} -> {req.path}")
    clean_before([req])
    with rd.build_root() as build, rd.run_folder(build) as work:
        results = render_jobs(
            jobs, workers=min(workers, n), progress=progress.finished, started=progress.started,
            quality=req.quality, fmt="png" if req.fmt == "png" else "mp4", media_dir=build,
            sections=req.sections or req.publish,
            lossless=req.lossless, quiet=quiet, workdir=work, client=client,
        )
        if not quiet and req.fmt != "png" and n > 1:
            for res in results:
                video = rd.probe_duration(res.video)
                if "reused" in res.timings:
                    progress.say(f"{res.job.name}: {video:.1f} s of video, reused from an "
                                 "earlier render")
                    continue
                progress.say(f"{res.job.name}: {res.seconds:.1f} s of rendering for "
                             f"{video:.1f} s of video ({res.seconds / max(video, 1e-9):.2f} s "
                             "per s)")
        done = rd.assemble(results, req, log=progress.say)
    for extra in done.files[1:]:
        if extra.parent != req.sections_dir:
            progress.say(f"wrote {extra}")
    if done.section_files:
        progress.say(f"wrote {len(done.section_files)} section clips in {req.sections_dir}")
    length = f"{done.duration:.1f} s of video, " if req.fmt != "png" else ""
    progress.say(f"done: {length}{progress.elapsed():.0f} s in all")
    return done



def check_title(title: str) -> None:
    if not title.strip() or len(title) > cfg.MAX_TITLE or not title.isprintable():
        raise cfg.ConfigError(f"--title: one line of at most {cfg.MAX_TITLE} printable "
                              "characters")


def thumbnail_time(publish: bool) -> float | None:
    """``--thumbnail-at`` of the running command (checked), or ``None``."""
    ctx = click.get_current_context(silent=True)
    value = ctx.meta.get(_THUMBNAIL_KEY) if ctx is not None else None
    if value is None:
        return None
    at = float(value)
    if not publish:
        raise cfg.ConfigError("--thumbnail-at: the thumbnail is written with --publish (with "
                              "--video for gdanim slides); add it")
    if not (at >= 0 and at == at and at != float("inf")):
        raise cfg.ConfigError(f"--thumbnail-at: {value:g} is not allowed; give the second of "
                              "the frame, 0 or more, e.g. --thumbnail-at 12.5")
    return at

