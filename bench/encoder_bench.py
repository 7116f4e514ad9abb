"""What an x264 preset costs and saves on gdanim's frames: encode time, file size, fidelity.

Renders a few lecture scenes once as lossless masters (RGB, what ``--publish`` renders), then
encodes their frames as manim encodes a clip (PyAV, libx264, yuv420p, crf 23, the frame rate
of the quality) once per preset, in this process, one after the other, so the figures can be
compared side by side. For each preset and scene it prints the encoder's wall seconds per
second of video, the bit rate, and the PSNR and SSIM of the decoded clip against the lossless
frames (both taken to RGB), and the encoder's seconds per second of a held frame (the scene's
last, encoded 10 s long as a ``wait`` is). ``medium`` is x264's default and manim's. Run::

    .venv/bin/python bench/encoder_bench.py                    # 1080p60, two scenes
    .venv/bin/python bench/encoder_bench.py -q l --scenes TitleCard
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import deque
from fractions import Fraction
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gdanim.app import render as rd  # noqa: E402
from gdanim.app.render.base import FRAME_RATES  # noqa: E402
from scenes import catalog  # noqa: E402

PRESETS = ("medium", "fast", "faster", "veryfast", "superfast")


def master(scene: str, quality: str, media: Path) -> Path:
    """A lossless render of ``scene``."""
    job = rd.RenderJob.of(catalog.SCENES[scene])
    return rd.render_scene(job, quality=quality, media_dir=media, lossless=True,
                           quiet=True).video


def encode(src: Path, out: Path, preset: str, fps: int) -> float:
    """Encode the frames of ``src`` into ``out`` as manim does, with ``preset``; the seconds
    spent in the encoder (decoding ``src`` not counted)."""
    spent = 0.0
    with av.open(str(src)) as inp, av.open(str(out), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps,
                                      options={"crf": "23", "preset": preset})
        stream.pix_fmt = "yuv420p"
        first = True
        for i, decoded in enumerate(inp.decode(video=0)):
            pixels = decoded.to_ndarray(format="rgba")
            t0 = time.perf_counter()
            if first:
                stream.width, stream.height = decoded.width, decoded.height
                first = False
            frame = av.VideoFrame.from_ndarray(pixels, format="rgba")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
            spent += time.perf_counter() - t0
        t0 = time.perf_counter()
        for packet in stream.encode():
            container.mux(packet)
        spent += time.perf_counter() - t0
    return spent


def still(src: Path, out: Path, preset: str, fps: int, seconds: float = 10.0) -> float:
    """Encoder seconds for holding the last frame of ``src`` for ``seconds``, as a ``wait``
    with nothing moving is written (the frame converted once, then encoded at every tick)."""
    with av.open(str(src)) as inp:
        frame = deque(inp.decode(video=0), maxlen=1)[0].reformat(format="yuv420p")
    t0 = time.perf_counter()
    with av.open(str(out), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps,
                                      options={"crf": "23", "preset": preset})
        stream.pix_fmt = "yuv420p"
        stream.width, stream.height = frame.width, frame.height
        for i in range(int(seconds * fps)):
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return time.perf_counter() - t0


def fidelity(clip: Path, reference: Path) -> tuple[float, float]:
    """PSNR (dB) and SSIM of ``clip`` against ``reference``, both in RGB."""
    proc = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-i", str(clip), "-i", str(reference),
         "-lavfi", "[0:v]format=gbrp[a];[1:v]format=gbrp[b];[a][b]psnr;"
                   "[0:v]format=gbrp[c];[1:v]format=gbrp[d];[c][d]ssim",
         "-f", "null", "-"], capture_output=True, text=True, check=True)
    psnr = re.search(r"PSNR .*?average:([\d.]+|inf)", proc.stderr)
    ssim = re.search(r"SSIM .*?All:([\d.]+)", proc.stderr)
    assert psnr and ssim, proc.stderr[-500:]
    return float(psnr[1]), float(ssim[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quality", default="h", choices=["l", "m", "h"])
    parser.add_argument("--scenes", nargs="+", default=["UpdateRule", "OptimizerRace"])
    parser.add_argument("--save", action="store_true",
                        help="also write bench/results/encoder_bench_<size>.txt")
    args = parser.parse_args()
    fps = FRAME_RATES[args.quality]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    rows = [f"# .venv/bin/python bench/encoder_bench.py -q {args.quality} --scenes "
            f"{' '.join(args.scenes)}   (at commit {commit}, {os.cpu_count()} cores, load "
            f"average {os.getloadavg()[0]:.1f} at start)",
            f"{'scene':<16} {'preset':<10} {'enc s/s':>8} {'kbit/s':>8} {'PSNR dB':>8} "
            f"{'SSIM':>7} {'still s/s':>9}"]
    print("\n".join(rows), flush=True)
    with tempfile.TemporaryDirectory(prefix="gdanim-encoder-bench-") as tmp:
        for scene in args.scenes:
            src = master(scene, args.quality, Path(tmp) / "media")
            seconds = rd.probe_duration(src)
            for preset in PRESETS:
                out = Path(tmp) / f"{scene}-{preset}.mp4"
                spent = encode(src, out, preset, fps)
                psnr, ssim = fidelity(out, src)
                kbps = out.stat().st_size * 8 / 1000 / seconds
                held = still(src, Path(tmp) / "still.mp4", preset, fps) / 10.0
                line = (f"{scene:<16} {preset:<10} {spent / seconds:8.3f} {kbps:8.0f} "
                        f"{psnr:8.2f} {ssim:7.4f} {held:9.3f}")
                rows.append(line)
                print(line, flush=True)
    if args.save:
        path = ROOT / "bench" / "results" / f"encoder_bench_{rd.QUALITIES[args.quality][0]}.txt"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
