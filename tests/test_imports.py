"""The layers, checked on the source: the core, the app and the scenes import only downwards.

- the core (``gdanim``'s own modules, outside ``gdanim.app``) imports neither the app, nor the
  scenes, nor manim, nor Dask;
- the app (``gdanim.app``) imports no manim, and of the scenes only their catalog and their
  parameter types (``scenes.catalog``, ``scenes.params``); it loads Dask only when a command
  renders on a cluster;
- the scenes never import the app, and no scene module takes another scene module's private
  (underscore) name, whether imported by name or read off the imported module.

Every module's syntax tree is walked, imports inside functions included.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = sorted(p for p in (ROOT / "gdanim").rglob("*.py") if "app" not in p.parts)
APP = sorted((ROOT / "gdanim" / "app").rglob("*.py"))
SCENES = sorted((ROOT / "scenes").rglob("*.py"))
#: What the app may import of the scenes.
APP_MAY_IMPORT = ("scenes.catalog", "scenes.params")


def module_name(path: Path, root: Path = ROOT) -> str:
    """``gdanim/app/cli/__init__.py`` -> ``gdanim.app.cli``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@dataclass(frozen=True)
class Use:
    """One name a module takes from another: ``module`` (absolute), and ``name`` when it is
    imported by name or read as an attribute of the imported module (``None`` for a plain
    ``import module``)."""

    module: str
    name: str | None
    line: int


def uses(source: str, name: str, is_package: bool = False) -> list[Use]:
    """Every import of a module's source, and every attribute read off an imported module."""
    tree = ast.parse(source)
    package = name if is_package else name.rpartition(".")[0]
    found: list[Use] = []
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Use(alias.name, None, node.lineno))
                aliases[alias.asname or alias.name.split(".")[0]] = \
                    alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found.append(Use(base, alias.name, node.lineno))
                # "from scenes import race" binds a module
                aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in aliases:
            found.append(Use(aliases[node.value.id], node.attr, node.lineno))
    return found


def _read(path: Path, root: Path) -> list[Use]:
    return uses(path.read_text(encoding="utf-8"), module_name(path, root),
                path.name == "__init__.py")


def _under(module: str, top: str) -> bool:
    return module == top or module.startswith(top + ".")


def _core_problems(path: Path, root: Path = ROOT) -> list[str]:
    return [f"{module_name(path, root)}:{u.line} imports {u.module}" for u in _read(path, root)
            if any(_under(u.module, top)
                   for top in ("gdanim.app", "scenes", "manim", "dask", "distributed"))
            or (u.module == "gdanim" and u.name == "app")]


def _app_problems(path: Path, root: Path = ROOT) -> list[str]:
    out = []
    for u in _read(path, root):
        target = f"{u.module}.{u.name}" if u.module == "scenes" and u.name else u.module
        if _under(target, "manim"):
            out.append(f"{module_name(path, root)}:{u.line} imports manim")
        elif _under(target, "scenes") and not any(_under(target, m) for m in APP_MAY_IMPORT):
            out.append(f"{module_name(path, root)}:{u.line} imports {target}")
    return out


def _scene_problems(path: Path, root: Path = ROOT) -> list[str]:
    me = module_name(path, root)
    out = []
    for u in _read(path, root):
        if _under(u.module, "gdanim.app") or (u.module == "gdanim" and u.name == "app"):
            out.append(f"{me}:{u.line} imports the app ({u.module})")
        elif _under(u.module, "scenes") and u.module != me and u.name is not None \
                and u.name.startswith("_") and not u.name.startswith("__"):
            out.append(f"{me}:{u.line} takes the private name {u.name} of {u.module}")
    return out


def test_the_walk_finds_every_module() -> None:
    names = {module_name(p) for p in [*CORE, *APP, *SCENES]}
    assert {"gdanim.trajectory", "gdanim.app.cli", "gdanim.app.render.manim",
            "scenes.params", "scenes.custom.race3d", "scenes.race"} <= names


@pytest.mark.parametrize("path", CORE, ids=module_name)
def test_the_core_imports_neither_the_app_nor_the_scenes_nor_manim(path: Path) -> None:
    assert _core_problems(path) == []


@pytest.mark.parametrize("path", APP, ids=module_name)
def test_the_app_imports_of_the_scenes_only_their_catalog_and_parameters(path: Path) -> None:
    assert _app_problems(path) == []


@pytest.mark.parametrize("path", SCENES, ids=module_name)
def test_a_scene_imports_no_app_and_no_private_name_of_another_scene(path: Path) -> None:
    assert _scene_problems(path) == []


def test_the_checks_see_what_they_forbid(tmp_path: Path) -> None:
    """Each rule flags a module that breaks it, however the import is written."""
    cases = {
        "gdanim/oops.py": ("def f():\n    from gdanim.app import voice\n", _core_problems),
        "gdanim/oops2.py": ("import manim\n", _core_problems),
        "gdanim/oops3.py": ("def f():\n    from distributed import Client\n", _core_problems),
        "gdanim/app/oops.py": ("from scenes.race import RACE_C\n", _app_problems),
        "gdanim/app/oops2.py": ("from scenes import style\n", _app_problems),
        "scenes/oops.py": ("from scenes.race import RACE_C, _overlap\n", _scene_problems),
        "scenes/oops2.py": ("from scenes import race\nx = race._clearance\n", _scene_problems),
        "scenes/oops3.py": ("import scenes.race as r\nx = r._overlap\n", _scene_problems),
        "scenes/oops4.py": ("from .race import _overlap\n", _scene_problems),
        "scenes/oops5.py": ("from gdanim.app.voice import Line\n", _scene_problems),
    }
    for rel, (source, check) in cases.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        assert check(path, tmp_path), rel
    fine = tmp_path / "scenes" / "fine.py"
    fine.write_text("from scenes.layout import overlap\nfrom scenes.params import Line\n"
                    "import scenes.race as r\nx = r.RACE_C\n", encoding="utf-8")
    assert _scene_problems(fine, tmp_path) == []


def test_importing_the_core_and_the_app_loads_no_manim() -> None:
    code = (
        "import sys, gdanim, gdanim.objectives, gdanim.optimizers, gdanim.trajectory, "
        "gdanim.analysis, gdanim.regression, gdanim.contours, gdanim.app, gdanim.app.cli, "
        "gdanim.app.config, gdanim.app.render, gdanim.app.narrate, gdanim.app.platform, "
        "gdanim.app.deck, gdanim.app.handout, gdanim.app.pptx_deck, gdanim.app.slides, "
        "gdanim.app.render.cluster, gdanim.app.cli.course, "
        "scenes.catalog, scenes.params; "
        "assert 'manim' not in sys.modules, 'manim was imported'; "
        "assert 'dask' not in sys.modules and 'distributed' not in sys.modules, "
        "'dask was imported (only --cluster may load it)'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
