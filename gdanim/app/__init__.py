"""The app layer of gdanim that speaks: voices, narration scripts and soundtracks.

- :mod:`gdanim.app.voice`: the voices (Piper, espeak-ng, the user's recordings, none), how a
  scene process is told which one to use, narration lines and their ids, the speech cache;
- :mod:`gdanim.app.audio`: reading clips, placing them on a track, EBU R128 loudness, muxing
  AAC into the video;
- :mod:`gdanim.app.narration`: what a narrated scene said and when (written next to its video)
  and turning that into the video's soundtrack.

Like the rest of :mod:`gdanim`, nothing here imports manim.
"""

from __future__ import annotations

__all__: list[str] = []
