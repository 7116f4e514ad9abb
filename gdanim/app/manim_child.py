"""``python -m gdanim.app.manim_child ARGS``: ``python -m manim ARGS`` that stops with gdanim.

gdanim renders each scene in a child process of its own (see :mod:`gdanim.app.render`), in a
session of its own so that a Ctrl-C in the terminal reaches gdanim only. This wrapper makes such a
child safe to stop:

- it asks Linux to send it SIGTERM when its parent dies, even by SIGKILL (``prctl`` with
  ``PR_SET_PDEATHSIG``), and exits at once if the parent is already gone when it starts;
- SIGTERM and SIGHUP raise :class:`KeyboardInterrupt`, so manim stops as on Ctrl-C and removes
  the partial movie it was writing (killed outright, it would leave a truncated file under the
  name of a finished one, which a later render would take from the cache).

The parent's process id comes in the environment variable :data:`PARENT_ENV`.
"""

from __future__ import annotations

import ctypes
import os
import runpy
import signal
import sys
from types import FrameType

__all__ = ["PARENT_ENV", "die_with_parent", "main"]

#: The environment variable holding the parent's process id.
PARENT_ENV = "GDANIM_PARENT_PID"
#: ``PR_SET_PDEATHSIG`` from ``<linux/prctl.h>``.
_PR_SET_PDEATHSIG = 1


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def die_with_parent(parent: int) -> bool:
    """Have the kernel send SIGTERM to this process when its parent dies (Linux only).

    Returns ``False`` when the parent ``parent`` (a process id, 0 for "do not check") is
    already gone: the request came too late, and the caller should exit.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no C library to ask
            pass
    return not parent or os.getppid() == parent


def main() -> None:
    """Install the signal handlers, tie this process to its parent, then run manim."""
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    parent = os.environ.pop(PARENT_ENV, "")
    if not die_with_parent(int(parent) if parent.isdigit() else 0):
        sys.exit(143)
    sys.argv = ["manim", *sys.argv[1:]]
    runpy.run_module("manim", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
