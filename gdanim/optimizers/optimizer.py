r"""The optimizer object: a pure ``init`` / ``update`` pair built from a registered record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from gdanim._typing import FloatArray
from gdanim.optimizers.base import Kernel, OptState, Rate, as_float
from gdanim.optimizers.registry import OptimizerRecord, record

__all__ = ["Optimizer", "build"]


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
