"""Test-wide settings: runs and contour lines are cached in a folder of the test session's own.

Scenes read trajectories and contour lines through :mod:`gdanim.cache`; pointing the cache at
a fresh folder keeps the tests from reading or filling the user's ``~/.cache/gdanim``, and makes
every session start cold (each entry is computed once, then read back by later tests).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


# --------------------------------------------------------------------------------------------
# A real headless Chromium for the slide decks (Debian's chromium and chromedriver)
# --------------------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium driven by selenium, with a fresh profile and no network services."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(), \
        "Chromium is missing: run scripts/setup.sh (it installs chromium and chromium-driver)"
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    with tempfile.TemporaryDirectory(prefix="gdanim-chromium-") as profile:
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync",
                     "--autoplay-policy=no-user-gesture-required", f"--user-data-dir={profile}",
                     "--window-size=1280,800"):
            opts.add_argument(flag)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        try:
            yield driver
        finally:
            driver.quit()


def wait(predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll ``predicate`` every 0.1 s until it is true or ``timeout`` seconds have passed."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.1)


def active_slide(driver: Any) -> tuple[str, float, bool]:
    """The shown slide's id, its video's current time and whether the video is paused."""
    out: list[Any] = driver.execute_script(
        "var s = document.querySelector('.slide.active'); var v = s.querySelector('video');"
        "return [s.id, v.currentTime, v.paused];")
    return str(out[0]), float(out[1]), bool(out[2])


def console_problems(driver: Any) -> list[Any]:
    """Errors and warnings the page logged since the last call."""
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def check_deck(driver: Any, index: Path, slides: list[dict[str, Any]]) -> None:
    """The four checks of a deck opened from file://.

    It loads with no console errors; the first video plays (its clock moves); the right arrow
    shows slide 2 (only it) and its video starts; ``s`` shows the notes view with the section's
    text and the next slide's poster.
    """
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver.get("about:blank")
    console_problems(driver)
    driver.get(index.as_uri())
    assert wait(lambda: active_slide(driver)[1] > 0.3), active_slide(driver)
    first = active_slide(driver)
    assert first[0] == "slide-1"
    time.sleep(0.5)
    assert active_slide(driver)[1] > first[1]
    ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
    assert wait(lambda: active_slide(driver)[0] == "slide-2")
    assert wait(lambda: active_slide(driver)[1] > 0.3)
    assert active_slide(driver)[1] < 5.0
    shown = driver.execute_script(
        "return Array.from(document.querySelectorAll('.slide')).filter("
        "function (s) { return getComputedStyle(s).display !== 'none'; }).map("
        "function (s) { return s.id; });")
    assert shown == ["slide-2"]
    ActionChains(driver).send_keys(Keys.ARROW_LEFT).perform()
    assert wait(lambda: active_slide(driver)[0] == "slide-1")
    ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
    assert wait(lambda: active_slide(driver)[0] == "slide-2")
    ActionChains(driver).send_keys("s").perform()
    notes = driver.find_element("id", "notes-text")
    assert wait(lambda: notes.is_displayed())
    assert notes.text == (slides[1]["notes"] or "(no notes for this slide)")
    if len(slides) > 2:
        nxt = driver.find_element("id", "notes-next-poster")
        assert nxt.is_displayed() and nxt.get_attribute("src").endswith(slides[2]["poster"])
        assert driver.execute_script("return arguments[0].naturalWidth", nxt) > 0
    assert console_problems(driver) == []


@pytest.fixture
def deck_in_browser(browser: Any) -> Callable[[Path, list[dict[str, Any]]], None]:
    """``deck_in_browser(index_html, slides)`` runs :func:`check_deck` in the browser."""

    def run(index: Path, slides: list[dict[str, Any]]) -> None:
        check_deck(browser, index, slides)

    return run


@pytest.fixture
def deck_tools() -> Any:
    """The helpers above, for tests that drive the browser themselves."""
    import types

    return types.SimpleNamespace(wait=wait, active=active_slide, problems=console_problems)
