r"""The optimizer object, its state, and the record that describes each optimizer.

Everything gdanim knows about one optimizer lives in one :class:`OptimizerRecord`: its factory
(torch's keywords and defaults, written once in the factory's signature), the kind and range of
each keyword for spec strings, its kernel (the update arithmetic), its update rule as LaTeX,
and the names it is shown under (:class:`Variant`: a display name, a colour of the palette, and
a spec alias such as ``"momentum"``).  :func:`register` adds a record; the spec parser, the
labels, the colours and :func:`names` all read the registry, so adding an optimizer is one
module with its record (see :mod:`gdanim.optimizers._sgd` for the pattern).

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
from typing import Final, Literal, Protocol, SupportsFloat, cast

import numpy as np

from gdanim._typing import FloatArray

__all__ = [
    "TORCH_PARITY_RTOL",
    "LR_TEX",
    "Kernel",
    "Lerp",
    "OptState",
    "Optimizer",
    "OptimizerRecord",
    "OptimizerSpecError",
    "Param",
    "Rate",
    "Variant",
    "aliases",
    "as_float",
    "build",
    "color",
    "colors",
    "gradient_lines",
    "lookup",
    "names",
    "new_state",
    "no_momentum",
    "record",
    "records",
    "register",
    "unregister",
    "zeros_like",
]


#: The relative tolerance to which every path of these optimizers matches ``torch.optim``'s in
#: float64: the tests compare each point of 500-step runs, every optimizer and option, with it.
TORCH_PARITY_RTOL: Final = 1e-10


class OptimizerSpecError(ValueError):
    """A bad optimizer spec string; the message is one line naming the offending piece."""


@dataclass(frozen=True, slots=True, eq=False)
class OptState:
    """The state of an optimizer between two updates.

    Attributes
    ----------
    step
        Number of updates done so far (``0`` right after :meth:`Optimizer.init`).
    buffers
        Read-only mapping from torch's state names to read-only arrays shaped like the
        parameters: ``"momentum_buffer"`` (SGD, RMSprop), ``"sum"`` (AdaGrad),
        ``"square_avg"`` (RMSprop, Adadelta), ``"grad_avg"`` (centered RMSprop),
        ``"acc_delta"`` (Adadelta), ``"exp_avg"``, ``"exp_avg_sq"`` and
        ``"max_exp_avg_sq"`` (Adam, AdamW).  Buffers torch creates lazily (SGD's momentum
        buffer) are zeros before the first update.
    """

    step: int
    buffers: Mapping[str, FloatArray]


EMPTY_BUFFERS: Final[Mapping[str, FloatArray]] = MappingProxyType({})


def _frozen(a: FloatArray) -> FloatArray:
    """Mark a freshly computed array read-only and return it."""
    if isinstance(a, np.ndarray):
        a.flags.writeable = False
    return a


def new_state(step: int, **buffers: FloatArray) -> OptState:
    """An :class:`OptState` whose buffers (freshly computed arrays) are made read-only."""
    for a in buffers.values():
        _frozen(a)
    return OptState(step, MappingProxyType(buffers))


def zeros_like(x: FloatArray) -> FloatArray:
    """A float64 array of zeros shaped like ``x``."""
    return np.zeros(np.shape(x), dtype=np.float64)


class Lerp:
    """torch's ``lerp_(end, weight)``: the form depends on whether ``|weight| < 0.5``."""

    __slots__ = ("small", "weight", "one_minus_weight")

    def __init__(self, weight: float) -> None:
        self.weight = weight
        self.one_minus_weight = 1.0 - weight
        self.small = abs(weight) < 0.5

    def __call__(self, start: FloatArray, end: FloatArray) -> FloatArray:
        t: FloatArray = end - start
        if self.small:
            t *= self.weight
            t += start  # start + w * (end - start)
            return t
        t *= self.one_minus_weight
        out: FloatArray = end - t  # end - (end - start) * (1 - w)
        return out


Rate = float | FloatArray
"""A learning rate: one number, or one per run of a batch (broadcast against the parameters)."""


class Kernel(Protocol):
    """The arithmetic of one optimizer for fixed hyperparameters (``OptimizerRecord.kernel``).

    ``update`` takes this step's ``lr`` (``None``: the hyperparameter) and ``momentum``
    (``None``: the hyperparameter; an optimizer without one raises :class:`ValueError` via
    :func:`no_momentum`).
    """

    def init(self, x: FloatArray) -> OptState: ...

    def update(
        self,
        grad: FloatArray,
        state: OptState,
        x: FloatArray,
        lr: Rate | None,
        momentum: float | None,
    ) -> tuple[FloatArray, OptState]: ...


def as_float(value: object) -> float:
    """A hyperparameter known to be a number, as a float."""
    assert isinstance(value, (int, float))
    return float(value)


def no_momentum(name: str, momentum: float | None) -> None:
    """Refuse a per-step momentum for an optimizer that has neither momentum nor beta1."""
    if momentum is not None:
        raise ValueError(f"{name} has neither momentum nor beta1 to set")


#: The learning rate's symbol in the update rules.
LR_TEX: Final = r"\eta"


def gradient_lines(hp: Mapping[str, object], coupled_decay: bool = True) -> list[str]:
    r"""The first lines of an update rule: the gradient, negated to maximise, plus L2 decay.

    Examples
    --------
    >>> gradient_lines({"maximize": True, "weight_decay": 0.1})
    ['g_t &\\leftarrow -\\nabla f(\\theta_{t-1})', 'g_t &\\leftarrow g_t + \\lambda \\theta_{t-1}']
    """
    sign = "-" if hp["maximize"] else ""
    lines = [rf"g_t &\leftarrow {sign}\nabla f(\theta_{{t-1}})"]
    if coupled_decay and as_float(hp["weight_decay"]) != 0:
        lines.append(r"g_t &\leftarrow g_t + \lambda \theta_{t-1}")
    return lines


# --------------------------------------------------------------------------------------------
# The record of an optimizer
# --------------------------------------------------------------------------------------------

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
    if isinstance(optimizer, Optimizer):
        return optimizer.color
    shown = colors()
    if optimizer in shown:
        return shown[optimizer]
    found = lookup(optimizer.split(":", 1)[0])
    if found is None:
        raise KeyError(f"no colour for optimizer {optimizer!r}; known: {', '.join(shown)}")
    rec, preset = found
    return rec.variant({**rec.defaults, **preset}).color


# --------------------------------------------------------------------------------------------
# The optimizer object
# --------------------------------------------------------------------------------------------


def _fmt_label(value: object) -> str:
    if isinstance(value, tuple):
        return "/".join(_fmt_label(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _fmt_spec(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "/".join(_fmt_spec(v) for v in value)
    return repr(float(as_float(value)))


@dataclass(frozen=True)
class Optimizer:
    r"""A first-order optimizer: a pure pair of functions ``init`` and ``update``.

    Build one with a factory (:func:`~gdanim.optimizers.sgd`,
    :func:`~gdanim.optimizers.adagrad`, :func:`~gdanim.optimizers.rmsprop`,
    :func:`~gdanim.optimizers.adadelta`, :func:`~gdanim.optimizers.adam`,
    :func:`~gdanim.optimizers.adamw`) or :func:`~gdanim.optimizers.from_spec`.  Two
    optimizers are equal when their name and hyperparameters are.

    Attributes
    ----------
    name
        The factory name: ``"sgd"``, ``"adagrad"``, ``"rmsprop"``, ``"adadelta"``, ``"adam"``
        or ``"adamw"`` (or another registered record's).
    display_name
        What a legend calls it: ``"SGD"``, ``"Momentum"`` (SGD with momentum > 0),
        ``"Nesterov"`` (SGD with ``nesterov=True``), ``"AdaGrad"``, ``"RMSprop"``,
        ``"Adadelta"``, ``"Adam"`` or ``"AdamW"``.
    hyperparameters
        Every keyword of the factory with its value, in torch's order (read-only).

    Examples
    --------
    >>> import numpy as np
    >>> from gdanim.optimizers import sgd
    >>> opt = sgd(lr=0.1, momentum=0.9)
    >>> opt.display_name, opt.label
    ('Momentum', 'Momentum (lr=0.1, momentum=0.9)')
    >>> x = np.array([[1.0, 1.0], [2.0, -2.0]])   # two runs at once
    >>> state = opt.init(x)
    >>> x, state = opt.update(2 * x, state, x)
    >>> x
    array([[ 0.8,  0.8],
           [ 1.6, -1.6]])
    >>> state.buffers["momentum_buffer"]
    array([[ 2.,  2.],
           [ 4., -4.]])
    """

    name: str
    display_name: str
    hyperparameters: Mapping[str, object]
    _kernel: Kernel = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rec = record(self.name)
        hp = MappingProxyType(dict(self.hyperparameters))
        if set(hp) != set(rec.params):
            raise ValueError(
                f"{self.name} needs exactly the hyperparameters "
                f"{', '.join(rec.params)}; build it with {self.name}(...)"
            )
        object.__setattr__(self, "hyperparameters", hp)
        object.__setattr__(self, "_kernel", rec.kernel(hp))

    def __hash__(self) -> int:
        return hash((self.name, self.display_name, tuple(self.hyperparameters.items())))

    @property
    def record(self) -> OptimizerRecord:
        """The :class:`OptimizerRecord` this optimizer was built from."""
        return record(self.name)

    @property
    def color(self) -> str:
        """Its colour (``"#RRGGBB"``), that of its display name.

        Examples
        --------
        >>> from gdanim.optimizers import adam, sgd
        >>> adam().color, sgd(momentum=0.9).color
        ('#D55E00', '#56B4E9')
        """
        for v in self.record.variants:
            if v.display_name == self.display_name:
                return v.color
        return self.record.variant(self.hyperparameters).color

    @property
    def label_params(self) -> str:
        """The part of :attr:`label` inside the brackets: ``lr`` and the non-defaults.

        Examples
        --------
        >>> from gdanim.optimizers import adam
        >>> adam(lr=0.3, betas=(0.9, 0.99)).label_params
        'lr=0.3, betas=0.9/0.99'
        """
        parts = [f"lr={_fmt_label(self.hyperparameters['lr'])}"]
        hidden = self.record.label_hidden
        for key, value in self._non_defaults():
            if key in hidden:
                continue
            parts.append(key if value is True else f"{key}={_fmt_label(value)}")
        return ", ".join(parts)

    @property
    def label(self) -> str:
        """Legend text: the display name, ``lr`` and every non-default hyperparameter.

        Numbers are formatted with ``:g``; a switched-on flag shows as its bare name, and a
        flag the display name already says (``nesterov``) is left out.

        Examples
        --------
        >>> from gdanim.optimizers import adam, rmsprop
        >>> adam(lr=0.3, betas=(0.9, 0.99)).label
        'Adam (lr=0.3, betas=0.9/0.99)'
        >>> rmsprop(lr=0.1, alpha=0.9, centered=True).label
        'RMSprop (lr=0.1, alpha=0.9, centered)'
        """
        return f"{self.display_name} ({self.label_params})"

    @property
    def spec(self) -> str:
        """A spec string that :func:`~gdanim.optimizers.from_spec` turns back into an equal one.

        Examples
        --------
        >>> from gdanim.optimizers import from_spec, sgd
        >>> opt = sgd(lr=0.05, momentum=0.9, nesterov=True)
        >>> opt.spec
        'sgd:lr=0.05,momentum=0.9,nesterov=true'
        >>> from_spec(opt.spec) == opt
        True
        """
        parts = [f"lr={_fmt_spec(self.hyperparameters['lr'])}"]
        parts += [f"{key}={_fmt_spec(value)}" for key, value in self._non_defaults()]
        return f"{self.name}:{','.join(parts)}"

    @property
    def update_rule_lines(self) -> tuple[str, ...]:
        r"""The update rule torch documents, one LaTeX line per assignment (no ``$``).

        Only the branch these hyperparameters select is given (no momentum line for plain
        SGD, an AMSGrad line only with ``amsgrad=True``).  Each line has an ``&`` before its
        :math:`\leftarrow`, so the lines align in an ``align*`` environment such as manim's
        ``MathTex``.  Symbols: :math:`\eta` learning rate, :math:`\lambda` weight decay,
        :math:`\mu` momentum, :math:`\tau` dampening (SGD) or initial accumulator (AdaGrad),
        :math:`\delta` AdaGrad's ``lr_decay``, :math:`\alpha`, :math:`\rho`,
        :math:`\beta_1, \beta_2`, :math:`\epsilon` as in torch.

        Examples
        --------
        >>> from gdanim.optimizers import sgd
        >>> for line in sgd(lr=0.1, momentum=0.9).update_rule_lines:
        ...     print(line)
        g_t &\leftarrow \nabla f(\theta_{t-1})
        b_t &\leftarrow \mu b_{t-1} + g_t \quad (b_1 = g_1)
        \theta_t &\leftarrow \theta_{t-1} - \eta\, b_t
        """
        return tuple(self.record.rule(self.hyperparameters))

    @property
    def update_rule_latex(self) -> str:
        r"""The lines of :attr:`update_rule_lines` joined with ``\\``, ready for ``MathTex``.

        Examples
        --------
        >>> from gdanim.optimizers import adagrad
        >>> print(adagrad(lr=0.5).update_rule_latex)  # doctest: +NORMALIZE_WHITESPACE
        g_t &\leftarrow \nabla f(\theta_{t-1}) \\
        s_t &\leftarrow s_{t-1} + g_t^2 \\
        \theta_t &\leftarrow \theta_{t-1} - \eta \frac{g_t}{\sqrt{s_t} + \epsilon}
        """
        return " \\\\\n".join(self.update_rule_lines)

    def init(self, x: FloatArray) -> OptState:
        """The state before the first update, with buffers shaped like ``x``.

        Parameters
        ----------
        x
            The starting point, any shape: ``(d,)`` for one run, ``(k, d)`` for ``k`` runs.

        Returns
        -------
        OptState
            ``step == 0`` and torch's buffers (zeros; AdaGrad's ``sum`` holds
            ``initial_accumulator_value``).

        Examples
        --------
        >>> import numpy as np
        >>> from gdanim.optimizers import adagrad
        >>> state = adagrad(initial_accumulator_value=0.1).init(np.zeros(2))
        >>> state.step, state.buffers["sum"]
        (0, array([0.1, 0.1]))
        """
        return self._kernel.init(x)

    def update(
        self,
        grad: FloatArray,
        state: OptState,
        x: FloatArray,
        *,
        lr: Rate | None = None,
        momentum: float | None = None,
    ) -> tuple[FloatArray, OptState]:
        r"""One optimizer step: the new point and the new state.

        Elementwise, so ``x`` (and ``grad``, of the same shape) may hold a batch of runs.
        Nothing passed in is modified; the returned state's arrays are read-only.  No
        checks are made here, to keep the step cheap: pass a state made by this optimizer's
        :meth:`init` or :meth:`update` for an ``x`` of the same shape.

        ``lr`` and ``momentum`` replace the hyperparameters for this one step, the way a
        ``torch.optim.lr_scheduler`` writes ``param_group["lr"]`` (and OneCycleLR's
        ``"momentum"`` or ``"betas"[0]``) before ``optimizer.step()``: every use of the rate
        in the step takes the new value (AdaGrad's decayed rate, AdamW's decay factor
        :math:`1 - \eta\lambda`, Adam's step size :math:`\eta / (1 - \beta_1^t)`, whose
        bias correction uses this step's :math:`\beta_1`).

        Parameters
        ----------
        grad
            The gradient of the objective at ``x``.
        state
            The state returned by the previous call (or by :meth:`init`).
        x
            The current point.
        lr
            The learning rate of this step instead of ``hyperparameters["lr"]``: a number,
            or an array broadcast against ``x`` to give each run of a batch its own rate
            (shape ``(k, 1)`` for ``x`` of shape ``(k, d)``).
        momentum
            SGD's or RMSprop's ``momentum``, or Adam's and AdamW's :math:`\beta_1`, for this
            step.  AdaGrad and Adadelta have neither and raise :class:`ValueError`.

        Returns
        -------
        tuple of (ndarray, OptState)
            The point after the step and the state after it (``step`` one higher).

        Examples
        --------
        >>> import numpy as np
        >>> from gdanim.optimizers import sgd
        >>> opt = sgd(lr=0.1)
        >>> x = np.array([4.0])
        >>> x_new, state = opt.update(2 * x, opt.init(x), x)
        >>> x_new, state.step, x
        (array([3.2]), 1, array([4.]))
        >>> opt.update(2 * x, opt.init(x), x, lr=0.5)[0]
        array([0.])
        >>> xs = np.array([[4.0], [4.0]])               # two runs, two rates
        >>> opt.update(2 * xs, opt.init(xs), xs, lr=np.array([[0.1], [0.5]]))[0]
        array([[3.2],
               [0. ]])
        """
        return self._kernel.update(grad, state, x, lr, momentum)

    def replace(self, **changes: object) -> Optimizer:
        """The same optimizer with some hyperparameters changed, validated by the factory.

        Parameters
        ----------
        **changes
            Keywords of this optimizer's factory, e.g. ``lr=0.05``.

        Returns
        -------
        Optimizer

        Raises
        ------
        ValueError
            An unknown keyword, or a value the factory rejects (torch's message).

        Examples
        --------
        >>> from gdanim.optimizers import adam
        >>> adam(lr=0.1, betas=(0.9, 0.99)).replace(lr=0.01).label
        'Adam (lr=0.01, betas=0.9/0.99)'
        """
        unknown = sorted(set(changes) - set(self.hyperparameters))
        if unknown:
            raise ValueError(
                f"{self.name} has no hyperparameter {unknown[0]!r}; allowed: "
                f"{', '.join(self.hyperparameters)}"
            )
        kwargs = dict(self.hyperparameters)
        kwargs.update(changes)
        return self.record.factory(**kwargs)

    def _non_defaults(self) -> list[tuple[str, object]]:
        params = self.record.params
        return [
            (key, value)
            for key, value in self.hyperparameters.items()
            if key != "lr" and value != params[key].default
        ]


def build(name: str, **hyperparameters: object) -> Optimizer:
    """The optimizer ``name`` with these hyperparameters, each stored as its :class:`Param` says.

    A factory calls this last, after torch's checks: the values become floats, bools or pairs
    of floats, and the display name is the one the record's variants select.

    Examples
    --------
    >>> build("adam", lr=1, betas=(0.9, 0.99), eps=1e-8, weight_decay=0, amsgrad=False,
    ...       maximize=False, decoupled_weight_decay=False).label
    'Adam (lr=1, betas=0.9/0.99)'
    """
    rec = record(name)
    hp = {k: rec.params[k].coerce(v) if k in rec.params else v
          for k, v in hyperparameters.items()}
    return Optimizer(name, rec.variant(hp).display_name, hp)
