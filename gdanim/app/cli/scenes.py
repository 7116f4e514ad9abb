"""The commands of the built-in scenes: ``gdanim list``, ``gdanim render``,
``gdanim lecture`` and ``gdanim script``.

The scenes, their modules and the lecture's order come from :mod:`scenes.catalog`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click

from gdanim.app import config as cfg
from gdanim.app import render as rd
from gdanim.app.cli.common import (
    InputError,
    Outputs,
    Progress,
    clean_before,
    cluster_option,
    common,
    connect_cluster,
    errors_as_input,
    format_option,
    jobs_option,
    media,
    poster_option,
    produce,
    publish_option,
    quality_option,
    quiet_option,
    render_jobs,
    request,
    sections_option,
    thumbnail_option,
    voice_settings,
    with_voice,
    worker_count,
)
from scenes import catalog
from scenes.params import Line

__all__ = ["jobs_for", "lecture_cmd", "list_cmd", "render_cmd", "script_cmd"]


@click.command("list")
def list_cmd() -> None:
    """List every built-in scene, one line each.

    \b
    Example:
      gdanim list
    """
    width = max(len(n) for n in catalog.SCENES)
    for name, info in catalog.SCENES.items():
        click.echo(f"{name:<{width}}  {info.summary}")


def jobs_for(names: Sequence[str]) -> list[rd.RenderJob]:
    """One job per built-in scene named (case-insensitive); an unknown name is bad input."""
    jobs = []
    for name in names:
        try:
            info = catalog.find(name)
        except KeyError as exc:
            raise InputError(f"SCENE: {exc.args[0]}") from None
        jobs.append(rd.RenderJob.of(info))
    return jobs


@click.command("render")
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
@with_voice
@cluster_option
@quiet_option
def render_cmd(scenes: tuple[str, ...], quality: str | None, fmt: str | None,
               output_dir: Path | None, publish: bool | None, poster: bool | None,
               sections: bool | None, jobs: int | None, quiet: bool,
               cluster: str | None = None) -> None:
    """Render built-in scenes by name (see gdanim list); prints the path of each video.

    \b
    Examples:
      gdanim render GradientSteps1D LearningRateRegimes -q l
      gdanim render OptimizerRace --format webm --poster -o slides/
      gdanim render TitleCard LearningFromData -q l --cluster tcp://10.0.0.5:8786
    """
    job_list = jobs_for(scenes)
    q = quality or "h"
    out_dir = (output_dir or media() / rd.QUALITIES[q][0]).expanduser()
    ext = cfg.FORMATS[fmt or "mp4"]
    with errors_as_input():
        reqs = [
            request(Outputs(q, fmt or "mp4", out_dir / f"{job.scene}{ext}", publish, poster,
                             sections), lambda _q, _e: out_dir)
            for job in job_list
        ]
        voice = voice_settings() if reqs[0].fmt in ("mp4", "webm") else None
    if voice is not None:
        job_list = [dataclasses.replace(job, voice=voice) for job in job_list]
    client = connect_cluster(cluster)
    progress = Progress(quiet)
    base = reqs[0]
    clean_before(reqs)
    with rd.build_root() as build, rd.run_folder(build) as work:
        results = render_jobs(
            job_list, workers=worker_count(jobs), client=client, progress=progress.finished,
            started=progress.started, quality=base.quality,
            fmt="png" if base.fmt == "png" else "mp4", media_dir=build,
            sections=base.sections or base.publish, lossless=base.lossless, quiet=quiet,
            workdir=work,
        )
        for res, req in zip(results, reqs, strict=True):
            done = rd.assemble([res], req, log=progress.say)
            click.echo(str(done.video))


@click.command("lecture")
@common("media/lecture/gdanim_lecture_<quality>.mp4", title=False)
@jobs_option
@cluster_option
def lecture_cmd(quality: str | None, fmt: str | None, output: Path | None,
                publish: bool | None, poster: bool | None, sections: bool | None,
                quiet: bool, jobs: int | None, cluster: str | None = None) -> None:
    """Render the whole lecture, with subtitles beside it; prints the video's path.

    \b
    Examples:
      gdanim lecture                      # 1080p60
      gdanim lecture -q l                 # quick preview at 480p15
      gdanim lecture --publish --sections -o lecture.mp4
      gdanim lecture --cluster tcp://10.0.0.5:8786   # on a Dask cluster
    """
    with errors_as_input():
        req = request(
            Outputs(quality, fmt, output, publish, poster, sections),
            lambda q, ext: media() / "lecture"
            / f"gdanim_lecture_{rd.QUALITIES[q][0]}{ext}",
        )
    done = produce(jobs_for(catalog.LECTURE), req, workers=worker_count(jobs), quiet=quiet,
                   cluster=cluster)
    click.echo(str(done.video))



@click.command("script")
@click.argument("scenes", nargs=-1, metavar="[SCENE... | FILE.toml]")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Where to write the script (default: media/lecture/script.tsv). "
                   "Example: -o takes/script.tsv")
@jobs_option
@quiet_option
def script_cmd(scenes: tuple[str, ...], output: Path | None, jobs: int | None,
               quiet: bool) -> None:
    """Write what the lecture (the scenes named, or a TOML video) says, to record it yourself.

    One line per row, tab-separated: the id that its recording must be named by
    (<id>.wav, or .flac, .mp3, .ogg, .m4a), the words to say, and the caption shown. Record
    the lines into one folder, then render with --voice recorded --recordings FOLDER; lines
    without a recording are read by the text-to-speech voice and listed. Prints the path.

    \b
    Examples:
      gdanim script                         # the whole lecture
      gdanim script TitleCard GradientSteps1D -o takes/script.tsv
      gdanim script examples/valley_race.toml -o takes/valley.tsv
    """
    from gdanim.app import narrate
    from gdanim.app.voice import write_script
    from gdanim.speech import reading_time

    with errors_as_input():
        if any(s.lower().endswith(".toml") for s in scenes):
            if len(scenes) != 1:
                raise InputError("FILE.toml: give one TOML file alone, without scene names")
            from gdanim.app.cli.custom import custom_jobs

            spec = cfg.VideoSpec.from_file(Path(scenes[0]))
            job_list = custom_jobs(spec.resolve(), spec.title)
        else:
            job_list = jobs_for(scenes or catalog.LECTURE)
        path = cfg.check_output_path(
            (output or media() / "lecture" / "script.tsv").expanduser(), "-o/--output")
    progress = Progress(quiet)
    progress.say(f"collecting the lines of {len(job_list)} scene(s)")
    with rd.build_root() as build:
        (build / "script").mkdir(parents=True, exist_ok=True)

        def collect(job: rd.RenderJob) -> list[Line]:
            lines = narrate.collect_lines(job, media_dir=build / "script")
            progress.say(f"{job.name}: {len(lines)} line{'' if len(lines) == 1 else 's'}")
            return lines

        with ThreadPoolExecutor(max_workers=worker_count(jobs)) as pool:
            try:
                per_scene = list(pool.map(collect, job_list))
            except rd.RenderError as exc:
                raise click.ClickException(str(exc)) from None
    lines = [line for scene_lines in per_scene for line in scene_lines]
    write_script(lines, path)
    minutes = sum(reading_time(line.caption) for line in lines) / 60
    progress.say(f"{len(lines)} lines, about {minutes:.0f} min of speech")
    click.echo(str(path))
