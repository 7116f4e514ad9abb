"""Optimizers from text: ``"name[:key=value,...]"`` spec strings and names with keywords.

:func:`from_spec` reads what a user types on the command line or in a TOML file; nothing is
evaluated as Python.  Names, aliases, keywords, their kinds and ranges all come from the
registered :class:`~gdanim.optimizers.base.OptimizerRecord` s.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from gdanim.optimizers.base import (
    OptimizerSpecError,
)
from gdanim.optimizers.optimizer import (
    Optimizer,
)
from gdanim.optimizers.registry import (
    Param,
    aliases,
    lookup,
    names,
)

if TYPE_CHECKING:
    from gdanim.schedules import Schedule

__all__ = ["from_spec", "from_spec_with_schedule", "make"]


def _allowed_names() -> str:
    return ", ".join([*names(), *aliases()])


def make(name: str, **hyperparameters: object) -> Optimizer:
    """Build an optimizer from a factory name or alias and keyword hyperparameters.

    ``"momentum"`` and ``"nesterov"`` are the aliases of :func:`from_spec` (SGD with
    ``momentum=0.9``, plus ``nesterov=True``), overridable by the keywords.

    Parameters
    ----------
    name
        One of :func:`names` or an alias, case-insensitive.
    **hyperparameters
        Keywords of the factory; torch's defaults for the rest.

    Returns
    -------
    Optimizer

    Raises
    ------
    ValueError
        An unknown name or keyword, or a value the factory rejects.

    Examples
    --------
    >>> make("nesterov", lr=0.01).label
    'Nesterov (lr=0.01, momentum=0.9)'
    >>> make("Adam").hyperparameters["lr"]
    0.001
    """
    found = lookup(name)
    if found is None:
        raise ValueError(f"unknown optimizer {name!r}; allowed: {_allowed_names()}")
    rec, preset = found
    unknown = sorted(set(hyperparameters) - set(rec.params))
    if unknown:
        raise ValueError(
            f"{rec.name} has no hyperparameter {unknown[0]!r}; allowed: {', '.join(rec.params)}"
        )
    return rec.factory(**{**preset, **hyperparameters})


_NUMBER: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _parse_number(key: str, text: str, fail: Callable[[str], OptimizerSpecError]) -> float:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise fail(f"{key}={text} is not a number; write e.g. {key}=0.1")
    value = float(text)
    if not math.isfinite(value):
        raise fail(f"{key}={text} is not allowed; {key} must be a finite number")
    return value


def _parse_value(
    key: str, param: Param, text: str, fail: Callable[[str], OptimizerSpecError]
) -> object:
    if param.kind == "bool":
        word = text.strip().lower()
        if word not in ("true", "false"):
            raise fail(f"{key}={text.strip()} is not allowed; {key} must be true or false")
        return word == "true"
    if param.kind == "pair":
        pieces = text.split("/")
        if len(pieces) != 2:
            raise fail(
                f"{key}={text.strip()} is not allowed; {key} must be two numbers joined by '/', "
                f"e.g. {key}=0.9/0.999"
            )
        pair = (_parse_number(key, pieces[0], fail), _parse_number(key, pieces[1], fail))
        for v in pair:
            if not param.check(v):
                raise fail(
                    f"{key}={text.strip()} is out of range; both {key} must be {param.allowed}"
                )
        return pair
    value = _parse_number(key, text, fail)
    if not param.check(value):
        raise fail(f"{key}={text.strip()} is out of range; {key} must be {param.allowed}")
    return value


def from_spec(spec: str) -> Optimizer:
    """Build an optimizer from ``"name[:key=value,...]"``.

    ``name`` is a factory name (:func:`names`) or an alias, case-insensitive:
    ``"momentum"`` is :func:`sgd` with ``momentum=0.9`` unless given, ``"nesterov"`` is
    :func:`sgd` with ``momentum=0.9, nesterov=True``.  Keys are the factory's keywords;
    values are numbers (``0.1``, ``1e-3``), ``true``/``false``, or for ``betas`` two numbers
    joined by ``/``.  Nothing is evaluated as Python.

    Parameters
    ----------
    spec
        The spec, e.g. ``"adam:lr=0.1,betas=0.9/0.99"`` or ``"sgd:lr=0.05,momentum=0.9"``.

    Returns
    -------
    Optimizer

    Raises
    ------
    OptimizerSpecError
        One line naming the offending piece and what is allowed: an unknown optimizer or
        key, a value that does not parse, a value out of range, a key given twice.

    Examples
    --------
    >>> from_spec("adam:lr=0.1,betas=0.9/0.99").label
    'Adam (lr=0.1, betas=0.9/0.99)'
    >>> from_spec("Nesterov:lr=0.01").label
    'Nesterov (lr=0.01, momentum=0.9)'
    >>> try:
    ...     from_spec("adam:lr=-1")
    ... except OptimizerSpecError as exc:
    ...     print(exc)
    optimizer spec 'adam:lr=-1': lr=-1 is out of range; lr must be >= 0
    """
    if not isinstance(spec, str):
        raise OptimizerSpecError(f"optimizer spec must be a string, not {type(spec).__name__}")

    def fail(detail: str) -> OptimizerSpecError:
        return OptimizerSpecError(f"optimizer spec {spec!r}: {detail}")

    head, _, tail = spec.partition(":")
    found = lookup(head)
    if found is None:
        if not head.strip():
            raise fail(f"no optimizer name; write name[:key=value,...] with name one of "
                       f"{_allowed_names()}")
        raise fail(f"unknown optimizer {head.strip()!r}; allowed: {_allowed_names()}")
    rec, preset = found
    name = rec.name
    params = rec.params
    kwargs: dict[str, object] = dict(preset)
    given: set[str] = set()
    if tail.strip():
        for piece in tail.split(","):
            k, eq, text = piece.partition("=")
            k = k.strip().lower()
            if not eq or not k:
                raise fail(f"{piece.strip()!r} is not key=value; allowed keys for {name}: "
                           f"{', '.join(params)}")
            if k not in params:
                raise fail(f"unknown key {k!r} for {name}; allowed keys: {', '.join(params)}")
            if k in given:
                raise fail(f"{k} is given twice")
            given.add(k)
            kwargs[k] = _parse_value(k, params[k], text, fail)

    if rec.check_spec is not None:
        complaint = rec.check_spec({**rec.defaults, **kwargs})
        if complaint:
            raise fail(complaint)
    try:
        return rec.factory(**kwargs)
    except ValueError as exc:  # cross-checks the table above does not cover
        raise fail(str(exc)) from None


def from_spec_with_schedule(
    spec: str, *, steps: int | None = None
) -> tuple[Optimizer, Schedule | None]:
    """Build an optimizer and, after ``@``, a learning-rate schedule from one spec string.

    ``"optimizer spec [@ schedule spec]"``: the part before ``@`` is read by
    :func:`from_spec`, the part after it by :func:`gdanim.schedules.from_spec` (one
    schedule such as ``cosine:T_max=200``, or a chain
    ``linear:start_factor=0.1,total_iters=20 until 20 then cosine:T_max=180``).  The pair
    is checked together: OneCycleLR's ``cycle_momentum`` needs an optimizer with a momentum
    or a :math:`\\beta_1`.

    Parameters
    ----------
    spec
        E.g. ``"adam:lr=0.1 @ cosine:T_max=200"`` or just ``"adam:lr=0.1"``.
    steps
        The run's length, if known (see :func:`gdanim.schedules.from_spec`).

    Returns
    -------
    tuple of (Optimizer, Schedule or None)
        The optimizer as written (pass both to :func:`gdanim.descend`) and the schedule, or
        ``None`` without ``@``.

    Raises
    ------
    OptimizerSpecError
        One line naming the offending piece, for either part or the pair.

    Examples
    --------
    >>> opt, sched = from_spec_with_schedule("adam:lr=0.1 @ cosine:T_max=200")
    >>> opt.label, sched.label
    ('Adam (lr=0.1)', 'CosineAnnealingLR (T_max=200)')
    >>> from_spec_with_schedule("sgd:lr=0.1")[1] is None
    True
    >>> try:
    ...     from_spec_with_schedule("adagrad:lr=0.1 @ onecycle:max_lr=1,total_steps=100")
    ... except OptimizerSpecError as exc:
    ...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
    spec 'adagrad:lr=0.1 @ onecycle:max_lr=1,total_steps=100': optimizer must support momentum
    or beta1 with `cycle_momentum` option enabled; add cycle_momentum=false to the schedule
    """
    from gdanim import schedules

    if not isinstance(spec, str):
        raise OptimizerSpecError(f"optimizer spec must be a string, not {type(spec).__name__}")
    head, at, tail = spec.partition("@")
    optimizer = from_spec(head.strip())
    if not at:
        return optimizer, None
    if not tail.strip():
        raise OptimizerSpecError(
            f"spec {spec!r}: nothing after '@'; write e.g. {head.strip()} @ cosine:T_max=200"
        )
    if "@" in tail:
        raise OptimizerSpecError(f"spec {spec!r}: more than one '@'; chain schedules with "
                                 "'until N then'")
    schedule = schedules.from_spec(tail.strip(), steps=steps)
    try:
        schedules.bind(schedule, optimizer)
    except ValueError as exc:
        raise OptimizerSpecError(
            f"spec {spec!r}: {exc}; add cycle_momentum=false to the schedule"
        ) from None
    return optimizer, schedule
