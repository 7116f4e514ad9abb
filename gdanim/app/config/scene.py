r"""One scene of a custom video, as typed on the command line or in a TOML table, and its
check.

:meth:`SceneSpec.resolve` checks everything before anything is rendered: the formula is
parsed (never evaluated as Python), the optimizers are built (an optimizer may name a
learning-rate schedule after ``@``), every learning rate is checked by one rule
(:func:`~gdanim.app.config.limits.check_rate`), the start is checked against the function's
dimension and the view, the step count against
:data:`~gdanim.app.config.limits.MAX_STEPS`. The answer, a :class:`ScenePlan`, names the
catalog's scene that shows it and gives its typed parameters.

Examples
--------
>>> spec = SceneSpec(kind="race", function="long_valley", start=(-7.0, 2.0), steps=100,
...                  optimizers=("sgd:lr=0.95", "adam:lr=0.3,betas=0.9/0.99"))
>>> plan = spec.resolve()
>>> plan.scene.name, plan.view
('CustomRace', (-10.0, 10.0, -5.0, 5.0))
>>> plan.scene_params().optimizers[1].hyperparameters["betas"]
(0.9, 0.99)
>>> SceneSpec(kind="race", function="long_valley", start=(1.0,), steps=10,
...           optimizers=("sgd",)).resolve()  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gdanim.app.config.limits.ConfigError: --start: 1 number given, but f(x, y) = x^2/20 + y^2 ...
>>> SceneSpec(kind="race", function="long_valley", start=(-7.0, 2.0), steps=10,
...           optimizers=("sgd:lr=0",)).resolve()  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gdanim.app.config.limits.ConfigError: --optimizer: lr=0 in sgd:lr=0 is not allowed; ...
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from gdanim import objectives, optimizers, schedules, tuning
from gdanim.app.config.limits import (
    CLI_NAMES,
    MAX_CAPTION,
    MAX_CAPTIONS,
    MAX_COORD,
    MAX_LRS,
    MAX_OPTIMIZERS,
    MAX_STEPS,
    MAX_TITLE,
    ConfigError,
    Kind,
    Style,
    check_keys,
    check_rate,
    check_text,
    did_you_mean,
    num_text,
    point_text,
    shown,
    signature,
    table_numbers,
)
from gdanim.app.config.view import check_view, default_view, limit_view
from gdanim.objectives import Objective, ObjectiveError
from gdanim.optimizers import Optimizer, OptimizerSpecError
from gdanim.schedules import Schedule
from scenes import catalog
from scenes.catalog import SceneInfo
from scenes.params import DescentParams, OptimizerParams, RaceParams

__all__ = ["SCENE_KEYS", "TUNE_GRID_SIZE", "ScenePlan", "SceneSpec"]


@dataclass(frozen=True)
class ScenePlan:
    """A checked scene: the catalog's scene that shows it and the parameters it is given.

    Attributes
    ----------
    spec
        The scene as given.
    objective
        The resolved function.
    optimizers
        One optimizer per path (plain SGD at each learning rate for a descent).
    schedules
        The learning-rate schedule of each optimizer (``None`` for a constant rate).
    view
        The view box: ``(xmin, xmax)`` or ``(xmin, xmax, ymin, ymax)``, given or computed.
    scene
        The scene from :data:`scenes.catalog.CUSTOM` that renders it.
    tuning
        How the rates were chosen when they were tuned (said as the race starts); empty
        when they are as given.
    """

    spec: SceneSpec
    objective: Objective
    optimizers: tuple[Optimizer, ...]
    schedules: tuple[Schedule | None, ...]
    view: tuple[float, ...]
    scene: SceneInfo
    tuning: str = ""

    def scene_params(self) -> DescentParams | RaceParams:
        """The typed parameters the scene process reads (see :mod:`scenes.params`).

        A descent gives its learning rates; a race each optimizer as its factory name and
        hyperparameters (numbers, never a spec string to parse again) and its schedule.
        """
        s = self.spec
        common: dict[str, Any] = {
            "function": s.function.strip(),
            "start": tuple(float(v) for v in s.start),
            "steps": int(s.steps),
            "view": tuple(float(v) for v in self.view),
            "title": s.title or "",
            "captions": tuple(s.captions),
        }
        if s.kind == "descend":
            return DescentParams(**common, lrs=tuple(float(v) for v in s.lrs))
        return RaceParams(**common, optimizers=tuple(
            OptimizerParams.of(o, sched)
            for o, sched in zip(self.optimizers, self.schedules, strict=True)),
            tuning=self.tuning)


@dataclass(frozen=True)
class SceneSpec:
    """One scene of a custom video, as typed.

    Parameters
    ----------
    kind
        ``"descend"``: plain gradient descent at each of ``lrs``; ``"race"``: ``optimizers``.
    function
        A catalog name (``saddle``) or a formula (``x**2/20 + y**2``).
    start
        The start point, one number per variable.
    steps
        Number of steps, 1 to :data:`MAX_STEPS`.
    lrs
        Learning rates (descend only).
    optimizers
        Optimizer specs such as ``adam:lr=0.1,betas=0.9/0.99``, optionally with a schedule
        after ``@`` (``adam:lr=0.1 @ cosine:T_max=100``) (race only).
    view
        ``(xmin, xmax)`` or ``(xmin, xmax, ymin, ymax)``; ``None`` chooses one.
    title
        The scene's title; ``None`` for the default.
    captions
        Subtitles shown one after the other over the scene.
    three_d
        Draw a 2D function as a surface in 3D.
    schedule
        A learning-rate schedule (``cosine:T_max=200``) for every optimizer of a race that
        does not name its own after ``@``.
    tune
        Race every optimizer at its tuned rate: the best of :data:`TUNE_GRID_SIZE` rates from
        1e-4 to 10, run from the same start for the same steps inside the view
        (:func:`gdanim.tuning.tune`), by final loss, or by steps to ``tune_target``.
    tune_target
        With ``tune``: pick each rate by the fewest steps to reach this loss and stay there,
        for functions without a lowest point (a saddle).
    """

    kind: Kind
    function: str
    start: tuple[float, ...]
    steps: int
    lrs: tuple[float, ...] = ()
    optimizers: tuple[str, ...] = ()
    view: tuple[float, ...] | None = None
    title: str | None = None
    captions: tuple[str, ...] = ()
    three_d: bool = False
    schedule: str | None = None
    tune: bool = False
    tune_target: float | None = None

    # -- checking -------------------------------------------------------------------------------

    def resolve(self, *, style: Style = "cli", where: str = "") -> ScenePlan:
        """Check everything and compute the view; raise :class:`ConfigError` on bad input.

        Parameters
        ----------
        style
            How fields are named in messages: ``--start`` (``"cli"``) or ``start``
            (``"toml"``).
        where
            Prefix for messages, e.g. ``"video.toml: scene 2: "``.
        """

        def name(key: str) -> str:
            return where + (CLI_NAMES[key] if style == "cli" else key)

        def fail(key: str, text: str) -> ConfigError:
            return ConfigError(f"{name(key)}: {text}")

        if self.kind not in ("descend", "race"):
            raise ConfigError(f"{where}type: {self.kind!r} is not allowed; use descend or race")
        f = _resolve_function(self.function, name("function"))
        dims = (1, 2) if self.kind == "descend" else (2,)
        sig = signature(f)
        if f.dim not in dims:
            if self.kind == "race":
                hint = " (for a function of x alone use descend)" if f.dim == 1 else ""
                raise fail("function", f"{sig} has {f.dim} variable{'s' if f.dim > 1 else ''}; "
                                       f"a race needs a function of two variables{hint}")
            raise fail("function", f"{sig} has {f.dim} variables; gdanim draws functions of "
                                   "one variable (x) or two (x and y)")

        # steps
        steps = self.steps
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) \
                or not 1 <= int(steps) <= MAX_STEPS:
            raise fail("steps", f"{shown(steps)} is not allowed; give a whole number from 1 "
                                f"to {MAX_STEPS}")

        # start
        start = np.asarray(self.start, dtype=np.float64).ravel()
        example = ",".join(["-7", "2"][: f.dim]) if f.dim > 1 else "4"
        if start.size != f.dim:
            flag = "--start " if style == "cli" else "start = "
            got = f"{start.size} number{'s' if start.size != 1 else ''}"
            raise fail("start", f"{got} given, but {sig} = {f.text} needs {f.dim} "
                                f"({', '.join(f.variable_names)}), e.g. {flag}"
                                + (example if style == "cli" else f"[{example}]"))
        if not np.all(np.isfinite(start)):
            raise fail("start", "numbers must be finite")
        if np.any(np.abs(start) > MAX_COORD):
            far = float(start[np.argmax(np.abs(start))])
            raise fail("start", f"{num_text(far)} is too far out; each coordinate must lie within "
                                f"±{MAX_COORD:,.0f}")
        with np.errstate(all="ignore"):
            v0 = float(np.asarray(f.value(start)))
            g0 = np.asarray(f.grad(start), dtype=np.float64)
        if not (math.isfinite(v0) and np.all(np.isfinite(g0))):
            raise fail("start", f"{sig} = {f.text} is not defined at {point_text(start)}; choose a "
                                "start where f and its gradient are finite")

        # optimizers (and their schedules)
        opts: list[Optimizer] = []
        scheds: list[Schedule | None] = []
        if self.kind == "descend":
            if self.optimizers:
                raise fail("optimizers", "a descend scene takes learning rates (lr), not "
                                         "optimizers; use a race for optimizers")
            if not self.lrs:
                raise fail("lr", "give at least one learning rate, e.g. 0.1")
            if len(self.lrs) > MAX_LRS:
                raise fail("lr", f"{len(self.lrs)} learning rates given; at most {MAX_LRS} "
                                 "fit in one scene")
            for key, present in (("schedule", self.schedule is not None), ("tune", self.tune),
                               ("tune_target", self.tune_target is not None)):
                if present:
                    raise fail(key, "is for races; a descend scene runs plain gradient "
                                    "descent at the learning rates given")
            for lr in self.lrs:
                opts.append(optimizers.sgd(lr=check_rate(lr, name("lr"))))
                scheds.append(None)
        else:
            if self.lrs:
                raise fail("lr", "a race takes optimizers, not learning rates; give "
                                 "e.g. sgd:lr=0.1")
            if not self.optimizers:
                raise fail("optimizers", "give at least one optimizer, e.g. sgd:lr=0.1 or "
                                         "adam:lr=0.1,betas=0.9/0.99")
            if len(self.optimizers) > MAX_OPTIMIZERS:
                raise fail("optimizers", f"{len(self.optimizers)} optimizers given; at most "
                                         f"{MAX_OPTIMIZERS} fit in one race")
            if self.schedule is not None:
                _check_schedule(self.schedule, int(steps), name("schedule"))
            if self.tune_target is not None:
                if not self.tune:
                    raise fail("tune_target", "needs tune (the target picks the tuned rates)")
                if not math.isfinite(self.tune_target):
                    raise fail("tune_target", f"{shown(self.tune_target)} is not allowed; give "
                                              "a finite loss, e.g. -0.5")
            for text in self.optimizers:
                if not isinstance(text, str):
                    raise fail("optimizers", f"{text!r} is not an optimizer spec; write e.g. "
                                             "sgd:lr=0.1")
                if self.schedule is not None and "@" not in text:
                    text = f"{text} @ {self.schedule}"
                try:
                    opt, schedule = optimizers.from_spec_with_schedule(text, steps=int(steps))
                except OptimizerSpecError as exc:
                    raise fail("optimizers", str(exc)) from None
                rate = opt.hyperparameters["lr"]
                given = f"lr={num_text(float(rate))} in {text.strip()}" \
                    if isinstance(rate, int | float) else None
                check_rate(rate, name("optimizers"), given)
                opts.append(opt)
                scheds.append(schedule)

        # 3D
        if self.three_d and f.dim != 2:
            raise fail("3d", f"a surface needs a function of x and y; {sig} is 1D")

        # title and captions
        if self.title is not None:
            check_text(self.title, name("title"), MAX_TITLE)
        if len(self.captions) > MAX_CAPTIONS:
            raise fail("captions", f"{len(self.captions)} captions given; at most "
                                   f"{MAX_CAPTIONS} per scene")
        for text in self.captions:
            check_text(text, name("captions"), MAX_CAPTION)

        # view (with tune: the box the rates are tuned in, before the runs are known)
        if self.view is not None:
            view = check_view(self.view, f, start, name("view"), style)
        elif self.tune:
            view = limit_view(default_view(f, start, [], int(steps)), start)
        else:
            view = limit_view(default_view(f, start, opts, int(steps), scheds), start)

        # tuned rates
        tuning = ""
        if self.tune:
            opts, tuning = _tuned(f, start, int(steps), opts, scheds, view, self.tune_target,
                                  name("tune"))

        kind = DescentParams if self.kind == "descend" else RaceParams
        return ScenePlan(
            spec=replace(self, steps=int(steps), start=tuple(float(v) for v in start)),
            objective=f,
            optimizers=tuple(opts),
            schedules=tuple(scheds),
            view=view,
            scene=catalog.custom_scene(kind, dim=f.dim, three_d=self.three_d),
            tuning=tuning,
        )

    # -- TOML ----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """The scene as a TOML table (keys as in the file)."""
        out: dict[str, object] = {"type": self.kind, "function": self.function}
        out["start"] = list(self.start) if len(self.start) != 1 else self.start[0]
        out["steps"] = self.steps
        if self.kind == "descend":
            out["lr"] = list(self.lrs) if len(self.lrs) != 1 else self.lrs[0]
        else:
            out["optimizers"] = list(self.optimizers)
        if self.view is not None:
            out["view"] = list(self.view)
        if self.title is not None:
            out["title"] = self.title
        if self.captions:
            out["captions"] = list(self.captions)
        if self.three_d:
            out["3d"] = True
        if self.schedule is not None:
            out["schedule"] = self.schedule
        if self.tune:
            out["tune"] = True
        if self.tune_target is not None:
            out["tune_target"] = self.tune_target
        return out

    @classmethod
    def from_dict(cls, table: Mapping[str, Any], where: str = "") -> SceneSpec:
        """Read a ``[[scene]]`` table; unknown or missing keys raise :class:`ConfigError`."""
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where.rstrip(': ')}: must be a table with keys "
                              f"{', '.join(SCENE_KEYS)}")
        check_keys(table, SCENE_KEYS, where)
        kind = table.get("type")
        if kind is None:
            raise ConfigError(f"{where}missing key 'type'; give type = \"race\" or "
                              "type = \"descend\"")
        if kind not in ("descend", "race"):
            hint = did_you_mean(str(kind), ["descend", "race"])
            raise ConfigError(f"{where}type: {kind!r} is not allowed{hint}; "
                              "use \"descend\" or \"race\"")
        needed = ["function", "start", "steps", "lr" if kind == "descend" else "optimizers"]
        for key in needed:
            if key not in table:
                raise ConfigError(f"{where}missing key {key!r}; {_SCENE_KEY_HELP[key]}")
        function = table["function"]
        if not isinstance(function, str):
            raise ConfigError(f"{where}function: must be text, e.g. \"x**2/20 + y**2\"")
        start = table_numbers(table["start"], f"{where}start", "[-7, 2]")
        steps = table["steps"]
        if isinstance(steps, bool) or not isinstance(steps, int):
            raise ConfigError(f"{where}steps: {shown(steps)} is not allowed; give a whole "
                              f"number from 1 to {MAX_STEPS}")
        lrs = table_numbers(table["lr"], f"{where}lr", "[0.1, 0.5]") if "lr" in table else ()
        opts: tuple[str, ...] = ()
        if "optimizers" in table:
            raw = table["optimizers"]
            if isinstance(raw, str):
                raw = [raw]
            if not isinstance(raw, list) or not all(isinstance(o, str) for o in raw):
                raise ConfigError(f"{where}optimizers: must be a list of specs, e.g. "
                                  "[\"sgd:lr=0.1\", \"adam:lr=0.1\"]")
            opts = tuple(raw)
        view = table_numbers(table["view"], f"{where}view", "[-10, 10, -5, 5]") \
            if "view" in table else None
        title = table.get("title")
        if title is not None and not isinstance(title, str):
            raise ConfigError(f"{where}title: must be text")
        captions = table.get("captions", [])
        if isinstance(captions, str):
            captions = [captions]
        if not isinstance(captions, list) or not all(isinstance(c, str) for c in captions):
            raise ConfigError(f"{where}captions: must be a list of texts")
        three_d = table.get("3d", False)
        if not isinstance(three_d, bool):
            raise ConfigError(f"{where}3d: must be true or false")
        schedule = table.get("schedule")
        if schedule is not None and not isinstance(schedule, str):
            raise ConfigError(f"{where}schedule: must be text, e.g. \"cosine:T_max=200\"")
        tune = table.get("tune", False)
        if not isinstance(tune, bool):
            raise ConfigError(f"{where}tune: must be true or false")
        target: float | None = None
        if "tune_target" in table:
            raw_target = table["tune_target"]
            if isinstance(raw_target, bool) or not isinstance(raw_target, int | float):
                raise ConfigError(f"{where}tune_target: must be one number, e.g. -0.5")
            target = table_numbers(raw_target, f"{where}tune_target", "-0.5")[0]
        return cls(kind=kind, function=function, start=start, steps=steps, lrs=lrs,
                   optimizers=opts, view=view, title=title, captions=tuple(captions),
                   three_d=three_d, schedule=schedule, tune=tune, tune_target=target)


SCENE_KEYS = ("type", "function", "start", "steps", "lr", "optimizers", "view", "title",
              "captions", "3d", "schedule", "tune", "tune_target")

#: How many rates :func:`gdanim.tuning.tune` tries for ``tune`` (1e-4 to 10, log-spaced).
TUNE_GRID_SIZE = 48
_SCENE_KEY_HELP = {
    "function": "give a catalog name or a formula, e.g. function = \"x**2/20 + y**2\"",
    "start": "give the start point, e.g. start = [-7, 2] (or start = 4 in 1D)",
    "steps": f"give the number of steps, 1 to {MAX_STEPS}, e.g. steps = 100",
    "lr": "a descend scene needs learning rates, e.g. lr = [0.1, 0.5]",
    "optimizers": "a race needs optimizers, e.g. optimizers = [\"sgd:lr=0.1\", \"adam:lr=0.1\"]",
}


def _check_schedule(text: str, steps: int, name: str) -> None:
    """Parse a schedule spec alone, so a bad one is named by its own field."""
    try:
        schedules.from_spec(text, steps=steps)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{name}: {exc}") from None


def _tuned(
    f: Objective,
    start: np.ndarray,
    steps: int,
    opts: list[Optimizer],
    scheds: list[Schedule | None],
    view: tuple[float, ...],
    target: float | None,
    name: str,
) -> tuple[list[Optimizer], str]:
    """Every optimizer at its tuned rate, and the sentence that says how they were tuned."""
    grid = tuning.default_grid(TUNE_GRID_SIZE)
    out = []
    for opt, sched in zip(opts, scheds, strict=True):
        result = tuning.tune(f, opt, start, steps, grid, schedule=sched, bound=view,
                             target=target)
        best = result.best_optimizer
        if best is None:
            goal = (f"reached f ≤ {num_text(target)} and stayed there" if target is not None
                    else "stayed finite inside the view")
            raise ConfigError(f"{name}: at no rate from {num_text(float(grid[0]))} to "
                              f"{num_text(float(grid[-1]))} {goal} with {opt.display_name} in "
                              f"{steps} steps; give the rates yourself, a view or a "
                              "tune_target")
        out.append(best)
    by = ("final loss inside the view" if target is None
          else f"fewest steps to f ≤ {num_text(target)}")
    return out, (f"Each at its best of {grid.size} rates from {num_text(float(grid[0]))} to "
                 f"{num_text(float(grid[-1]))}, by {by}")


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_\- ]*")


def _resolve_function(text: object, name: str) -> Objective:
    if not isinstance(text, str):
        raise ConfigError(f"{name}: must be text, a catalog name or a formula")
    try:
        return objectives.resolve(text)
    except ObjectiveError as exc:
        stripped = text.strip()
        if _IDENTIFIER.fullmatch(stripped) and "unknown name" in str(exc):
            catalog = objectives.names()
            raise ConfigError(
                f"{name}: unknown function {stripped!r}"
                f"{did_you_mean(stripped.replace('-', '_').replace(' ', '_'), catalog)}; give a "
                f"catalog name ({', '.join(catalog)}) or a formula in x and y such as "
                "x**2/20 + y**2"
            ) from None
        raise ConfigError(f"{name}: {exc}") from None

