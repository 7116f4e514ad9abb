"""``gdanim slides``: a deck (browser folder or PowerPoint file) from a video's sections.

:func:`make_deck` writes the deck from an output set rendered with ``--sections`` (see
:mod:`gdanim.app.deck`); the command renders that set first (into a temporary folder, encoded as
for ``--publish`` so that every clip plays in every browser) unless ``--from`` names one that
exists. The deck appears only when it is complete: a folder is written under a temporary name
and renamed, a ``.pptx`` likewise.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from gdanim.app import render as rd
from gdanim.app.deck import SlideRules, load_slides, write_html_deck, write_poster

__all__ = ["DECK_FORMATS", "make_deck"]

#: Deck formats and what ``-o`` names for each: a folder, or a ``.pptx`` file.
DECK_FORMATS: dict[str, str] = {"html": "", "pptx": ".pptx"}


def make_deck(video: Path, out: Path, *, fmt: str = "html", title: str,
              rules: SlideRules | None = None,
              log: Callable[[str], None] | None = None) -> Path:
    """Write the deck of ``video``'s sections to ``out`` (a folder for html, else a file).

    Returns the deck's main file: ``out/index.html`` or ``out`` itself.
    """
    say = log or (lambda _msg: None)
    slides = load_slides(video, rules)
    loops = [str(s.number) for s in slides if s.loop]
    say(f"{len(slides)} slides; " + (f"looping: {', '.join(loops)}; " if loops else "")
        + "the others play once and hold")
    if fmt == "html":
        with rd.atomic_dir(out) as tmp:
            write_html_deck(slides, tmp, title)
        return out / "index.html"
    if fmt == "pptx":
        from gdanim.app.pptx_deck import write_pptx

        with tempfile.TemporaryDirectory() as posters_dir, rd.atomic_output(out) as tmp:
            posters = [write_poster(s, Path(posters_dir) / f"{s.slug}.jpg") for s in slides]
            write_pptx(slides, posters, tmp, title)
        return out
    raise ValueError(f"no deck format {fmt!r}; use html or pptx")
