"""A student marks yesterday's thank-you as sent in a real browser and sees the due queue shrink."""
import pytest

from lib import clock, prep
from lib.db import Database
from lib.students import create_student
from tests.conftest import TODAY
from tests.factories import agreed_conversation, on
from tests.e2e.conftest import SHOTS, app_errors, click, open_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def a_thank_you_due(tmp_path):
    """Written before the server starts: only one process may hold the database file."""
    with Database(tmp_path / "coffeechat.duckdb") as db:
        prep.sync_question_bank(db, clock.moment_of(TODAY))
        sid = create_student(db, "Ada Lovelace")
        agreed_conversation(db, sid, "Carla Diaz", on(19), held=True)
        agreed_conversation(db, sid, "Ben Ode", on(13), held=True)


def test_mark_a_thank_you_sent_and_the_queue_shrinks(browser, a_thank_you_due, served_app):
    page, errors = open_app(browser, served_app, height=1600)
    click(page, page.get_by_role("link", name="Follow-ups"))
    page.get_by_text("Thank Carla Diaz for the conversation").wait_for()
    before = page.get_by_role("button", name="Done").count()
    assert before >= 2
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "follow_up_before.png"), full_page=True)
    carla = page.locator("[data-testid='stHorizontalBlock']", has_text="Thank Carla Diaz for the conversation").first
    click(page, carla.get_by_role("button", name="Done"))
    page.get_by_text("Thank-you recorded as sent.").wait_for()
    assert page.get_by_role("button", name="Done").count() == before - 1
    assert page.get_by_text("Thank Carla Diaz for the conversation").count() == 0
    assert page.get_by_text("Thank Ben Ode for the conversation").is_visible()
    page.screenshot(path=str(SHOTS / "follow_up_after.png"), full_page=True)
    assert not app_errors(errors)
