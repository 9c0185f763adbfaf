"""A coach, in a real browser, opens a student from the cohort (their pages are read-only),
writes a session note and downloads the session report."""
import pytest

from lib import clock, prep
from lib.db import Database
from lib.students import create_student
from tests.conftest import TODAY
from tests.factories import agreed_conversation, on
from tests.e2e.conftest import SHOTS, app_errors, click, download_text, open_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_students(tmp_path):
    """Written before the server starts: only one process may hold the database file."""
    with Database(tmp_path / "coffeechat.duckdb") as db:
        prep.sync_question_bank(db, clock.moment_of(TODAY))
        create_student(db, "Ada Lovelace", cohort="Spring 2027 workshop")
        grace = create_student(db, "Grace Hopper", cohort="Spring 2027 workshop")
        agreed_conversation(db, grace, "Carla Diaz", on(17), held=True)


def test_coach_opens_a_student_writes_a_note_and_downloads_the_report(browser, two_students, served_app, tmp_path):
    page, errors = open_app(browser, served_app, height=1800)
    click(page, page.locator("[data-testid='stRadio']").filter(has_text="I am a").get_by_text("Coach"))
    click(page, page.get_by_role("link", name="Coach"))
    page.get_by_text("Late or missing thank-yous").wait_for(state="attached")   # Grace never thanked Carla (a grid cell)
    page.get_by_label("Open a student's pages").click()
    page.keyboard.type("Grace")
    page.keyboard.press("Enter")
    click(page, page.get_by_role("button", name="Open their dashboard"))
    page.get_by_role("heading", name="Grace Hopper: progress").wait_for()
    assert page.get_by_text("Coach view: you see").is_visible()
    click(page, page.get_by_role("link", name="Network"))
    assert page.get_by_text("Add a contact").count() == 0                 # no write widgets in the coach view
    click(page, page.get_by_role("link", name="Coach"))
    click(page, page.get_by_role("tab", name="Advising session"))
    page.get_by_text("Grace Hopper: what changed").wait_for()
    page.get_by_role("textbox", name="Coach").fill("Jo Coach")
    page.get_by_role("textbox", name="Session notes").fill("Send the thank-you to Carla today; then two alumni requests.")
    page.get_by_text("Shared with the student").click()
    click(page, page.get_by_role("button", name="Save the session"))
    page.get_by_text("Session saved").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "coach_session.png"), full_page=True)
    html = download_text(page, "Session report (print-ready HTML)", tmp_path)
    assert "Session report: Grace Hopper" in html and "Conversations held<b>1</b>" in html
    click(page, page.get_by_role("tab", name="History"))
    assert page.get_by_text("Send the thank-you to Carla today").count() >= 1
    assert not app_errors(errors)
