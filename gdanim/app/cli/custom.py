"""The commands of custom videos: ``gdanim descend``, ``gdanim race`` and ``gdanim video``.

Each scene is checked first (:meth:`gdanim.app.config.SceneSpec.resolve`); its plan names the
catalog's scene that shows it and gives that scene its typed parameters (:mod:`scenes.params`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from gdanim.app import config as cfg
from gdanim.app import render as rd
from gdanim.app.cli.common import (
    Outputs,
    check_title,
    cluster_option,
    common,
    errors_as_input,
    function_option,
    jobs_option,
    media,
    produce,
    request,
    slug,
    steps_option,
    three_d_option,
    view_option,
    worker_count,
)
from scenes import catalog
from scenes.params import TitleParams

__all__ = ["catalog_help", "custom_jobs", "descend_cmd", "race_cmd", "video_cmd"]


def catalog_help() -> str:
    """The catalog's functions and the optimizers' names, for the commands' help."""
    from gdanim import objectives, optimizers

    return (f"Catalog functions: {', '.join(objectives.names())}. Optimizers: "
            f"{', '.join([*optimizers.names(), 'momentum', 'nesterov'])}.")


def custom_jobs(plans: Sequence[cfg.ScenePlan], title: str | None) -> list[rd.RenderJob]:
    """The render jobs of checked scenes, after a title card when there is a ``title``."""
    jobs: list[rd.RenderJob] = []
    if title:
        card = TitleParams(title=title, scenes=tuple(p.spec.title or "" for p in plans))
        jobs.append(rd.RenderJob.of(catalog.custom_scene(TitleParams), card,
                                    label="title card"))
    for i, plan in enumerate(plans, start=1):
        name = plan.scene.name
        label = name if len(plans) == 1 else f"{name} #{i}"
        jobs.append(rd.RenderJob.of(plan.scene, plan.scene_params(), label=label))
    return jobs


def _run_custom(spec: cfg.SceneSpec, opts: Outputs, quiet: bool) -> None:
    with errors_as_input():
        plan = spec.resolve(style="cli")
        name = plan.objective.name or slug(plan.objective.text)

        def default(q: str, ext: str) -> Path:
            return media() / "custom" / f"{spec.kind}_{name}_{rd.QUALITIES[q][0]}{ext}"

        req = request(opts, default)
    done = produce(custom_jobs([plan], None), req, workers=1, quiet=quiet)
    click.echo(str(done.video))


def _numbers(text: str | None, name: str, example: str) -> tuple[float, ...] | None:
    if text is None:
        return None
    with errors_as_input():
        return cfg.parse_numbers(text, name, example=example)


@click.command("descend", epilog=catalog_help())
@function_option
@click.option("--start", "-s", required=True, metavar="X0[,Y0]",
              help="Start point, one number per variable. Example: --start 15 or --start -7,2")
@click.option("--lr", "lrs", type=float, multiple=True, required=True, metavar="ETA",
              help=f"Learning rate; repeat for up to {cfg.MAX_LRS} runs side by side. "
                   "Example: --lr 0.1 --lr 3")
@steps_option
@view_option
@three_d_option
@common("media/custom/descend_<function>_<quality>.<format>")
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


@click.command("race", epilog=catalog_help())
@function_option
@click.option("--start", "-s", required=True, metavar="X0,Y0",
              help="Start point of every optimizer. Example: --start -7,2")
@steps_option
@click.option("--optimizer", "optimizers", multiple=True, required=True, metavar="SPEC",
              help="name[:key=value,...] with torch.optim's keywords, optionally followed by "
                   "@ and a learning-rate schedule (torch.optim.lr_scheduler's); repeat for up "
                   f"to {cfg.MAX_OPTIMIZERS}. Example: --optimizer sgd:lr=0.05,momentum=0.9 "
                   "--optimizer \"adam:lr=0.1,betas=0.9/0.99 @ cosine:T_max=100\"")
@click.option("--schedule", metavar="SPEC", default=None,
              help="A learning-rate schedule for every optimizer that names none after @, "
                   "with torch.optim.lr_scheduler's names and keywords. Examples: "
                   "--schedule cosine:T_max=200, --schedule \"linear:start_factor=0.1,"
                   "total_iters=20 until 20 then cosine\"")
@click.option("--tune", is_flag=True, default=False,
              help="Race every optimizer at its tuned rate: the best of 48 rates from 0.0001 "
                   "to 10, each run for --steps inside the view, by final loss (or by "
                   "--tune-target). A rate in a spec is then ignored.")
@click.option("--tune-target", type=float, default=None, metavar="LOSS",
              help="With --tune: pick each rate by the fewest steps to reach f <= LOSS and "
                   "stay there (for a function without a lowest point, such as a saddle).")
@view_option
@three_d_option
@common("media/custom/race_<function>_<quality>.<format>")
def race_cmd(function: str, start: str, steps: int, optimizers: tuple[str, ...],
             schedule: str | None, tune: bool, tune_target: float | None,
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
      gdanim race -f long_valley --start -7,2 --steps 100 --tune \\
          --optimizer sgd --optimizer momentum --optimizer adam -q l
      gdanim race -f bowl --start 2,2 --steps 200 --optimizer sgd:lr=0.3 \\
          --optimizer adam:lr=0.3 --schedule cosine -q l
    """
    spec = cfg.SceneSpec(
        kind="race", function=function, start=_numbers(start, "--start", "-7,2") or (),
        steps=steps, optimizers=tuple(optimizers),
        view=_numbers(view, "--view", "-10,10,-5,5"), title=title, three_d=three_d,
        schedule=schedule, tune=tune, tune_target=tune_target,
    )
    _run_custom(spec, Outputs(quality, fmt, output, publish, poster, sections), quiet)


@click.command("video")
@click.argument("file", type=click.Path(path_type=Path), metavar="FILE.toml")
@common("[output] file in FILE.toml, else media/custom/<FILE>_<quality>.<format>")
@jobs_option
@cluster_option
def video_cmd(file: Path, quality: str | None, fmt: str | None, output: Path | None,
              publish: bool | None, poster: bool | None, sections: bool | None,
              title: str | None, quiet: bool, jobs: int | None,
              cluster: str | None = None) -> None:
    """Render a sequence of scenes described in a TOML file.

    Each [[scene]] table is a descent (type = "descend", with lr) or a race (type = "race", with
    optimizers), with function, start, steps and optionally view, title, captions and 3d (a
    race also schedule, tune and tune_target, as --schedule, --tune and --tune-target). An
    [output] table may set file, quality, format, publish, poster and sections; options given
    here win. --title (or title = "..." at the top of the file) adds a title card. See
    examples/valley_race.toml.

    \b
    Examples:
      gdanim video examples/valley_race.toml -q l
      gdanim video lesson.toml --publish -o lesson.mp4
    """
    with errors_as_input():
        spec = cfg.VideoSpec.from_file(file)
        plans = spec.resolve()
        if title is not None:
            check_title(title)
        card = title if title is not None else spec.title
        req = request(
            Outputs(quality, fmt, output, publish, poster, sections),
            lambda q, ext: media() / "custom" / f"{slug(file.stem)}_"
            f"{rd.QUALITIES[q][0]}{ext}",
            settings=spec.output, settings_path=spec.output_path(),
        )
    done = produce(custom_jobs(plans, card), req, workers=worker_count(jobs), quiet=quiet,
                   cluster=cluster)
    click.echo(str(done.video))

