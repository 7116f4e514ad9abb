"""The application around the core: voices and soundtracks, decks for slides, files for video
platforms.

Nothing here imports manim; the modules read what the renders wrote (clips, the sections
index, subtitles, narration files) and write what a viewer, a presenter or a video platform
wants:

- :mod:`gdanim.app.voice`: the voices (Piper, espeak-ng, the user's recordings, none), how a
  scene process is told which one to use, narration lines and their ids, the speech cache;
- :mod:`gdanim.app.audio`: reading clips, placing them on a track, EBU R128 loudness, muxing
  AAC into the video;
- :mod:`gdanim.app.narration`: what a narrated scene said and when (written next to its video)
  and turning that into the video's soundtrack;
- :mod:`gdanim.app.platform`: chapters, WebVTT captions, the thumbnail, and the checks that an
  upload meets the platform's recommended settings;
- :mod:`gdanim.app.deck`: a slide deck that plays in any browser, offline;
- :mod:`gdanim.app.handout`: the PDF handout, one poster frame and its text per section;
- :mod:`gdanim.app.pptx_deck`: the same deck as a PowerPoint file.
"""

from __future__ import annotations

__all__: list[str] = []
