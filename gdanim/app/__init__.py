"""The application around the core: decks for slides, and files for video platforms.

Nothing here imports manim; the modules read what the renders wrote (clips, the sections
index, subtitles) and write what a presenter or a video platform wants:

- :mod:`gdanim.app.platform`: chapters, WebVTT captions, the thumbnail, and the checks that an
  upload meets the platform's recommended settings;
- :mod:`gdanim.app.deck`: a slide deck that plays in any browser, offline;
- :mod:`gdanim.app.handout`: the PDF handout, one poster frame and its text per section;
- :mod:`gdanim.app.pptx_deck`: the same deck as a PowerPoint file.
"""

from __future__ import annotations

__all__: list[str] = []
