"""A fast shaded surface for Manim's Cairo ``ThreeDScene``, with marks that stay on top of it.

Manim's stock :class:`~manim.mobject.three_d.three_dimensions.Surface` is a group of one
``VMobject`` per face. Every frame the Cairo camera handles each face on its own: it projects its
Bézier points, shades its two corners, sorts it among every other mobject by its centre and issues
a separate Cairo path. With a 48x48 grid that is 2304 trips through Manim's per-mobject code and
close to a second per 1080p frame.

:class:`FastSurface` is one mobject that holds the whole vertex grid as its points. The camera
:class:`FastThreeDCamera` draws it with whole-array numpy work per frame:

1. project every vertex at once (:func:`project`, the same perspective as
   :meth:`ThreeDCamera.project_points <manim.camera.three_d_camera.ThreeDCamera.project_points>`);
2. shade every face at once with Manim's light model (:func:`shade`, the formula of
   :func:`manim.utils.color.get_shaded_rgb`: :math:`c + \\tfrac12 (n \\cdot \\hat{s})^3`, halved
   when negative, with :math:`n` the face normal and :math:`\\hat{s}` the unit vector to the light);
3. sort the faces far to near by their mean camera-space depth (painter's algorithm, the key the
   stock camera uses for each face);
4. fill each face with four Cairo path calls and one fill/stroke, no Manim object in between.

Marks on the surface
--------------------
The tutorials this project replaces drew descent paths that vanished inside the surface, because a
path was sorted against the faces as one object by its centre. Here a path, a dot or a label is
registered with :meth:`FastSurface.add_overlay`; the camera then stops drawing it by itself and the
surface draws it *between its faces*, in painter's order (mode ``"on"``):

- an open stroke (a path) is cut into its Bézier pieces; a filled mobject (a dot, a label) is one
  unit keyed at its centre;
- each unit is drawn right after the last face that is farther from the camera than the unit, and
  never before any face that lies within the unit's reach (half a face diagonal plus the stroke
  half-width or the dot radius) — the faces it lies on.

Mode ``"depth"`` keeps only the first rule (for free 3D objects such as an axis that passes
through the surface) and mode ``"over"`` draws after every face (lines on a flat floor).

So a mark on the visible side of the surface is drawn after every face under it and is never
hidden by the surface it lies on, while a part of the surface that really is in front of it (the
near rim of a bowl seen from low down) is still drawn later and covers it. Scenes lift such marks
slightly along the surface normal as well (:func:`lift_onto`), which keeps them above the faces
where the surface is seen edge-on. The only approximation is at a silhouette within one face of the
mark, where a fold of the surface may fail to hide it.

The faces within reach of a mark are found with a k-d tree of the face centres (one query per
frame for all the pieces of all the marks), so marks cost little more than drawing them.

Use :class:`FastThreeDScene` (or give any ``ThreeDScene`` ``camera_class=FastThreeDCamera``; the
scene class also makes sure the surface is redrawn whenever one of its overlays moves).

Speed: at 1920x1080 a 48x48 ``FastSurface`` takes about 15-25 ms a frame where the stock
``Surface`` takes 0.7-1.2 s (``bench/surface_bench.py``). Two things make the difference: no
Manim object per face, and no stroke per face — the stock surface strokes every face to hide
the hairline seams between anti-aliased neighbours, here each opaque face is grown by half a
pixel instead.

Examples
--------
.. code-block:: python

    class Bowl(FastThreeDScene):
        def construct(self):
            self.set_camera_orientation(phi=60 * DEGREES, theta=-60 * DEGREES)
            surface = FastSurface(
                lambda u, v: np.stack([u, v, (u**2 + v**2) / 4], axis=-1),
                u_range=(-2, 2), v_range=(-2, 2), resolution=32, vectorized=True,
            )
            t = np.linspace(1.5, 0.0, 50)
            on_bowl = np.stack([t, t, t**2 / 2], axis=-1)
            normals = np.stack([-t / 2, -t / 2, np.ones_like(t)], axis=-1)
            path = VMobject(stroke_color=ORANGE, stroke_width=5)
            path.set_points_as_corners(lift_onto(on_bowl, normals, 0.02))
            surface.add_overlay(path)  # drawn between the faces, never hidden by them
            self.add(surface, path)
"""

from __future__ import annotations

from scenes import patches
from scenes.fastcamera import FastThreeDCamera, FastThreeDScene
from scenes.fastmesh import FastSurface, FloatArray, OverlayMode, lift_onto, project, shade

__all__ = [
    "FastSurface",
    "FastThreeDCamera",
    "FastThreeDScene",
    "FloatArray",
    "OverlayMode",
    "lift_onto",
    "project",
    "shade",
]

patches.apply()
