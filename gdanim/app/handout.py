"""The PDF handout of a deck: per section its poster frame and its text, on A4 pages.

Pillow composes each page as an image at 150 dpi: the deck's title and the page number at the
top, then the sections one below the other (as many as fit whole, usually three or four), each
with its slide number and title, its poster frame (the frame the slide holds) on the left half
and its notes (the narration, else the captions) beside it, set in the house font (Inter, else
DejaVu Sans, from Debian's ``fonts-inter`` and ``fonts-dejavu-core``) and made smaller only when
a section would not fit a page of its own. The pages are saved together as one multi-page PDF
(``Image.save(..., save_all=True)``). The text is part of the page image, so it prints sharply
but cannot be selected.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from gdanim.app.deck import Slide

__all__ = ["DPI", "PAGE_SIZE", "font_file", "handout_pages", "write_handout"]

#: Resolution of the pages, and an A4 page (210 x 297 mm) in pixels at it.
DPI = 150
PAGE_SIZE = (1240, 1754)
_MARGIN = 90
_INK = (20, 22, 28)
_MUTED = (95, 100, 112)
_ACCENT = (200, 130, 0)

_FALLBACK_FONTS = {
    False: ("/usr/share/fonts/opentype/inter/Inter-Regular.otf",
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    True: ("/usr/share/fonts/opentype/inter/Inter-SemiBold.otf",
           "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
}


@cache
def font_file(bold: bool = False) -> str | None:
    """Path of the house font (Inter, else DejaVu Sans), regular or semi-bold; None if neither.

    Asks fontconfig (``fc-match``) first, then looks in Debian's usual places.
    """
    exe = shutil.which("fc-match")
    for family in ("Inter", "DejaVu Sans"):
        if exe is None:
            break
        style = ":style=SemiBold" if bold and family == "Inter" else (":style=Bold" if bold
                                                                      else ":style=Regular")
        proc = subprocess.run([exe, "-f", "%{family}\n%{file}", family + style],
                              capture_output=True, text=True, check=False)
        lines = proc.stdout.splitlines()
        if proc.returncode == 0 and len(lines) >= 2 and family in lines[0] \
                and Path(lines[1]).exists():
            return lines[1]
    for path in _FALLBACK_FONTS[bold]:
        if Path(path).exists():
            return path
    return None


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_file(bold)
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
          width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        line = ""
        for word in words:
            trial = f"{line} {word}".strip()
            if draw.textlength(trial, font=font) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        if line:
            lines.append(line)
        lines.append("")  # a half line between paragraphs
    return lines[:-1]


_HEAD = 30
_GAP = 44
#: Share of the width the poster takes; the text runs beside it.
_POSTER_SHARE = 0.52
_COLUMN_GAP = 28


def _layout(draw: ImageDraw.ImageDraw, slide: Slide, width: int,
            room: int) -> tuple[int, list[str], ImageFont.FreeTypeFont | ImageFont.ImageFont, int]:
    """The block's height, its text lines, font and line step (text shrunk to fit ``room``)."""
    text = slide.notes.strip() or "(no captions in this section)"
    poster_w = round(width * _POSTER_SHARE)
    poster_h = round(poster_w * 9 / 16)
    text_w = width - poster_w - _COLUMN_GAP
    fixed = _HEAD + 18
    for size in (21, 19, 17, 15):
        font = _font(size)
        step = round(size * 1.45)
        lines = _wrap(draw, text, font, text_w)
        height = fixed + max(poster_h, _text_height(lines, step))
        if height <= room:
            return height, lines, font, step
    keep = max((room - fixed) // step - 1, 0)
    return room, [*lines[:keep], "..."], font, step


def _block(draw: ImageDraw.ImageDraw, page: Image.Image, slide: Slide, poster: Path,
           left: int, top: int, width: int,
           layout: tuple[int, list[str], ImageFont.FreeTypeFont | ImageFont.ImageFont, int]
           ) -> None:
    """Draw one section at (left, top): number and title, the poster, the text beside it."""
    _height, lines, font, step = layout
    head = _font(_HEAD, bold=True)
    draw.text((left, top), f"{slide.number}", font=head, fill=_ACCENT)
    draw.text((left + 58, top), slide.title, font=head, fill=_INK)
    y = top + _HEAD + 18
    poster_w = round(width * _POSTER_SHARE)
    poster_h = round(poster_w * 9 / 16)
    img = Image.open(poster).convert("RGB")
    scale = min(poster_w / img.width, poster_h / img.height)  # up or down, to fill the box
    img = img.resize((round(img.width * scale), round(img.height * scale)),
                     Image.Resampling.LANCZOS)
    page.paste(img, (left + (poster_w - img.width) // 2, y + (poster_h - img.height) // 2))
    x = left + poster_w + _COLUMN_GAP
    color = _INK if slide.notes.strip() else _MUTED
    for line in lines:
        draw.text((x, y - 3), line, font=font, fill=color)
        y += step if line else step // 2


def _text_height(lines: Sequence[str], step: int) -> int:
    return sum(step if line else step // 2 for line in lines)


def write_handout(slides: Sequence[Slide], posters: Sequence[Path], out: Path,
                  title: str) -> Path:
    """Write the handout PDF (see the module docstring)."""
    pages = handout_pages(slides, posters, title)
    out = Path(out)
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=float(DPI),
                  title=title, author="gdanim")
    return out


def _new_page(title: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    page = Image.new("RGB", PAGE_SIZE, "white")
    draw = ImageDraw.Draw(page)
    draw.text((_MARGIN, 50), title, font=_font(22), fill=_MUTED)
    draw.line((_MARGIN, 86, PAGE_SIZE[0] - _MARGIN, 86), fill=(210, 212, 218), width=2)
    return page, draw


_TOP = 120


def handout_pages(slides: Sequence[Slide], posters: Sequence[Path],
                  title: str) -> list[Image.Image]:
    """The handout's pages as images (A4 at :data:`DPI`).

    Sections flow down the pages, as many to a page as fit whole; a section's text is made
    smaller only when it would not fit a page of its own.
    """
    w, h = PAGE_SIZE
    width = w - 2 * _MARGIN
    room = h - _TOP - _MARGIN
    pages: list[Image.Image] = []
    page, draw = _new_page(title)
    y = _TOP
    for slide, poster in zip(slides, posters, strict=True):
        layout = _layout(draw, slide, width, room)
        if y > _TOP and y + layout[0] > h - _MARGIN:
            pages.append(page)
            page, draw = _new_page(title)
            y = _TOP
        _block(draw, page, slide, poster, _MARGIN, y, width, layout)
        y += layout[0] + _GAP
    pages.append(page)
    small = _font(22)
    for n, pg in enumerate(pages, start=1):
        d = ImageDraw.Draw(pg)
        label = f"{n} / {len(pages)}"
        d.text((w - _MARGIN - d.textlength(label, font=small), 50), label, font=small,
               fill=_MUTED)
    return pages
