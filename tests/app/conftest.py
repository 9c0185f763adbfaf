"""AppTest runs every page through app.py, as the served app does.

AppTest resets Streamlit's "pages/ folder" flag before each run, so after the process's
first run a switched-to page would run on its own, the old multipage way, without app.py:
no sidebar, and no page kind declared (app.py's page list is the one place a page's kind,
and with it the coach's read-only guard, is decided). The served app turns the old mode
off once per process (lib/ui/session.py, _leave_legacy_multipage_mode); here AppTest's
reset is pointed at a subclass, so the flag st.navigation turned off stays off."""
import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test


class _NavigationPages(PagesManager):
    """AppTest sets `uses_pages_directory = None` on this class only; the flag Streamlit
    reads (PagesManager's) keeps the value st.navigation gave it."""


@pytest.fixture(autouse=True)
def pages_through_app_py(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", _NavigationPages)
