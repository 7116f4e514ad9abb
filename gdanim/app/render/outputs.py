"""Writing outputs safely: files and folders that appear together or not at all, temporary
names that say which process made them, and what killed runs leave behind.

Every output is written to a temporary name beside its target and renamed only when complete,
and the files of one output (video, subtitles, poster, section clips and their index) are put
in place together or not at all (:class:`OutputSet`), so a failed or interrupted render leaves
nothing half-written behind and never replaces part of a previous output. Temporary names
carry gdanim's process id, and what a killed run left behind is removed by the next run into
the same folder (:func:`clean_stale`).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "OutputSet",
    "atomic_dir",
    "atomic_output",
    "build_root",
    "clean_stale",
    "run_folder",
    "scratch",
]

#: A member of an output set or its old version moved aside: ``.NAME.PID-XXXXXXXX.part[.EXT]``
#: or ``.NAME.PID-XXXXXXXX.old[.EXT]`` beside ``NAME``.
_STAGED = re.compile(
    r"^\.(?P<name>.+)\.(?P<pid>\d+)-[a-z0-9_]{6,}\.(?P<kind>part|old)(?:\.[A-Za-z0-9]+)?$"
)
#: Scratch folders and scene-parameter files in the temporary folder, and run folders in the
#: build folder.
_SCRATCH = re.compile(r"^(?:gdanim-|gdanim-params-|\.run-)(?P<pid>\d+)-[a-z0-9_]{6,}(?:\.json)?$")


def _prefix(name: str) -> str:
    return f".{name}.{os.getpid()}-"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except (OverflowError, ValueError):  # no such process id at all
        return False
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def clean_stale(folder: Path) -> list[Path]:
    """Remove what gdanim processes that no longer run left in ``folder``; return it.

    Only names gdanim makes are touched, and only when the process id in the name is not a
    running process: hidden members of an output set (``.out.mp4.PID-XXXXXXXX.part.mp4``),
    scratch folders and scene-parameter files (``gdanim-PID-XXXXXXXX``,
    ``gdanim-params-PID-XXXXXXXX.json``) and run folders (``.run-PID-XXXXXXXX``). A previous
    output moved aside by a run that was killed before it could put the new one in place
    (``.out.mp4.PID-XXXXXXXX.old.mp4``) is put back when nothing took its place, else removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _STAGED.match(entry.name) or _SCRATCH.match(entry.name)
        if match is None or _pid_alive(int(match["pid"])):
            continue
        path = Path(entry.path)
        try:
            if match.re is _STAGED and match["kind"] == "old":
                target = path.with_name(match["name"])
                if not os.path.lexists(target):
                    os.rename(path, target)
                    continue
            _remove(path)
            removed.append(path)
        except OSError:
            pass
    return removed


class OutputSet:
    """Files and folders that appear together, or not at all.

    Each member is written under a hidden temporary name beside its target, holding this
    process's id (``.NAME.PID-XXXXXXXX.part``, see :func:`clean_stale`). :meth:`commit` puts the
    members in place in the reverse of the order they were added (so the first one, the main
    file, appears last): an existing target is kept aside (a hard link for a file, so that the
    file is replaced in one step; a rename for a folder) until every member is in place, and
    removed only then. If any step fails, or is interrupted, the members already placed are
    taken away and the kept targets put back: the previous set stays whole. :meth:`discard`
    removes the temporary members.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> outputs = OutputSet()
    >>> outputs.file(root / "a.txt").write_text("new")
    3
    >>> (outputs.folder(root / "a.parts") / "1.txt").write_text("one")
    3
    >>> outputs.commit()
    >>> sorted(p.name for p in root.iterdir())
    ['a.parts', 'a.txt']
    """

    def __init__(self) -> None:
        self._members: list[tuple[Path, Path, bool]] = []  # temporary, target, is a folder

    def file(self, target: Path) -> Path:
        """A temporary file for ``target`` (its folder is made when missing)."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=_prefix(target.name), suffix=f".part{target.suffix}",
                                    dir=target.parent)
        os.close(fd)
        self._members.append((Path(name), target, False))
        return Path(name)

    def folder(self, target: Path) -> Path:
        """A temporary folder for ``target``."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        name = tempfile.mkdtemp(prefix=_prefix(target.name), suffix=".part", dir=target.parent)
        self._members.append((Path(name), target, True))
        return Path(name)

    def discard(self) -> None:
        """Remove the temporary members (nothing at the targets is touched)."""
        for tmp, _, _ in self._members:
            try:
                _remove(tmp)
            except OSError:
                pass
        self._members = []

    @staticmethod
    def _keep_aside(target: Path) -> Path | None:
        """Keep the current ``target`` under a hidden name; ``None`` when there is none."""
        if not os.path.lexists(target):
            return None
        if target.is_dir() and not target.is_symlink():
            aside = Path(tempfile.mkdtemp(prefix=_prefix(target.name), suffix=".old",
                                          dir=target.parent))
            os.rename(target, aside)  # onto the empty placeholder folder
            return aside
        fd, name = tempfile.mkstemp(prefix=_prefix(target.name), suffix=f".old{target.suffix}",
                                    dir=target.parent)
        os.close(fd)
        aside = Path(name)
        try:
            aside.unlink()
            os.link(target, aside)  # the target stays in place until the new file replaces it
        except OSError:  # no hard links here: move it aside instead
            os.rename(target, aside)
        return aside

    def commit(self) -> None:
        """Put every member in place, or (on any failure) leave every target as it was.

        A target of the other kind (a folder where a file goes, or a file where a folder goes)
        is never replaced: that is an error, and nothing changes.
        """
        mask = _umask()
        placed: list[tuple[Path, Path | None]] = []
        try:
            for tmp, target, is_dir in reversed(self._members):
                if os.path.lexists(target):
                    target_is_dir = target.is_dir() and not target.is_symlink()
                    if target_is_dir and not is_dir:
                        raise IsADirectoryError(errno.EISDIR, "is a folder", str(target))
                    if is_dir and not target_is_dir:
                        raise NotADirectoryError(errno.ENOTDIR, "is not a folder", str(target))
                os.chmod(tmp, (0o777 if is_dir else 0o666) & ~mask)
                aside = self._keep_aside(target)
                try:
                    os.replace(tmp, target)
                except BaseException:
                    if aside is not None:
                        _put_back(aside, target)
                    raise
                placed.append((target, aside))
        except BaseException:
            for target, aside in reversed(placed):
                try:
                    if aside is None:
                        _remove(target)
                    else:
                        _put_back(aside, target)
                except OSError:
                    pass
            self.discard()
            raise
        for _, aside in placed:
            if aside is not None:
                try:
                    _remove(aside)
                except OSError:
                    pass
        self._members = []


def _put_back(aside: Path, target: Path) -> None:
    """Return a target kept aside by :meth:`OutputSet.commit` to its place."""
    if aside.is_dir() and not aside.is_symlink():
        if os.path.lexists(target):
            _remove(target)
        os.rename(aside, target)
    elif os.path.lexists(target) and os.path.samefile(aside, target):
        aside.unlink()  # a hard link to the target, which was never replaced
    else:
        os.replace(aside, target)


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only on success.

    On any exception (including ``KeyboardInterrupt``) the temporary file is removed, so no
    partial output is ever left at ``path``.
    """
    outputs = OutputSet()
    try:
        yield outputs.file(Path(path))
        outputs.commit()
    except BaseException:
        outputs.discard()
        raise


@contextmanager
def scratch() -> Iterator[Path]:
    """A private temporary folder named after this process (see :func:`clean_stale`)."""
    with tempfile.TemporaryDirectory(prefix=f"gdanim-{os.getpid()}-") as tmp:
        yield Path(tmp)


@contextmanager
def run_folder(root: Path) -> Iterator[Path]:
    """A private folder for one run inside ``root`` (``.run-PID-XXXXXXXX``), removed after it.

    Run folders of processes that no longer run are removed first.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    clean_stale(root)
    folder = Path(tempfile.mkdtemp(prefix=f".run-{os.getpid()}-", dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def build_root() -> Iterator[Path]:
    """The folder for manim's build files (partial movies, TeX, scene videos).

    ``<cache>/build`` under gdanim's cache folder (:func:`gdanim.cache.cache_dir`, which honours
    ``GDANIM_CACHE_DIR``), so that a second render takes the scenes it rendered before with
    the same code and settings (:func:`gdanim.app.render.manim.render_key`); never inside the
    installed package or the output's folder. When the cache is off (``GDANIM_CACHE_DIR=off``)
    or cannot be written, a temporary folder that is removed afterwards.
    """
    from gdanim.cache import cache_dir

    folder = cache_dir()
    build: Path | None = None
    if folder is not None:
        try:
            candidate = Path(os.path.abspath(folder.expanduser())) / "build"
            candidate.mkdir(parents=True, exist_ok=True)
            if os.access(candidate, os.W_OK | os.X_OK):
                build = candidate
        except OSError:
            build = None
    if build is not None:
        yield build
        return
    with scratch() as tmp:
        yield tmp


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask



@contextmanager
def atomic_dir(path: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; it replaces ``path`` only on success."""
    outputs = OutputSet()
    try:
        yield outputs.folder(Path(path))
        outputs.commit()
    except BaseException:
        outputs.discard()
        raise
