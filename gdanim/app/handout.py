"""The PDF handout of a deck: per section its poster frame and its text, two to an A4 page.

Pillow composes each page as an image at 150 dpi: the deck's title and the page number at the
top, then for each of two sections the slide number and title, the poster frame (the frame the
slide holds) 16:9 across the page, and the section's notes (its narration, else its captions)
set in the house font (Inter, else DejaVu Sans, from Debian's ``fonts-inter`` and
``fonts-dejavu-core``), wrapped to the width and made smaller when it would not fit. The pages
are saved together as one multi-page PDF (``Image.save(..., save_all=True)``). The text is part
of the page image, so it prints sharply but cannot be selected.
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
    return lines


def _block(draw: ImageDraw.ImageDraw, slide: Slide, poster: Path, box: tuple[int, int, int, int],
           page: Image.Image) -> None:
    """Draw one section into ``box`` (left, top, right, bottom)."""
    left, top, right, bottom = box
    width = right - left
    head = _font(34, bold=True)
    draw.text((left, top), f"{slide.number}", font=head, fill=_ACCENT)
    draw.text((left + 60, top), slide.title, font=head, fill=_INK)
    y = top + 56
    img = Image.open(poster).convert("RGB")
    h = round(width * 9 / 16)
    scale = min(width / img.width, h / img.height)  # up or down, to fill the width
    img = img.resize((round(img.width * scale), round(img.height * scale)),
                     Image.Resampling.LANCZOS)
    page.paste(img, (left + (width - img.width) // 2, y + (h - img.height) // 2))
    y += h + 22
    text = slide.notes.strip() or "(no captions in this section)"
    room = bottom - y
    for size in (25, 22, 19, 17, 15):
        font = _font(size)
        lines = _wrap(draw, text, font, width)
        step = round(size * 1.42)
        if len(lines) * step <= room:
            break
    else:
        keep = max(room // step - 1, 0)
        lines = lines[:keep] + ["..."]
    for line in lines:
        draw.text((left, y), line, font=font, fill=_INK if slide.notes.strip() else _MUTED)
        y += step


def write_handout(slides: Sequence[Slide], posters: Sequence[Path], out: Path,
                  title: str) -> Path:
    """Write the handout PDF: two sections per A4 page (see the module docstring)."""
    pages = handout_pages(slides, posters, title)
    out = Path(out)
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=float(DPI),
                  title=title, author="gdanim")
    return out


def handout_pages(slides: Sequence[Slide], posters: Sequence[Path],
                  title: str) -> list[Image.Image]:
    """The handout's pages as images (A4 at :data:`DPI`), two sections to a page."""
    pages: list[Image.Image] = []
    w, h = PAGE_SIZE
    per_page = 2
    total = (len(slides) + per_page - 1) // per_page
    for p in range(total):
        page = Image.new("RGB", PAGE_SIZE, "white")
        draw = ImageDraw.Draw(page)
        small = _font(22)
        draw.text((_MARGIN, 50), title, font=small, fill=_MUTED)
        label = f"{p + 1} / {total}"
        draw.text((w - _MARGIN - draw.textlength(label, font=small), 50), label, font=small,
                  fill=_MUTED)
        draw.line((_MARGIN, 86, w - _MARGIN, 86), fill=(210, 212, 218), width=2)
        usable = (h - 110 - _MARGIN) // per_page
        for k in range(per_page):
            i = p * per_page + k
            if i >= len(slides):
                break
            top = 110 + k * usable + 20
            _block(draw, slides[i], posters[i], (_MARGIN, top, w - _MARGIN, top + usable - 40),
                   page)
        pages.append(page)
    return pages
