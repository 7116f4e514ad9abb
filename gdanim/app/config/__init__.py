"""Typed descriptions of custom videos, read from the command line or from a TOML file.

A *video* is a sequence of *scenes*; each scene is a descent (plain gradient descent at one or
more learning rates) or a race (several optimizers from one start) on a function that is either
a catalog name or a typed formula. Everything is checked before anything is rendered, and a
problem raises :class:`ConfigError` with one line that names the field and says what is
allowed. By concept:

- :mod:`~gdanim.app.config.limits`: the limits, :class:`ConfigError`, the one rule for
  learning rates (:func:`check_rate`) and the small readers the checks share;
- :mod:`~gdanim.app.config.scene`: one scene (:class:`SceneSpec`) and its check, whose answer
  (:class:`ScenePlan`) names the catalog's scene and gives its typed parameters;
- :mod:`~gdanim.app.config.view`: the part of the plane shown, given or computed;
- :mod:`~gdanim.app.config.video`: a whole video from a TOML file (:class:`VideoSpec`,
  :class:`OutputSettings`);
- :mod:`~gdanim.app.config.course`: several videos rendered by one command
  (:class:`CourseSpec`);
- :mod:`~gdanim.app.config.paths`: output formats and writable paths.
"""

from __future__ import annotations

from gdanim.app.config.course import MAX_ITEMS, CourseItem, CourseSpec
from gdanim.app.config.limits import (
    FORMATS,
    MAX_CAPTION,
    MAX_CAPTIONS,
    MAX_COORD,
    MAX_DIGITS,
    MAX_FILE_BYTES,
    MAX_LRS,
    MAX_NESTING,
    MAX_OPTIMIZERS,
    MAX_SCENES,
    MAX_SPAN,
    MAX_STEPS,
    MAX_TITLE,
    MIN_SPAN,
    QUALITY_NAMES,
    ConfigError,
    check_rate,
    did_you_mean,
    parse_numbers,
)
from gdanim.app.config.paths import check_output_path, format_for
from gdanim.app.config.scene import TUNE_GRID_SIZE, ScenePlan, SceneSpec
from gdanim.app.config.video import OutputSettings, VideoSpec
from gdanim.app.config.view import default_view

__all__ = [
    "TUNE_GRID_SIZE",
    "FORMATS",
    "MAX_CAPTION",
    "MAX_ITEMS",
    "MAX_CAPTIONS",
    "MAX_COORD",
    "MAX_DIGITS",
    "MAX_FILE_BYTES",
    "MAX_LRS",
    "MAX_NESTING",
    "MAX_OPTIMIZERS",
    "MAX_SCENES",
    "MAX_SPAN",
    "MAX_STEPS",
    "MAX_TITLE",
    "MIN_SPAN",
    "QUALITY_NAMES",
    "ConfigError",
    "CourseItem",
    "CourseSpec",
    "OutputSettings",
    "ScenePlan",
    "SceneSpec",
    "VideoSpec",
    "check_output_path",
    "check_rate",
    "default_view",
    "did_you_mean",
    "format_for",
    "parse_numbers",
]
