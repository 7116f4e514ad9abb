"""Benchmark: seconds of text-to-speech per second of speech, for Piper and espeak-ng.

Speaks a dozen narration lines (captions of the kind the lecture shows, with formulas and
numbers, turned into words by :func:`gdanim.speech.spoken`) with each voice into an empty
speech cache, so that every line is synthesised, then once more from the cache. Prints, per
voice: the time to load it (Piper's ONNX model; espeak-ng has none), the seconds of speech
produced, the synthesis time (including trimming and writing the cached WAV) and their ratio,
and the time of a cached line. A ratio below 1 means faster than real time. Also prints the
machine's load average, since other work on the machine slows it.

Run::

    .venv/bin/python bench/tts_bench.py
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

from gdanim.app import voice as voices
from gdanim.app.voice import Line, VoiceSettings, make_voice
from gdanim.speech import spoken

CAPTIONS = (
    "Gradient descent: how a computer walks downhill, one step at a time.",
    "Every step of gradient descent applies one rule: x ← x − η·f'(x).",
    "For L(w) = w² at w = 3.0, the slope is 6.0; with η = 0.1 the new w is 2.4.",
    "Gradient descent on f(x) = x² + 4x + 1 from x = 2.000, learning rate 0.700.",
    "With η = 0.9 the steps overshoot and the iterates oscillate around the minimum.",
    "Colour shows the height of f(x, y) = x²/20 + y²; the lines are contours.",
    "A saddle: f(x, y) = −x²/2 + y². At (0, 0) the gradient vanishes.",
    "SGD crawls at the saddle and escapes only after 137 steps.",
    "Adam scales each coordinate by a running average of its squared gradients.",
    "After 100 epochs: slope 2.992, intercept 0.137, mean squared error 0.952.",
    "Six optimizers train the same small linear model on the same mini-batches.",
    "The top three finish within 2.5e-3 of each other.",
)


def bench(name: str) -> tuple[float, float, float, list[float], float]:
    """(load s, speech s, synthesis s, per-line ratios, cached-line s) for voice ``name``."""
    lines = [Line("Bench", i, c, spoken(c)) for i, c in enumerate(CAPTIONS)]
    with tempfile.TemporaryDirectory() as cache:
        os.environ["GDANIM_CACHE_DIR"] = cache
        t0 = time.perf_counter()
        voice = make_voice(VoiceSettings(name))
        if isinstance(voice, voices.PiperVoice):
            voices._load_piper(str(voice.model), str(voice.config))
            voice.identity()  # hashes the model once per process
        load = time.perf_counter() - t0
        speech = synth = 0.0
        ratios = []
        for line in lines:
            t0 = time.perf_counter()
            said = voice.speak(line)
            dt = time.perf_counter() - t0
            speech += said.duration
            synth += dt
            ratios.append(dt / said.duration)
        t0 = time.perf_counter()
        for line in lines:
            voice.speak(line)
        cached = (time.perf_counter() - t0) / len(lines)
    return load, speech, synth, ratios, cached


def main() -> None:
    print("gdanim text-to-speech benchmark: seconds of synthesis per second of speech")
    print(f"{len(CAPTIONS)} lines; load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores")
    print(f"{'voice':<8}{'load s':>8}{'speech s':>10}{'synth s':>9}{'s per s':>9}"
          f"{'median':>8}{'worst':>7}{'cached ms':>11}")
    for name in ("piper", "espeak"):
        load, speech, synth, ratios, cached = bench(name)
        print(f"{name:<8}{load:>8.2f}{speech:>10.1f}{synth:>9.2f}{synth / speech:>9.3f}"
              f"{statistics.median(ratios):>8.3f}{max(ratios):>7.3f}{cached * 1000:>11.1f}")


if __name__ == "__main__":
    main()
