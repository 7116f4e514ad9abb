"""Helpers for scene tests: render in-process at low quality and compare golden frames.

Golden frames are the last frame of each scene at 854x480, stored as PNG in
``tests/scenes/golden``. A frame is accepted when it is close to the stored one; a real visual
change fails. To regenerate on purpose::

    GDANIM_UPDATE_GOLDEN=1 .venv/bin/pytest tests/scenes

A missing golden frame is a failure, never a skip.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from manim import Scene, tempconfig
from PIL import Image

GOLDEN_DIR = Path(__file__).parent / "golden"
#: Largest accepted mean absolute difference, in 0-255 units over RGB.
MEAN_TOLERANCE = 1.5
#: Largest accepted share of pixels whose channels differ by more than 48.
PIXEL_TOLERANCE = 0.004


def _config(tmp: Path, **overrides: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "quality": "low_quality",
        "pixel_width": 854,
        "pixel_height": 480,
        "frame_rate": 15,
        "media_dir": str(tmp),
        "disable_caching": True,
        "write_to_movie": False,
        "save_last_frame": False,
        "verbosity": "WARNING",
        "progress_bar": "none",
    }
    cfg.update(overrides)
    return cfg


@pytest.fixture
def render_scene(tmp_path: Path) -> Callable[..., tuple[Scene, np.ndarray]]:
    """Render a scene class in-process and return ``(scene, last_frame_rgb)``.

    By default animations are skipped (only the final state is drawn), which is what golden
    frames and content assertions need; pass ``skip_animations=False`` to play everything.
    """

    def run(scene_cls: type[Scene], skip_animations: bool = True, **overrides: Any) -> tuple[
        Scene, np.ndarray
    ]:
        with tempconfig(_config(tmp_path, skip_animations=skip_animations, **overrides)):
            scene = scene_cls(skip_animations=skip_animations)
            scene.render()
            frame = np.array(scene.renderer.get_frame())[..., :3].copy()
        return scene, frame

    return run


_RENDERED: dict[type[Scene], tuple[Any, np.ndarray]] = {}


@pytest.fixture
def rendered(
    render_scene: Callable[..., tuple[Scene, np.ndarray]],
) -> Callable[[type[Scene]], tuple[Any, np.ndarray]]:
    """Each scene rendered once per test session (animations skipped), shared by every test
    that asks for it: ``scene, frame = rendered(SceneClass)``."""

    def get(cls: type[Scene]) -> tuple[Any, np.ndarray]:
        if cls not in _RENDERED:
            _RENDERED[cls] = render_scene(cls)
        return _RENDERED[cls]

    return get


def assert_golden(name: str, frame: np.ndarray) -> None:
    """Compare ``frame`` (H x W x 3 uint8) with ``golden/<name>.png``."""
    path = GOLDEN_DIR / f"{name}.png"
    if os.environ.get("GDANIM_UPDATE_GOLDEN") == "1":
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        Image.fromarray(frame.astype(np.uint8)).save(path)
        return
    assert path.exists(), (
        f"golden frame {path.name} is missing; "
        "create it with GDANIM_UPDATE_GOLDEN=1 pytest tests/scenes"
    )
    want = np.asarray(Image.open(path).convert("RGB")).astype(np.int16)
    got = frame.astype(np.int16)
    assert got.shape == want.shape, f"{name}: frame shape {got.shape} != golden {want.shape}"
    diff = np.abs(got - want)
    mean = float(diff.mean())
    share = float((diff.max(axis=-1) > 48).mean())
    if mean > MEAN_TOLERANCE or share > PIXEL_TOLERANCE:
        out = Path(os.environ.get("TMPDIR", "/tmp")) / f"gdanim-golden-{name}"
        out.mkdir(parents=True, exist_ok=True)
        Image.fromarray(frame.astype(np.uint8)).save(out / "got.png")
        Image.fromarray(np.clip(diff * 4, 0, 255).astype(np.uint8)).save(out / "diff.png")
        raise AssertionError(
            f"{name}: last frame differs from golden (mean abs diff {mean:.2f} > {MEAN_TOLERANCE} "
            f"or {share:.2%} pixels changed > {PIXEL_TOLERANCE:.2%}); see {out}"
        )


@pytest.fixture
def golden() -> Callable[[str, np.ndarray], None]:
    """The golden-frame comparison, as a fixture: ``golden("SceneName", frame)``."""
    return assert_golden


# --------------------------------------------------------------------------------------------
# The lecture's timing, from one dry run of every lecture scene (no frames drawn)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimedScene:
    """One lecture scene as a dry run times it: its length and its captions ``(start, end, text)``
    in seconds from the scene's start, in the order they appear."""

    name: str
    duration: float
    captions: tuple[tuple[float, float, str], ...]


@pytest.fixture(scope="session")
def lecture_timing(tmp_path_factory: pytest.TempPathFactory) -> list[TimedScene]:
    """Every scene of :data:`scenes.catalog.LECTURE`, constructed once in a dry run.

    A dry run plays every animation for its full run time without drawing a frame, so the scene
    times and captions are those of a real render; the tests that need the lecture's timing
    share this one run instead of rendering the lecture again.
    """
    from scenes import catalog

    tmp = tmp_path_factory.mktemp("lecture-dry-run")
    timed: list[TimedScene] = []
    for name in catalog.LECTURE:
        info = catalog.SCENES[name]
        module = importlib.import_module(f"scenes.{info.module}")
        with tempconfig(_config(tmp, dry_run=True)):
            scene = getattr(module, name)()
            scene.render()
        subs = sorted(scene.renderer.file_writer.subcaptions, key=lambda s: s.start)
        timed.append(TimedScene(
            name,
            float(scene.renderer.time),
            tuple((s.start.total_seconds(), s.end.total_seconds(), str(s.content)) for s in subs),
        ))
    return timed
