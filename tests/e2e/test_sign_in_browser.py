"""Sign-in end to end (issue 18): a real OpenID Connect provider (oidc-provider-mock, started
here on 127.0.0.1 and stopped afterwards) and Streamlit's own st.login, driven in Chromium
for a student, a coach and an admin. The browser starts at localhost, the host name of the
redirect URI (the sign-in cookie is set for it). Streamlit reads the claims from the ID
token: email and name. Screenshots of each role after sign-in: build/screenshots/sign_in_*.png."""
from __future__ import annotations

import threading

import pytest

from lib import users
from lib.db import Database
from tests import served
from tests.conftest import TODAY
from tests.e2e.conftest import SHOTS, wait_idle

pytestmark = pytest.mark.e2e

ROSTER = b"""email,name,role,coach,cohort
cora@uni.edu,Cora Coach,coach,,
ana@uni.edu,Ana Alves,student,cora@uni.edu,Spring 2027
ben@uni.edu,Ben Bell,student,,Spring 2027
"""
PEOPLE = {"ana": ("ana@uni.edu", "Ana Alves"), "cora": ("cora@uni.edu", "Cora Coach"),
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


@pytest.fixture
def centre(tmp_path, provider):
    """The app served in signed-in mode on a career centre's database."""
    with Database(tmp_path / "coffeechat.duckdb") as db:
        users.import_roster(db, users.parse_roster(ROSTER))
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
        with served.serve(tmp_path, "--secrets.files", str(secrets), today=TODAY) as server:
            yield server.url.replace("127.0.0.1", "localhost")
    except served.ServerDidNotStart as exc:
        pytest.fail(str(exc))


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
