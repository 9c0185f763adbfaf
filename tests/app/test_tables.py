"""Read-only tables: an empty text cell is empty, never the word None (issue 17 item 4)."""
import pandas as pd

from lib import ui, users
from lib.ui.widgets import blank_missing
from tests.app.test_pages import open_page
from tests.app.test_sign_in import centre  # noqa: F401  (the fixture: a signed-in career centre)
from tests.conftest import TODAY


def test_empty_text_cells_never_read_none():
    frame = pd.DataFrame({"Name": ["Ada", None], "Organisation": pd.Series([None, "Contoso"], dtype="string"),
                          "Requests": [1, 2]})
    shown = blank_missing(frame)
    assert shown["Name"].tolist() == ["Ada", ""] and shown["Organisation"].tolist() == ["", "Contoso"]
    assert shown["Requests"].tolist() == [1, 2]


# every page and tab that draws tables, as the student and as the coach (tab keys as the pages name them)
TABBED = {"pages/home.py": (None, ()), "pages/network.py": ("network_tab", ("Contacts", "Map your network",
                                                                            "Target organisations", "Network map")),
          "pages/outreach.py": ("outreach_tab", ("Do today", "Compose", "Requests")),
          "pages/prep.py": ("prep_tab", ("Checklist", "Questions", "Log the conversation", "All conversations")),
          "pages/follow_up.py": ("follow_tab", ("Due", "Thank-yous", "Keep in touch", "Referrals")),
          "pages/learning.py": ("learning_tab", ("Skills", "Resources and people", "TIARA")),
          "pages/coach.py": ("coach_tab", ("Cohort", "Advising session", "History", "What they are learning"))}


def _blank_for_missing(at) -> list:
    """The tables and editors on the page whose missing values would read "None"."""
    return [d.key or d.proto.id for d in at.dataframe
            if not d.proto.HasField("placeholder") or d.proto.placeholder != ui.EMPTY_CELL]


def test_every_table_and_editor_shows_a_missing_value_as_a_blank_cell(isolated_env):
    """Streamlit draws a missing value as a faded "None" unless told otherwise (dates and
    numbers as much as text): every st.dataframe and st.data_editor on every page says blank."""
    from lib import demo
    demo.load_file(isolated_env / "demo.duckdb", students=3, as_of=TODAY)
    seen = 0
    for role in ("student", "coach"):
        for page, (tab_key, tabs) in TABBED.items():
            for tab in tabs or (None,):
                at = open_page(page, {"dataset": "demo", "role": role, **({tab_key: tab} if tab_key else {})})
                assert not _blank_for_missing(at), (role, page, tab, _blank_for_missing(at))
                seen += len(at.dataframe)
    assert seen >= 20          # the walk did reach the tables


def test_admin_and_my_record_tables_show_missing_values_as_blank(centre):
    """The Admin page's People table has a 'Deletion requested at' column, empty for most."""
    db, ids, sign_in = centre
    users.request_deletion(db, ids["ben"], "ben@uni.edu")
    at = sign_in("root@uni.edu")
    at.switch_page("pages/admin.py").run()
    assert not at.exception, at.exception
    assert len(at.dataframe) >= 2 and not _blank_for_missing(at)
    people = next(d.value for d in at.dataframe if "Deletion requested at" in d.value.columns)
    assert people["Deletion requested at"].isna().any()           # the case that read "None"
    at = sign_in("ana@uni.edu")
    at.switch_page("pages/my_record.py").run()
    assert not at.exception, at.exception
    assert not _blank_for_missing(at)
