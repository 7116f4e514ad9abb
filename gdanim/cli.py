"""The ``gdanim`` command: built-in scenes, the lecture, and custom videos of your own function.

Rendering happens in manim subprocesses (see :mod:`gdanim.render`), so this module imports
neither manim nor the scenes. Every input is checked before anything is rendered, every path of
the output set included (video, subtitles, poster, section clips and their index): bad input is
reported in one line on stderr with exit status 2, and nothing is written. A render that fails
or is interrupted (Ctrl-C, SIGTERM, SIGHUP) leaves nothing at the output path and never
replaces part of a previous output.

Outputs go where ``-o`` says, by default under ``media/`` in the current folder; manim's build
files (partial movies, TeX) go under gdanim's cache folder (see :func:`gdanim.render.build_root`),
never into the installed package.

Examples
--------
::

    gdanim list
    gdanim render GradientSteps1D -q l
    gdanim lecture                      # 1080p60 lecture with its .srt, printed path
    gdanim descend --function "x*cos(0.15*pi*x)" --start 15 --lr 0.1 --lr 3 --steps 10 -q l
    gdanim race --function "x**2/20 + y**2" --start -7,2 --steps 100 \\
        --optimizer sgd:lr=0.95 --optimizer adam:lr=0.3,betas=0.9/0.99 -o valley.mp4
    gdanim video examples/valley_race.toml -q l
"""

from __future__ import annotations

import os
import re
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import click

from gdanim import config as cfg
from gdanim import render as rd

__all__ = ["cli", "main"]

REPO_ROOT = rd.REPO_ROOT
CUSTOM_SCENES = REPO_ROOT / "scenes" / "custom.py"


def _media() -> Path:
    """The default output folder: ``media/`` in the current folder."""
    return Path(os.path.abspath("media"))


class InputError(click.ClickException):
    """Bad input from the user: reported in one line, exit status 2."""

    exit_code = 2


def _catalog() -> ModuleType:
    from scenes import catalog

    return catalog


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


def _opt(*decls: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(*decls, **kwargs)


quality_option = _opt(
    "-q", "--quality", type=click.Choice(list(rd.QUALITIES)), default=None,
    help="manim quality preset: l=480p15, m=720p30, h=1080p60 (default), p=1440p60, "
         "k=2160p60. Example: -q l",
)
format_option = _opt(
    "--format", "fmt", type=click.Choice(list(cfg.FORMATS)), default=None,
    help="mp4 (default), webm (VP9, for slides), gif (loops for ever) or png (the last frame "
         "only). Default: taken from the -o suffix, else mp4. Example: --format webm",
)
publish_option = _opt(
    "--publish/--no-publish", default=None,
    help="Encode for video platforms (their recommended upload settings): H.264 High 4:2:0, "
         "CRF 18, BT.709, at most 2 B-frames, a closed GOP of half the frame rate, no edit "
         "list, +faststart, AAC-LC 48 kHz if there is audio; chapters (also OUT.chapters.txt), "
         "a thumbnail OUT.thumb.jpg, captions as .srt and .vtt. mp4 only.",
)
poster_option = _opt(
    "--poster/--no-poster", default=None,
    help="Also write the last frame as a PNG beside the video (OUT.png).",
)
sections_option = _opt(
    "--sections/--no-sections", default=None,
    help="Also write one clip per section into OUT.sections/ and an index OUT.sections.json "
         "(name, file, duration), e.g. for slides.",
)


def _remember_thumbnail(ctx: click.Context, _param: click.Parameter,
                        value: float | None) -> None:
    if value is not None:
        ctx.meta[_THUMBNAIL_KEY] = value


_THUMBNAIL_KEY = "gdanim.thumbnail_at"
thumbnail_option = _opt(
    "--thumbnail-at", type=float, default=None, metavar="T", expose_value=False,
    callback=_remember_thumbnail,
    help="With --publish: the second of the frame for the thumbnail OUT.thumb.jpg (1280x720). "
         "Default: the title frame of the first race (else of the first section). "
         "Example: --thumbnail-at 95.5",
)
quiet_option = _opt("--quiet", is_flag=True,
                    help="No progress display (neither gdanim's nor manim's); print only the "
                         "output path.")
jobs_option = _opt(
    "-j", "--jobs", type=click.IntRange(1, 64), default=None,
    help="Scenes rendered at once, in separate processes (default: the number of cores).",
)
title_option = _opt("--title", default=None,
                    help=f"Title shown at the top (at most {cfg.MAX_TITLE} characters). "
                         "Example: --title \"Into the valley\"")
view_option = _opt(
    "--view", default=None, metavar="XMIN,XMAX[,YMIN,YMAX]",
    help="Part of the plane to show; must contain the start. Default: the function's catalog "
         "view, or one that holds the start and the paths. Example: --view -10,10,-5,5",
)
three_d_option = _opt("--3d", "three_d", is_flag=True,
                      help="Draw the function of x and y as a 3D surface with the paths on it.")
function_option = _opt(
    "--function", "-f", "function", required=True, metavar="F",
    help="A catalog name (see the list below) or a formula in x (and y), e.g. "
         "\"x**2/20 + y**2\"; ^ also means power. Never evaluated as Python.",
)
steps_option = _opt("--steps", "-n", type=int, required=True, metavar="N",
                    help=f"Number of steps, 1 to {cfg.MAX_STEPS}. Example: --steps 100")


def _output_option(default_hint: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return _opt("-o", "--output", type=click.Path(path_type=Path), default=None, metavar="PATH",
                help=f"Output file (default: {default_hint}). Example: -o /tmp/valley.mp4")


def _common(default_hint: str, title: bool = True) -> Callable[[Callable[..., Any]],
                                                              Callable[..., Any]]:
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        opts = [quality_option, format_option, _output_option(default_hint), publish_option,
                thumbnail_option, poster_option, sections_option]
        if title:
            opts.append(title_option)
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


def _request(opts: Outputs, default_path: Callable[[str, str], Path],
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
    thumbnail_at = _thumbnail_at(publish)
    req = rd.OutputRequest(path=path, fmt=fmt, quality=quality, publish=publish, poster=poster,
                           sections=sections, thumbnail_at=thumbnail_at)
    _check_sidecars(req, name)
    return req


def _check_sidecars(req: rd.OutputRequest, name: str) -> None:
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


def _clean_before(reqs: Sequence[rd.OutputRequest]) -> None:
    """Remove what killed gdanim runs left beside the outputs and in the temporary folder."""
    for folder in {r.path.parent for r in reqs} | {Path(tempfile.gettempdir())}:
        rd.clean_stale(folder)


def _workers(jobs: int | None) -> int:
    return jobs if jobs is not None else max(1, os.cpu_count() or 1)


def _slug(text: str, limit: int = 40) -> str:
    s = re.sub(r"[^A-Za-z0-9.]+", "_", text.replace("**", "^")).strip("_.").lower()
    return s[:limit].rstrip("_.") or "video"


@contextmanager
def _errors_as_input() -> Iterator[None]:
    """Turn :class:`~gdanim.config.ConfigError` into a one-line exit-2 error."""
    try:
        yield
    except cfg.ConfigError as exc:
        raise InputError(str(exc)) from None


def _produce(jobs: list[rd.RenderJob], req: rd.OutputRequest, *, workers: int,
             quiet: bool) -> rd.Assembled:
    """Render ``jobs`` and assemble them into ``req``; prints progress, returns the files."""
    progress = Progress(quiet)
    if req.fmt == "png":
        jobs = jobs[-1:]  # the last frame of the video is the last frame of its last scene
    n = len(jobs)
    what = "scene" if n == 1 else "scenes"
    progress.say(f"rendering {n} {what} at {rd.QUALITIES[req.quality][1]} -> {req.path}")
    _clean_before([req])
    with rd.build_root() as build, rd.run_folder(build) as work:
        results = rd.render_many(
            jobs, workers=min(workers, n), progress=progress.finished, started=progress.started,
            quality=req.quality, fmt="png" if req.fmt == "png" else "mp4", media_dir=build,
            sections=req.sections or req.publish,
            lossless=req.lossless, quiet=quiet, workdir=work,
        )
        if not quiet and req.fmt != "png" and n > 1:
            for res in results:
                video = rd.probe_duration(res.video)
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


# --------------------------------------------------------------------------------------------
# The command group
# --------------------------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="gdanim")
def cli() -> None:
    """Explainer videos of gradient descent, with exact numbers.

    Bad input is reported in one line with exit status 2, before anything is rendered.

    \b
    Examples:
      gdanim list
      gdanim render TangentSlope -q l
      gdanim lecture
      gdanim descend --function "x*cos(0.15*pi*x)" --start 15 --lr 0.1 --lr 3 --steps 10
      gdanim race --function "x**2/20 + y**2" --start -7,2 --steps 100 \\
          --optimizer sgd:lr=0.95 --optimizer adam:lr=0.3,betas=0.9/0.99 -o valley.mp4
      gdanim video examples/valley_race.toml -q l
    """


@cli.command("list")
def list_cmd() -> None:
    """List every built-in scene, one line each.

    \b
    Example:
      gdanim list
    """
    cat = _catalog()
    width = max(len(n) for n in cat.SCENES)
    for name, info in cat.SCENES.items():
        click.echo(f"{name:<{width}}  {info.summary}")


def _jobs_for(names: Sequence[str]) -> list[rd.RenderJob]:
    cat = _catalog()
    jobs = []
    for name in names:
        try:
            info = cat.find(name)
        except KeyError as exc:
            raise InputError(f"SCENE: {exc.args[0]}") from None
        jobs.append(rd.RenderJob(file=info.file, scene=info.name))
    return jobs


@cli.command("render")
@click.argument("scenes", nargs=-1, required=True)
@quality_option
@format_option
@click.option("-o", "--output-dir", type=click.Path(path_type=Path), default=None,
              metavar="DIR",
              help="Folder for the finished videos (default: media/<quality>/). "
                   "Example: -o /tmp/clips")
@publish_option
@thumbnail_option
@poster_option
@sections_option
@jobs_option
@quiet_option
def render_cmd(scenes: tuple[str, ...], quality: str | None, fmt: str | None,
               output_dir: Path | None, publish: bool | None, poster: bool | None,
               sections: bool | None, jobs: int | None, quiet: bool) -> None:
    """Render built-in scenes by name (see gdanim list); prints the path of each video.

    \b
    Examples:
      gdanim render GradientSteps1D LearningRateRegimes -q l
      gdanim render OptimizerRace --format webm --poster -o slides/
    """
    job_list = _jobs_for(scenes)
    q = quality or "h"
    out_dir = (output_dir or _media() / rd.QUALITIES[q][0]).expanduser()
    ext = cfg.FORMATS[fmt or "mp4"]
    with _errors_as_input():
        reqs = [
            _request(Outputs(q, fmt or "mp4", out_dir / f"{job.scene}{ext}", publish, poster,
                             sections), lambda _q, _e: out_dir)
            for job in job_list
        ]
    progress = Progress(quiet)
    base = reqs[0]
    _clean_before(reqs)
    with rd.build_root() as build, rd.run_folder(build) as work:
        results = rd.render_many(
            job_list, workers=_workers(jobs), progress=progress.finished,
            started=progress.started, quality=base.quality,
            fmt="png" if base.fmt == "png" else "mp4", media_dir=build,
            sections=base.sections or base.publish, lossless=base.lossless, quiet=quiet,
            workdir=work,
        )
        for res, req in zip(results, reqs, strict=True):
            done = rd.assemble([res], req, log=progress.say)
            click.echo(str(done.video))


@cli.command("lecture")
@_common("media/lecture/gdanim_lecture_<quality>.mp4", title=False)
@jobs_option
def lecture_cmd(quality: str | None, fmt: str | None, output: Path | None,
                publish: bool | None, poster: bool | None, sections: bool | None,
                quiet: bool, jobs: int | None) -> None:
    """Render the whole lecture, with subtitles beside it; prints the video's path.

    \b
    Examples:
      gdanim lecture                      # 1080p60
      gdanim lecture -q l                 # quick preview at 480p15
      gdanim lecture --publish --sections -o lecture.mp4
    """
    with _errors_as_input():
        req = _request(
            Outputs(quality, fmt, output, publish, poster, sections),
            lambda q, ext: _media() / "lecture"
            / f"gdanim_lecture_{rd.QUALITIES[q][0]}{ext}",
        )
    done = _produce(_jobs_for(_catalog().LECTURE), req, workers=_workers(jobs), quiet=quiet)
    click.echo(str(done.video))


# --------------------------------------------------------------------------------------------
# Custom videos
# --------------------------------------------------------------------------------------------


def _catalog_help() -> str:
    from gdanim import objectives, optimizers

    return (f"Catalog functions: {', '.join(objectives.names())}. Optimizers: "
            f"{', '.join([*optimizers.names(), 'momentum', 'nesterov'])}.")


def _custom_jobs(plans: Sequence[cfg.ScenePlan], title: str | None) -> list[rd.RenderJob]:
    jobs: list[rd.RenderJob] = []
    if title:
        subtitle = [p.spec.title or "" for p in plans]
        jobs.append(rd.RenderJob(file=CUSTOM_SCENES, scene="CustomTitle",
                                 params={"title": title, "scenes": subtitle},
                                 label="title card"))
    for i, plan in enumerate(plans, start=1):
        label = plan.scene_class if len(plans) == 1 else f"{plan.scene_class} #{i}"
        jobs.append(rd.RenderJob(file=CUSTOM_SCENES, scene=plan.scene_class,
                                 params=plan.params(), label=label))
    return jobs


def _run_custom(spec: cfg.SceneSpec, opts: Outputs, quiet: bool) -> None:
    with _errors_as_input():
        plan = spec.resolve(style="cli")
        name = plan.objective.name or _slug(plan.objective.text)

        def default(q: str, ext: str) -> Path:
            return _media() / "custom" / f"{spec.kind}_{name}_{rd.QUALITIES[q][0]}{ext}"

        req = _request(opts, default)
    done = _produce(_custom_jobs([plan], None), req, workers=1, quiet=quiet)
    click.echo(str(done.video))


def _numbers(text: str | None, name: str, example: str) -> tuple[float, ...] | None:
    if text is None:
        return None
    with _errors_as_input():
        return cfg.parse_numbers(text, name, example=example)


@cli.command("descend", epilog=_catalog_help())
@function_option
@click.option("--start", "-s", required=True, metavar="X0[,Y0]",
              help="Start point, one number per variable. Example: --start 15 or --start -7,2")
@click.option("--lr", "lrs", type=float, multiple=True, required=True, metavar="ETA",
              help=f"Learning rate; repeat for up to {cfg.MAX_LRS} runs side by side. "
                   "Example: --lr 0.1 --lr 3")
@steps_option
@view_option
@three_d_option
@_common("media/custom/descend_<function>_<quality>.<format>")
def descend_cmd(function: str, start: str, lrs: tuple[float, ...], steps: int,
                view: str | None, three_d: bool, quality: str | None, fmt: str | None,
                output: Path | None, publish: bool | None, poster: bool | None,
                sections: bool | None, title: str | None, quiet: bool) -> None:
    """Plain gradient descent on your function, at one or more learning rates.

    On a function of x, each --lr gets a panel of arrow-traced steps, side by side; on a
    function of x and y, every run is a path over the contour map and the gradient field.
    A run that diverges is shown and marked with its step.

    \b
    Examples:
      gdanim descend --function "x*cos(0.15*pi*x)" --start 15 --lr 0.1 --lr 3 --steps 10 -q l
      gdanim descend --function bowl --start 2,2 --lr 0.1 --steps 100 -o bowl.mp4
      gdanim descend -f "x^4 - 3*x^2" --start 2 --lr 0.05 --steps 40 --format gif
    """
    spec = cfg.SceneSpec(
        kind="descend", function=function, start=_numbers(start, "--start", "-7,2") or (),
        steps=steps, lrs=tuple(lrs), view=_numbers(view, "--view", "-10,10,-5,5"), title=title,
        three_d=three_d,
    )
    _run_custom(spec, Outputs(quality, fmt, output, publish, poster, sections), quiet)


@cli.command("race", epilog=_catalog_help())
@function_option
@click.option("--start", "-s", required=True, metavar="X0,Y0",
              help="Start point of every optimizer. Example: --start -7,2")
@steps_option
@click.option("--optimizer", "optimizers", multiple=True, required=True, metavar="SPEC",
              help="name[:key=value,...] with torch.optim's keywords; repeat for up to "
                   f"{cfg.MAX_OPTIMIZERS}. Example: --optimizer sgd:lr=0.05,momentum=0.9 "
                   "--optimizer adam:lr=0.1,betas=0.9/0.99")
@view_option
@three_d_option
@_common("media/custom/race_<function>_<quality>.<format>")
def race_cmd(function: str, start: str, steps: int, optimizers: tuple[str, ...],
             view: str | None, three_d: bool, quality: str | None, fmt: str | None,
             output: Path | None, publish: bool | None, poster: bool | None,
             sections: bool | None, title: str | None, quiet: bool) -> None:
    """Race optimizers from one start over the contour map of a function of x and y.

    Each optimizer has its own colour (the same in every gdanim video) and marker; the legend
    gives its hyperparameters and its live loss. With --3d the paths run on the surface.

    \b
    Examples:
      gdanim race --function "x**2/20 + y**2" --start -7,2 --steps 100 \\
          --optimizer sgd:lr=0.95 --optimizer adam:lr=0.3,betas=0.9/0.99 -q l -o valley.mp4
      gdanim race -f rosenbrock --start -1.5,2.5 --steps 500 --optimizer adam:lr=0.05 \\
          --optimizer momentum:lr=0.0005 --3d --publish
    """
    spec = cfg.SceneSpec(
        kind="race", function=function, start=_numbers(start, "--start", "-7,2") or (),
        steps=steps, optimizers=tuple(optimizers),
        view=_numbers(view, "--view", "-10,10,-5,5"), title=title, three_d=three_d,
    )
    _run_custom(spec, Outputs(quality, fmt, output, publish, poster, sections), quiet)


@cli.command("video")
@click.argument("file", type=click.Path(path_type=Path), metavar="FILE.toml")
@_common("[output] file in FILE.toml, else media/custom/<FILE>_<quality>.<format>")
@jobs_option
def video_cmd(file: Path, quality: str | None, fmt: str | None, output: Path | None,
              publish: bool | None, poster: bool | None, sections: bool | None,
              title: str | None, quiet: bool, jobs: int | None) -> None:
    """Render a sequence of scenes described in a TOML file.

    Each [[scene]] table is a descent (type = "descend", with lr) or a race (type = "race", with
    optimizers), with function, start, steps and optionally view, title, captions and 3d. An
    [output] table may set file, quality, format, publish, poster and sections; options given
    here win. --title (or title = "..." at the top of the file) adds a title card. See
    examples/valley_race.toml.

    \b
    Examples:
      gdanim video examples/valley_race.toml -q l
      gdanim video lesson.toml --publish -o lesson.mp4
    """
    with _errors_as_input():
        spec = cfg.VideoSpec.from_file(file)
        plans = spec.resolve()
        if title is not None:
            _check_title(title)
        card = title if title is not None else spec.title
        req = _request(
            Outputs(quality, fmt, output, publish, poster, sections),
            lambda q, ext: _media() / "custom" / f"{_slug(file.stem)}_"
            f"{rd.QUALITIES[q][0]}{ext}",
            settings=spec.output, settings_path=spec.output_path(),
        )
    done = _produce(_custom_jobs(plans, card), req, workers=_workers(jobs), quiet=quiet)
    click.echo(str(done.video))


def _check_title(title: str) -> None:
    if not title.strip() or len(title) > cfg.MAX_TITLE or not title.isprintable():
        raise cfg.ConfigError(f"--title: one line of at most {cfg.MAX_TITLE} printable "
                              "characters")


# --------------------------------------------------------------------------------------------
# Slides and video platforms
# --------------------------------------------------------------------------------------------


def _thumbnail_at(publish: bool) -> float | None:
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


def _deck_rules(base: Any, loops: Sequence[str], onces: Sequence[str]) -> Any:
    """The file's ``[slides]`` rules with ``--loop`` / ``--once`` on top (they win)."""
    from gdanim.app.deck import SlideRules

    def entry(text: str) -> str | int:
        return int(text) if text.strip().isdigit() else text

    cli_loop = [entry(t) for t in loops]
    cli_once = [entry(t) for t in onces]
    both = {str(v).lower() for v in cli_loop} & {str(v).lower() for v in cli_once}
    if both:
        raise InputError(f"--loop/--once: {sorted(both)[0]!r} is given to both")
    given = {str(v).lower() for v in [*cli_loop, *cli_once]}
    keep_loop = [v for v in base.loop if str(v).lower() not in given]
    keep_once = [v for v in base.once if str(v).lower() not in given]
    return SlideRules(loop=tuple([*keep_loop, *cli_loop]), once=tuple([*keep_once, *cli_once]))


def _deck_output(path: Path, fmt: str) -> Path:
    """Check the deck's output: a folder (html) that is new, empty or a gdanim deck; a .pptx."""
    p = Path(os.path.abspath(path.expanduser()))
    if fmt == "pptx":
        if p.suffix.lower() != ".pptx":
            raise InputError(f"-o/--output: {p.name} must end in .pptx for --format pptx")
        with _errors_as_input():
            return cfg.check_output_path(p)
    if p.suffix.lower() == ".pptx":
        raise InputError(f"-o/--output: {p.name} is a PowerPoint name; add --format pptx, or "
                         "give a folder for the browser deck")
    if p.exists() and not p.is_dir():
        raise InputError(f"-o/--output: {p} is a file; give a folder for the deck")
    if p.is_dir() and any(p.iterdir()):
        index = p / "index.html"
        ours = index.is_file() and 'content="gdanim"' in index.read_text(
            encoding="utf-8", errors="replace")[:2000]
        if not ours:
            raise InputError(f"-o/--output: {p} is a folder with other files in it; the deck "
                             "replaces its folder, so give a new or empty one")
    with _errors_as_input():
        cfg.check_output_path(p / "index.html")
    return p


@cli.command("slides")
@click.argument("sources", nargs=-1, metavar="[SCENE... | FILE.toml]")
@click.option("--from", "from_video", type=click.Path(path_type=Path), default=None,
              metavar="VIDEO",
              help="Make the deck from a video rendered earlier with --sections (it reads "
                   "VIDEO.sections.json, the clips and VIDEO.srt) instead of rendering. "
                   "Example: --from lecture.mp4")
@click.option("--format", "deck_format", type=click.Choice(["html", "pptx"]), default=None,
              help="html: a folder that opens in any browser, offline (default); pptx: a "
                   "PowerPoint file. Default: pptx when -o ends in .pptx. Example: --format pptx")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, metavar="PATH",
              help="The deck's folder (html) or .pptx file (default: media/slides/"
                   "<name>_<quality>). Example: -o deck/")
@quality_option
@click.option("--loop", "loops", multiple=True, metavar="SECTION",
              help="Loop this section's slide (a section name or a slide number from 1); "
                   "repeat for more. Example: --loop Title")
@click.option("--once", "onces", multiple=True, metavar="SECTION",
              help="Play this section's slide once and hold its last frame. Example: --once 1")
@click.option("--video", "keep_video", type=click.Path(path_type=Path), default=None,
              metavar="VIDEO.mp4",
              help="Also keep the rendered video, encoded as with --publish, with its chapters, "
                   "captions, thumbnail and sections (one render gives the deck and the upload). "
                   "Example: --video lecture.mp4")
@thumbnail_option
@title_option
@jobs_option
@quiet_option
def slides_cmd(sources: tuple[str, ...], from_video: Path | None, deck_format: str | None,
               output: Path | None, quality: str | None, loops: tuple[str, ...],
               onces: tuple[str, ...], keep_video: Path | None, title: str | None,
               jobs: int | None, quiet: bool) -> None:
    """A slide deck with one slide per section: the lecture, scenes by name, or a TOML video.

    Each slide plays its section's clip once and holds the last frame, or loops (title cards
    loop; --loop/--once or a [slides] table in the TOML file choose otherwise). In the browser:
    right arrow, space or a click: next; left: back; f: full screen; s: speaker notes (the
    section's captions) with the next slide; w: the notes in a second window; c: captions.
    The folder also holds a PDF handout (handout.pdf). Prints the path of index.html (or of
    the .pptx).

    \b
    Examples:
      gdanim slides -q l -o deck/                 # the lecture
      gdanim slides OptimizerRace SurfaceRaceB -o races/
      gdanim slides examples/valley_race.toml --format pptx -o valley.pptx
      gdanim slides --from lecture.mp4 -o deck/   # from a render with --sections
    """
    from gdanim.app.deck import DeckError, SlideRules
    from gdanim.app.platform import readable_name
    from gdanim.app.slides import make_deck

    fmt = deck_format or ("pptx" if output is not None and output.suffix.lower() == ".pptx"
                          else "html")
    q = quality or "h"
    base_rules = SlideRules()
    job_list: list[rd.RenderJob] = []
    with _errors_as_input():
        if title is not None:
            _check_title(title)
        if from_video is not None:
            if sources:
                raise InputError("--from: makes the deck from a video rendered earlier; give "
                                 "no scenes or TOML file with it")
            if quality is not None or keep_video is not None:
                raise InputError(f"{'-q/--quality' if quality is not None else '--video'}: the "
                                 "video given to --from is already rendered")
            if not from_video.is_file():
                raise InputError(f"--from: {from_video}: no such video")
            name = from_video.stem
            deck_title = title or readable_name(name, name)
        elif len(sources) == 1 and sources[0].lower().endswith(".toml"):
            spec = cfg.VideoSpec.from_file(Path(sources[0]))
            plans = spec.resolve()
            base_rules = SlideRules.from_dict(spec.slides)
            job_list = _custom_jobs(plans, spec.title)
            name = _slug(Path(sources[0]).stem)
            deck_title = title or spec.title or readable_name(Path(sources[0]).stem, "")
        elif any(s.lower().endswith(".toml") for s in sources):
            raise InputError("FILE.toml: give one TOML file alone, without scene names")
        elif sources:
            job_list = _jobs_for(sources)
            name = _slug("_".join(j.scene for j in job_list), 60)
            deck_title = title or ", ".join(readable_name(j.scene, j.scene) for j in job_list)
        else:
            job_list = _jobs_for(_catalog().LECTURE)
            name = "gdanim_lecture"
            deck_title = title or "Gradient descent"
        rules = _deck_rules(base_rules, loops, onces)
        default = _media() / "slides" / (
            f"{name}_{rd.QUALITIES[q][0] if from_video is None else 'deck'}"
            f"{'.pptx' if fmt == 'pptx' else ''}")
        out = _deck_output(output if output is not None else default, fmt)
        thumbnail_at = _thumbnail_at(keep_video is not None)
        if keep_video is not None:
            if keep_video.suffix.lower() != ".mp4":
                raise InputError(f"--video: {keep_video.name} must end in .mp4")
            keep_video = cfg.check_output_path(keep_video, "--video")
    progress = Progress(quiet)
    try:
        if from_video is not None:
            result = make_deck(from_video, out, fmt=fmt, title=deck_title, rules=rules,
                               log=progress.say)
        else:
            import tempfile

            with tempfile.TemporaryDirectory(prefix="gdanim-slides-") as staging:
                req = rd.OutputRequest(path=keep_video or Path(staging) / f"{name}.mp4",
                                       fmt="mp4", quality=q, publish=True, sections=True,
                                       thumbnail_at=thumbnail_at)
                _produce(job_list, req, workers=_workers(jobs), quiet=quiet)
                progress.say(f"writing the deck ({fmt}) -> {out}")
                result = make_deck(req.path, out, fmt=fmt, title=deck_title, rules=rules,
                                   log=progress.say)
    except DeckError as exc:
        raise InputError(str(exc)) from None
    progress.say(f"done: {progress.elapsed():.0f} s in all")
    click.echo(str(result))


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


#: Signals handled like Ctrl-C: SIGTERM, and SIGHUP (the terminal was closed).
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the command line and turn every failure into one line on stderr."""
    previous: dict[signal.Signals, Any] = {}
    try:
        for sig in _STOP_SIGNALS:
            previous[sig] = signal.signal(sig, _on_sigterm)
    except ValueError:  # not the main thread
        pass
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="gdanim",
                 standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        rd.terminate_renders()
        click.echo("gdanim: interrupted; no output was written", err=True)
        return 130
    except click.UsageError as exc:
        click.echo(f"gdanim: error: {_one_line(exc.format_message())}", err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"gdanim: error: {_one_line(exc.format_message())}", err=True)
        return exc.exit_code
    except rd.RenderError as exc:
        click.echo(f"gdanim: render failed: {exc}", err=True)
        return 1
    except OSError as exc:
        click.echo(f"gdanim: error: {_one_line(str(exc))}", err=True)
        return 1
    except Exception as exc:  # a bug: one line, the traceback only when asked for
        if os.environ.get("GDANIM_DEBUG"):
            raise
        click.echo(f"gdanim: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
                   "(run again with GDANIM_DEBUG=1 for the traceback)", err=True)
        return 1
    finally:
        for stop_signal, handler in previous.items():
            signal.signal(stop_signal, handler)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
