"""A 2D camera that keeps the unchanging parts of a moving frame as images.

While an animation plays, manim draws once, as a background image, every mobject that comes
before the first one that moves (in drawing order), and draws *everything after it* again on
every frame, moving or not. In a race that adds a live legend early, that is hundreds of
labels, marks and finished paths redrawn sixty times a second for the one path that grows.

:class:`LayeredCamera` draws, of that list, only what may change; each run of mobjects that
cannot change (between two that can) is drawn once into a transparent image, a *layer*, that is
then laid over the frame at its place in the drawing order. Painting order is kept, so the
frame is the one manim would draw up to rounding: compositing "A over (B over C)" instead of
"(A over B) over C" with 8-bit premultiplied colour differs by at most a level or two at
anti-aliased edges.

What "may change" is decided when an animation begins (:meth:`LayeredCamera.plan`, called by
``GDScene.begin_animations``): the family of every animated mobject, of every mobject with an
updater and of every foreground mobject. A layer is also checked on every frame: it is used
only if its mobjects are the same ones, in the same order, with the same points, colours and
stroke settings as when it was drawn; otherwise it is drawn directly, and it gets a new image
once it has stayed the same for two frames running. So a mobject changed behind manim's back
(by another mobject's updater, say) is still drawn as it is now, and one that changes on every
frame costs only its fingerprint on top of its drawing.

Examples
--------
>>> from manim import Square
>>> fingerprint(Square()) == fingerprint(Square())
True
>>> fingerprint(Square()) == fingerprint(Square().shift([1, 0, 0]))
False
"""

from __future__ import annotations

import itertools as it
from collections.abc import Iterable, Sequence
from typing import Any

import cairo
import numpy as np
from manim import Camera, Mobject, VMobject
from manim.animation.animation import Animation
from manim.animation.composition import AnimationGroup

__all__ = ["Layer", "LayeredCamera", "fingerprint", "live_mobjects"]


def fingerprint(mob: VMobject) -> tuple[Any, ...]:
    """What a ``VMobject``'s pixels depend on: points, colours, stroke widths, sheen, joints."""
    return (
        mob.points.tobytes(),
        np.asarray(mob.fill_rgbas).tobytes(),
        np.asarray(mob.stroke_rgbas).tobytes(),
        np.asarray(mob.background_stroke_rgbas).tobytes(),
        np.asarray(mob.stroke_width).tobytes(),
        np.asarray(mob.background_stroke_width).tobytes(),
        float(mob.sheen_factor),
        np.asarray(mob.sheen_direction).tobytes(),
        str(mob.joint_type),
        str(mob.cap_style),
        mob.n_points_per_cubic_curve,
    )


def _animated(animations: Iterable[Animation]) -> Iterable[Mobject]:
    for anim in animations:
        if isinstance(anim.mobject, Mobject):  # always, under the Cairo renderer
            yield anim.mobject
        if isinstance(anim, AnimationGroup):
            yield from _animated(anim.animations)


def live_mobjects(
    animations: Sequence[Animation], family: Sequence[Mobject], foreground: Sequence[Mobject]
) -> set[int]:
    """Ids of the mobjects that may change while ``animations`` play.

    The families of the animated mobjects (through nested groups), of every mobject in
    ``family`` (the scene's mobjects and their descendants) that has an updater, and of the
    ``foreground`` mobjects.
    """
    roots = [*_animated(animations), *(m for m in family if m.updaters), *foreground]
    return {id(m) for root in roots for m in root.get_family()}


class Layer:
    """A run of unchanging mobjects drawn into a transparent image.

    ``prints`` are their fingerprints when drawn; ``box`` the pixel rectangle
    ``(x, y, width, height)`` that holds every painted pixel (``None``: nothing painted).
    """

    __slots__ = ("box", "prints", "surface")

    def __init__(self, surface: cairo.ImageSurface, prints: tuple[tuple[Any, ...], ...],
                 box: tuple[int, int, int, int] | None) -> None:
        self.surface = surface
        self.prints = prints
        self.box = box


class LayeredCamera(Camera):
    """manim's 2D ``Camera``, drawing the unchanging runs of a moving frame from images.

    Only the list manim passes for the moving part of a frame (the one handed to :meth:`plan`)
    is drawn in layers; every other capture (the static background, a still frame, a frame
    with a list of its own) is drawn as manim draws it.
    """

    #: A static run of fewer mobjects than this, and fewer points than :attr:`MIN_POINTS`, is
    #: drawn directly (an image costs more than a few short paths).
    MIN_RUN = 8
    #: A static run of at least this many points (one long path, say) gets an image anyway.
    MIN_POINTS = 1000

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._source: list[Mobject] | None = None
        self._live: set[int] = set()
        self._layers: dict[tuple[int, ...], Layer] = {}
        self._seen: dict[tuple[int, ...], tuple[tuple[Any, ...], ...]] = {}

    def plan(self, moving: list[Mobject], live: set[int]) -> None:
        """Draw ``moving`` (the very list manim will pass) with the runs not in ``live`` layered."""
        self._source = moving
        self._live = live

    def _static(self, mob: Mobject) -> bool:
        return (
            id(mob) not in self._live
            and isinstance(mob, VMobject)
            and self.type_or_raise(mob) is VMobject
            and mob.get_background_image() is None
        )

    def capture_mobjects(self, mobjects: Iterable[Mobject], **kwargs: Any) -> None:
        """Capture as manim does, with runs of unchanging mobjects taken from their layers."""
        if mobjects is not self._source or kwargs.get("excluded_mobjects"):
            super().capture_mobjects(mobjects, **kwargs)
            return
        shown = self.get_mobjects_to_display(mobjects, **kwargs)
        frame = (tuple(self.frame_center), self.frame_width, self.frame_height,
                 self.pixel_width, self.pixel_height)
        kept: dict[tuple[int, ...], Layer] = {}
        seen: dict[tuple[int, ...], tuple[tuple[Any, ...], ...]] = {}
        for static, run_iter in it.groupby(shown, self._static):
            run = list(run_iter)
            if static and (len(run) >= self.MIN_RUN
                           or sum(len(m.points) for m in run) >= self.MIN_POINTS):
                vms = [m for m in run if isinstance(m, VMobject)]
                key = (hash(frame), *map(id, vms))
                prints = tuple(fingerprint(m) for m in vms)
                layer = self._layers.get(key)
                if layer is None or layer.prints != prints:
                    # a run gets its image once it has looked the same for two frames running
                    layer = self._draw_layer(vms, prints) if self._seen.get(key) == prints else None
                if layer is not None:
                    kept[key] = layer
                    self._paint(layer)
                    continue
                seen[key] = prints
            for kind, group in it.groupby(run, self.type_or_raise):
                self.display_funcs[kind](list(group), self.pixel_array)
        self._layers = kept  # only the layers of this frame are kept
        self._seen = seen

    def _draw_layer(self, vms: list[VMobject], prints: tuple[tuple[Any, ...], ...]) -> Layer:
        pw, ph = self.pixel_width, self.pixel_height
        surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, pw, ph)
        ctx = cairo.Context(surface)
        ctx.set_matrix(self.get_cairo_context(self.pixel_array).get_matrix())
        for vm in vms:
            self.display_vectorized(vm, ctx)
        surface.flush()
        alpha = np.frombuffer(surface.get_data(), dtype=np.uint8).reshape(
            ph, surface.get_stride())[:, 3 : 4 * pw : 4]
        rows = np.flatnonzero(alpha.any(axis=1))
        box = None
        if len(rows):
            cols = np.flatnonzero(alpha[rows[0] : rows[-1] + 1].any(axis=0))
            box = (int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1),
                   int(rows[-1] - rows[0] + 1))
        return Layer(surface, prints, box)

    def _paint(self, layer: Layer) -> None:
        if layer.box is None:
            return
        ctx = self.get_cairo_context(self.pixel_array)
        ctx.save()
        ctx.identity_matrix()
        ctx.new_path()
        ctx.rectangle(*layer.box)
        ctx.clip()
        ctx.set_source_surface(layer.surface, 0, 0)
        ctx.paint()
        ctx.restore()
