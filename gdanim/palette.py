"""The colour-blind-safe palette of gdanim (Okabe-Ito), as hex strings.

The seven hues of Okabe and Ito's palette, which viewers with any common colour-vision
deficiency still tell apart, plus a lightened blue for a dark background and a neutral grey.
Every optimizer has one of these colours (see :attr:`gdanim.optimizers.Variant.color`), the
same in every scene.

Examples
--------
>>> from gdanim import palette
>>> palette.VERMILLION, len(palette.PALETTE)
('#D55E00', 10)
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "BLUE",
    "BLUE_LIGHT",
    "GREEN",
    "GREY",
    "ORANGE",
    "PALETTE",
    "PURPLE",
    "SKY",
    "VERMILLION",
    "WHITE",
    "YELLOW",
]

ORANGE: Final = "#E69F00"
SKY: Final = "#56B4E9"
GREEN: Final = "#009E73"
YELLOW: Final = "#F0E442"
BLUE: Final = "#0072B2"
VERMILLION: Final = "#D55E00"
PURPLE: Final = "#CC79A7"
#: Okabe-Ito blue lightened for a dark background (same hue, contrast 5.4:1 instead of 3.6:1).
BLUE_LIGHT: Final = "#2F8FD8"
GREY: Final = "#BBBBBB"
WHITE: Final = "#FFFFFF"

#: Every colour above: the seven Okabe-Ito hues, the lightened blue, grey and white.
PALETTE: Final[tuple[str, ...]] = (
    ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, BLUE_LIGHT, GREY, WHITE,
)
