"""A student picks questions for Friday's conversation in a real browser and downloads the
printable prep sheet."""
from datetime import datetime

import pytest

from lib import clock, prep
from lib.db import Database
from lib.students import create_student
from tests.conftest import TODAY
from tests.factories import agreed_conversation
from tests.e2e.conftest import SHOTS, app_errors, click, download_text, open_app, wait_idle

pytestmark = pytest.mark.e2e


@pytest.fixture
def a_conversation_on_friday(tmp_path):
    """Written before the server starts: only one process may hold the database file."""
    with Database(tmp_path / "coffeechat.duckdb") as db:
        prep.sync_question_bank(db, clock.moment_of(TODAY))
        sid = create_student(db, "Ada Lovelace", pitch="I study history and want to work with collections.")
        agreed_conversation(db, sid, "Carla Diaz", datetime(2026, 11, 27, 10), role="Curator", organisation="City Museum")


def test_select_questions_and_download_the_prep_sheet(browser, a_conversation_on_friday, served_app, tmp_path):
    page, errors = open_app(browser, served_app, height=2200)
    click(page, page.get_by_role("link", name="Prep"))
    click(page, page.get_by_role("tab", name="Questions"))
    page.get_by_text("Add questions", exact=True).wait_for()
    page.wait_for_timeout(1000)                      # let the grids draw before clicking into them
    bank = page.locator("[data-testid='stDataFrame']").nth(1).locator("canvas").first
    box = bank.bounding_box()
    for row in range(2):                             # the "Add" checkbox of the first two questions
        page.mouse.click(box["x"] + 50, box["y"] + 35 + 35 * row + 17)
        page.wait_for_timeout(300)                   # the grid drops keys sent faster than it draws
        page.keyboard.press("Space")                 # toggles the selected checkbox cell
        page.wait_for_timeout(300)
        wait_idle(page)
    click(page, page.get_by_role("button", name="Add the ticked questions"))
    assert page.get_by_text("Added 2 questions.").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "prep_questions.png"), full_page=True)

    click(page, page.get_by_role("tab", name="Prep sheet"))
    html = download_text(page, "Download to print (HTML)", tmp_path)
    assert "Conversation with Carla Diaz" in html and "Friday 27 November 2026, 10:00" in html
    assert html.count("<li><p>") == 2                # the two questions, each with room for notes
    assert "May I connect with you on LinkedIn?" in html and "I study history" in html
    page.screenshot(path=str(SHOTS / "prep_sheet.png"), full_page=True)
    assert not app_errors(errors)
