"""What I'm learning in Chromium (issue 20): a student's own notes become skills, merged advice
and a brief; a piece of advice becomes one to-do; shared, the coach sees counts and no note."""
from datetime import datetime

import pytest

from lib import prep
from lib.db import Database
from lib.students import create_student
from tests.conftest import TODAY
from tests.e2e.conftest import SHOTS, app_errors, click, open_app, serve
from tests.e2e.test_journeys import AGENT, changed, go, metric, role, rows, tab
from tests.factories import agreed_conversation

pytestmark = pytest.mark.e2e


def seed(folder) -> None:
    now = datetime(2026, 11, 20, 9)
    with Database(folder / "coffeechat.duckdb") as db:
        sid = create_student(db, "Ada Lovelace", fields_of_interest="data science, UX research")
        for name, day, org, notes in (
                ("Maya Chen", 10, "Brightline Analytics", "Learn SQL early, before your final year.\n"
                                                          "Read \"Storytelling with Data\"."),
                ("Tom Okafor", 12, "Northwind data science team", "Get SQL in before you graduate. Tableau for dashboards."),
                ("Hana Sato", 13, "Pixel UX research studio", "Put two case studies in your portfolio.")):
            iid, _ = agreed_conversation(db, sid, name, datetime(2026, 11, day, 10), organisation=org)
            prep.log_conversation(db, sid, iid, prep.ConversationLog(status="held", takeaways=notes), TODAY, now)


def test_what_i_am_learning_as_student_then_coach(browser, tmp_path):
    seed(tmp_path)
    with serve(tmp_path, AGENT) as url:
        page, errors = open_app(browser, url, height=1400)
        go(page, "What I'm learning")
        assert (metric(page, "Conversations held"), metric(page, "Advice from 2+ people")) == ("3", "1")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "learning_skills.png"), full_page=True)
        tab(page, "Advice")
        assert page.get_by_text("Learn SQL early, before your final year.", exact=True).is_visible()
        assert page.get_by_text("2 people: Maya Chen, Tom Okafor").is_visible()
        before = rows(url)
        click(page, page.get_by_role("button", name="Make it a to-do").first)
        assert page.get_by_text("Added to your due list").is_visible()
        assert changed(before, after := rows(url)) == {"tasks": 1}
        assert page.get_by_text("On your due list").first.is_visible()      # no button left to press twice
        page.screenshot(path=str(SHOTS / "learning_advice.png"), full_page=True)
        tab(page, "Field briefs")
        assert page.get_by_text("What 2 people in data science told me").is_visible()
        assert page.get_by_text("What 1 person in UX research told me").is_visible()
        click(page, page.get_by_text("Share these counts with my coach"))
        role(page, "Coach")
        go(page, "Coach")
        tab(page, "What they are learning")
        assert page.get_by_text("1 of 1 students who share them").is_visible()
        assert page.get_by_text("Learn SQL early").count() == 0                 # counts only, never a note
        page.screenshot(path=str(SHOTS / "learning_coach.png"), full_page=True)
        go(page, "What I'm learning")                                          # the coach looks, read-only
        tab(page, "Advice")
        assert page.get_by_role("button", name="Make it a to-do").count() == 0
        assert rows(url) == after
        assert not app_errors(errors)
