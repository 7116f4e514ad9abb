r"""Optimizers that mirror :mod:`torch.optim`, as pure ``init`` / ``update`` pairs.

Every factory here is named after a ``torch.optim`` class (lower-cased) and takes the same
keywords with the same defaults, runs the same documented algorithm in the same order of
floating point operations as torch's single-tensor code path, and rejects the same bad values
with the same :class:`ValueError` messages.  A float64 run agrees with ``torch.optim`` in
float64 to :data:`TORCH_PARITY_RTOL` (1e-10) relative at every step, which the test suite checks
for every optimizer and option over 500-step paths; measured differences are far smaller,
around 1e-11 at most (torch's CPU kernels fuse some multiply-adds, numpy does not, so the last
bit can differ and a long path can carry it along).

An :class:`Optimizer` holds no mutable state.  :meth:`Optimizer.init` builds an
:class:`OptState` for a starting point and :meth:`Optimizer.update` maps
``(grad, state, x)`` to ``(x_new, new_state)`` without touching its inputs.  The state's
buffers carry torch's names (``"momentum_buffer"``, ``"exp_avg"``, ``"exp_avg_sq"``, ...) so a
scene can draw a velocity or a second moment next to the point it belongs to.  All the
arithmetic is elementwise, so ``x`` may have shape ``(d,)`` for one run or ``(k, d)`` for
``k`` runs advanced together in one call.

Conventions that differ from many tutorials (we follow torch):

* The :math:`\epsilon` of AdaGrad, RMSprop and Adam is added *outside* the square root,
  :math:`g / (\sqrt{v} + \epsilon)`, not :math:`g / \sqrt{v + \epsilon}`.  Adadelta is the
  exception: torch (like the paper) adds it inside, :math:`\sqrt{v + \epsilon}`.
* SGD momentum accumulates gradients, :math:`b_t = \mu b_{t-1} + g_t`, and the step is
  :math:`\eta b_t`, rather than accumulating :math:`\eta g_t`; the buffer starts as the first
  gradient (not zero), so dampening applies from the second step on.
* Nesterov momentum uses torch's form :math:`\theta_t = \theta_{t-1} - \eta (g_t + \mu b_t)`
  (gradient at the current point), not a gradient evaluated at a look-ahead point.

Layout: :mod:`~gdanim.optimizers.optimizer` holds :class:`Optimizer`,
:mod:`~gdanim.optimizers.registry` the :class:`OptimizerRecord` of each optimizer and the
registry of them, :mod:`~gdanim.optimizers.base` the state and the helpers kernels share; each
algorithm is one module with its kernel, update rule, factory and record (``_sgd``,
``_adagrad``, ``_rmsprop``, ``_adadelta``, ``_adam``); :mod:`~gdanim.optimizers.spec` reads
spec strings.  To add an optimizer, write one such module (a factory with torch's keywords and
defaults, a kernel, a rule, and a :func:`register` ed record with its display names and
colours), import it below, and add its line to the tests' parity table.

Examples
--------
>>> import numpy as np
>>> from gdanim import optimizers
>>> opt = optimizers.from_spec("adam:lr=0.1,betas=0.9/0.99")
>>> opt.label
'Adam (lr=0.1, betas=0.9/0.99)'
>>> x = np.array([2.0, 3.0])
>>> state = opt.init(x)
>>> x, state = opt.update(2 * x, state, x)   # gradient of x^2 + y^2
>>> x
array([1.9, 2.9])
>>> sorted(state.buffers)
['exp_avg', 'exp_avg_sq']
"""

from __future__ import annotations

# the order of the imports below is the order of names(): torch's documentation's
# isort: off
from gdanim.optimizers.base import TORCH_PARITY_RTOL, OptimizerSpecError, OptState, Rate
from gdanim.optimizers.optimizer import Optimizer, build
from gdanim.optimizers.registry import (
    OptimizerRecord,
    Param,
    Variant,
    aliases,
    color,
    colors,
    names,
    record,
    records,
    register,
    unregister,
)
from gdanim.optimizers._sgd import sgd
from gdanim.optimizers._adagrad import adagrad
from gdanim.optimizers._rmsprop import rmsprop
from gdanim.optimizers._adadelta import adadelta
from gdanim.optimizers._adam import adam, adamw
from gdanim.optimizers.spec import from_spec, from_spec_with_schedule, make
# isort: on

__all__ = [
    "TORCH_PARITY_RTOL",
    "OptState",
    "Optimizer",
    "OptimizerRecord",
    "OptimizerSpecError",
    "Param",
    "Rate",
    "Variant",
    "adadelta",
    "adagrad",
    "adam",
    "adamw",
    "aliases",
    "build",
    "color",
    "colors",
    "from_spec",
    "from_spec_with_schedule",
    "make",
    "names",
    "record",
    "records",
    "register",
    "rmsprop",
    "sgd",
    "unregister",
]
