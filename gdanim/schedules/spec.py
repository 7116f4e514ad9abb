r"""Schedules from text, and binding a schedule to the optimizer it drives."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import TYPE_CHECKING, Final

from gdanim.optimizers import OptimizerSpecError
from gdanim.schedules.base import Schedule, _int
from gdanim.schedules.onecycle import OneCycleLR
from gdanim.schedules.sequential import SequentialLR
from gdanim.schedules.single import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    StepLR,
)

if TYPE_CHECKING:
    from gdanim.optimizers import Optimizer

__all__ = ["bind", "from_spec", "names"]


def bind(schedule: Schedule, optimizer: Optimizer) -> Optimizer:
    """The optimizer as torch leaves it once the scheduler is constructed.

    Only :class:`OneCycleLR` with ``cycle_momentum`` changes anything: it needs a momentum
    (SGD, RMSprop) or a :math:`\\beta_1` (Adam, AdamW) and sets it to ``max_momentum``, so
    plain SGD becomes SGD with momentum, as in torch.

    Parameters
    ----------
    schedule
        Any schedule.
    optimizer
        The optimizer it will drive.

    Returns
    -------
    Optimizer
        ``optimizer`` itself, or a copy with ``momentum`` or ``betas[0]`` replaced.

    Raises
    ------
    ValueError
        torch's ``optimizer must support momentum or beta1 with `cycle_momentum` option
        enabled`` for AdaGrad and Adadelta.

    Examples
    --------
    >>> from gdanim import optimizers
    >>> bind(OneCycleLR(max_lr=0.1, total_steps=100), optimizers.sgd()).label
    'Momentum (lr=0.001, momentum=0.95)'
    """
    if not schedule.cycles_momentum:
        return optimizer
    assert isinstance(schedule, OneCycleLR)
    hp = optimizer.hyperparameters
    if "momentum" in hp:
        return optimizer.replace(momentum=schedule.max_momentum)
    if "betas" in hp:
        betas = hp["betas"]
        assert isinstance(betas, tuple)
        return optimizer.replace(betas=(schedule.max_momentum, betas[1]))
    raise ValueError(
        "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
    )


_CLASSES: Final[tuple[type[Schedule], ...]] = (
    StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, OneCycleLR,
)
_BY_NAME: Final[Mapping[str, type[Schedule]]] = {
    **{c.short_name: c for c in _CLASSES},
    **{c.torch_name.lower(): c for c in _CLASSES},
}

# key -> kind: "int1" (integer >= 1), "ints" (integers >= 0 joined by '/'), "float", "bool",
# "choice" (anneal_strategy)
_KINDS: Final[Mapping[str, str]] = {
    "step_size": "int1", "gamma": "float", "milestones": "ints", "start_factor": "float",
    "end_factor": "float", "total_iters": "int1", "T_max": "int1", "eta_min": "float",
    "max_lr": "float", "total_steps": "int1", "epochs": "int1", "steps_per_epoch": "int1",
    "pct_start": "float", "anneal_strategy": "choice", "cycle_momentum": "bool",
    "base_momentum": "float", "max_momentum": "float", "div_factor": "float",
    "final_div_factor": "float", "three_phase": "bool",
}

_REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {
    "step": ("step_size",),
    "multistep": ("milestones",),
    "exponential": ("gamma",),
    "cosine": ("T_max",),
    "linear": (),
    "onecycle": ("max_lr",),
}

_EXAMPLE: Final[Mapping[str, str]] = {
    "step": "step:step_size=30,gamma=0.1",
    "multistep": "multistep:milestones=30/80,gamma=0.1",
    "exponential": "exponential:gamma=0.99",
    "cosine": "cosine:T_max=200",
    "linear": "linear:start_factor=0.1,total_iters=20",
    "onecycle": "onecycle:max_lr=0.1,total_steps=300",
}

_NUMBER: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INT: Final = re.compile(r"\+?\d+")
_UNTIL: Final = re.compile(r"^(?P<body>.*?)\s+until\s+(?P<m>\S+)$", re.IGNORECASE | re.DOTALL)
_THEN: Final = re.compile(r"\s+then\s+", re.IGNORECASE)


def names() -> list[str]:
    """The short names :func:`from_spec` accepts (torch's lower-cased class names too).

    Examples
    --------
    >>> names()
    ['step', 'multistep', 'exponential', 'cosine', 'linear', 'onecycle']
    """
    return [c.short_name for c in _CLASSES]


def _parse_value(
    key: str, kind: str, text: str, fail: Callable[[str], OptimizerSpecError]
) -> object:
    text = text.strip()
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            raise fail(f"{key}={text} is not allowed; {key} must be true or false")
        return text.lower() == "true"
    if kind == "choice":
        if text.lower() not in ("cos", "linear"):
            raise fail(f"{key}={text} is not allowed; {key} must be cos or linear")
        return text.lower()
    if kind == "int1":
        if not _INT.fullmatch(text) or int(text) < 1:
            raise fail(f"{key}={text} is not allowed; {key} must be an integer >= 1")
        return int(text)
    if kind == "ints":
        pieces = [p.strip() for p in text.split("/")]
        if not all(_INT.fullmatch(p) for p in pieces):
            raise fail(
                f"{key}={text} is not allowed; {key} must be integers >= 0 joined by '/', "
                f"e.g. {key}=30/80"
            )
        return tuple(int(p) for p in pieces)
    if not _NUMBER.fullmatch(text):
        raise fail(f"{key}={text} is not a number; write e.g. {key}=0.1")
    value = float(text)
    if not math.isfinite(value):
        raise fail(f"{key}={text} is not allowed; {key} must be a finite number")
    return value


def _parse_single(
    text: str, fail: Callable[[str], OptimizerSpecError], remaining: int | None
) -> Schedule:
    head, _, tail = text.partition(":")
    name = head.strip().lower()
    if not name:
        raise fail(f"no schedule name; write name[:key=value,...] with name one of "
                   f"{', '.join(names())}")
    if name not in _BY_NAME:
        raise fail(f"unknown schedule {head.strip()!r}; allowed: {', '.join(names())}")
    cls = _BY_NAME[name]
    short = cls.short_name
    allowed = [f.name for f in fields(cls) if f.init]
    lookup = {k.lower(): k for k in allowed}
    kwargs: dict[str, object] = {}
    if tail.strip():
        for piece in tail.split(","):
            k, eq, value = piece.partition("=")
            k = k.strip()
            if not eq or not k:
                raise fail(f"{piece.strip()!r} is not key=value; allowed keys for {short}: "
                           f"{', '.join(allowed)}")
            key = lookup.get(k.lower())
            if key is None:
                raise fail(f"unknown key {k!r} for {short}; allowed keys: {', '.join(allowed)}")
            if key in kwargs:
                raise fail(f"{key} is given twice")
            kwargs[key] = _parse_value(key, _KINDS[key], value, fail)
    # the run's length stands in for a missing T_max / total_steps when it is known
    if remaining is not None:
        if short == "cosine" and "T_max" not in kwargs:
            kwargs["T_max"] = max(1, remaining)
        if short == "onecycle" and not (
            "total_steps" in kwargs or ("epochs" in kwargs and "steps_per_epoch" in kwargs)
        ):
            kwargs["total_steps"] = max(1, remaining)
    missing = [k for k in _REQUIRED[short] if k not in kwargs]
    if missing:
        raise fail(f"{short} needs {missing[0]}, e.g. {_EXAMPLE[short]}")
    try:
        return cls(**kwargs)
    except ValueError as exc:
        raise fail(str(exc)) from None


def from_spec(spec: str, *, steps: int | None = None) -> Schedule:
    """Build a schedule from a spec string.

    One schedule is ``name[:key=value,...]``: ``name`` one of :func:`names` (``step``,
    ``multistep``, ``exponential``, ``cosine``, ``linear``, ``onecycle``) or torch's class
    name in any case (``CosineAnnealingLR``), keys torch's keywords in any case
    (``T_max``, ``t_max``), values numbers, ``true``/``false``, ``cos``/``linear`` for
    ``anneal_strategy`` and integers joined by ``/`` for ``milestones``.

    A chain (:class:`SequentialLR`) lists schedules in the order they run, each but the
    last followed by ``until N``, the step at which the next one takes over, joined by
    ``then``::

        linear:start_factor=0.1,total_iters=20 until 20 then cosine:T_max=180

    Nothing is evaluated as Python.

    Parameters
    ----------
    spec
        The spec.
    steps
        The length of the run, if known: then ``cosine`` without ``T_max`` anneals over the
        steps left when it starts, and ``onecycle`` without ``total_steps`` spans the run.

    Returns
    -------
    Schedule

    Raises
    ------
    OptimizerSpecError
        One line naming the offending piece and what is allowed.

    Examples
    --------
    >>> from_spec("cosine:T_max=200")
    CosineAnnealingLR(T_max=200, eta_min=0.0)
    >>> from_spec("linear:start_factor=0.1,total_iters=20 until 20 then cosine", steps=300).spec
    'linear:start_factor=0.1,total_iters=20 until 20 then cosine:T_max=280'
    >>> try:
    ...     from_spec("cosine:T_max=0")
    ... except OptimizerSpecError as exc:
    ...     print(exc)
    schedule spec 'cosine:T_max=0': T_max=0 is not allowed; T_max must be an integer >= 1
    """
    if not isinstance(spec, str):
        raise OptimizerSpecError(f"schedule spec must be a string, not {type(spec).__name__}")

    def fail(detail: str) -> OptimizerSpecError:
        return OptimizerSpecError(f"schedule spec {spec!r}: {detail}")

    if steps is not None:
        steps = _int("steps", steps, 0)
    pieces = _THEN.split(spec.strip())
    parts: list[tuple[str, int | None]] = []
    for i, piece in enumerate(pieces):
        match = _UNTIL.match(piece.strip())
        last = i == len(pieces) - 1
        if match is None:
            if not last:
                raise fail(f"{piece.strip()!r} is followed by 'then' but has no 'until N'; "
                           "write e.g. linear:total_iters=20 until 20 then cosine:T_max=180")
            parts.append((piece, None))
            continue
        if last:
            raise fail(f"the last schedule cannot have 'until {match['m']}'; add 'then' and "
                       "the schedule that takes over")
        if not _INT.fullmatch(match["m"]) or int(match["m"]) < 1:
            raise fail(f"until {match['m']}: the step must be an integer >= 1")
        parts.append((match["body"], int(match["m"])))
    milestones = [m for _, m in parts if m is not None]
    for a, b in zip(milestones, milestones[1:], strict=False):
        if b <= a:
            raise fail(f"until {b} comes after until {a}; the steps must increase")
    schedules = []
    start = 0
    for body, m in parts:
        remaining = None if steps is None else steps - start
        sched = _parse_single(body, fail, remaining)
        if len(parts) > 1 and isinstance(sched, OneCycleLR):
            raise fail("onecycle cannot be part of a chain (torch's OneCycleLR does not chain)")
        schedules.append(sched)
        if m is not None:
            start = m
    if len(schedules) == 1:
        return schedules[0]
    try:
        return SequentialLR(tuple(schedules), tuple(milestones))
    except ValueError as exc:  # pragma: no cover - the checks above come first
        raise fail(str(exc)) from None
