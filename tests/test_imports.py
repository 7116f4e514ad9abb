"""gdanim is the computation half: importing it (and its command line) never imports manim."""

from __future__ import annotations

import subprocess
import sys


def test_gdanim_does_not_import_manim() -> None:
    code = (
        "import sys, gdanim, gdanim.objectives, gdanim.optimizers, gdanim.trajectory, "
        "gdanim.analysis, gdanim.regression, gdanim.contours, gdanim.render, gdanim.cli; "
        "assert 'manim' not in sys.modules, 'manim was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_app_does_not_import_manim() -> None:
    code = (
        "import sys, gdanim.app, gdanim.app.platform, gdanim.app.deck, gdanim.app.handout, "
        "gdanim.app.pptx_deck, gdanim.app.slides; "
        "assert 'manim' not in sys.modules, 'manim was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
