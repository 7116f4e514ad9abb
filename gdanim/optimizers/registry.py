r"""The record that describes each optimizer, and the registry of records.

Everything gdanim knows about one optimizer lives in one :class:`OptimizerRecord`: its factory
(torch's keywords and defaults, written once in the factory's signature), the kind and range of
each keyword for spec strings (:class:`Param`), its kernel (the update arithmetic), its update
rule as LaTeX, and the names it is shown under (:class:`Variant`: a display name, a colour of
the palette, and a spec alias such as ``"momentum"``).  :func:`register` adds a record; the
spec parser, the labels, the colours and :func:`names` all read the registry, so adding an
optimizer is one module with its record (:mod:`gdanim.optimizers._sgd` shows the pattern).

Examples
--------
>>> from gdanim import optimizers
>>> rec = optimizers.record("sgd")
>>> list(rec.defaults.items())[:2]
[('lr', 0.001), ('momentum', 0.0)]
>>> [(v.display_name, v.color, v.alias) for v in rec.variants]
[('Momentum', '#56B4E9', 'momentum'), ('Nesterov', '#009E73', 'nesterov'), ('SGD', '#E69F00', None)]
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal, SupportsFloat, cast

from gdanim.optimizers.base import Kernel

if TYPE_CHECKING:
    from gdanim.optimizers.optimizer import Optimizer

__all__ = [
    "OptimizerRecord",
    "Param",
    "Variant",
    "aliases",
    "color",
    "colors",
    "lookup",
    "names",
    "record",
    "records",
    "register",
    "unregister",
]


_CHECKS: Final[Mapping[str, Callable[[float], bool]]] = {
    ">= 0": lambda v: v >= 0.0,
    "in [0, 1)": lambda v: 0.0 <= v < 1.0,
    "in [0, 1]": lambda v: 0.0 <= v <= 1.0,
    "any number": lambda v: True,
}


@dataclass(frozen=True)
class Param:
    """One keyword of an optimizer as a spec string writes it: its kind and allowed range.

    Attributes
    ----------
    kind
        ``"float"`` (a number), ``"bool"`` (``true``/``false``) or ``"pair"`` (two numbers
        joined by ``/``, such as Adam's ``betas``).
    allowed
        The range a number (each number of a pair) must lie in: ``">= 0"``,
        ``"in [0, 1)"``, ``"in [0, 1]"`` or ``"any number"``; ``""`` for a flag.
    default
        The factory's default, filled in from its signature when the record is made (the
        defaults are written once, in the factory).
    """

    kind: Literal["float", "bool", "pair"]
    allowed: str = ""
    default: object = None

    def __post_init__(self) -> None:
        if self.kind not in ("float", "bool", "pair"):
            raise ValueError(f"Param kind must be float, bool or pair, got {self.kind!r}")
        if self.kind != "bool" and self.allowed not in _CHECKS:
            raise ValueError(f"Param allowed must be one of {', '.join(_CHECKS)}, "
                             f"got {self.allowed!r}")

    @classmethod
    def number(cls, allowed: str = ">= 0") -> Param:
        """A number keyword, by default one that must be >= 0."""
        return cls("float", allowed)

    @classmethod
    def flag(cls) -> Param:
        """A boolean keyword."""
        return cls("bool")

    @classmethod
    def pair(cls, allowed: str) -> Param:
        """Two numbers joined by ``/``, each in ``allowed``."""
        return cls("pair", allowed)

    def check(self, value: float) -> bool:
        """Whether a number (one number of a pair) lies in the allowed range."""
        return _CHECKS.get(self.allowed, _CHECKS["any number"])(value)

    def coerce(self, value: object) -> object:
        """The value as the optimizer stores it: a float, a bool or a pair of floats."""
        if self.kind == "bool":
            return bool(value)
        if self.kind == "pair":
            assert isinstance(value, Sequence)
            return tuple(float(cast(SupportsFloat, v)) for v in value)
        return float(cast(SupportsFloat, value))


_HEX: Final = re.compile(r"#[0-9A-Fa-f]{6}")


@dataclass(frozen=True)
class Variant:
    """A name an optimizer is shown under, with its colour and, optionally, a spec alias.

    SGD has three: ``"Momentum"`` (when ``momentum > 0`` without ``nesterov``),
    ``"Nesterov"`` (when ``nesterov`` is set) and ``"SGD"``.  The first variant whose
    ``when`` holds for the hyperparameters names the optimizer; the last has no condition.

    Attributes
    ----------
    display_name
        What a legend calls it, e.g. ``"Momentum"``.
    color
        Its colour, a hex string ``"#RRGGBB"`` from :mod:`gdanim.palette`, the same in
        every scene.
    when
        The condition on the hyperparameters under which this name applies (``None``: always).
    alias
        A name :func:`gdanim.optimizers.from_spec` accepts for this variant, e.g.
        ``"momentum"``.
    preset
        The keywords the alias sets unless the spec gives them, e.g. ``{"momentum": 0.9}``.
    """

    display_name: str
    color: str
    when: Callable[[Mapping[str, object]], bool] | None = None
    alias: str | None = None
    preset: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _HEX.fullmatch(self.color):
            raise ValueError(f"colour of {self.display_name} must be #RRGGBB, got {self.color!r}")
        object.__setattr__(self, "color", self.color.upper())
        object.__setattr__(self, "preset", MappingProxyType(dict(self.preset)))


@dataclass(frozen=True, eq=False)
class OptimizerRecord:
    """Everything about one optimizer, in one place; :func:`register` makes it known.

    Attributes
    ----------
    name
        The factory name, lower case: ``"sgd"``, ``"adam"``, ...
    factory
        The function that builds the optimizer: torch's keywords with torch's defaults (the
        only place the defaults are written), torch's validation messages, then
        :func:`build`.
    params
        The kind and range of each keyword (:class:`Param`), in the factory's order; the
        defaults are taken from the factory's signature.  Must name exactly the factory's
        keywords, ``lr`` among them.
    kernel
        Builds the update arithmetic (:class:`Kernel`) from the hyperparameters.
    rule
        The update rule torch documents for these hyperparameters, one LaTeX line per
        assignment with ``&`` before :math:`\\leftarrow` (see
        :attr:`Optimizer.update_rule_lines`).
    variants
        The names it is shown under (:class:`Variant`), the unconditional one last.
    label_hidden
        Keywords the label leaves out because the display name says them (SGD's
        ``nesterov``).
    check_spec
        A cross-check of a spec's keywords (defaults filled in) that the per-keyword ranges
        cannot express; returns the complaint, or ``None``.
    """

    name: str
    factory: Callable[..., Optimizer]
    params: Mapping[str, Param]
    kernel: Callable[[Mapping[str, object]], Kernel]
    rule: Callable[[Mapping[str, object]], Sequence[str]]
    variants: tuple[Variant, ...]
    label_hidden: frozenset[str] = frozenset()
    check_spec: Callable[[Mapping[str, object]], str | None] | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"optimizer name must be lower case letters, digits and _, "
                             f"got {self.name!r}")
        signature = inspect.signature(self.factory).parameters
        keywords = [k for k, p in signature.items()
                    if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if set(keywords) != set(self.params) or "lr" not in self.params:
            raise ValueError(
                f"{self.name}: params ({', '.join(self.params)}) must name exactly the "
                f"factory's keywords ({', '.join(keywords)}), lr among them"
            )
        missing = [k for k in keywords if signature[k].default is inspect.Parameter.empty]
        if missing:
            raise ValueError(f"{self.name}: the factory gives no default for {missing[0]}")
        filled = {k: dataclasses.replace(self.params[k], default=signature[k].default)
                  for k in keywords}
        object.__setattr__(self, "params", MappingProxyType(filled))
        if not self.variants or self.variants[-1].when is not None:
            raise ValueError(f"{self.name}: the last variant must have no condition")
        shown = [v.display_name for v in self.variants]
        if len(set(shown)) != len(shown):
            raise ValueError(f"{self.name}: display names must differ")
        for v in self.variants:
            unknown = set(v.preset) - set(filled)
            if unknown:
                raise ValueError(f"{self.name}: alias {v.alias} presets unknown {sorted(unknown)}")
        object.__setattr__(self, "label_hidden", frozenset(self.label_hidden))

    @property
    def defaults(self) -> Mapping[str, object]:
        """Every keyword with the factory's default, in the factory's order."""
        return MappingProxyType({k: p.default for k, p in self.params.items()})

    @property
    def display_names(self) -> tuple[str, ...]:
        """The display names of the variants."""
        return tuple(v.display_name for v in self.variants)

    def variant(self, hyperparameters: Mapping[str, object]) -> Variant:
        """The variant these hyperparameters select (the first whose condition holds)."""
        for v in self.variants:
            if v.when is None or v.when(hyperparameters):
                return v
        raise AssertionError("unreachable: the last variant has no condition")  # pragma: no cover


_REGISTRY: dict[str, OptimizerRecord] = {}


def register(rec: OptimizerRecord) -> OptimizerRecord:
    """Make an optimizer known to :func:`names`, the spec parser, labels and colours.

    Parameters
    ----------
    rec
        The record; its name, aliases and display names must not be taken.

    Returns
    -------
    OptimizerRecord
        ``rec``, so a module can write ``RECORD = register(OptimizerRecord(...))``.

    Raises
    ------
    ValueError
        A name, alias or display name that another record has.
    """
    taken = {r.name for r in _REGISTRY.values()} | set(aliases())
    shown = set(colors())
    if rec.name in taken:
        raise ValueError(f"optimizer {rec.name!r} is registered already")
    for v in rec.variants:
        if v.alias is not None and (v.alias in taken or v.alias == rec.name):
            raise ValueError(f"alias {v.alias!r} of {rec.name} is taken")
        if v.display_name in shown:
            raise ValueError(f"display name {v.display_name!r} of {rec.name} is taken")
    _REGISTRY[rec.name] = rec
    return rec


def unregister(name: str) -> OptimizerRecord:
    """Forget a registered optimizer and return its record (for tests of a toy optimizer)."""
    try:
        return _REGISTRY.pop(name)
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}") from None


def record(name: str) -> OptimizerRecord:
    """The record of the optimizer with factory name ``name``.

    Raises
    ------
    ValueError
        An unknown name; the message lists the known ones.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; allowed: {', '.join(names())}") from None


def records() -> tuple[OptimizerRecord, ...]:
    """Every registered record, in registration order."""
    return tuple(_REGISTRY.values())


def names() -> list[str]:
    """The factory names, in the order torch's documentation lists them.

    :func:`gdanim.optimizers.from_spec` also accepts the aliases ``"momentum"`` and
    ``"nesterov"`` (see :func:`aliases`).

    Examples
    --------
    >>> names()
    ['sgd', 'adagrad', 'rmsprop', 'adadelta', 'adam', 'adamw']
    """
    return list(_REGISTRY)


def aliases() -> dict[str, tuple[str, Mapping[str, object]]]:
    """Each spec alias with its factory name and the keywords it presets.

    Examples
    --------
    >>> for alias, (name, preset) in aliases().items():
    ...     print(alias, name, dict(preset))
    momentum sgd {'momentum': 0.9}
    nesterov sgd {'momentum': 0.9, 'nesterov': True}
    """
    return {v.alias: (r.name, v.preset) for r in _REGISTRY.values() for v in r.variants
            if v.alias is not None}


def lookup(name: str) -> tuple[OptimizerRecord, Mapping[str, object]] | None:
    """The record and preset keywords for a factory name or alias (case-insensitive), if any."""
    key = name.strip().lower()
    if key in _REGISTRY:
        return _REGISTRY[key], MappingProxyType({})
    found = aliases().get(key)
    if found is None:
        return None
    return _REGISTRY[found[0]], found[1]


def colors() -> dict[str, str]:
    """Every display name with its colour (``"#RRGGBB"``), record by record.

    Examples
    --------
    >>> colors()["Adam"], colors()["Momentum"]
    ('#D55E00', '#56B4E9')
    """
    return {v.display_name: v.color for r in _REGISTRY.values() for v in r.variants}


def color(optimizer: Optimizer | str) -> str:
    """The colour of an optimizer, a display name, a factory name, an alias or a spec.

    Examples
    --------
    >>> color("rmsprop") == color("RMSprop") == color("rmsprop:lr=0.1")
    True
    >>> color("nesterov")
    '#009E73'

    Raises
    ------
    KeyError
        A name that is none of these.
    """
    if not isinstance(optimizer, str):
        return optimizer.color
    shown = colors()
    if optimizer in shown:
        return shown[optimizer]
    found = lookup(optimizer.split(":", 1)[0])
    if found is None:
        raise KeyError(f"no colour for optimizer {optimizer!r}; known: {', '.join(shown)}")
    rec, preset = found
    return rec.variant({**rec.defaults, **preset}).color
