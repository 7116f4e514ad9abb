"""The ``gdanim`` command: render built-in scenes or the whole lecture.

Rendering happens in ``python -m manim render`` subprocesses (see :mod:`gdanim.render`), so
this module imports neither manim nor the scenes. Bad input is reported in one line on stderr
with exit status 2; nothing is written in that case.

Examples
--------
::

    gdanim list
    gdanim render GradientSteps1D -q l
    gdanim lecture                      # 1080p60 lecture with its .srt, printed path
    gdanim lecture -q l -o /tmp/lecture.mp4
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import click

from gdanim import render as rd

__all__ = ["main"]

REPO_ROOT = rd.REPO_ROOT
DEFAULT_MEDIA = REPO_ROOT / "media"


class InputError(click.ClickException):
    """Bad input from the user: reported in one line, exit status 2."""

    exit_code = 2


def _catalog() -> ModuleType:
    from scenes import catalog

    return catalog


def _progress(quiet: bool) -> Callable[[int, int, rd.RenderJob, float], None]:
    def show(done: int, total: int, job: rd.RenderJob, elapsed: float) -> None:
        if quiet:
            return
        eta = elapsed / done * (total - done)
        click.echo(
            f"[gdanim] scene {done} of {total} done ({job.name}); elapsed {elapsed:.0f} s, "
            f"about {eta:.0f} s left",
            err=True,
        )

    return show


def _check_output(path: Path, suffix: str) -> Path:
    path = path.expanduser()
    if path.suffix.lower() != suffix:
        raise InputError(f"-o/--output: {path} must end in {suffix} for this format")
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise InputError(f"-o/--output: {parent} is not a folder")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"-o/--output: cannot create folder {parent} ({exc.strerror})") from None
    if not os.access(parent, os.W_OK):
        raise InputError(f"-o/--output: folder {parent} is not writable")
    return path


quality_option = click.option(
    "-q", "--quality", type=click.Choice(list(rd.QUALITIES)), default="h", show_default=True,
    help="manim quality preset: l=480p15, m=720p30, h=1080p60, p=1440p60, k=2160p60.",
)
jobs_option = click.option(
    "-j", "--jobs", type=click.IntRange(1, 64), default=None,
    help="Scenes rendered at once, in separate processes (default: the number of cores).",
)
quiet_option = click.option("--quiet", is_flag=True, help="Print only the output path.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gdanim")
def cli() -> None:
    """Explainer videos of gradient descent, with exact numbers.

    \b
    Examples:
      gdanim list
      gdanim render TangentSlope -q l
      gdanim lecture
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


def _workers(jobs: int | None) -> int:
    return jobs if jobs is not None else max(1, os.cpu_count() or 1)


@cli.command("render")
@click.argument("scenes", nargs=-1, required=True)
@quality_option
@jobs_option
@click.option("-o", "--output-dir", type=click.Path(path_type=Path), default=None,
              help="Folder for the finished videos (default: media/<quality>/).")
@quiet_option
def render_cmd(scenes: tuple[str, ...], quality: str, jobs: int | None, output_dir: Path | None,
               quiet: bool) -> None:
    """Render built-in scenes by name; prints the path of each video.

    \b
    Example:
      gdanim render GradientSteps1D LearningRateRegimes -q l
    """
    job_list = _jobs_for(scenes)
    out_dir = (output_dir or DEFAULT_MEDIA / rd.QUALITIES[quality][0]).expanduser()
    _check_output(out_dir / "x.mp4", ".mp4")
    results = rd.render_many(
        job_list, workers=_workers(jobs), progress=_progress(quiet), quality=quality,
        media_dir=DEFAULT_MEDIA / "build", quiet=quiet,
    )
    for res in results:
        target = out_dir / res.video.name
        rd.concat_videos([res.video], target)
        if res.srt is not None:
            rd.merge_srt([(res.srt, 0.0)], target.with_suffix(".srt"))
        click.echo(str(target))


def render_lecture(quality: str, output: Path, workers: int, quiet: bool) -> tuple[Path, Path]:
    """Render every lecture scene, join them into ``output`` and write its ``.srt``."""
    cat = _catalog()
    jobs = _jobs_for(cat.LECTURE)
    start = time.monotonic()
    results = rd.render_many(
        jobs, workers=workers, progress=_progress(quiet), quality=quality,
        media_dir=DEFAULT_MEDIA / "build", quiet=quiet,
    )
    offsets, t = [], 0.0
    for res in results:
        offsets.append((res.srt, t))
        t += rd.probe_duration(res.video)
    srt = output.with_suffix(".srt")
    rd.concat_videos([r.video for r in results], output)
    rd.merge_srt(offsets, srt)
    if not quiet:
        click.echo(
            f"[gdanim] lecture: {t:.1f} s of video rendered in {time.monotonic() - start:.0f} s",
            err=True,
        )
    return output, srt


@cli.command("lecture")
@quality_option
@jobs_option
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Path of the lecture video (default: media/lecture/gdanim_lecture_<q>.mp4).")
@quiet_option
def lecture_cmd(quality: str, jobs: int | None, output: Path | None, quiet: bool) -> None:
    """Render the whole lecture, with subtitles beside it; prints the video's path.

    \b
    Examples:
      gdanim lecture              # 1080p60
      gdanim lecture -q l         # quick preview at 480p15
    """
    qname = rd.QUALITIES[quality][0]
    out = _check_output(output or DEFAULT_MEDIA / "lecture" / f"gdanim_lecture_{qname}.mp4",
                        ".mp4")
    video, _ = render_lecture(quality, out, _workers(jobs), quiet)
    click.echo(str(video))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the command line and turn every failure into one line on stderr."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="gdanim",
                 standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("gdanim: interrupted; no output was written", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("gdanim: interrupted; no output was written", err=True)
        return 130
    except click.UsageError as exc:
        click.echo(f"gdanim: error: {exc.format_message()}", err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"gdanim: error: {exc.format_message()}", err=True)
        return exc.exit_code
    except rd.RenderError as exc:
        click.echo(f"gdanim: render failed: {exc}", err=True)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
