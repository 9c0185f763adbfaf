"""Hostile text shown in a real browser stays inert: on every page and tab (tables, markdown,
labels, pickers, chart labels and hover text), as the student and as their coach, no dialog
opens, no request goes to the payload's host, no anchor's address comes from user text, and
no script error is raised (issue 16, item 3)."""
import pytest

from lib import clock, coaching, followup, network, outreach, prep
from lib.db import Database
from lib.network import ContactInput, OrganisationInput
from lib.students import create_student
from tests.conftest import TODAY
from tests.e2e.conftest import SHOTS, app_errors, click, open_app, wait_for_charts, wait_idle
from tests.factories import agreed_conversation, on
from tests.reliability.figures import record
from tests.reliability.payloads import EVIL_HOST, PAYLOADS

pytestmark = pytest.mark.e2e
STUDENT_PAGES = {"My progress": (), "Network": ("Contacts", "Map your network", "Target organisations",
                                                "Import from LinkedIn", "Network map"),
                 "Outreach": ("Do today", "Compose", "Requests", "Charts"),
                 "Prep": ("Checklist", "Questions", "Prep sheet", "Log the conversation", "All conversations"),
                 "Follow-ups": ("Due", "Thank-yous", "Keep in touch", "Referrals", "Charts", "Export"),
                 "Coach": (), "Guided tour": (), "Your data": ()}
COACH_PAGES = {**STUDENT_PAGES, "Coach": ("Cohort", "Advising session", "History")}


@pytest.fixture
def hostile_data(tmp_path):
    """Every text field holds a payload. Written before the server starts: only one process
    may hold the database file."""
    now = clock.moment_of(TODAY)
    with Database(tmp_path / "coffeechat.duckdb") as db:
        sid = create_student(db, PAYLOADS[4], school=PAYLOADS[-3], major=PAYLOADS[-2], pitch=PAYLOADS[4],
                             fields_of_interest=PAYLOADS[-1])
        network.save_organisations(db, sid, [OrganisationInput(1, None, PAYLOADS[1], PAYLOADS[2], 3, 2)], now)
        for i, payload in enumerate(PAYLOADS):
            cid = network.add_contact(db, sid, ContactInput(
                name=f"{payload} #{i}", role=payload, how_met=payload, notes=payload,
                organisation=PAYLOADS[1] if i % 2 else payload, source="alumni"), now)
            outreach.log_request(db, sid, cid, "email", TODAY, payload, TODAY, now)
            followup.log_touch(db, sid, cid, "update", TODAY, None, payload, TODAY, now)
        iid, _ = agreed_conversation(db, sid, PAYLOADS[-3], on(19), organisation=PAYLOADS[-2], held=True,
                                     takeaways="\n".join(PAYLOADS[-4:]))
        prep.save_plan(db, sid, iid, None, PAYLOADS[-1], PAYLOADS[6])
        own, _ = prep.add_question(db, sid, PAYLOADS[-3], "advice", "advice", 2, now)
        upcoming, _ = agreed_conversation(db, sid, PAYLOADS[4], on(27), organisation=PAYLOADS[-1])
        prep.add_from_bank(db, sid, upcoming, [own], {own: True}, now)
        coaching.record_session(db, sid, TODAY, PAYLOADS[-2], PAYLOADS[-3], "shared",
                                [{"text": PAYLOADS[-1], "due_on": TODAY}], TODAY, now)


def links_from_user_text(page) -> list[str]:
    """Anchors whose address contains the payloads' host (a LinkedIn URL field would be the
    one allowed exception; none of these payloads is in one)."""
    return [href for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)") if EVIL_HOST in href]


def open_everything(page) -> None:
    """What a user would open on the current tab: a picker's first choice, so that what
    depends on it (the draft, the thank-you) is drawn too."""
    for label in ("Write to", "Conversation"):
        box = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(
            has=page.get_by_text(label, exact=True))
        if box.count() and box.first.is_visible():
            box.first.click()
            options = page.get_by_role("option")
            if options.count():
                options.first.click()
                wait_idle(page)


def visit(page, pages: dict, found: list[str]) -> int:
    visited = 0
    for link, tabs in pages.items():
        click(page, page.get_by_role("link", name=link, exact=True))
        for tab in tabs or (None,):
            if tab:
                click(page, page.get_by_role("tab", name=tab, exact=True))
            open_everything(page)
            if page.locator(".js-plotly-plot").count():
                wait_for_charts(page)
                for chart in page.locator(".js-plotly-plot").all()[:2]:     # hover text is drawn on demand
                    chart.hover()
            found += links_from_user_text(page)
            visited += 1
    return visited


def test_hostile_text_is_inert_everywhere(browser, hostile_data, served_app):
    page, errors = open_app(browser, served_app, height=2000)
    dialogs, evil_requests, evil_links = [], [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: evil_requests.append(request.url) if EVIL_HOST in request.url else None)
    visited = visit(page, STUDENT_PAGES, evil_links)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "bad_input_student.png"), full_page=True)
    click(page, page.locator("[data-testid='stRadio']").filter(has_text="I am a").get_by_text("Coach", exact=True))
    visited += visit(page, COACH_PAGES, evil_links)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SHOTS / "bad_input_coach.png"), full_page=True)
    assert visited == sum(max(1, len(t)) for t in STUDENT_PAGES.values()) + sum(
        max(1, len(t)) for t in COACH_PAGES.values())
    assert dialogs == [] and evil_requests == [] and evil_links == []
    assert page.locator("script:text('alert')").count() == 0
    script_errors = app_errors(errors) + [e for e in errors if "alert" in e]
    assert not script_errors
    record("hostile text in the browser", payloads=len(PAYLOADS), pages_and_tabs=visited, dialogs=len(dialogs),
           requests_to_payload_host=len(evil_requests), links_from_user_text=len(evil_links),
           script_errors=len(script_errors))
