"""The deck as a PowerPoint file: one slide per section, its clip embedded as a movie.

Each slide (16:9) has the section's readable title, the clip embedded as an MP4 movie whose
poster frame is the slide's hold frame (see :func:`gdanim.app.deck.choose_hold`), and the
section's notes (narration, else captions) in the slide's notes. Written with python-pptx; the
slides use the house background and text colours.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from gdanim.app.deck import Slide

__all__ = ["write_pptx"]

_BACKGROUND = RGBColor.from_string("0F1117")  # type: ignore[no-untyped-call]
_TEXT = RGBColor.from_string("ECEFF4")  # type: ignore[no-untyped-call]
_TITLE_ONLY = 5  # the "Title Only" layout of python-pptx's default template


def write_pptx(slides: Sequence[Slide], posters: Sequence[Path], out: Path, title: str) -> Path:
    """Write ``slides`` (with their poster frames ``posters``) as a ``.pptx`` file ``out``."""
    prs = Presentation()
    sw, sh = int(Inches(13.333)), int(Inches(7.5))  # 16:9
    prs.slide_width = Emu(sw)
    prs.slide_height = Emu(sh)
    prs.core_properties.title = title
    prs.core_properties.author = "gdanim"
    layout = prs.slide_layouts[_TITLE_ONLY]
    margin = int(Inches(0.3))
    title_h = int(Inches(0.9))
    for slide, poster in zip(slides, posters, strict=True):
        page = prs.slides.add_slide(layout)
        fill = page.background.fill
        fill.solid()
        fill.fore_color.rgb = _BACKGROUND
        head = page.shapes.title
        assert head is not None
        head.left, head.top = Emu(margin), Emu(int(Inches(0.15)))
        head.width, head.height = Emu(sw - 2 * margin), Emu(title_h)
        head.text = slide.title
        for para in head.text_frame.paragraphs:
            for run in para.runs:
                run.font.size = Pt(30)
                run.font.color.rgb = _TEXT
                run.font.name = "Inter"
        top = int(Inches(0.15)) + title_h + int(Inches(0.1))
        room_h = sh - top - margin
        room_w = sw - 2 * margin
        h = min(room_h, room_w * 9 // 16)
        w = h * 16 // 9
        page.shapes.add_movie(str(slide.clip), Emu((sw - w) // 2), Emu(top), Emu(w), Emu(h),
                              poster_frame_image=str(poster), mime_type="video/mp4")
        notes = page.notes_slide.notes_text_frame
        assert notes is not None
        notes.text = slide.notes
    out = Path(out)
    prs.save(str(out))
    return out
