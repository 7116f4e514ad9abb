"""A narrated scene in two passes: collect its lines, speak them, then render with the speech.

Voices are the app's (:mod:`gdanim.app.voice`); a scene process never speaks. For a job with a
voice, :func:`gdanim.app.render.render_scene` calls :func:`prepare`, which

1. runs the scene in manim's dry-run mode (``--dry_run``: nothing drawn, nothing written) with
   :class:`scenes.params.SpeechParams` ``collect_to`` set: the scene writes every line it would
   say, with its id, spoken text and caption (:func:`collect_lines`); these are also the rows
   of the script to record from (:func:`gdanim.app.voice.write_script`);
2. speaks the lines with the voice (:func:`speak_lines`): several at once, each read from the
   speech cache when it was synthesised before; a recorded voice lists the lines it had no
   recording for, and gdanim warns about them;
3. returns the speech manifest (line id -> audio file and duration) that the real render
   passes to the scene, which plays each line for exactly its speech's duration.

Examples
--------
>>> from gdanim.app.voice import VoiceSettings
>>> spoken = speak_lines([Line("Demo", 0, "η = 0.05.", "eta equals zero point zero five.")],
...                      VoiceSettings("none"))
>>> clip = spoken.speech.clips["Demo-000-edae8e57"]
>>> clip.wav, clip.duration, spoken.missing
(None, 1.0, ())
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from gdanim.app.render.base import RenderError
from gdanim.app.render.manim import RenderJob, run_manim, warn
from gdanim.app.voice import RecordedVoice, Speech, VoiceError, VoiceSettings, make_voice
from scenes.params import (
    Line,
    ParamsError,
    SceneParams,
    SpeechClip,
    SpeechParams,
    read_lines,
)

__all__ = ["Spoken", "collect_lines", "missing_report", "prepare", "speak_lines"]


def collect_lines(job: RenderJob, *, media_dir: Path, config: Path | None = None
                  ) -> list[Line]:
    """The lines ``job``'s scene says, from a dry run of it (nothing is drawn or written).

    ``media_dir`` is the folder manim runs in; ``config`` a manim config file (the job's TeX
    folder). Raises :class:`~gdanim.app.render.base.RenderError` when the run fails or the
    scene is not narrated.
    """
    with tempfile.TemporaryDirectory(prefix=f"gdanim-{os.getpid()}-") as tmp:
        out = Path(tmp) / "lines.json"
        args = ["--dry_run", "-ql", "--disable_caching", "--media_dir", str(media_dir)]
        if config is not None:
            args += ["-c", str(config)]
        params = SceneParams(scene=job.params, speech=SpeechParams(collect_to=str(out)))
        run_manim(job, params, args, media_dir=media_dir, quiet=True)
        if not out.exists():
            raise RenderError(f"{job.name}: its dry run wrote no lines; only a narrated scene "
                              "(scenes.narration.NarratedScene) can be given a voice")
        try:
            return read_lines(out)
        except ParamsError as exc:
            raise RenderError(f"{job.name}: {exc}") from None


@dataclass(frozen=True)
class Spoken:
    """The speech of a scene's lines: the manifest for its render, the lines a recorded voice
    had no recording for, and the voice that read those instead."""

    speech: SpeechParams
    missing: tuple[Line, ...] = ()
    fallback: str | None = None


def speak_lines(lines: Sequence[Line], settings: VoiceSettings, *,
                workers: int | None = None) -> Spoken:
    """Speak every line with the voice of ``settings``, up to ``workers`` at once.

    Each distinct line is spoken once; synthesised speech is cached (see
    :mod:`gdanim.app.voice`). espeak-ng speaks each line in a process of its own, so its lines
    run side by side; Piper's model already uses every core, and its lines run one after the
    other.
    """
    voice = make_voice(settings)
    unique = list({line.id: line for line in lines}.values())
    count = max(1, min(workers or os.cpu_count() or 1, len(unique) or 1))
    with ThreadPoolExecutor(max_workers=count) as pool:
        speeches: list[Speech] = list(pool.map(voice.speak, unique))
    clips = {line.id: SpeechClip(None if s.wav is None else str(s.wav), s.duration, s.voice,
                                 s.fallback)
             for line, s in zip(unique, speeches, strict=True)}
    missing = tuple(line for line, s in zip(unique, speeches, strict=True) if s.fallback)
    fallback = voice.fallback.name if isinstance(voice, RecordedVoice) else None
    voice_data = json.loads(settings.to_json())
    return Spoken(SpeechParams(clips=clips, voice=voice_data), missing, fallback)


def missing_report(scene: str, spoken: Spoken) -> str | None:
    """One line naming the lines that had no recording, or ``None`` when none was missing."""
    if not spoken.missing:
        return None
    ids = ", ".join(line.id for line in spoken.missing)
    return (f"{scene}: {len(spoken.missing)} line(s) had no recording and were read by "
            f"{spoken.fallback}: {ids}")


def prepare(job: RenderJob, settings: VoiceSettings, *, media_dir: Path,
            config: Path | None = None, quiet: bool = True,
            log: Callable[[str], None] | None = None) -> tuple[SpeechParams, dict[str, float]]:
    """The first pass of a narrated job: its lines collected and spoken.

    Returns the speech manifest for the real render, and the seconds each step took
    (``collect``, ``speak``). Missing recordings are reported as a warning line.
    """
    t0 = time.monotonic()
    lines = collect_lines(job, media_dir=media_dir, config=config)
    t1 = time.monotonic()
    try:
        spoken = speak_lines(lines, settings)
    except VoiceError as exc:
        raise RenderError(f"{job.name}: {exc}") from None
    t2 = time.monotonic()
    report = missing_report(job.scene, spoken)
    if report is not None:
        warn(report)
    if log is not None and not quiet:
        log(f"{job.name}: {len(lines)} lines collected in {t1 - t0:.1f} s, spoken in "
            f"{t2 - t1:.1f} s")
    return spoken.speech, {"collect": t1 - t0, "speak": t2 - t1}
