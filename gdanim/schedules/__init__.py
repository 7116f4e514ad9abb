r"""Learning-rate schedules that mirror :mod:`torch.optim.lr_scheduler`, as pure objects.

Each class carries the name, the keywords, the defaults and the validation messages of the
torch scheduler it mirrors (without the ``optimizer`` argument) and computes the rate the way
torch does, step by step: torch's schedulers are *chainable*, each step multiplies or shifts the
current ``param_group["lr"]`` (for example :math:`\eta_t = \gamma\, \eta_{t-1}`), and that
recursion rounds differently from the closed form (:math:`\eta_0 \gamma^t`) in the last bits.
We run the same recursion with the same floating point operations, so the rates agree with
torch's bit for bit and a float64 run under a schedule matches ``torch.optim`` to about 1e-12.

A schedule is a pure ``init`` / ``update`` pair, like an optimizer:

* :meth:`Schedule.init` takes the optimizer's learning rate (torch's ``initial_lr``; a number,
  or an array holding one rate per run of a batch) and returns a :class:`ScheduleState` whose
  ``lr`` is the rate of the first optimizer step (torch's scheduler constructor);
* :meth:`Schedule.update` is ``scheduler.step()``: the state for the next optimizer step.

Used the way torch documents it (``optimizer.step()`` then ``scheduler.step()``), optimizer
step :math:`t = 1, 2, \dots` runs at the rate of the state after :math:`t - 1` updates;
:meth:`Schedule.rates` gives all of them at once and :func:`gdanim.descend` takes a schedule.
:class:`OneCycleLR` also cycles the momentum (SGD's and RMSprop's ``momentum``, Adam's
:math:`\beta_1`), given in :attr:`ScheduleState.momentum`.

Layout: :mod:`~gdanim.schedules.base` (:class:`Schedule`, :class:`ScheduleState`),
:mod:`~gdanim.schedules.single` (StepLR, MultiStepLR, LinearLR, ExponentialLR,
CosineAnnealingLR), :mod:`~gdanim.schedules.onecycle`, :mod:`~gdanim.schedules.sequential`
and :mod:`~gdanim.schedules.spec` (:func:`from_spec`, :func:`bind`).

Spec strings (:func:`from_spec`) name a schedule after ``@`` in an optimizer spec
(:func:`gdanim.optimizers.from_spec_with_schedule`)::

    adam:lr=0.1 @ cosine:T_max=200
    sgd:lr=0.05 @ linear:start_factor=0.1,total_iters=20 until 20 then cosine:T_max=180

Examples
--------
>>> sched = CosineAnnealingLR(T_max=4)
>>> sched.rates(0.1, 6).round(6).tolist()
[0.1, 0.085355, 0.05, 0.014645, 0.0, 0.014645]
>>> StepLR(step_size=2, gamma=0.5).rates(1.0, 5).tolist()
[1.0, 1.0, 0.5, 0.5, 0.25]
>>> from_spec("linear:start_factor=0.5,total_iters=2 until 3 then exponential:gamma=0.5"
...           ).rates(1.0, 6).tolist()
[0.5, 0.75, 1.0, 1.0, 0.5, 0.25]
"""

from __future__ import annotations

from gdanim.schedules.base import Schedule, ScheduleState
from gdanim.schedules.onecycle import OneCycleLR
from gdanim.schedules.sequential import SequentialLR
from gdanim.schedules.single import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    StepLR,
)
from gdanim.schedules.spec import bind, from_spec, names

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "Schedule",
    "ScheduleState",
    "SequentialLR",
    "StepLR",
    "bind",
    "from_spec",
    "names",
]
