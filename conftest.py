"""The scene modules' doctests run with manim quiet and writing into a temporary folder; and
every ``gdanim`` command a test runs is silent unless the test gives it ``--voice``.

Building a ``MathTex`` label writes a TeX file and logs it at INFO the first time (the output
a doctest would then see), under ``./media`` of the folder pytest runs in.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.doctest import DoctestItem

SCENES = Path(__file__).resolve().parent / "scenes"

# The default voice is Piper where it is installed; tests of the videos themselves render
# silent (as they did before narration) and the narration tests ask for a voice by name.
os.environ["GDANIM_VOICE"] = "none"


@pytest.fixture(autouse=True)
def _quiet_manim_in_scene_doctests(request: pytest.FixtureRequest,
                                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    if not (isinstance(request.node, DoctestItem) and request.node.path.is_relative_to(SCENES)):
        yield
        return
    from manim import tempconfig

    media = tmp_path_factory.mktemp("doctest-media")
    with tempconfig({"media_dir": str(media), "verbosity": "WARNING"}):
        yield
