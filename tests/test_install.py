"""gdanim installed from its source distribution into a fresh virtual environment, run from
another folder.

The source (``pyproject.toml``, ``README.md``, ``gdanim/``, ``scenes/``) is copied out of the
repository, an sdist is built from the copy, a wheel from the sdist, and the wheel is installed
with ``--no-deps --no-index`` into a new venv that has no pip and no packages of its own. The
dependencies (manim, numpy, sympy, ...) are those of the environment running the tests, which
the new venv reads through a ``.pth`` line naming its site-packages: that line adds the folder
only, so this environment's editable install of gdanim (itself a ``.pth`` hook) is not run and
every ``gdanim`` and ``scenes`` module comes from the wheel. Nothing is downloaded, and nothing
is written into the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from gdanim.app import render as rd
from scenes import catalog

REPO = Path(__file__).resolve().parent.parent
RACE = ["race", "--function", "x**2/20 + y**2", "--start", "-7,2", "--steps", "12",
        "--optimizer", "sgd:lr=0.95", "--optimizer", "adam:lr=0.3", "-q", "l", "--quiet"]


@dataclass(frozen=True)
class Installed:
    """A venv with gdanim installed from a wheel built from an sdist."""

    venv: Path
    site: Path
    sdist: Path
    wheel: Path
    work: Path
    env: dict[str, str]

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def gdanim(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Run the installed ``gdanim`` script from ``cwd`` (the work folder by default)."""
        return subprocess.run([str(self.venv / "bin" / "gdanim"), *args], env=self.env,
                              cwd=cwd or self.work, capture_output=True, text=True, check=False)


def _tree(root: Path) -> set[str]:
    skip = {".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".git",
            ".hypothesis"}
    return {str(p.relative_to(root)) for p in root.rglob("*") if not skip & set(p.parts)}


def _run(*cmd: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, f"{cmd}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("install")
    src = root / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("gdanim", "scenes"):
        shutil.copytree(REPO / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)

    dist = root / "dist"
    sdist = dist / _run(sys.executable, "-c",
                        "import sys; from setuptools import build_meta as b; "
                        "print(b.build_sdist(sys.argv[1]))", dist, cwd=src).splitlines()[-1]
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index",
         "--no-build-isolation", "-w", dist, sdist, cwd=root)
    wheel = next(dist.glob("gdanim-*.whl"))

    venv = root / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q",
         "--no-deps", "--no-index", "--no-compile", wheel, cwd=root)
    site = Path(_run(venv / "bin" / "python", "-c",
                     "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                     cwd=root).strip())
    (site / "_gdanim_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n",
                                                encoding="utf-8")
    work = root / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["GDANIM_CACHE_DIR"] = str(root / "cache")
    return Installed(venv, site, sdist, wheel, work, env)


def test_the_sdist_and_the_wheel_hold_every_module_and_the_deck_files(
        installed: Installed) -> None:
    want = {str(p.relative_to(REPO)) for top in ("gdanim", "scenes")
            for p in (REPO / top).rglob("*") if p.suffix in (".py", ".css", ".js")
            and "__pycache__" not in p.parts}
    assert "gdanim/app/deck_assets/deck.js" in want and "scenes/custom/race.py" in want
    with tarfile.open(installed.sdist) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    with zipfile.ZipFile(installed.wheel) as whl:
        in_wheel = set(whl.namelist())
    assert want <= in_sdist
    assert want <= in_wheel
    assert not {n for n in in_wheel if n.startswith(("tests/", "bench/", "media/"))}


def test_the_installed_modules_come_from_the_venv_not_the_repository(
        installed: Installed) -> None:
    out = subprocess.run(
        [str(installed.python), "-c",
         "import gdanim, gdanim.app.cli, scenes.catalog as c; from importlib import resources; "
         "print(gdanim.__file__); print(gdanim.app.cli.__file__); "
         "print(c.CUSTOM['CustomRace'].file); "
         "print(resources.files('gdanim.app') / 'deck_assets' / 'deck.js')"],
        env=installed.env, cwd=installed.work, capture_output=True, text=True, check=True)
    paths = [Path(p) for p in out.stdout.split()]
    assert len(paths) == 4
    assert all(p.is_relative_to(installed.site) and p.is_file() for p in paths), paths


def test_the_installed_command_lists_the_scenes_from_another_folder(
        installed: Installed) -> None:
    done = installed.gdanim("list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(catalog.SCENES)
    assert [line.split(maxsplit=1)[1] for line in lines] == \
        [info.summary for info in catalog.SCENES.values()]
    assert list(installed.work.iterdir()) == []


def test_the_installed_command_reports_bad_input_in_one_line(installed: Installed) -> None:
    done = installed.gdanim("race", "--function", "x**", "--start", "1,1")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("gdanim: error: ") and done.stderr.count("\n") == 1
    assert list(installed.work.iterdir()) == []


@pytest.mark.slow
def test_the_installed_package_renders_from_another_folder(installed: Installed) -> None:
    work = installed.work / "race"
    work.mkdir()
    cache = Path(installed.env["GDANIM_CACHE_DIR"])
    repo_before = _tree(REPO)

    # with -o: the video set under it, nothing else in the folder
    run = installed.gdanim(*RACE, "-o", "out/x.mp4", cwd=work)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(work / "out" / "x.mp4")
    assert _tree(work) == {"out", "out/x.mp4", "out/x.srt", "out/x.vtt"}
    assert rd.probe_duration(work / "out" / "x.mp4") > 5
    # manim's build files went to the cache folder, in the custom race's own folder
    assert list(cache.glob("build/custom/*/videos/race/480p15/partial_movie_files/CustomRace/*"))

    # without -o: under the current folder's media/ (the scene is reused from the first run)
    run = installed.gdanim(*RACE, cwd=work)
    assert run.returncode == 0, run.stderr
    video = work / "media" / "custom" / "race_x_2_20_y_2_480p15.mp4"
    assert run.stdout.strip() == str(video) and video.is_file()
    assert _tree(REPO) == repo_before
