"""Journeys as people make them (issue 14): add, add again, switch category, switch student
and back, save a session twice, archive and press again, write the 3B7 follow-up from Do
today, record a referral who already exists, refresh in workshop mode.

After every step the database's row counts are read through a second, independent session
(the agent API opening the Your data page, which counts every table), and the figures on
screen are checked against them. Screenshots go to build/screenshots/journey_*.png.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from lib import demo, network, outreach, students
from lib.db import Database
from lib.network import ContactInput
from tests.conftest import TODAY
from tests.e2e.conftest import SHOTS, app_errors, click, open_app, serve, wait_idle
from tests.factories import agreed_conversation
from tests.served import interact

pytestmark = pytest.mark.e2e
AGENT = "--server.enableAgentApi=true"


# --- reading the database from outside the browser's session ------------------------------------

def _find(node, key):
    if isinstance(node, dict):
        if node.get("key") == key:
            return node
        for child in node.get("children", []):
            found = _find(child, key)
            if found:
                return found
    return None


def rows(url: str, dataset: str | None = None) -> dict[str, int]:
    """Rows per table, as the Your data page of a fresh agent-API session counts them."""
    session = interact(url, {})["session_id"]
    if dataset:
        interact(url, {"session_id": session, "widget_state": {"dataset": dataset}})
    reply = interact(url, {"session_id": session, "page": "data"})
    table = _find(reply["tree"], "data_row_counts")
    assert table and table["data"]["complete"], "the Your data page shows no row counts"
    return dict(table["data"]["preview"]["rows"])


BOOKKEEPING = {"data_versions"}      # one row per student who has written: a first write adds theirs


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Tables of the student's data whose row count moved, and by how much."""
    return {t: after[t] - before.get(t, 0) for t in after
            if after[t] != before.get(t, 0) and t not in BOOKKEEPING}


# --- the browser ----------------------------------------------------------------------------------

def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"journey_{name}.png"), full_page=True)


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has=page.get_by_text(label, exact=True))
    return box.locator("[data-testid='stMetricValue']").first.inner_text()


def go(page, link: str) -> None:
    click(page, page.get_by_role("link", name=link, exact=True))


def tab(page, name: str) -> None:
    click(page, page.get_by_role("tab", name=name, exact=True))


def type_into_grid(page, grid, cells: list[str], first_row: int = 0) -> None:
    """Type one value per row into the first column of a data editor (a canvas grid)."""
    page.wait_for_timeout(800)                       # let the grid settle before typing into it
    box = grid.bounding_box()
    for row, text in enumerate(cells, start=first_row):
        page.mouse.click(box["x"] + 60, box["y"] + 35 + 35 * row + 17)   # first column, 35-px rows
        for key in ("Enter", text, "Enter"):          # open the cell editor, type, save the cell
            page.wait_for_timeout(250)                # the grid drops keys sent faster than it draws
            page.keyboard.press(key) if key == "Enter" else page.keyboard.type(key)
        wait_idle(page)


def add_grid_rows(page, grid, cells: list[str]) -> None:
    """Add rows to an empty dynamic data editor: a click on its trailing row adds a row with
    the first cell selected; typing opens the cell editor; Enter saves the cell."""
    page.wait_for_timeout(800)
    box = grid.bounding_box()
    for row, text in enumerate(cells):
        page.mouse.click(box["x"] + 60, box["y"] + 35 + 35 * row + 17)
        page.wait_for_timeout(400)
        page.keyboard.type(text)
        page.wait_for_timeout(250)
        page.keyboard.press("Enter")
        wait_idle(page)


def select(page, label: str, option: str) -> None:
    """Choose `option` (its text, or the start of it) in the selectbox labelled `label`."""
    page.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text(label, exact=True)).first.click()
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_idle(page)


def role(page, name: str) -> None:
    """Choose 'I am a' Student or Coach in the sidebar."""
    click(page, page.locator("[data-testid='stRadio']").filter(has_text="I am a").get_by_text(name, exact=True))


def visible_text(page, text: str) -> bool:
    return page.get_by_text(text).first.is_visible() if page.get_by_text(text).count() else False


# --- data a student could have after a fortnight -----------------------------------------------------

def seed_student(folder) -> dict:
    """Ada: Carla (asked on 11 Nov: her follow-up is due today), Fay (asked on 16 Nov), Dana
    (a cold LinkedIn contact at Contoso), and Evan, met on 19 Nov; Ben, a second student."""
    now = datetime(2026, 11, 20, 9, 0)
    with Database(folder / "coffeechat.duckdb") as db:
        ada = students.create_student(db, "Ada Lovelace", school="Lakeside University")
        ids = {"ada": ada}
        for name, source, org in (("Carla Diaz", "alumni", "City Museum"), ("Fay Okafor", "alumni", "Northwind"),
                                  ("Dana Wu", "linkedin", "Contoso")):
            ids[name] = network.add_contact(db, ada, ContactInput(name=name, source=source, organisation=org), now)
        ids["carla_request"] = outreach.log_request(db, ada, ids["Carla Diaz"], "email", date(2026, 11, 11), "Hello",
                                                    TODAY, now)
        ids["fay_request"] = outreach.log_request(db, ada, ids["Fay Okafor"], "email", date(2026, 11, 16), "Hi",
                                                  TODAY, now)
        agreed_conversation(db, ada, "Evan Ng", datetime(2026, 11, 19, 10), held=True,
                            takeaways="Learn SQL early. Join the museum association.")
        ids["ben"] = students.create_student(db, "Ben Carter")
    return ids


# --- the journeys ---------------------------------------------------------------------------------------

def test_mapping_the_network_adds_each_person_once(browser, tmp_path):
    """Add two family members, press Add again, switch category, add a friend, go back."""
    with serve(tmp_path, AGENT) as url:
        page, errors = open_app(browser, url)
        page.get_by_label("Your name").fill("Ada Lovelace")
        click(page, page.get_by_role("button", name="Create my profile"))
        go(page, "Network")
        start = rows(url)
        assert start["students"] == 1 and start["contacts"] == 0

        type_into_grid(page, page.locator("[data-testid='stDataFrame'] canvas").first, ["Aunt May", "Uncle Ben"])
        click(page, page.get_by_role("button", name="Add these people"))
        assert page.get_by_text("Added 2 family contacts").is_visible()
        assert changed(start, after := rows(url)) == {"contacts": 2}
        assert metric(page, "Warm contacts") == "2"
        shot(page, "map_added")

        # the grid was emptied by the save: pressing Add again adds nobody
        click(page, page.get_by_role("button", name="Add these people"))
        assert page.get_by_text("Type at least one name in the table first").is_visible()
        assert rows(url) == after and metric(page, "Warm contacts") == "2"

        # another category starts on an empty grid; what is added there is added there only
        click(page, page.get_by_text("Friends and community", exact=False).first)
        type_into_grid(page, page.locator("[data-testid='stDataFrame'] canvas").first, ["Priya Shah"])
        click(page, page.get_by_role("button", name="Add these people"))
        assert page.get_by_text("Added 1 friends and community contact").is_visible()
        assert changed(after, after2 := rows(url)) == {"contacts": 1}
        click(page, page.get_by_text("Family", exact=False).first)
        click(page, page.get_by_role("button", name="Add these people"))
        assert page.get_by_text("Type at least one name in the table first").is_visible()
        assert rows(url) == after2 and metric(page, "Warm contacts") == "3"
        shot(page, "map_back_to_family")
        assert not app_errors(errors)


def test_archive_confirms_once_and_closes(browser, tmp_path):
    seed_student(tmp_path)
    with serve(tmp_path, AGENT) as url:
        page, errors = open_app(browser, url)
        go(page, "Network")
        before = rows(url)
        page.get_by_text("Edit or archive a contact").click()
        wait_idle(page)
        select(page, "Contact", "Dana Wu")
        click(page, page.get_by_role("button", name="Archive..."))
        dialog = page.get_by_role("dialog")
        assert dialog.is_visible()
        shot(page, "archive_dialog")
        click(page, dialog.get_by_role("button", name="Archive", exact=True))
        assert page.get_by_role("dialog").count() == 0                       # closed by the confirm
        assert page.get_by_text("Archived Dana Wu").is_visible()
        assert page.get_by_role("button", name="Archive...").count() == 0   # nothing left to press again
        assert rows(url) == before                                          # archived, not deleted
        assert page.get_by_text("Archived contacts (1)").is_visible()
        assert metric(page, "Cold contacts") == "0"
        shot(page, "archive_done")
        assert not app_errors(errors)


def test_the_3b7_follow_up_is_logged_with_its_request(browser, tmp_path):
    seed_student(tmp_path)
    with serve(tmp_path, AGENT) as url:
        page, errors = open_app(browser, url)
        go(page, "Outreach")
        before = rows(url)
        sent = metric(page, "Requests sent")
        tab(page, "Compose")                      # nobody chosen yet: no draft for somebody else
        assert page.get_by_text("Pick someone to write to").is_visible()
        assert page.get_by_role("textbox", name="Message").count() == 0
        tab(page, "Do today")
        assert page.get_by_text("Follow up once with Carla Diaz at City Museum").first.is_visible()
        click(page, page.get_by_role("button", name="Write it").first)
        assert page.get_by_text("Writing the one 3B7 follow-up to your request of Wednesday 11 November").is_visible()
        assert page.get_by_role("button", name="Log the follow-up as sent").is_visible()
        assert "following up on my note from Wednesday 11 November" in page.get_by_role("textbox", name="Message").input_value()
        shot(page, "follow_up_compose")
        click(page, page.get_by_role("button", name="Log the follow-up as sent"))
        assert page.get_by_text("Follow-up logged: Carla Diaz").is_visible()
        assert rows(url) == before                                       # no second request
        assert metric(page, "Requests sent") == sent
        tab(page, "Requests")
        assert page.get_by_role("button", name="Log the follow-up as sent").count() == 0
        tab(page, "Do today")
        assert page.get_by_text("Follow up once with Carla Diaz at City Museum").count() == 0
        shot(page, "follow_up_logged")
        assert not app_errors(errors)


def test_a_referral_already_in_the_network_is_not_added_twice(browser, tmp_path):
    seed_student(tmp_path)
    with serve(tmp_path, AGENT) as url:
        page, errors = open_app(browser, url)
        go(page, "Outreach")
        tab(page, "Requests")
        before = rows(url)
        picker = page.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text("Request", exact=True))
        assert "Whose reply?" in picker.first.inner_html()                 # the picker starts on nobody
        click(page, page.get_by_role("button", name="Save the reply"))   # saved without choosing: refused
        assert page.get_by_text("Nothing was saved").is_visible() and rows(url) == before
        select(page, "Request", "Fay Okafor · Northwind")                 # labels tell people apart
        page.get_by_text("Referred me elsewhere").click()
        page.get_by_role("textbox", name="If they suggested someone else: who?").fill("dana wu")
        page.get_by_role("textbox", name="Where they work").fill("CONTOSO")
        click(page, page.get_by_role("button", name="Save the reply"))
        assert page.get_by_text("already in your network").is_visible()
        assert changed(before, after := rows(url)) == {"tasks": 1, "touches": 1}     # no twin
        assert page.get_by_role("textbox", name="If they suggested someone else: who?").input_value() == ""
        shot(page, "referral_matched")
        go(page, "Network")
        assert metric(page, "Warm contacts") == "4" and metric(page, "Cold contacts") == "0"   # Dana turned warm
        assert rows(url) == after
        assert not app_errors(errors)


def test_widgets_belong_to_the_student_they_were_set_for(browser, tmp_path):
    """Ada chooses 48 hours; Ben still shows his own 24; back to Ada: 48, and nothing written for Ben."""
    seed_student(tmp_path)
    with serve(tmp_path, AGENT) as url:
        page, errors = open_app(browser, url)
        go(page, "Follow-ups")
        tab(page, "Thank-yous")
        click(page, page.get_by_text("48 hours", exact=True))
        assert page.get_by_text("From now on, thank-yous are due within 48 hours").is_visible()
        select(page, "Student", "Ben Carter")
        go(page, "Follow-ups")
        tab(page, "Thank-yous")
        assert page.get_by_role("radio", name="24 hours").is_checked()
        select(page, "Student", "Ada Lovelace")
        go(page, "Follow-ups")
        tab(page, "Thank-yous")
        assert page.get_by_role("radio", name="48 hours").is_checked()
        shot(page, "thank_you_window_per_student")
        assert not app_errors(errors)
    with Database(tmp_path / "coffeechat.duckdb", read_only=True) as db:   # the server has stopped
        assert dict(db.rows("SELECT name, thank_you_hours FROM students")) == {"Ada Lovelace": 48, "Ben Carter": 24}


def test_a_coach_saves_a_session_once(browser, tmp_path):
    """The coach writes notes and an action item, saves, and presses Save again."""
    demo.load_file(tmp_path / "demo.duckdb", students=4, as_of=TODAY)
    with serve(tmp_path, AGENT) as url:
        page, errors = open_app(browser, url)
        click(page, page.get_by_role("button", name="Explore the demo cohort"))
        role(page, "Coach")
        go(page, "Coach")
        tab(page, "Advising session")
        before = rows(url, "Demo cohort")
        page.get_by_role("textbox", name="Coach").fill("Jo Park")
        page.get_by_role("textbox", name="Session notes").fill("Agreed: two warm contacts a week.")
        add_grid_rows(page, page.locator("[data-testid='stDataFrame'] canvas").first, ["Email two alumni"])
        click(page, page.get_by_role("button", name="Save the session"))
        shot(page, "session_saved")
        assert page.get_by_text("Session saved. 1 action item now in").is_visible()
        assert changed(before, after := rows(url, "Demo cohort")) == {"advising_sessions": 1, "action_items": 1}
        assert page.get_by_role("textbox", name="Session notes").input_value() == ""      # the form is cleared
        shot(page, "session_saved")
        click(page, page.get_by_role("button", name="Save the session"))                # pressed again
        assert page.get_by_text("write notes or at least one action item").is_visible()
        assert rows(url, "Demo cohort") == after
        # the brief compares with the session before this one, never with the one just saved
        assert page.get_by_text(f"what changed since the session on {TODAY:%d %b}").count() == 0
        assert not app_errors(errors)


def test_a_workshop_copy_survives_a_refresh(browser, tmp_path):
    from tests import served
    with served.serve(tmp_path, today=TODAY, env={"COFFEECHAT_WORKSHOP": "1"}) as server:
        page, errors = open_app(browser, server.url)
        go(page, "Network")
        cold = int(metric(page, "Cold contacts"))
        page.get_by_text("Add a contact").first.click()
        page.get_by_role("textbox", name="Name (required)").fill("Only In My Copy")
        click(page, page.get_by_role("button", name="Add contact"))
        assert page.get_by_text("Added Only In My Copy as a cold contact").is_visible()
        assert int(metric(page, "Cold contacts")) == cold + 1
        token = page.url.split("copy=")[1]
        page.reload()
        wait_idle(page)
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        assert page.url.split("copy=")[1] == token
        assert int(metric(page, "Cold contacts")) == cold + 1                 # the same copy after a refresh
        shot(page, "workshop_refreshed")
        click(page, page.get_by_role("button", name="Reset the demo"))
        click(page, page.get_by_role("dialog").get_by_role("button", name="Reset", exact=True))
        assert page.get_by_role("dialog").count() == 0
        assert page.url.split("copy=")[1] != token
        go(page, "Network")
        assert int(metric(page, "Cold contacts")) == cold                     # Reset: a fresh copy
        assert not app_errors(errors)


def double_click(page, button) -> None:
    """Two real clicks 250 ms apart, as an impatient person makes them, then wait for the runs."""
    box = button.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(250)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_idle(page)


def test_a_double_click_saves_once_and_never_shows_the_error_page(browser, tmp_path):
    """The fresh-eyes tester's crash: a second click arriving after the first saved and cleared
    the form. It must find a newer form and do nothing."""
    seed_student(tmp_path)
    with serve(tmp_path, AGENT) as url:
        page, errors = open_app(browser, url)
        go(page, "Outreach")
        tab(page, "Compose")
        select(page, "Write to", "Dana Wu")
        before = rows(url)
        double_click(page, page.get_by_role("button", name="Log as sent"))
        assert page.locator("[data-testid='stException']").count() == 0
        # the message shows once, after the first click; the second click's run may already have replaced it
        assert changed(before, after := rows(url)) == {"outreach_requests": 1}
        go(page, "Follow-ups")
        tab(page, "Thank-yous")
        select(page, "Conversation", "Evan Ng")
        double_click(page, page.get_by_role("button", name="Record as sent"))
        assert page.locator("[data-testid='stException']").count() == 0
        assert changed(after, after2 := rows(url)) == {"touches": 1}            # one thank-you touch
        tab(page, "Keep in touch")
        select(page, "Who", "Carla Diaz")
        double_click(page, page.get_by_role("button", name="Log it"))
        assert page.locator("[data-testid='stException']").count() == 0
        # a second click that lands on the already cleared form is at most refused with a message
        assert changed(after2, rows(url)) == {"touches": 1}
        shot(page, "double_click")
        assert not app_errors(errors)
