"""The ``gdanim`` command: built-in scenes, the lecture, custom videos of your own function,
and slide decks.

Rendering happens in manim subprocesses (see :mod:`gdanim.app.render`), so the command imports
neither manim nor the scenes; it finds the scenes through :mod:`scenes.catalog`. One module per
family of commands (:mod:`~gdanim.app.cli.scenes`: ``list``, ``render``, ``lecture``;
:mod:`~gdanim.app.cli.custom`: ``descend``, ``race``, ``video``;
:mod:`~gdanim.app.cli.slides`: ``slides``; :mod:`~gdanim.app.cli.course`: ``course``), the
options and checks they share in :mod:`~gdanim.app.cli.common`. A render that fails or is
interrupted (Ctrl-C, SIGTERM, SIGHUP) leaves nothing at the output path and never replaces part
of a previous output.

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
    gdanim course examples/course.toml  # several videos, their scenes rendered together
    gdanim lecture --cluster tcp://10.0.0.5:8786   # on a Dask cluster
    python -m gdanim.app --help         # the same command
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from types import FrameType
from typing import Any

import click

from gdanim.app import render as rd
from gdanim.app.cli.course import course_cmd
from gdanim.app.cli.custom import descend_cmd, race_cmd, video_cmd
from gdanim.app.cli.scenes import lecture_cmd, list_cmd, render_cmd, script_cmd
from gdanim.app.cli.slides import slides_cmd

__all__ = ["cli", "main"]


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


for _command in (list_cmd, render_cmd, lecture_cmd, descend_cmd, race_cmd, video_cmd,
                 slides_cmd, script_cmd, course_cmd):
    cli.add_command(_command)


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

