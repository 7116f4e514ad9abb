"""Import boundaries: gdanim never imports manim, and its computation core imports neither the
app nor the scenes."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path


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


# --------------------------------------------------------------------------------------------
# The core imports neither the app nor the scenes
# --------------------------------------------------------------------------------------------

GDANIM = Path(__file__).resolve().parent.parent / "gdanim"
#: The app's parts of gdanim (the command line, its configuration, rendering in subprocesses and
#: the app package); everything else under gdanim/ is the computation core.
APP_PARTS = {"app", "cli", "config", "render", "manim_child"}
FORBIDDEN = ("manim", "scenes", *(f"gdanim.{part}" for part in APP_PARTS))


def imported_modules(source: str, package: str) -> set[str]:
    """Every module an import statement of ``source`` names (relative ones made absolute
    against ``package``), including imports inside functions and ``TYPE_CHECKING`` blocks."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


def core_modules() -> list[Path]:
    return sorted(
        path for path in GDANIM.rglob("*.py")
        if path.relative_to(GDANIM).parts[0].removesuffix(".py") not in APP_PARTS
    )


def test_the_import_scanner_sees_every_kind_of_import() -> None:
    source = (
        "import manim.utils\n"
        "from scenes import style\n"
        "def f():\n    from ..app import deck\n"
        "if TYPE_CHECKING:\n    from gdanim.render import render_scene\n"
    )
    found = imported_modules(source, "gdanim.optimizers")
    assert {"manim.utils", "scenes", "gdanim.app", "gdanim.render"} <= found


def test_the_core_imports_neither_the_app_nor_the_scenes() -> None:
    modules = core_modules()
    assert GDANIM / "optimizers" / "registry.py" in modules and GDANIM / "analysis.py" in modules
    bad = []
    for path in modules:
        rel = path.relative_to(GDANIM.parent).with_suffix("")
        package = ".".join(rel.parts[:-1])  # the package a relative import starts from
        for name in imported_modules(path.read_text(), package):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                bad.append(f"{rel}: {name}")
    assert not bad, "the core imports the app or the scenes:\n" + "\n".join(bad)
