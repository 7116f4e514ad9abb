"""Output paths: the format a name asks for, and whether a path can be written (checked
before anything is rendered).

Examples
--------
>>> format_for(Path("a.webm"), None)
'webm'
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gdanim.app.config.limits import FORMATS, ConfigError

__all__ = ["check_output_path", "format_for"]


def format_for(path: Path | None, fmt: str | None, name: str = "-o/--output") -> str:
    """The output format: ``fmt`` if given, else the one the suffix of ``path`` names.

    Examples
    --------
    >>> format_for(Path("a.webm"), None)
    'webm'
    >>> format_for(None, None)
    'mp4'
    >>> format_for(Path("a.mp4"), "gif")
    Traceback (most recent call last):
    ...
    gdanim.app.config.limits.ConfigError: -o/--output: a.mp4 must end in .gif for --format gif
    """
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"--format: {fmt!r} is not allowed; use one of {', '.join(FORMATS)}")
    if path is None:
        return fmt or "mp4"
    suffix = path.suffix.lower()
    if fmt is None:
        for key, ext in FORMATS.items():
            if suffix == ext:
                return key
        raise ConfigError(f"{name}: {path.name} must end in one of "
                          f"{', '.join(FORMATS.values())}")
    if suffix != FORMATS[fmt]:
        raise ConfigError(f"{name}: {path.name} must end in {FORMATS[fmt]} for --format {fmt}")
    return fmt


def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists():
        if p.parent == p:
            break
        p = p.parent
    return p


def check_output_path(path: Path, name: str = "-o/--output") -> Path:
    """Check that ``path`` can be written, without writing anything; return it absolute.

    The folder may not exist yet (it is made when the video is written), but the nearest
    existing folder above it must be a writable folder, and ``path`` itself must not be a
    folder.
    """
    p = Path(os.path.abspath(path.expanduser()))
    if p.is_dir():
        raise ConfigError(f"{name}: {p} is a folder; give a file name such as {p / 'video.mp4'}")
    parent = p.parent
    existing = _nearest_existing(parent)
    if not existing.is_dir():
        raise ConfigError(f"{name}: cannot write {p}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(f"{name}: cannot write {p}: folder {existing} is not writable")
    try:  # an unnamed probe file: leaves nothing behind, catches read-only file systems
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise ConfigError(f"{name}: cannot write {p}: {exc.strerror or exc}") from None
    if p.exists() and not os.access(p, os.W_OK):
        raise ConfigError(f"{name}: cannot replace {p}: the file is read-only")
    return p

