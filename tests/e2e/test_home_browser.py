"""A newcomer opens the app, clicks 'Explore the demo cohort' and sees the dashboard."""
import pytest

from tests.e2e.conftest import SHOTS, wait_idle

pytestmark = pytest.mark.e2e


def test_demo_dashboard_in_a_real_browser(browser, served_app):
    page = browser.new_page(viewport={"width": 1400, "height": 2600})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(served_app)
    wait_idle(page)
    assert page.get_by_role("heading", name="Welcome to Coffee Chat Coach").is_visible()

    page.get_by_role("button", name="Explore the demo cohort").click()
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.wait_for_timeout(1500)  # let Plotly finish drawing before the screenshot

    assert page.locator("h1").first.inner_text().endswith(": progress")
    for heading in ("Warm and cold contacts through the method", "Reply rates", "Follow-up cadence"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.locator(".js-plotly-plot").count() == 4
    assert page.get_by_text("Demo cohort: generated students").is_visible()
    assert not [e for e in errors if "plotly" in e.lower() or "streamlit" in e.lower()]

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "home_demo.png"), full_page=True)
    assert (SHOTS / "home_demo.png").stat().st_size > 20_000
