"""Hostile text shown in a real browser stays inert: on every page and tab (tables, markdown,
chart labels and hover text) no dialog opens, no request goes to the payload's host, and no
script error is raised."""
import pytest

from lib import clock, coaching, followup, network, outreach, prep
from lib.db import Database
from lib.network import ContactInput, OrganisationInput
from lib.students import create_student
from tests.conftest import TODAY
from tests.e2e.conftest import SHOTS, app_errors, click, open_app, wait_for_charts
from tests.factories import agreed_conversation, on
from tests.reliability.figures import record
from tests.reliability.payloads import EVIL_HOST, PAYLOADS

pytestmark = pytest.mark.e2e
PAGES = {"My progress": (), "Network": ("Contacts", "Target organisations", "Network map"),
         "Outreach": ("Do today", "Requests", "Charts"), "Prep": ("Checklist", "Questions", "Prep sheet"),
         "Follow-ups": ("Due", "Thank-yous", "Keep in touch", "Referrals", "Charts"),
         "Coach": ()}


@pytest.fixture
def hostile_data(tmp_path):
    """Written before the server starts: only one process may hold the database file."""
    now = clock.moment_of(TODAY)
    with Database(tmp_path / "coffeechat.duckdb") as db:
        prep.sync_question_bank(db, now)
        sid = create_student(db, PAYLOADS[0], pitch=PAYLOADS[4])
        network.save_organisations(db, sid, [OrganisationInput(1, None, PAYLOADS[1], PAYLOADS[2], 3, 2)], now)
        for i, payload in enumerate(PAYLOADS):
            cid = network.add_contact(db, sid, ContactInput(name=f"{payload} #{i}", role=payload, how_met=payload,
                                                            organisation=PAYLOADS[1], source="alumni"), now)
            outreach.log_request(db, sid, cid, "email", TODAY, payload, TODAY, now)
            followup.log_touch(db, sid, cid, "update", TODAY, None, payload, TODAY, now)
        iid, _ = agreed_conversation(db, sid, PAYLOADS[3], on(19), organisation=PAYLOADS[1], held=True,
                                     takeaways=PAYLOADS[5])
        prep.save_plan(db, sid, iid, None, PAYLOADS[2], PAYLOADS[6])
        coaching.record_session(db, sid, TODAY, PAYLOADS[4], PAYLOADS[0], "shared",
                                [{"text": PAYLOADS[1], "due_on": TODAY}], TODAY, now)


def test_hostile_text_is_inert_everywhere(browser, hostile_data, served_app):
    page, errors = open_app(browser, served_app, height=2000)
    dialogs, evil_requests = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: evil_requests.append(request.url) if EVIL_HOST in request.url else None)
    visited = 0
    for link, tabs in PAGES.items():
        click(page, page.get_by_role("link", name=link))
        for tab in tabs or (None,):
            if tab:
                click(page, page.get_by_role("tab", name=tab))
            if page.locator(".js-plotly-plot").count():
                wait_for_charts(page)
                for chart in page.locator(".js-plotly-plot").all()[:2]:     # hover text is drawn on demand
                    chart.hover()
            visited += 1
    page.wait_for_timeout(1000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "bad_input_follow_ups.png"), full_page=True)
    assert visited == sum(max(1, len(tabs)) for tabs in PAGES.values())
    assert dialogs == [] and evil_requests == []
    assert page.locator("script:text('alert')").count() == 0
    assert not app_errors(errors) and not [e for e in errors if "alert" in e]
    record("hostile text in the browser", payloads=len(PAYLOADS), pages_and_tabs=visited, dialogs=len(dialogs),
           requests_to_payload_host=len(evil_requests), script_errors=0)
