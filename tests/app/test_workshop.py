"""Workshop mode: each session works on its own copy of the demo; nothing crosses over,
the template stays as generated, and a reset starts the copy again. Also the guided tour."""
import pytest

from lib import clock, workshop
from lib.db import Database
from tests.app.test_pages import open_page


@pytest.fixture
def workshop_mode(monkeypatch):
    monkeypatch.setenv(workshop.WORKSHOP_ENV, "1")


def warm(at) -> int:
    return int(at.metric[0].value.replace(",", ""))


def add_family_member(at, name: str) -> None:
    at.text_input(key="add_name").input(name)
    at.selectbox(key="add_source").set_value("family")
    at.button(key="FormSubmitter:contact_add-Add contact").click().run()
    assert not at.exception, at.exception


def test_two_sessions_do_not_see_each_others_changes(workshop_mode, isolated_env):
    first = open_page("pages/network.py", {"network_tab": "Contacts"})
    second = open_page("pages/network.py", {"network_tab": "Contacts"})
    assert first.session_state["_workshop_key"] != second.session_state["_workshop_key"]
    before = warm(first)
    assert warm(second) == before                                    # both start from the same demo
    add_family_member(first, "Only In The First Session")
    assert warm(first) == before + 1
    second.run()
    assert warm(second) == before
    assert not (isolated_env / "coffeechat.duckdb").exists()        # real data never touched
    with Database(workshop.template(clock.today()), read_only=True) as db:
        assert db.scalar("SELECT count(*) FROM contacts WHERE name = 'Only In The First Session'") == 0


def test_reset_gives_a_fresh_copy(workshop_mode):
    at = open_page("pages/network.py", {"network_tab": "Contacts"})
    before = warm(at)
    add_family_member(at, "Temporary")
    assert warm(at) == before + 1
    at.session_state["_workshop_generation"] = 1                     # what "Reset the demo" does
    at.run()
    assert warm(at) == before


def test_guided_tour_links_every_step(isolated_env):
    at = open_page("pages/guide.py")
    assert not at.exception, at.exception
    steps = [m.value for m in at.markdown if m.value.startswith("**")]
    assert len(steps) == 6 and steps[0].startswith("**1. Map your network**")
    assert len(at.get("page_link")) == 6
