"""``gdanim slides``: a deck with one slide per section, of the lecture, of built-in scenes,
of a TOML video, or of a video rendered earlier with ``--sections``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import click

from gdanim.app import config as cfg
from gdanim.app import render as rd
from gdanim.app.cli.common import (
    InputError,
    Progress,
    check_title,
    cluster_option,
    errors_as_input,
    jobs_option,
    media,
    produce,
    quality_option,
    quiet_option,
    slug,
    thumbnail_option,
    thumbnail_time,
    title_option,
    voice_settings,
    with_voice,
    worker_count,
)
from gdanim.app.cli.custom import custom_jobs
from gdanim.app.cli.scenes import jobs_for
from gdanim.app.deck import DeckError, SlideRules
from gdanim.app.platform import readable_name
from gdanim.app.slides import make_deck
from scenes import catalog

__all__ = ["deck_output", "deck_rules", "slides_cmd"]


def deck_rules(base: SlideRules, loops: Sequence[str], onces: Sequence[str]) -> SlideRules:
    """The file's ``[slides]`` rules with ``--loop`` / ``--once`` on top (they win)."""
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


def deck_output(path: Path, fmt: str) -> Path:
    """Check the deck's output: a folder (html) that is new, empty or a gdanim deck; a .pptx."""
    p = Path(os.path.abspath(path.expanduser()))
    if fmt == "pptx":
        if p.suffix.lower() != ".pptx":
            raise InputError(f"-o/--output: {p.name} must end in .pptx for --format pptx")
        with errors_as_input():
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
    with errors_as_input():
        cfg.check_output_path(p / "index.html")
    return p


@click.command("slides")
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
@with_voice
@cluster_option
@quiet_option
def slides_cmd(sources: tuple[str, ...], from_video: Path | None, deck_format: str | None,
               output: Path | None, quality: str | None, loops: tuple[str, ...],
               onces: tuple[str, ...], keep_video: Path | None, title: str | None,
               jobs: int | None, quiet: bool, cluster: str | None = None) -> None:
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
    fmt = deck_format or ("pptx" if output is not None and output.suffix.lower() == ".pptx"
                          else "html")
    q = quality or "h"
    base_rules = SlideRules()
    job_list: list[rd.RenderJob] = []
    with errors_as_input():
        if title is not None:
            check_title(title)
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
            job_list = custom_jobs(plans, spec.title)
            name = slug(Path(sources[0]).stem)
            deck_title = title or spec.title or readable_name(Path(sources[0]).stem, "")
        elif any(s.lower().endswith(".toml") for s in sources):
            raise InputError("FILE.toml: give one TOML file alone, without scene names")
        elif sources:
            job_list = jobs_for(sources)
            name = slug("_".join(j.scene for j in job_list), 60)
            deck_title = title or ", ".join(readable_name(j.scene, j.scene) for j in job_list)
        else:
            job_list = jobs_for(catalog.LECTURE)
            name = "gdanim_lecture"
            deck_title = title or "Gradient descent"
        rules = deck_rules(base_rules, loops, onces)
        default = media() / "slides" / (
            f"{name}_{rd.QUALITIES[q][0] if from_video is None else 'deck'}"
            f"{'.pptx' if fmt == 'pptx' else ''}")
        out = deck_output(output if output is not None else default, fmt)
        thumbnail_at = thumbnail_time(keep_video is not None)
        if keep_video is not None:
            if keep_video.suffix.lower() != ".mp4":
                raise InputError(f"--video: {keep_video.name} must end in .mp4")
            keep_video = cfg.check_output_path(keep_video, "--video")
        voice = None if from_video is not None else voice_settings()
    progress = Progress(quiet)
    try:
        if from_video is not None:
            result = make_deck(from_video, out, fmt=fmt, title=deck_title, rules=rules,
                               log=progress.say)
        else:
            with tempfile.TemporaryDirectory(prefix="gdanim-slides-") as staging:
                req = rd.OutputRequest(path=keep_video or Path(staging) / f"{name}.mp4",
                                       fmt="mp4", quality=q, publish=True, sections=True,
                                       thumbnail_at=thumbnail_at)
                produce(job_list, req, workers=worker_count(jobs), quiet=quiet, voice=voice,
                        cluster=cluster)
                progress.say(f"writing the deck ({fmt}) -> {out}")
                result = make_deck(req.path, out, fmt=fmt, title=deck_title, rules=rules,
                                   log=progress.say)
    except DeckError as exc:
        raise InputError(str(exc)) from None
    progress.say(f"done: {progress.elapsed():.0f} s in all")
    click.echo(str(result))

