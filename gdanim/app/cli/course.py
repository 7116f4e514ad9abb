"""``gdanim course FILE.toml``: several videos in one command, all their scenes scheduled at
once, locally (``-j``) or on a Dask cluster (``--cluster``).

Every item of the course file (:class:`gdanim.app.config.CourseSpec`) is checked, with its
output, before anything is rendered. The scenes of all items then go to one pool: a scene that
two items share (the same job, at the same quality and with the same clip settings) is
rendered once, and each item is assembled from its scenes' clips as ``gdanim lecture``,
``render`` or ``video`` would assemble it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from gdanim.app import config as cfg
from gdanim.app import render as rd
from gdanim.app.cli.common import (
    InputError,
    Outputs,
    Progress,
    clean_before,
    cluster_option,
    connect_cluster,
    errors_as_input,
    jobs_option,
    media,
    quiet_option,
    render_jobs,
    request,
    slug,
    voice_settings,
    with_voice,
    worker_count,
)
from gdanim.app.cli.custom import custom_jobs
from gdanim.app.cli.scenes import jobs_for
from scenes import catalog

__all__ = ["CourseVideo", "course_cmd", "plan_course", "shared_tasks"]


@dataclass(frozen=True)
class CourseVideo:
    """One checked item of a course: its jobs and the output asked for."""

    name: str
    jobs: tuple[rd.RenderJob, ...]
    request: rd.OutputRequest

    @property
    def settings(self) -> dict[str, object]:
        """The keywords of :func:`gdanim.app.render.render_scene` for this item's scenes."""
        req = self.request
        return {"quality": req.quality, "fmt": "png" if req.fmt == "png" else "mp4",
                "sections": req.sections or req.publish, "lossless": req.lossless}


def plan_course(spec: cfg.CourseSpec) -> list[CourseVideo]:
    """Check every item of ``spec`` and its output; one :class:`CourseVideo` per item.

    Two items writing the same file are bad input.
    """
    videos: list[CourseVideo] = []
    for i, item in enumerate(spec.items, start=1):
        where = f"item {i} ({item.name})"
        settings = item.output
        settings_path = item.output_path()
        if item.kind == "lecture":
            jobs = jobs_for(catalog.LECTURE)
        elif item.kind == "scenes":
            jobs = jobs_for(item.scenes)
        else:
            assert item.video is not None
            spec_file = cfg.VideoSpec.from_file(item.video)
            jobs = custom_jobs(spec_file.resolve(), spec_file.title)
            # the item's settings win; the video file's own fill in what the item leaves out
            given: dict[str, Any] = {k: v for k, v in item.output.to_dict().items()
                                     if k != "file"}
            settings = replace(spec_file.output, **given)
            if settings_path is None:
                settings_path = spec_file.output_path()

        def default(q: str, ext: str, name: str = item.name) -> Path:
            return media() / "course" / f"{slug(name, 60)}_{rd.QUALITIES[q][0]}{ext}"

        try:
            req = request(Outputs(None, None, None, None, None, None), default,
                          settings=settings, settings_path=settings_path)
        except cfg.ConfigError as exc:
            raise cfg.ConfigError(f"{where}: {exc}") from None
        if req.fmt == "png":
            jobs = jobs[-1:]  # the last frame of the video is the last frame of its last scene
        videos.append(CourseVideo(item.name, tuple(jobs), req))
    seen: dict[Path, int] = {}
    for i, video in enumerate(videos, start=1):
        for path in (video.request.path, video.request.sections_dir):
            if path in seen and seen[path] != i:
                raise cfg.ConfigError(f"item {i} ({video.name}): writes {path}, as item "
                                      f"{seen[path]} does; give each item a file of its own")
            seen[path] = i
    return videos


def shared_tasks(videos: list[CourseVideo]) -> tuple[list[rd.RenderJob],
                                                     list[dict[str, object]],
                                                     list[list[int]]]:
    """The scenes to render for ``videos``, each once: the jobs, each job's render settings,
    and for each video the index of each of its scenes among them.

    Two scenes are one when their jobs have the same key (scene, parameters, voice) and they
    are rendered with the same settings (quality, clip format, sections, lossless).
    """
    jobs: list[rd.RenderJob] = []
    settings: list[dict[str, object]] = []
    where: dict[tuple[str, tuple[tuple[str, object], ...]], int] = {}
    uses: list[list[int]] = []
    for video in videos:
        mine = []
        for job in video.jobs:
            key = (job.key, tuple(sorted(video.settings.items())))
            if key not in where:
                where[key] = len(jobs)
                jobs.append(job)
                settings.append(video.settings)
            mine.append(where[key])
        uses.append(mine)
    return jobs, settings, uses


@click.command("course")
@click.argument("file", type=click.Path(path_type=Path), metavar="FILE.toml")
@jobs_option
@cluster_option
@with_voice
@quiet_option
def course_cmd(file: Path, jobs: int | None, cluster: str | None, quiet: bool) -> None:
    """Render several videos in one go: the lecture, built-in scenes, TOML videos.

    Each [[item]] of FILE.toml is one video: lecture = true, scenes = ["TitleCard", ...], or
    video = "file.toml", with file (the output; default media/course/<name>_<quality>),
    quality, format, publish, poster and sections, as for gdanim lecture, render and video.
    The scenes of all items are rendered together, with -j at once here or on the Dask
    cluster of --cluster; a scene two items share (same scene, parameters and quality) is
    rendered once. Every video is narrated as with --voice (see gdanim lecture --help). See
    examples/course.toml. Prints the path of each video.

    \b
    Examples:
      gdanim course examples/course.toml
      gdanim course examples/course.toml --cluster tcp://10.0.0.5:8786
    """
    with errors_as_input():
        spec = cfg.CourseSpec.from_file(file)
        videos = plan_course(spec)
        voice = voice_settings()
    if voice is not None:
        # every video of the course is narrated (a png or gif item keeps only its frames)
        videos = [replace(v, jobs=tuple(replace(job, voice=voice) for job in v.jobs))
                  if v.request.fmt in ("mp4", "webm") else v for v in videos]
    todo, settings, uses = shared_tasks(videos)
    if not todo:
        raise InputError(f"{file.name}: no scene to render")
    client = connect_cluster(cluster)
    progress = Progress(quiet)
    needed = sum(len(v.jobs) for v in videos)
    shared = f" ({needed - len(todo)} shared by more than one video)" \
        if needed > len(todo) else ""
    progress.say(f"rendering {len(todo)} scenes for {len(videos)} videos{shared}"
                 f"{' on ' + cluster if cluster else ''}")
    clean_before([v.request for v in videos])
    with rd.build_root() as build, rd.run_folder(build) as work:
        results = render_jobs(
            todo, workers=min(worker_count(jobs), len(todo)), client=client,
            settings=settings, progress=progress.finished, started=progress.started,
            media_dir=build, quiet=quiet, workdir=work,
        )
        for video, mine in zip(videos, uses, strict=True):
            parts = [replace(results[k], job=job)
                     for k, job in zip(mine, video.jobs, strict=True)]
            progress.say(f"assembling {video.name} -> {video.request.path}")
            done = rd.assemble(parts, video.request, log=progress.say)
            click.echo(str(done.video))
    progress.say(f"done: {len(videos)} videos, {progress.elapsed():.0f} s in all")
