"""A student writes one request in a real browser: picks a contact, reads the coached
draft, logs it as sent, and finds it under Requests."""
import pytest

from lib import clock
from lib.db import Database
from lib.network import ContactInput, add_contact
from lib.students import create_student
from tests.conftest import TODAY
from tests.e2e.conftest import SHOTS, app_errors, click, open_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def student_with_a_contact(tmp_path):
    """Written before the server starts: only one process may hold the database file."""
    with Database(tmp_path / "coffeechat.duckdb") as db:
        sid = create_student(db, "Ada Lovelace", school="Lakeside University", major="History",
                             fields_of_interest="museum education")
        add_contact(db, sid, ContactInput(name="Carla Diaz", source="alumni", organisation="City Museum",
                                          role="Curator", email="carla@museum.example.org"),
                    clock.moment_of(TODAY))


def test_send_one_request_through_the_page(browser, student_with_a_contact, served_app):
    page, errors = open_app(browser, served_app, height=2000)
    click(page, page.get_by_role("link", name="Outreach"))
    assert page.get_by_role("tab", name="Compose", selected=True).is_visible()
    page.get_by_label("Write to").click()
    page.keyboard.type("Carla")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
    message = page.get_by_role("textbox", name="Message")
    message.wait_for()
    assert message.input_value().startswith("Hi Carla,")
    for check in ("Short", "Connection first", "The ask is a question", "No job request", "More about them"):
        assert page.get_by_text(check, exact=True).is_visible()
    assert page.get_by_role("link", name="Open in my email app").get_attribute("href").startswith(
        "mailto:carla@museum.example.org?subject=")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "outreach_compose.png"), full_page=True)

    click(page, page.get_by_role("button", name="Log as sent"))
    assert page.get_by_text("Request logged: Carla Diaz").is_visible()
    click(page, page.get_by_role("tab", name="Requests"))
    page.get_by_text("Record a reply").wait_for()
    assert page.locator("[data-testid='stMetric']").first.inner_text().endswith("1")   # Requests sent
    assert not app_errors(errors)
