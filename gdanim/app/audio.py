r"""Audio for narrated videos: reading clips, placing them on a track, loudness, muxing.

A narrated scene leaves a list of speech clips and the times at which they start. This module
turns them into the scene's soundtrack:

1. :func:`place_clips` puts every clip (decoded to mono at 48 kHz by :func:`read_audio`) at its
   start time on a silent track exactly as long as the video, mixing where two overlap;
2. :func:`normalize_loudness` brings the track to -16 LUFS integrated loudness with its true
   peak at or below -2 dBTP (ITU-R BS.1770-4 / EBU R128, measured here with numpy and scipy:
   :func:`integrated_loudness`, :func:`true_peak`, and a look-ahead peak limiter,
   :func:`limit_true_peak`);
3. :func:`mux_audio` encodes it as AAC-LC at 48 kHz into a copy of the video (the video stream
   is copied, not re-encoded), checks that the encoded file's true peak stays at or below
   -1 dBTP (limiting the peaks further and encoding again if it does not), and renames it into
   place only when complete.

:func:`measure_file` measures a finished file independently, with ffmpeg's ``ebur128`` filter
(integrated loudness and true peak), and :func:`window_rms_dbfs` gives the level of a decoded
track in short windows; the tests use both.

Integrated loudness (BS.1770-4): the signal is K-weighted (a high shelf and a high pass), its
mean square :math:`z_j` is taken over 400 ms blocks overlapping by 75 %, each block's loudness
is :math:`l_j = -0.691 + 10 \log_{10} z_j`, blocks below -70 LUFS are dropped (absolute gate),
then those more than 10 LU below the loudness of the rest (relative gate), and

.. math::

    L_I = -0.691 + 10 \log_{10} \frac{1}{|J_g|} \sum_{j \in J_g} z_j .

Examples
--------
>>> import numpy as np
>>> rate = 48_000
>>> t = np.arange(rate * 3) / rate
>>> tone = 0.1 * np.sin(2 * np.pi * 997 * t)      # 997 Hz, -20 dBFS peak
>>> round(integrated_loudness(tone, rate), 1)     # a sine at 1 kHz reads about -3 dB below
-23.0
>>> loud = normalize_loudness(tone, rate)
>>> round(integrated_loudness(loud, rate), 1), true_peak(loud, rate) <= -2.0
(-16.0, True)
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import lfilter, resample_poly

from gdanim._typing import FloatArray

__all__ = [
    "CEILING_DBTP",
    "PEAK_LIMIT_DBTP",
    "RATE",
    "TARGET_LUFS",
    "AudioError",
    "Loudness",
    "decode_audio",
    "integrated_loudness",
    "limit_true_peak",
    "measure_file",
    "media_durations",
    "mux_audio",
    "normalize_loudness",
    "place_clips",
    "read_audio",
    "trim_silence",
    "true_peak",
    "window_rms_dbfs",
    "write_wav",
]

#: Sample rate of every track gdanim assembles (and of the AAC stream it writes).
RATE = 48_000
#: Integrated loudness of a narrated video, in LUFS (the level streaming platforms play at).
TARGET_LUFS = -16.0
#: Highest true peak of the PCM track, in dBTP: 1 dB below the -1 dBTP limit, room for the
#: overshoot of AAC encoding (about 0.5 dB on speech) and for meters that read a little high.
CEILING_DBTP = -2.0
#: Highest true peak of a delivered (AAC-encoded) soundtrack, in dBTP (EBU R128 allows -1).
PEAK_LIMIT_DBTP = -1.0
#: AAC bit rate of the narration (mono speech).
AAC_BITRATE = "128k"

# K-weighting at 48 kHz (ITU-R BS.1770-4, table 1 and table 2): a high-shelf pre-filter and
# the revised low-frequency B-curve high pass.
_SHELF_B = np.array([1.53512485958697, -2.69169618940638, 1.19839281085285])
_SHELF_A = np.array([1.0, -1.69065929318241, 0.73248077421585])
_HIGHPASS_B = np.array([1.0, -2.0, 1.0])
_HIGHPASS_A = np.array([1.0, -1.99004745483398, 0.99007225036621])
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0


class AudioError(RuntimeError):
    """A clip that cannot be read, or an ffmpeg step that failed; the message is one line."""


def _tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        raise AudioError(f"{name} was not found on PATH; run scripts/setup.sh to install it")
    return exe


# --------------------------------------------------------------------------------------------
# Reading and writing
# --------------------------------------------------------------------------------------------


def decode_audio(path: Path | str, rate: int = RATE) -> FloatArray:
    """Decode any audio file (or the audio of a video) to mono float64 samples at ``rate``.

    Uses ffmpeg, so every format it reads is accepted (WAV of any width, FLAC, MP3, AAC...).
    Several channels are averaged.
    """
    proc = subprocess.run(
        [_tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path), "-vn", "-ac", "1",
         "-ar", str(rate), "-f", "f32le", "-"],
        capture_output=True, check=False,
    )
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["ffmpeg failed"]
        raise AudioError(f"cannot read audio from {path}: {detail[-1]}")
    return np.frombuffer(proc.stdout, dtype="<f4").astype(np.float64)


def read_audio(path: Path | str, rate: int = RATE) -> FloatArray:
    """Mono float64 samples of an audio file at ``rate``.

    16-bit PCM WAV files (what the voices write) are read directly and resampled with a
    polyphase filter; anything else goes through :func:`decode_audio`.
    """
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as w:
            if w.getsampwidth() != 2 or w.getcomptype() != "NONE":
                raise wave.Error("not 16-bit PCM")
            channels, native = w.getnchannels(), w.getframerate()
            data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    except (wave.Error, EOFError):
        return decode_audio(path, rate)
    except OSError as exc:
        raise AudioError(f"cannot read audio from {path}: {exc.strerror or exc}") from None
    samples = data.reshape(-1, channels).mean(axis=1) / 32768.0
    if native != rate:
        g = math.gcd(rate, native)
        samples = resample_poly(samples, rate // g, native // g)
    return np.asarray(samples, dtype=np.float64)


def write_wav(path: Path | str, samples: FloatArray, rate: int) -> Path:
    """Write mono samples in [-1, 1] as a 16-bit PCM WAV file, whole or not at all."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = np.clip(np.round(np.asarray(samples) * 32767.0), -32768, 32767).astype("<i2")
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp.wav", dir=path.parent)
    os.close(fd)
    try:
        with wave.open(name, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(int(rate))
            w.writeframes(pcm.tobytes())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return path


def trim_silence(
    samples: FloatArray, rate: int, threshold_db: float = -40.0, margin: float = 0.04
) -> FloatArray:
    """Cut the silence before the first and after the last sound, keeping ``margin`` seconds.

    A 10 ms window counts as sound when its RMS is within ``threshold_db`` of the loudest
    window. All-silent input comes back as it is.

    Examples
    --------
    >>> x = np.concatenate([np.zeros(4800), 0.5 * np.ones(480), np.zeros(9600)])
    >>> len(trim_silence(x, 48_000, margin=0.01))   # 10 ms + the sound + 10 ms
    1440
    """
    x = np.asarray(samples, dtype=np.float64)
    hop = max(int(rate * 0.01), 1)
    n = len(x) // hop
    if n == 0:
        return x
    rms = np.sqrt(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1))
    top = float(rms.max())
    if top <= 0.0:
        return x
    loud = np.flatnonzero(rms >= top * 10 ** (threshold_db / 20))
    keep = int(margin * rate)
    start = max(int(loud[0]) * hop - keep, 0)
    end = min((int(loud[-1]) + 1) * hop + keep, len(x))
    return x[start:end]


# --------------------------------------------------------------------------------------------
# Assembling a track
# --------------------------------------------------------------------------------------------


def place_clips(
    clips: Sequence[tuple[float, FloatArray]], duration: float, rate: int = RATE
) -> FloatArray:
    """A silent track of ``duration`` seconds with each ``(start, samples)`` clip added at its
    start (rounded to the nearest sample); overlapping clips are summed, and whatever runs past
    the end is cut.

    Examples
    --------
    >>> track = place_clips([(0.5, np.ones(10)), (0.5, np.ones(4))], duration=1.0, rate=100)
    >>> len(track), track[49:56].tolist()
    (100, [0.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0])
    """
    total = max(int(round(duration * rate)), 0)
    track = np.zeros(total, dtype=np.float64)
    for start, samples in clips:
        if start < 0:
            raise AudioError(f"a clip cannot start before the video ({start:.3f} s)")
        first = int(round(start * rate))
        if first >= total:
            continue
        piece = np.asarray(samples, dtype=np.float64)[: total - first]
        track[first: first + len(piece)] += piece
    return track


# --------------------------------------------------------------------------------------------
# Loudness (ITU-R BS.1770-4, EBU R128)
# --------------------------------------------------------------------------------------------


def _k_weighted(samples: FloatArray, rate: int) -> FloatArray:
    if rate != RATE:
        raise AudioError(f"loudness is measured at {RATE} Hz, got {rate} Hz")
    y = lfilter(_SHELF_B, _SHELF_A, np.asarray(samples, dtype=np.float64))
    return np.asarray(lfilter(_HIGHPASS_B, _HIGHPASS_A, y), dtype=np.float64)


def _block_powers(samples: FloatArray, rate: int) -> FloatArray:
    """Mean square of the K-weighted signal over 400 ms blocks every 100 ms."""
    y = _k_weighted(samples, rate)
    block, step = int(0.4 * rate), int(0.1 * rate)
    if len(y) < block:
        return np.zeros(0)
    cumulative = np.concatenate([[0.0], np.cumsum(y * y)])
    starts = np.arange(0, len(y) - block + 1, step)
    return np.asarray((cumulative[starts + block] - cumulative[starts]) / block)


def integrated_loudness(samples: FloatArray, rate: int = RATE) -> float:
    """Integrated loudness of a mono track in LUFS (``-inf`` when nothing passes the gates).

    See the module docstring for the definition (BS.1770-4 with both gates).
    """
    z = _block_powers(samples, rate)
    with np.errstate(divide="ignore"):
        block_loudness = -0.691 + 10 * np.log10(z)
    z = z[block_loudness > _ABSOLUTE_GATE]
    if z.size == 0:
        return -math.inf
    relative = -0.691 + 10 * math.log10(float(z.mean())) + _RELATIVE_GATE
    with np.errstate(divide="ignore"):
        z = z[-0.691 + 10 * np.log10(z) > relative]
    if z.size == 0:
        return -math.inf
    return -0.691 + 10 * math.log10(float(z.mean()))


def _oversampled_peaks(samples: FloatArray) -> FloatArray:
    """Per sample, the largest magnitude among the sample and the 4x-oversampled points after
    it (the inter-sample peaks of BS.1770-4 annex 2)."""
    x = np.asarray(samples, dtype=np.float64)
    up = np.asarray(resample_poly(x, 4, 1)[: 4 * len(x)], dtype=np.float64)
    peaks: FloatArray = np.maximum(np.abs(up).reshape(-1, 4).max(axis=1), np.abs(x))
    return peaks


def true_peak(samples: FloatArray, rate: int = RATE) -> float:
    """True peak of a track in dBTP, from 4x oversampling (``-inf`` for silence)."""
    if len(samples) == 0:
        return -math.inf
    peak = float(_oversampled_peaks(samples).max())
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def limit_true_peak(
    samples: FloatArray, rate: int = RATE, ceiling_db: float = CEILING_DBTP,
    window: float = 0.008,
) -> FloatArray:
    """Bring every true peak down to ``ceiling_db`` with a smooth look-ahead gain.

    The gain each sample needs (``ceiling / peak``, at most 1) is spread by a running minimum
    over ``window`` seconds either side and then averaged over the same span, so the gain falls
    before a peak and recovers after it without steps, and never exceeds what any sample in
    reach needs. Samples far from a peak are untouched.
    """
    x = np.asarray(samples, dtype=np.float64)
    if len(x) == 0:
        return x
    ceiling = 10 ** (ceiling_db / 20)
    for _ in range(4):
        peaks = _oversampled_peaks(x)
        if float(peaks.max()) <= ceiling * (1 + 1e-9):
            break
        # aim 0.2 dB lower: the gain varies between samples, which moves inter-sample peaks
        need = np.minimum(1.0, ceiling * 10 ** (-0.2 / 20) / np.maximum(peaks, 1e-12))
        x = x * np.minimum(_spread_gain(need, rate, window), need)
    return x


def _spread_gain(need: FloatArray, rate: int, window: float, slack: float = 0.0
                 ) -> FloatArray:
    """A smooth gain at or below ``need`` (the gain each sample needs, at most 1).

    A running minimum over ``window + slack`` seconds either side, then a running mean over
    ``window`` either side: the gain falls before a peak and recovers after it without steps,
    and at every sample it is at most what any sample within ``slack`` seconds needs (so a
    ``need`` measured up to ``slack`` seconds off, as on a decoded AAC stream, is still met).
    """
    half = max(int(window * rate), 1)
    reach = half + int(slack * rate)
    gain = minimum_filter1d(need, size=2 * reach + 1, mode="nearest")
    smooth: FloatArray = np.minimum(uniform_filter1d(gain, size=2 * half + 1, mode="nearest"),
                                    1.0)
    return smooth


def normalize_loudness(
    samples: FloatArray, rate: int = RATE, target: float = TARGET_LUFS,
    ceiling_db: float = CEILING_DBTP,
) -> FloatArray:
    """Scale a track to ``target`` LUFS integrated, limiting true peaks to ``ceiling_db``.

    A track with nothing above the gates (silence) comes back unchanged. The result is within
    0.2 LU of the target unless the limiter had to take more than that, which it does not
    for speech at -16 LUFS and a -2 dBTP ceiling.
    """
    x = np.asarray(samples, dtype=np.float64)
    for _ in range(6):
        loudness = integrated_loudness(x, rate)
        if not math.isfinite(loudness):
            return x
        if abs(loudness - target) <= 0.1 and true_peak(x, rate) <= ceiling_db + 1e-6:
            break
        x = limit_true_peak(x * 10 ** ((target - loudness) / 20), rate, ceiling_db)
    return x


def window_rms_dbfs(
    samples: FloatArray, rate: int, start: float, end: float, window: float = 0.1
) -> FloatArray:
    """RMS level in dBFS (full-scale sine = -3 dBFS, full-scale square = 0) of consecutive
    ``window``-second windows between ``start`` and ``end`` seconds; silence is ``-inf``.

    Examples
    --------
    >>> x = np.concatenate([np.zeros(100), 0.5 * np.ones(100)])
    >>> window_rms_dbfs(x, 100, 0.0, 2.0, window=1.0).round(2).tolist()
    [-inf, -6.02]
    """
    hop = max(int(round(window * rate)), 1)
    a = max(int(round(start * rate)), 0)
    b = min(int(round(end * rate)), len(samples))
    n = max((b - a) // hop, 0)
    if n == 0:
        return np.zeros(0)
    blocks = np.asarray(samples[a: a + n * hop], dtype=np.float64).reshape(n, hop)
    with np.errstate(divide="ignore"):
        return np.asarray(10 * np.log10(np.mean(blocks**2, axis=1)))


@dataclass(frozen=True)
class Loudness:
    """A file's loudness as ffmpeg's EBU R128 scanner measures it."""

    integrated: float
    """Integrated loudness, LUFS."""
    true_peak: float
    """Highest true peak over all channels, dBTP."""
    loudness_range: float
    """Loudness range, LU."""


_SUMMARY = re.compile(
    r"Integrated loudness:\s*I:\s*(?P<i>-?[\d.]+|-inf)\s*LUFS.*?"
    r"Loudness range:\s*LRA:\s*(?P<lra>-?[\d.]+)\s*LU.*?"
    r"True peak:\s*Peak:\s*(?P<tp>-?[\d.]+|-inf)\s*dBFS",
    re.DOTALL,
)


def measure_file(path: Path | str) -> Loudness:
    """Integrated loudness, true peak and loudness range of a file's audio (ffmpeg ``ebur128``
    with ``peak=true``), independent of the numpy measurement used to normalise."""
    proc = subprocess.run(
        [_tool("ffmpeg"), "-nostats", "-nostdin", "-hide_banner", "-i", str(path), "-vn",
         "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=False,
    )
    summary = proc.stderr[proc.stderr.rfind("Summary:"):] if "Summary:" in proc.stderr else ""
    m = _SUMMARY.search(summary)
    if proc.returncode != 0 or m is None:
        raise AudioError(f"ffmpeg could not measure the loudness of {path}")

    def number(text: str) -> float:
        return -math.inf if text == "-inf" else float(text)

    return Loudness(number(m["i"]), number(m["tp"]), number(m["lra"]))


# --------------------------------------------------------------------------------------------
# Muxing
# --------------------------------------------------------------------------------------------


def media_durations(path: Path | str) -> dict[str, float]:
    """Durations in seconds of a file's first video and first audio stream (keys ``video``,
    ``audio``; a missing stream is left out), read with PyAV
    (:func:`gdanim.app.probe.stream_durations`)."""
    from gdanim.app import probe

    try:
        return probe.stream_durations(path)
    except probe.ProbeError as exc:
        raise AudioError(str(exc)) from None


def _encode(video: Path, samples: FloatArray, partial: Path, rate: int, bitrate: str,
            codec: str = "aac", channels: int = 1,
            container: Sequence[str] = ("-movflags", "+faststart")) -> None:
    raw = partial.with_name("track.f32")
    np.asarray(samples, dtype="<f4").tofile(raw)
    audio = ["-c:a", "aac", "-profile:a", "aac_low"] if codec == "aac" else ["-c:a", codec]
    proc = subprocess.run(
        [_tool("ffmpeg"), "-y", "-v", "error", "-nostdin", "-i", str(video),
         "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", str(raw),
         "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy",
         *audio, "-b:a", bitrate, "-ar", str(rate), "-ac", str(channels),
         *container, str(partial)],
        capture_output=True, text=True, check=False,
    )
    raw.unlink(missing_ok=True)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        raise AudioError(f"muxing audio into {partial.name} failed: "
                         f"{lines[-1] if lines else 'ffmpeg failed'}")


def mux_audio(
    video: Path | str, samples: FloatArray, out: Path | str, rate: int = RATE,
    bitrate: str = AAC_BITRATE, peak_limit: float | None = PEAK_LIMIT_DBTP, *,
    codec: str = "aac", channels: int = 1,
    container: Sequence[str] = ("-movflags", "+faststart"),
) -> Path:
    """Write ``out``: the video stream of ``video`` (copied) with ``samples`` as its only audio
    stream, AAC-LC at ``rate`` Hz, mono, ``+faststart``.

    AAC encoding moves peaks: by about 0.5 dB on speech, and by 2 dB or more where speech
    starts within the first frames of the stream (a section clip cut in the middle of a
    sentence). With ``peak_limit`` the written file is decoded and its true peaks measured;
    while the highest is above ``peak_limit - 0.2`` dBTP the track is changed and encoded
    again. The first three times it is turned down only where the encoded file overshoots
    (to ``peak_limit - 0.5`` under the decoded peak there, spread smoothly over 20 ms and over
    the encoder's 1024-sample priming offset), so that one overshoot costs a syllable a few
    dB and not the whole track its loudness; on sound where the encoder keeps overshooting
    somewhere new (a full-scale square wave), twice more, every peak is limited by the excess.

    ``codec`` is ``aac`` (AAC-LC) or another ffmpeg audio encoder (``libopus`` for WebM),
    ``channels`` the channels written (the mono track is copied to each), ``container`` the
    muxer's options (for example those of a video platform's upload settings).

    The track should be as long as the video (see :func:`place_clips`). ``out`` (which may be
    ``video`` itself) is replaced only when complete; on failure nothing is left behind.
    """
    video, out = Path(video), Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    x = np.asarray(samples, dtype=np.float64)
    with tempfile.TemporaryDirectory(prefix=".gdanim-audio-", dir=out.parent) as tmp:
        partial = Path(tmp) / f"partial{out.suffix or '.mp4'}"
        _encode(video, x, partial, rate, bitrate, codec, channels, container)
        for attempt in range(5):
            if peak_limit is None or rate != RATE:
                break
            delivered = _oversampled_peaks(decode_audio(partial, rate))
            highest = 20 * math.log10(max(float(delivered.max(initial=0.0)), 1e-12))
            if highest <= peak_limit - 0.2:
                break
            if attempt < 3:
                # turn down where the encoded file overshoots, and only there
                need = np.ones(len(x))
                n = min(len(x), len(delivered))
                need[:n] = np.minimum(
                    1.0, 10 ** ((peak_limit - 0.5) / 20) / np.maximum(delivered[:n], 1e-12))
                x = x * _spread_gain(need, rate, 0.02, slack=1024 / RATE)
            else:
                # the encoder keeps overshooting somewhere new: lower the ceiling everywhere
                x = limit_true_peak(x, rate, true_peak(x, rate) - (highest - peak_limit) - 0.4)
            _encode(video, x, partial, rate, bitrate, codec, channels, container)
        os.replace(partial, out)
    return out
