"""Sign-in end to end (issue 18): a real OpenID Connect provider (oidc-provider-mock, started
here on 127.0.0.1 and stopped afterwards) and Streamlit's own st.login, driven in Chromium
for a student, a coach and an admin. The browser starts at localhost, the host name of the
redirect URI (the sign-in cookie is set for it). Streamlit reads the claims from the ID
token: email and name. Screenshots of each role after sign-in: build/screenshots/sign_in_*.png.

Then the attempts: two students signed in at once in two browsers, visiting the same pages and
tabs and downloading their files, never see each other; a student naming another in the
address (?student=) sees only herself and the attempt is logged; a coach whose assignment an
admin removes while her page is open loses the student at the next run of that page (logged as
refused); through the agent API (identity from trusted headers, as behind a proxy: the agent
API never honours the sign-in cookie) a stale student widget is refused and logged, and a
student who is not an option is refused by Streamlit itself."""
from __future__ import annotations

import io
import json
import threading
import urllib.error
import urllib.request
import zipfile
from contextlib import contextmanager
from datetime import datetime

import pytest

from lib import access, network, prep, students, users
from lib.db import Database
from lib.network import ContactInput
from tests import served
from tests.conftest import TODAY
from tests.e2e.conftest import SHOTS, click, wait_idle
from tests.factories import agreed_conversation

pytestmark = pytest.mark.e2e

ROSTER = b"""email,name,role,coach,cohort
cora@uni.edu,Cora Coach,coach,,
ana@uni.edu,Ana Alves,student,cora@uni.edu,Spring 2027
ben@uni.edu,Ben Bell,student,,Spring 2027
"""
PEOPLE = {"ana": ("ana@uni.edu", "Ana Alves"), "ben": ("ben@uni.edu", "Ben Bell"), "cora": ("cora@uni.edu", "Cora Coach"),
          "root": ("root@uni.edu", "Rita Root"), "stranger": ("stranger@uni.edu", "Sam Stranger")}


@pytest.fixture
def provider():
    """An OpenID Connect provider on loopback, with predefined users and their claims."""
    oidc = pytest.importorskip("oidc_provider_mock", reason="pip install -r requirements-dev.txt")
    import werkzeug.serving
    app = oidc.app(user_claims=[oidc.User(sub=sub, claims={"email": email, "name": name, "email_verified": True})
                                for sub, (email, name) in PEOPLE.items()])
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def serve_centre(tmp_path, provider: str, roster: bytes = ROSTER, *options: str, seed=None):
    """The app served in signed-in mode on a career centre's database (`seed(db)` adds data
    first); yields its localhost URL. The database is free again after the block."""
    with Database(tmp_path / "coffeechat.duckdb") as db:
        users.import_roster(db, users.parse_roster(roster))
        if seed:
            seed(db)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f"""[auth]
redirect_uri = "http://localhost:{{port}}/oauth2callback"
cookie_secret = "a-test-cookie-secret-that-is-long-enough-0123456789"
client_id = "coffeechat-test"
client_secret = "coffeechat-test-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[coffeechat]
admins = ["root@uni.edu"]
""")
    try:
        with served.serve(tmp_path, "--secrets.files", str(secrets), *options, today=TODAY) as server:
            yield server.url.replace("127.0.0.1", "localhost")
    except served.ServerDidNotStart as exc:
        pytest.fail(str(exc))


@pytest.fixture
def centre(tmp_path, provider):
    """The app served in signed-in mode on a career centre's database."""
    with serve_centre(tmp_path, provider) as url:
        yield url


def sign_in(browser, url: str, who: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("text=Authorize Client", timeout=30_000)
    page.locator(f"button[name='sub'][value='{who}']").click()
    page.wait_for_url(f"{url}/**", timeout=30_000)
    page.wait_for_selector("[data-testid='stSidebar']", timeout=60_000)
    wait_idle(page)
    return page


def nav_links(page) -> list[str]:
    return [t.strip().split("\n")[-1] for t in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]


def sidebar(page) -> str:
    return page.locator("[data-testid='stSidebar']").inner_text()


def test_nobody_sees_anything_before_signing_in(browser, centre):
    page = browser.new_page()
    page.goto(centre)
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    wait_idle(page)
    body = page.locator("[data-testid='stApp']").inner_text()
    assert "Ana Alves" not in body and "Network" not in body


def test_student_coach_and_admin_sign_in_and_see_their_own(browser, centre):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = sign_in(browser, centre, "ana")
    assert "Ana Alves" in sidebar(page) and "Student" in sidebar(page) and "I am a" not in sidebar(page)
    links = nav_links(page)
    assert "My record" in links and "Coach" not in links and "Admin" not in links and "Your data" not in links
    page.screenshot(path=str(SHOTS / "sign_in_student.png"), full_page=True)

    page = sign_in(browser, centre, "cora")
    assert "Cora Coach" in sidebar(page) and "Coach" in sidebar(page) and "I am a" not in sidebar(page)
    links = nav_links(page)
    assert "Coach" in links and "Admin" not in links and "My record" not in links
    page.locator("[data-testid='stSidebarNav'] a", has_text="Coach").click()
    wait_idle(page)
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=60_000)
    assert "Ben Bell" not in sidebar(page)
    page.screenshot(path=str(SHOTS / "sign_in_coach.png"), full_page=True)

    page = sign_in(browser, centre, "root")
    links = nav_links(page)
    assert "Admin" in links and "Coach" in links and "Your data" in links
    page.locator("[data-testid='stSidebarNav'] a", has_text="Admin").click()
    wait_idle(page)
    page.wait_for_selector("text=Deletion requests", timeout=60_000)
    page.screenshot(path=str(SHOTS / "sign_in_admin.png"), full_page=True)


def test_an_unknown_email_is_asked_to_contact_the_career_centre(browser, centre):
    page = sign_in_unknown = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(centre)
    page.get_by_role("button", name="Sign in").click()
    page.locator("button[name='sub'][value='stranger']").click()
    page.wait_for_selector("text=ask your career centre for access", timeout=60_000)
    wait_idle(page)
    assert "Network" not in sign_in_unknown.locator("[data-testid='stApp']").inner_text()
    page.screenshot(path=str(SHOTS / "sign_in_unknown.png"), full_page=True)


# --- two students at once, and attempts to reach another student -------------------------------

TWO_COACHED = b"""email,name,role,coach,cohort
cora@uni.edu,Cora Coach,coach,,
kay@uni.edu,Kay Coach,coach,,
ana@uni.edu,Ana Alves,student,cora@uni.edu,Spring 2027
ben@uni.edu,Ben Bell,student,cora@uni.edu,Spring 2027
"""
# what only each student's record holds: their name, a contact, that contact's organisation
MARKS = {"ana": ("Ana Alves", "Anafriend", "Anaco Labs"), "ben": ("Ben Bell", "Benfriend", "Benco Works")}
STUDENT_PAGES = ("My progress", "Network", "Outreach", "Prep", "Follow-ups", "What I'm learning", "My profile",
                 "My record")


def seed_both(db) -> None:
    """Ana and Ben each with contacts, a conversation held (notes, a field brief) and one to come."""
    for who, first in (("ana", "Marta"), ("ben", "Boris")):
        sid = access.viewer_for(db, f"{who}@uni.edu").own_student
        _, friend, org = MARKS[who]
        students.update_profile(db, sid, MARKS[who][0], fields_of_interest="data science")
        held, _ = agreed_conversation(db, sid, f"{first} {friend}", datetime(2026, 11, 10, 10), organisation=org)
        prep.log_conversation(db, sid, held, prep.ConversationLog(status="held", takeaways=f"Learn SQL early at {org}."),
                              TODAY, datetime(2026, 11, 20, 12))
        agreed_conversation(db, sid, f"Carla {friend}", datetime(2026, 11, 27, 10), organisation=org)
        network.add_contact(db, sid, ContactInput(name=f"Dana {friend}", organisation=org), datetime(2026, 11, 20, 12))


def whole_text(page) -> str:
    """Everything the app drew: sidebar, page, tables' and charts' text (SVG included)."""
    return page.locator("[data-testid='stApp']").text_content()


def tabs_of(page) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid='stMain'] [role='tab']").all_inner_texts()]


def sees_only(text: str, who: str, other: str, where: str) -> None:
    leaked = [mark for mark in MARKS[other] if mark in text]
    assert not leaked, f"{who} sees {leaked} of {other} on {where}"


def fetch(page, button: str, reopen=None) -> bytes:
    """Click a download button once the page is idle; the file's bytes. A file built on click
    can take a while on a loaded machine; one more click if the first brought nothing. Under
    load a download button built on click sometimes stays disabled (a known bug, cause not
    found: see the closing note of 2026-12-02); then the page is reloaded and `reopen()` goes
    back to the button, as a person would, before the second try."""
    target = page.get_by_role("button", name=button).first
    target.wait_for(timeout=60_000)
    wait_idle(page)
    for attempt in (1, 2):
        try:
            with page.expect_download(timeout=45_000) as download:
                target.click(timeout=30_000)
            return download.value.path().read_bytes()
        except Exception:
            if attempt == 2:
                raise
            if reopen is not None and not target.is_enabled():
                page.reload()
                wait_idle(page)
                reopen()
                target = page.get_by_role("button", name=button).first
                target.wait_for(timeout=60_000)
            wait_idle(page)


def test_two_students_at_once_see_only_themselves_everywhere(browser, tmp_path, provider):
    with serve_centre(tmp_path, provider, TWO_COACHED, seed=seed_both) as url:
        pages = {"ana": sign_in(browser, url, "ana"), "ben": sign_in(browser, url, "ben")}
        other = {"ana": "ben", "ben": "ana"}
        own_contacts_seen = set()
        for title in STUDENT_PAGES:
            for who, page in pages.items():       # the same page in both browsers, one after the other
                click(page, page.locator("[data-testid='stSidebarNav'] a", has_text=title).first)
                tabs = tabs_of(page) or [None]
                for tab in tabs:
                    if tab is not None:
                        click(page, page.get_by_role("tab", name=tab, exact=True))
                    page.wait_for_timeout(400)    # charts drawn
                    text = whole_text(page)
                    sees_only(text, who, other[who], f"{title} / {tab}")
                    assert MARKS[who][0] in text, (who, title, tab)
                    if MARKS[who][1] in text:
                        own_contacts_seen.add((who, title))
        # the text read is the data (tables' and charts' text too): each saw their own contacts
        assert own_contacts_seen == {(who, title) for who in pages for title in STUDENT_PAGES[:6]}
        # downloads: each gets only their own record
        for who, page in pages.items():
            def export_tab(page=page):
                click(page, page.locator("[data-testid='stSidebarNav'] a", has_text="Follow-ups").first)
                click(page, page.get_by_role("tab", name="Export", exact=True))
            export_tab()
            for button in ("Calendar (.ics)", "Contacts and touches (.csv)"):
                text = fetch(page, button, export_tab).decode()
                assert MARKS[who][1] in text, (who, button)
                sees_only(text, who, other[who], button)
            def prep_sheet_tab(page=page):
                click(page, page.locator("[data-testid='stSidebarNav'] a", has_text="Prep").first)
                click(page, page.get_by_role("tab", name="Prep sheet", exact=True))
            prep_sheet_tab()
            text = fetch(page, "Download as Markdown", prep_sheet_tab).decode()
            assert MARKS[who][1] in text
            sees_only(text, who, other[who], "the prep sheet")
            click(page, page.locator("[data-testid='stSidebarNav'] a", has_text="My record").first)
            archive = zipfile.ZipFile(io.BytesIO(fetch(page, "Download my data (.zip)")))
            everything = " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
            assert MARKS[who][1] in everything
            sees_only(everything, who, other[who], "the data zip")
        # the address never chooses a student: Ana naming Ben in it still sees only herself
        ana = pages["ana"]
        ana.goto(f"{url}/network?student=Ben%20Bell")
        ana.wait_for_selector("[data-testid='stSidebar']", timeout=60_000)
        wait_idle(ana)
        text = whole_text(ana)
        assert "Your record: Ana Alves" in text
        sees_only(text, "ana", "ben", "Network?student=Ben Bell")
    with Database(tmp_path / "coffeechat.duckdb", read_only=True) as db:
        log = access.full_log(db)
    # a student's own views and downloads are not logged; the attempt through the address is
    assert list(zip(log["Who"], log["What"], log["Whose record"], log["Where"])) == [
        ("ana@uni.edu", "refused", "Ben Bell", "asked for a record that is not theirs in the address (?student=)")]


def select_student(page, label: str) -> None:
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    page.get_by_role("option").filter(has_text=label).first.click()
    wait_idle(page)


def test_a_removed_assignment_takes_effect_at_the_next_page_and_the_stale_page_is_refused(browser, tmp_path,
                                                                                         provider):
    with serve_centre(tmp_path, provider, TWO_COACHED, seed=seed_both) as url:
        cora = sign_in(browser, url, "cora")
        click(cora, cora.locator("[data-testid='stSidebarNav'] a", has_text="Network").first)
        select_student(cora, "Ben Bell")
        assert "Benfriend" in whole_text(cora)
        root = sign_in(browser, url, "root")           # meanwhile an admin gives Ben to another coach
        click(root, root.locator("[data-testid='stSidebarNav'] a", has_text="Admin").first)
        click(root, root.get_by_role("tab", name="Coaches and groups", exact=True))
        for label, option in (("Student", "ben@uni.edu"), ("Coach", "kay@uni.edu")):
            root.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(
                has=root.get_by_text(label, exact=True)).first.click()
            root.get_by_role("option").filter(has_text=option).first.click()
        click(root, root.get_by_role("button", name="Save"))
        assert root.get_by_text("Saved for ben@").is_visible()
        assert "Benfriend" in whole_text(cora)          # cora's page, still open, is stale
        click(cora, cora.get_by_role("tab", name="Network map", exact=True))    # the next run of that page
        text = whole_text(cora)
        assert "Ben Bell" not in text and "Benfriend" not in text and "Anafriend" in text
        click(cora, cora.locator("[data-testid='stSidebarNav'] a", has_text="Outreach").first)
        cora.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
        assert [o.strip() for o in cora.get_by_role("option").all_inner_texts()] == ["Ana Alves"]
    with Database(tmp_path / "coffeechat.duckdb", read_only=True) as db:
        log = access.full_log(db)
    bens = log[log["Whose record"] == "Ben Bell"]
    assert set(zip(bens["Who"], bens["What"])) == {("cora@uni.edu", "viewed"), ("cora@uni.edu", "refused")}
    assert "Network" in set(bens[bens["What"] == "viewed"]["Where"])
    assert list(bens[bens["What"] == "refused"]["Where"]) == ["asked for a record that is not theirs"]


TRUSTED = '{"X-Coffeechat-Email": "email", "X-Coffeechat-Signed-In": "is_logged_in"}'


def agent(url: str, body: dict, email: str | None = None) -> tuple[int, dict]:
    """One agent-API call. The agent API never honours the sign-in cookie; identity comes only
    from server.trustedUserHeaders (a proxy in front of the server sets them), so an email
    here stands for a person the proxy signed in."""
    headers = {"Content-Type": "application/json"}
    if email:
        headers |= {"X-Coffeechat-Email": email, "X-Coffeechat-Signed-In": "true"}
    request = urllib.request.Request(f"{url}/_stcore/agent/interact", data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def student_widget(reply: dict):
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("key") == "student_id":
                found.append((node.get("value"), node.get("props", {}).get("options")))
            for child in node.get("children", []):
                walk(child)
    walk(reply.get("tree"))
    return found[0] if found else None


def test_another_student_through_the_agent_api_is_refused_and_logged(tmp_path, provider):
    with serve_centre(tmp_path, provider, TWO_COACHED, "--server.enableAgentApi=true",
                      "--server.trustedUserHeaders", TRUSTED, seed=seed_both) as url:
        url = url.replace("localhost", "127.0.0.1")
        # nobody signed in: the sign-in screen, and no student widget to set
        status, anonymous = agent(url, {})
        assert status == 200 and "Sign in" in json.dumps(anonymous["tree"]) and "Ana Alves" not in json.dumps(anonymous)
        status, reply = agent(url, {"session_id": anonymous["session_id"], "widget_state": {"student_id": "Ben Bell"}})
        assert status == 404 and reply["error"]["code"] == "unknown_key"
        # Cora, Ana's and Ben's coach, on Ana; an admin then gives Ben to Kay
        status, reply = agent(url, {"page": "network"}, "cora@uni.edu")
        cora = reply["session_id"]
        assert student_widget(reply) == ("Ana Alves", ["Ana Alves", "Ben Bell"])
        status, reply = agent(url, {"page": "admin"}, "root@uni.edu")
        status, reply = agent(url, {"session_id": reply["session_id"],
                                    "widget_state": {"admin_assign_student@None": "ben@uni.edu",
                                                     "admin_assign_coach@None": "kay@uni.edu"},
                                    "trigger": {"key": "FormSubmitter:admin_assign_form@None-Save"}}, "root@uni.edu")
        assert status == 200 and "Saved for ben@" in json.dumps(reply["tree"])
        # Cora's session still offers Ben (a stale page): the widget takes him, the app refuses
        status, reply = agent(url, {"session_id": cora, "widget_state": {"student_id": "Ben Bell"}}, "cora@uni.edu")
        assert status == 200 and student_widget(reply) == ("Ana Alves", ["Ana Alves"])
        assert "Benfriend" not in json.dumps(reply) and "Anafriend" in json.dumps(reply)
        # a new session of Cora's: Ben is not an option at all (Streamlit refuses the value)
        status, reply = agent(url, {"page": "network"}, "cora@uni.edu")
        status, reply = agent(url, {"session_id": reply["session_id"], "widget_state": {"student_id": "Ben Bell"}},
                              "cora@uni.edu")
        assert status == 400 and reply["error"]["code"] == "invalid_value"
        # Ana, a student, has no student widget at all
        status, reply = agent(url, {"page": "network"}, "ana@uni.edu")
        assert student_widget(reply) is None and "Benfriend" not in json.dumps(reply)
        status, reply = agent(url, {"session_id": reply["session_id"], "widget_state": {"student_id": "Ben Bell"}},
                              "ana@uni.edu")
        assert status == 404 and reply["error"]["code"] == "unknown_key"
    with Database(tmp_path / "coffeechat.duckdb", read_only=True) as db:
        log = access.full_log(db)
    bens = log[log["Whose record"] == "Ben Bell"]
    assert list(bens["What"]) == ["refused"] and list(bens["Who"]) == ["cora@uni.edu"]
    assert list(bens["Where"]) == ["asked for a record that is not theirs"]
