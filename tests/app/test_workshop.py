"""Workshop mode: each browser works on its own copy of the demo; nothing crosses over, the
template stays as generated, a refresh (a new session with the same `copy` token in the URL)
keeps the copy, and Reset the demo starts a new copy under a new token. Also the guided tour."""
import pytest
from streamlit.testing.v1 import AppTest

from lib import clock, workshop
from lib.db import Database
from lib.ui.session import WORKSHOP_PARAM
from tests.app.test_pages import APP, TIMEOUT, key, open_page


@pytest.fixture
def workshop_mode(monkeypatch):
    monkeypatch.setenv(workshop.WORKSHOP_ENV, "1")


def warm(at) -> int:
    return int(at.metric[0].value.replace(",", ""))


def token(at) -> str:
    """The copy this browser works on, as its URL names it."""
    value = at.query_params[WORKSHOP_PARAM]
    assert value == at.session_state["_workshop_key"]
    return value


def refresh(at_or_token) -> AppTest:
    """A browser refresh: a new Streamlit session, on the same URL (the same copy token)."""
    copy = at_or_token if isinstance(at_or_token, str) else token(at_or_token)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params[WORKSHOP_PARAM] = copy
    at.session_state["network_tab"] = "Contacts"
    at.run()
    at.switch_page("pages/network.py").run()
    assert not at.exception, at.exception
    return at


def add_family_member(at, name: str) -> None:
    at.text_input(key=key(at, "contact_add", "name")).input(name)
    at.selectbox(key=key(at, "contact_add", "source")).set_value("family")
    at.button(key=f"FormSubmitter:{key(at, 'contact_add', 'form')}-Add contact").click().run()
    assert not at.exception, at.exception
    assert "Added" in at.success[0].value


def test_two_sessions_do_not_see_each_others_changes(workshop_mode, isolated_env):
    first = open_page("pages/network.py", {"network_tab": "Contacts"})
    second = open_page("pages/network.py", {"network_tab": "Contacts"})
    assert token(first) != token(second)
    before = warm(first)
    assert warm(second) == before                                    # both start from the same demo
    add_family_member(first, "Only In The First Session")
    assert warm(first) == before + 1
    second.run()
    assert warm(second) == before
    assert not (isolated_env / "coffeechat.duckdb").exists()        # real data never touched
    with Database(workshop.template(clock.today()), read_only=True) as db:
        assert db.scalar("SELECT count(*) FROM contacts WHERE name = 'Only In The First Session'") == 0


def test_a_refresh_keeps_the_copy(workshop_mode):
    at = open_page("pages/network.py", {"network_tab": "Contacts"})
    before = warm(at)
    add_family_member(at, "Kept Across A Refresh")
    again = refresh(at)
    assert token(again) == token(at)                                 # the same copy...
    assert warm(again) == before + 1                                 # ...with the work done in it
    other = open_page("pages/network.py", {"network_tab": "Contacts"})  # a browser without the token
    assert token(other) != token(at) and warm(other) == before


def test_a_token_that_is_not_one_of_ours_gets_a_new_copy(workshop_mode):
    at = refresh("../../etc/passwd")                                 # it names a file: checked first
    assert token(at) != "../../etc/passwd"
    assert warm(at) > 0


def test_reset_gives_a_fresh_copy(workshop_mode):
    at = open_page("pages/network.py", {"network_tab": "Contacts"})
    before, old = warm(at), token(at)
    add_family_member(at, "Temporary")
    assert warm(at) == before + 1
    at.button(key="demo_reset").click().run()                        # Reset the demo... asks first
    assert not at.exception, at.exception
    assert token(at) == old and warm(at) == before + 1
    at.button(key="reset_demo_yes").click().run()
    assert not at.exception, at.exception
    assert token(at) != old                                          # a new copy, under a new token
    assert warm(at) == before
    assert "The demo starts again as generated." in " ".join(s.value for s in at.success)
    assert "reset_demo_yes" not in [b.key for b in at.button]        # the dialog closed
    assert warm(refresh(at)) == before                               # and a refresh keeps the new copy


def test_guided_tour_links_every_step(isolated_env):
    from lib.students import create_student
    from tests.app.test_pages import app_db
    create_student(app_db(isolated_env / "coffeechat.duckdb"), "Ada Lovelace")
    at = open_page("pages/guide.py")
    assert not at.exception, at.exception
    steps = [m.value for m in at.markdown if m.value.startswith("**")]
    assert len(steps) == 6 and steps[0].startswith("**1. Map your network**")
    assert [at.button(key=f"guide_try_{n}").label for n in range(1, 7)] == ["Try it"] * 6
    at.button(key="guide_try_5").click().run()                       # lands on the step's page and tab
    assert not at.exception, at.exception
    assert at.session_state["follow_tab"] == "Thank-yous"
    assert at.title[0].value == "Follow-ups"
    assert at.session_state["follow_tab"] == "Thank-yous"           # the page's tabs open on it
