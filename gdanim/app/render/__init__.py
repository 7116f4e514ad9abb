"""Render scenes with manim in subprocesses and assemble the results.

gdanim never imports manim: scenes are rendered by ``python -m manim render`` in child
processes (several at once when asked), and the finished clips are joined with ffmpeg's concat
demuxer without re-encoding. By concept:

- :mod:`~gdanim.app.render.manim`: the manim processes (:class:`RenderJob`,
  :func:`render_scene`, :func:`render_many`, :func:`terminate_renders`);
- :mod:`~gdanim.app.render.outputs`: files and folders written whole or not at all
  (:class:`OutputSet`), temporary names and what killed runs leave behind
  (:func:`clean_stale`), the build folder (:func:`build_root`);
- :mod:`~gdanim.app.render.media`: reading media (PyAV), joining, encoding, the last frame;
- :mod:`~gdanim.app.render.assemble`: the output asked for and its sidecars
  (:class:`OutputRequest`, :func:`assemble`);
- :mod:`~gdanim.app.render.base`: quality presets and :class:`RenderError`;
- :mod:`~gdanim.app.render.cluster`: the same renders on a Dask cluster, one task per scene,
  the files back as bytes (imported only when asked for, with Dask).
"""

from __future__ import annotations

from gdanim.app.render.assemble import Assembled, OutputRequest, assemble, merge_srt
from gdanim.app.render.base import (
    CLIP_ENCODER,
    FRAME_RATES,
    LOSSLESS_MASTER,
    QUALITIES,
    RenderError,
)
from gdanim.app.render.manim import (
    RenderJob,
    RenderResult,
    render_many,
    render_scene,
    run_manim,
    terminate_renders,
    warn,
)
from gdanim.app.render.media import (
    concat_videos,
    extract_last_frame,
    probe_duration,
    probe_streams,
)
from gdanim.app.render.outputs import (
    OutputSet,
    atomic_dir,
    atomic_output,
    build_root,
    clean_stale,
    run_folder,
)

__all__ = [
    "FRAME_RATES",
    "CLIP_ENCODER",
    "LOSSLESS_MASTER",
    "QUALITIES",
    "Assembled",
    "OutputRequest",
    "OutputSet",
    "RenderError",
    "RenderJob",
    "RenderResult",
    "assemble",
    "atomic_dir",
    "atomic_output",
    "build_root",
    "clean_stale",
    "concat_videos",
    "extract_last_frame",
    "merge_srt",
    "probe_duration",
    "probe_streams",
    "render_many",
    "render_scene",
    "run_folder",
    "run_manim",
    "terminate_renders",
    "warn",
]
