"""A served app and a real Chromium (Debian's /usr/bin/chromium driven by Playwright)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import served
from tests.conftest import ROOT, TODAY

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "build" / "screenshots"


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install it with `sudo apt-get install chromium` (make test does, as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield chromium
        chromium.close()


@contextmanager
def serve(tmp_path: Path, *options: str):
    """`streamlit run app.py` on a free loopback port, on a temp database at the frozen date;
    yields its URL and stops it afterwards (the database file is free again then)."""
    try:
        with served.serve(tmp_path, *options, today=TODAY) as server:
            yield server.url
    except served.ServerDidNotStart as exc:
        pytest.fail(str(exc))


@pytest.fixture
def served_app(tmp_path):
    with serve(tmp_path) as url:
        yield url


IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def wait_idle(page, settle_ms: int = 300) -> None:
    """Wait until Streamlit has finished the current script run, and stays finished.

    A click reaches the server a moment after it happens, and a run can trigger another
    (st.rerun), so one glimpse of 'notRunning' is not enough: it must hold twice running.
    """
    page.wait_for_timeout(settle_ms)
    calm = 0
    while calm < 2:
        page.wait_for_selector(IDLE, timeout=60_000)
        page.wait_for_timeout(settle_ms // 2)
        calm = calm + 1 if page.locator(IDLE).count() else 0


def open_app(browser, url: str, height: int = 1800):
    """A new 1400-px-wide page on `url`, idle, with a list collecting its JavaScript errors."""
    page = browser.new_page(viewport={"width": 1400, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector("[data-testid='stMainBlockContainer'] [data-testid='stElementContainer']",
                           timeout=60_000)
    wait_idle(page)
    return page, errors


def click(page, locator) -> None:
    """Click, then wait for the rerun it causes to finish."""
    locator.click()
    wait_idle(page)


def wait_for_charts(page) -> None:
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.wait_for_timeout(1500)  # let Plotly finish drawing before counting or a screenshot


def app_errors(errors: list[str]) -> list[str]:
    return [e for e in errors if "plotly" in e.lower() or "streamlit" in e.lower()]


def download_text(page, button: str, folder: Path) -> str:
    """Click a download button and return the downloaded file's text."""
    with page.expect_download() as download:
        page.get_by_role("button", name=button).click()
    target = folder / download.value.suggested_filename
    download.value.save_as(target)
    return target.read_text()
