"""Test-wide settings: runs and contour lines are cached in a folder of the test session's own.

Scenes read trajectories and contour lines through :mod:`gdanim.cache`; pointing the cache at
a fresh folder keeps the tests from reading or filling the user's ``~/.cache/gdanim``, and makes
every session start cold (each entry is computed once, then read back by later tests).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    old = os.environ.get("GDANIM_CACHE_DIR")
    os.environ["GDANIM_CACHE_DIR"] = str(tmp_path_factory.mktemp("gdanim-cache"))
    yield
    if old is None:
        os.environ.pop("GDANIM_CACHE_DIR", None)
    else:
        os.environ["GDANIM_CACHE_DIR"] = old
