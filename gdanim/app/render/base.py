"""What every part of rendering shares: manim's quality presets and the error they raise."""

from __future__ import annotations

__all__ = ["CLIP_ENCODER", "FRAME_RATES", "LOSSLESS_MASTER", "QUALITIES", "RenderError"]

#: manim's quality presets: flag letter -> (folder name manim writes to, description).
QUALITIES: dict[str, tuple[str, str]] = {
    "l": ("480p15", "854x480, 15 fps (preview)"),
    "m": ("720p30", "1280x720, 30 fps"),
    "h": ("1080p60", "1920x1080, 60 fps"),
    "p": ("1440p60", "2560x1440, 60 fps"),
    "k": ("2160p60", "3840x2160, 60 fps"),
}

#: Frames per second of each quality preset.
FRAME_RATES: dict[str, int] = {"l": 15, "m": 30, "h": 60, "p": 60, "k": 60}

#: manim options for the H.264 clips that are joined into the video as they are (yuv420p, CRF 23
#: as manim's default): x264's ``veryfast`` preset instead of its default ``medium``. At 1080p60
#: encoding is most of a 2D scene's render time; ``veryfast`` takes 0.62 of ``medium``'s encoder
#: time for a 19% smaller file and 1.5 dB less PSNR (``bench/results/encoder_bench_1080p60.txt``).
CLIP_ENCODER: tuple[str, ...] = ("--encoder-option", "preset=veryfast")

#: manim options for lossless RGB clips (one H.264 4:4:4 RGB stream at CRF 0), the master from
#: which publishing, WebM and GIF outputs are encoded exactly once.
LOSSLESS_MASTER: tuple[str, ...] = (
    "--video-codec", "libx264rgb", "--pixel-format", "rgb24",
    "--encoder-option", "crf=0", "--encoder-option", "preset=ultrafast",
)


class RenderError(RuntimeError):
    """A render or an assembly step failed; the message says which and why."""

