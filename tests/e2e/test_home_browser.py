"""A newcomer opens the app, clicks 'Explore the demo cohort' and sees the dashboard."""
import pytest

from tests.e2e.conftest import SHOTS, app_errors, click, open_app, wait_for_charts

pytestmark = pytest.mark.e2e


def test_demo_dashboard_in_a_real_browser(browser, served_app):
    page, errors = open_app(browser, served_app, height=2600)
    assert page.get_by_role("heading", name="Welcome to Coffee Chat Coach").is_visible()

    click(page, page.get_by_role("button", name="Explore the demo cohort"))
    wait_for_charts(page)

    assert page.locator("h1").first.inner_text().endswith(": progress")
    for heading in ("Warm and cold contacts through the method", "Reply rates", "Follow-up cadence"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.locator(".js-plotly-plot").count() == 4
    assert page.get_by_text("Demo cohort: generated students").is_visible()
    assert not app_errors(errors)

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "home_demo.png"), full_page=True)
    assert (SHOTS / "home_demo.png").stat().st_size > 20_000
