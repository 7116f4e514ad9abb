"""Scenes for custom videos: a user's function, start, learning rates or optimizers.

The ``gdanim descend``, ``gdanim race`` and ``gdanim video`` commands render these classes
with the typed parameters of :mod:`scenes.params` (checked by the app first); each scene
family has a module of its own, found through :mod:`scenes.catalog`:

* :mod:`scenes.custom.descend` - :class:`CustomDescent1D` (arrow-traced steps on f(x), one
  panel per learning rate) and :class:`CustomDescent2D` (paths over the contour map and the
  field of -grad f);
* :mod:`scenes.custom.race` - :class:`CustomRace`, optimizers racing over the contour map;
* :mod:`scenes.custom.race3d` - :class:`CustomRace3D`, the same on the 3D surface;
* :mod:`scenes.custom.title` - :class:`CustomTitle`, the title card of a video of scenes;
* :mod:`scenes.custom.maps` and :mod:`scenes.custom.common` - what they share.

Without parameters each scene plays a built-in example, so that::

    manim -ql scenes/custom/race.py CustomRace

works on its own. The classes are importable from here too (``from scenes.custom import
CustomRace3D``); each is imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scenes.custom.descend import CustomDescent1D, CustomDescent2D
    from scenes.custom.race import CustomRace
    from scenes.custom.race3d import CustomRace3D
    from scenes.custom.title import CustomTitle

__all__ = ["CustomDescent1D", "CustomDescent2D", "CustomRace", "CustomRace3D", "CustomTitle"]

_HOMES = {
    "CustomDescent1D": "descend",
    "CustomDescent2D": "descend",
    "CustomRace": "race",
    "CustomRace3D": "race3d",
    "CustomTitle": "title",
}


def __getattr__(name: str) -> Any:
    """Import a scene class from its family's module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
