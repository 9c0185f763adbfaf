"""AppTest: the Network page — add and edit through the form, map through the editor,
score the LAMP list, import a Connections.csv, archive through the confirmation dialog.
Widget keys come from ui.Form (per student, per generation): `key(at, form, field)`."""
import pytest
from streamlit.testing.v1 import AppTest

from lib.students import create_student
from tests.app.test_pages import APP, TIMEOUT, app_db, key, open_page
from tests.conftest import ROOT, TODAY

FIXTURE = (ROOT / "tests" / "fixtures" / "linkedin" / "Connections.csv").read_bytes()


@pytest.fixture
def student(isolated_env):
    db = app_db(isolated_env / "coffeechat.duckdb")
    create_student(db, "Ada Lovelace")
    return db


def network_page(tab: str | None = None) -> AppTest:
    return open_page("pages/network.py", {"network_tab": tab} if tab else None)


def submit(at: AppTest, form: str, label: str) -> AppTest:
    at.button(key=f"FormSubmitter:{key(at, form, 'form')}-{label}").click().run()
    assert not at.exception, at.exception
    return at


def messages(at: AppTest) -> str:
    return " ".join(e.value for kind in ("success", "warning", "error", "info") for e in getattr(at, kind))


def buttons(at: AppTest) -> set:
    return {b.key for b in at.button}


def test_an_empty_network_opens_on_the_prompts(student):
    at = network_page()
    assert at.session_state["network_tab"] == "Map your network"
    assert at.radio(key=key(at, "map", "category")).value == "family"
    assert "Parents, siblings" in " ".join(m.value for m in at.markdown)
    assert len(at.data_editor) == 1 and at.data_editor[0].key == key(at, "map", "rows_family")


def test_add_a_contact_through_the_form_then_edit_it(student):
    at = network_page("Contacts")
    at.text_input(key=key(at, "contact_add", "name")).input("Grace Hopper")
    at.text_input(key=key(at, "contact_add", "organisation")).input("Navy Research Lab")
    at.text_input(key=key(at, "contact_add", "email")).input("Grace@Navy.example.org")
    at.selectbox(key=key(at, "contact_add", "source")).set_value("alumni")
    submit(at, "contact_add", "Add contact")
    assert "Added Grace Hopper as a warm contact (alumni)" in messages(at).replace("**", "")
    assert at.text_input(key=key(at, "contact_add", "name")).value == ""    # the form is ready for the next person
    assert at.text_input(key=key(at, "contact_add", "email")).value == ""
    assert at.selectbox(key=key(at, "contact_add", "source")).value == "other"
    assert student.rows("SELECT name, warmth, source, email FROM contacts") == [
        ("Grace Hopper", "warm", "alumni", "Grace@navy.example.org")]
    assert at.metric[0].value == "1"
    submit(at, "contact_add", "Add contact")              # the same button again: the cleared form adds nobody
    assert "Nothing was saved" in at.error[0].value and "**Name**" in at.error[0].value
    assert student.scalar("SELECT count(*) FROM contacts") == 1

    # the edit picker starts on nothing: no contact is open until one is chosen
    assert at.selectbox(key=key(at, "contact_edit", "pick")).value is None
    assert key(at, "contact_edit", "name") not in {t.key for t in at.text_input}
    grace = student.scalar("SELECT CAST(id AS VARCHAR) FROM contacts")
    at.selectbox(key=key(at, "contact_edit", "pick")).set_value(grace).run()
    assert at.text_input(key=key(at, "contact_edit", "name")).value == "Grace Hopper"
    assert at.text_input(key=key(at, "contact_edit", "organisation")).value == "Navy Research Lab"
    at.text_input(key=key(at, "contact_edit", "role")).input("Rear Admiral")
    at.radio(key=key(at, "contact_edit", "warmth")).set_value("cold")
    submit(at, "contact_edit", "Save changes")
    assert "Saved Grace Hopper" in messages(at).replace("**", "")
    assert student.rows("SELECT role, warmth, revision FROM contacts") == [("Rear Admiral", "cold", 1)]
    assert at.text_input(key=key(at, "contact_edit", "role")).value == "Rear Admiral"   # stays open to edit on
    submit(at, "contact_edit", "Save changes")            # saving again changes nothing and adds nobody
    assert not at.error, at.error[0].value
    assert student.rows("SELECT name, role, warmth FROM contacts") == [("Grace Hopper", "Rear Admiral", "cold")]


def test_bad_input_names_the_field_and_keeps_what_was_typed(student):
    at = network_page("Contacts")
    at.text_input(key=key(at, "contact_add", "name")).input("Jane <b>Doe</b>")
    at.text_input(key=key(at, "contact_add", "email")).input("jane@")
    submit(at, "contact_add", "Add contact")
    error = at.error[0].value
    assert "**Email**" in error and "Nothing was saved" in error
    assert at.text_input(key=key(at, "contact_add", "name")).value == "Jane <b>Doe</b>"
    assert at.text_input(key=key(at, "contact_add", "email")).value == "jane@"
    assert student.scalar("SELECT count(*) FROM contacts") == 0


def test_duplicates_are_refused_with_a_way_to_the_existing_contact(student):
    at = network_page("Contacts")
    for name in ("Jane Doe", "J. Doe"):
        at.text_input(key=key(at, "contact_add", "name")).input(name)
        at.text_input(key=key(at, "contact_add", "linkedin_url")).input("https://www.linkedin.com/in/jane-doe")
        submit(at, "contact_add", "Add contact")
    assert "is already the linkedin url of Jane Doe" in at.error[0].value
    assert student.scalar("SELECT count(*) FROM contacts") == 1
    at.button(key=key(at, "contact_add", "open_duplicate")).click().run()
    assert not at.exception, at.exception
    jane = student.scalar("SELECT CAST(id AS VARCHAR) FROM contacts")
    assert at.selectbox(key=key(at, "contact_edit", "pick")).value == jane
    assert at.text_input(key=key(at, "contact_edit", "name")).value == "Jane Doe"


def test_a_similar_name_asks_before_adding(student):
    at = network_page("Contacts")
    at.text_input(key=key(at, "contact_add", "name")).input("Jonathan Smith")
    submit(at, "contact_add", "Add contact")
    at.text_input(key=key(at, "contact_add", "name")).input("Smith Jonathan")
    submit(at, "contact_add", "Add contact")
    assert "similar name: Jonathan Smith" in at.warning[0].value.replace("**", "")
    assert student.scalar("SELECT count(*) FROM contacts") == 1
    at.button(key=key(at, "contact_add", "anyway")).click().run()
    assert not at.exception, at.exception
    assert student.scalar("SELECT count(*) FROM contacts") == 2
    assert key(at, "contact_add", "anyway") not in buttons(at)      # the question is answered: asked no more
    assert at.text_input(key=key(at, "contact_add", "name")).value == ""


def test_archive_asks_in_a_dialog_then_restore(student):
    at = network_page("Contacts")
    at.text_input(key=key(at, "contact_add", "name")).input("Jane Doe")
    submit(at, "contact_add", "Add contact")
    jane = student.scalar("SELECT CAST(id AS VARCHAR) FROM contacts")
    at.selectbox(key=key(at, "contact_edit", "pick")).set_value(jane).run()
    at.button(key=key(at, "contact_edit", "archive")).click().run()
    assert student.scalar("SELECT count(*) FROM contacts WHERE archived_at IS NULL") == 1   # not yet
    at.button(key="archive_contact_yes").click().run()
    assert not at.exception, at.exception
    assert student.scalar("SELECT count(*) FROM contacts WHERE archived_at IS NULL") == 0
    assert "Archived Jane Doe" in messages(at).replace("**", "")
    assert "archive_contact_yes" not in buttons(at)           # the dialog closed: no second click to make
    assert at.selectbox(key=key(at, "contact_edit", "pick")).value is None
    # restoring: the picker starts on nothing, and Restore asks for a choice first
    assert at.selectbox(key=key(at, "contact_restore", "pick")).value is None
    at.button(key=key(at, "contact_restore", "restore")).click().run()
    assert "Choose the contact to restore first" in messages(at)
    assert student.scalar("SELECT count(*) FROM contacts WHERE archived_at IS NULL") == 0
    at.selectbox(key=key(at, "contact_restore", "pick")).set_value(jane).run()
    at.button(key=key(at, "contact_restore", "restore")).click().run()
    assert not at.exception, at.exception
    assert student.scalar("SELECT count(*) FROM contacts WHERE archived_at IS NULL") == 1
    assert student.scalar("SELECT count(*) FROM contacts") == 1


def test_map_your_network_adds_several_people_from_the_editor(student):
    at = network_page()
    at.session_state[key(at, "map", "rows_family")] = {
        "edited_rows": {0: {"name": "Aunt May", "organisation": "Daily Bugle"}, 2: {"name": "Uncle Ben"}},
        "added_rows": [], "deleted_rows": []}
    at.button(key=key(at, "map", "save")).click().run()
    assert not at.exception, at.exception
    assert "Added 2 family contacts" in messages(at)
    assert sorted(student.rows("SELECT name, warmth, source FROM contacts")) == [
        ("Aunt May", "warm", "family"), ("Uncle Ben", "warm", "family")]
    assert at.radio(key=key(at, "map", "category")).value == "family"     # stays on the category just filled
    assert at.radio(key=key(at, "map", "category")).options[0] == "Family (2)"
    # the grid comes back empty: saving again adds nobody
    editor = at.data_editor(key=key(at, "map", "rows_family"))
    assert editor.value["name"].fillna("").str.strip().eq("").all()
    at.button(key=key(at, "map", "save")).click().run()
    assert not at.exception, at.exception
    assert "Type at least one name" in messages(at)
    assert student.scalar("SELECT count(*) FROM contacts") == 2
    # another category has its own, empty grid
    at.radio(key=key(at, "map", "category")).set_value("alumni").run()
    assert at.data_editor[0].key == key(at, "map", "rows_alumni")
    at.button(key=key(at, "map", "save")).click().run()
    assert "Type at least one name" in messages(at)
    assert student.scalar("SELECT count(*) FROM contacts") == 2


def test_map_editor_errors_name_the_row_and_add_nobody(student):
    at = network_page()
    rows = {"edited_rows": {0: {"name": "Aunt May"}, 1: {"name": "Uncle Ben", "email": "ben@"}},
            "added_rows": [], "deleted_rows": []}
    at.session_state[key(at, "map", "rows_family")] = rows
    at.button(key=key(at, "map", "save")).click().run()
    assert "**Row 2, Email**" in at.error[0].value
    assert student.scalar("SELECT count(*) FROM contacts") == 0
    assert at.session_state[key(at, "map", "rows_family")]["edited_rows"] == rows["edited_rows"]   # kept to fix


def test_lamp_list_from_the_editor_in_lamp_order(student):
    at = network_page("Target organisations")
    at.session_state[key(at, "orgs", "editor")] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [
        {"Organisation": "Contoso", "Motivation": 2, "Postings": 3},
        {"Organisation": "Fabrikam", "Motivation": 3, "Postings": 1}]}
    at.button(key=key(at, "orgs", "save")).click().run()
    assert not at.exception, at.exception
    assert "Saved 2 organisations" in messages(at)
    shown = at.data_editor[0].value
    assert shown["Organisation"].tolist() == ["Fabrikam", "Contoso"]
    assert student.scalar("SELECT count(*) FROM organisations") == 2
    at.button(key=key(at, "orgs", "save")).click().run()      # the editor was cleared: nothing to save twice
    assert "No changes to save" in messages(at)
    assert student.scalar("SELECT count(*) FROM organisations") == 2
    at.session_state[key(at, "orgs", "editor")] = {"edited_rows": {1: {"Motivation": 7}}, "deleted_rows": [],
                                                   "added_rows": []}
    at.button(key=key(at, "orgs", "save")).click().run()
    assert "**Row 2, Motivation**" in at.error[0].value


def test_linkedin_import_preview_then_commit(student):
    from lib import linkedin
    sid = student.scalar("SELECT CAST(id AS VARCHAR) FROM students")
    expected = linkedin.plan(student, sid, linkedin.parse(FIXTURE, TODAY)).summary()   # the rules: tests/unit
    assert expected["new"] >= 6 and expected["invalid"] and expected["skipped_blank"] == 2
    at = network_page("Import from LinkedIn")
    at.get("file_uploader")[0].set_value(("Connections.csv", FIXTURE, "text/csv")).run()
    assert not at.exception, at.exception
    figures = {m.label: m.value for m in at.metric[4:]}     # under the page's own four figures
    assert figures == {"New people": str(expected["new"]), "Already in your network": "0",
                       "Blank rows skipped": "2", "Invalid rows": str(len(expected["invalid"]))}
    assert student.scalar("SELECT count(*) FROM contacts") == 0
    at.button(key=key(at, "linkedin", "commit")).click().run()
    assert not at.exception, at.exception
    assert student.scalar("SELECT count(*) FROM contacts WHERE source = 'linkedin'") == expected["new"]
    assert f"Imported {expected['new']} new contacts" in messages(at)
    assert at.dataframe[-1].value["New contacts"].tolist() == [expected["new"]]     # the earlier imports
    assert not at.get("file_uploader")[0].value                        # ready for another file
    assert key(at, "linkedin", "commit") not in buttons(at)            # nothing left to import twice
    assert student.rows("SELECT name, source FROM contacts WHERE source <> 'linkedin'") == []
    # the same file again: everyone is already in the network, nobody is added twice
    at.get("file_uploader")[0].set_value(("Connections.csv", FIXTURE, "text/csv")).run()
    assert not at.exception, at.exception
    figures = {m.label: m.value for m in at.metric}
    assert figures["New people"] == "0" and figures["Already in your network"] == str(expected["new"])
    assert at.button(key=key(at, "linkedin", "commit")).disabled
    assert student.scalar("SELECT count(*) FROM contacts") == expected["new"]


def test_a_file_that_is_not_an_export_is_refused(student):
    at = network_page("Import from LinkedIn")
    at.get("file_uploader")[0].set_value(("people.csv", b"Name,Email\nJane,j@x.org\n", "text/csv")).run()
    assert "can't be imported: no header row with 'First Name'" in at.error[0].value.replace("\\", "")
    assert key(at, "linkedin", "commit") not in buttons(at)
    assert student.scalar("SELECT count(*) FROM contacts") == 0


def test_network_map_and_warm_paths_on_the_demo(isolated_env):
    from lib import demo, network
    demo.load_file(isolated_env / "demo.duckdb", students=2)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["dataset"] = "demo"
    at.session_state["network_tab"] = "Network map"
    at.run()
    at.switch_page("pages/network.py").run()
    assert not at.exception, at.exception
    assert [c.key for c in at.get("plotly_chart")] == ["chart_network_map", "chart_warmth_source", "chart_warmth_org"]
    at.session_state["network_tab"] = "Target organisations"
    at.run()
    picker = at.selectbox(key=f"paths_org@{at.session_state['student_id']}")
    assert picker.value is None                                   # nothing chosen yet: no paths shown
    assert not [d for d in at.dataframe if "Introduced by" in d.value.columns]
    choices = network.organisation_choices(app_db(isolated_env / "demo.duckdb"), at.session_state["student_id"], TODAY)
    org_id = choices.sort_values("warm", ascending=False)["id"].iloc[0]
    picker.set_value(org_id).run()
    assert not at.exception, at.exception
    paths = at.dataframe[-1].value
    assert len(paths) >= 1 and set(paths.columns) >= {"Contact", "Introduced by"}
