"""The app around the core: the ``gdanim`` command, custom-video configs, rendering with manim
in subprocesses, voices and soundtracks, slide decks and files for video platforms.

Nothing here imports manim, and of the scenes only their catalog (:mod:`scenes.catalog`) and
the typed parameters a scene process is given (:mod:`scenes.params`); the scenes never import
the app (checked by ``tests/test_imports.py``).

- :mod:`gdanim.app.cli`: the command line, one module per command family (built-in scenes and
  the lecture, custom videos, slides) and what they share (one-line errors, output options);
- :mod:`gdanim.app.config`: custom videos typed on the command line or in a TOML file, checked
  before anything is rendered (limits, output paths, the view of the plane);
- :mod:`gdanim.app.render`: manim in child processes (:mod:`gdanim.app.manim_child`), several
  at once, outputs written whole or not at all, clips joined and encoded with FFmpeg;
- :mod:`gdanim.app.probe` and :mod:`gdanim.app.subtitles`: media read with PyAV, SubRip
  subtitles with ``srt``;
- :mod:`gdanim.app.voice`: the voices (Piper, espeak-ng, the user's recordings, none) and the
  speech cache; :mod:`gdanim.app.narrate`: a narrated scene's two passes (collect its lines,
  speak them, render with the speech manifest);
- :mod:`gdanim.app.audio`: reading clips, placing them on a track, EBU R128 loudness, muxing
  AAC into the video; :mod:`gdanim.app.narration`: what a narrated scene said and when
  (written next to its video) and the soundtrack made from it;
- :mod:`gdanim.app.platform`: chapters, WebVTT captions, the thumbnail, and the checks that an
  upload meets the platform's recommended settings;
- :mod:`gdanim.app.slides`, :mod:`gdanim.app.deck`, :mod:`gdanim.app.handout`,
  :mod:`gdanim.app.pptx_deck`: a slide deck from a video's sections, in a browser (offline), as
  a PDF handout and as a PowerPoint file.
"""

from __future__ import annotations

__all__: list[str] = []
