"""AppTest: the Network page — add and edit through the form, map through the editor,
score the LAMP list, import a Connections.csv, archive through the confirmation dialog."""
import pytest
from streamlit.testing.v1 import AppTest

from lib.students import create_student
from tests.app.test_pages import APP, TIMEOUT, app_db, open_page
from tests.conftest import ROOT

FIXTURE = (ROOT / "tests" / "fixtures" / "linkedin" / "Connections.csv").read_bytes()


@pytest.fixture
def student(isolated_env):
    db = app_db(isolated_env / "coffeechat.duckdb")
    create_student(db, "Ada Lovelace")
    return db


def network_page(tab: str | None = None) -> AppTest:
    return open_page("pages/network.py", {"network_tab": tab} if tab else None)


def submit(at: AppTest, form: str, label: str) -> AppTest:
    at.button(key=f"FormSubmitter:{form}-{label}").click().run()
    assert not at.exception, at.exception
    return at


def messages(at: AppTest) -> str:
    return " ".join(e.value for kind in ("success", "warning", "error", "info") for e in getattr(at, kind))


def test_an_empty_network_opens_on_the_prompts(student):
    at = network_page()
    assert at.session_state["network_tab"] == "Map your network"
    assert at.radio(key="map_category").value == "family"
    assert "Parents, siblings" in " ".join(m.value for m in at.markdown)
    assert len(at.data_editor) == 1 and at.data_editor[0].key == "map_editor"


def test_add_a_contact_through_the_form_then_edit_it(student):
    at = network_page("Contacts")
    at.text_input(key="add_name").input("Grace Hopper")
    at.text_input(key="add_organisation").input("Navy Research Lab")
    at.text_input(key="add_email").input("Grace@Navy.example.org")
    at.selectbox(key="add_source").set_value("alumni")
    submit(at, "contact_add", "Add contact")
    assert "Added Grace Hopper as a warm contact (alumni)" in messages(at).replace("**", "")
    assert at.text_input(key="add_name").value == ""          # the form is ready for the next person
    assert student.rows("SELECT name, warmth, source, email FROM contacts") == [
        ("Grace Hopper", "warm", "alumni", "Grace@navy.example.org")]
    assert at.metric[0].value == "1"

    grace = student.scalar("SELECT CAST(id AS VARCHAR) FROM contacts")
    at.selectbox(key="contact_pick").set_value(grace).run()
    assert at.text_input(key="edit_name").value == "Grace Hopper"
    assert at.text_input(key="edit_organisation").value == "Navy Research Lab"
    at.text_input(key="edit_role").input("Rear Admiral")
    at.radio(key="edit_warmth").set_value("cold")
    submit(at, "contact_edit", "Save changes")
    assert "Saved Grace Hopper" in messages(at).replace("**", "")
    assert student.rows("SELECT role, warmth, revision FROM contacts") == [("Rear Admiral", "cold", 1)]


def test_bad_input_names_the_field_and_keeps_what_was_typed(student):
    at = network_page("Contacts")
    at.text_input(key="add_name").input("Jane <b>Doe</b>")
    at.text_input(key="add_email").input("jane@")
    submit(at, "contact_add", "Add contact")
    error = at.error[0].value
    assert "**Email**" in error and "Nothing was saved" in error
    assert at.text_input(key="add_name").value == "Jane <b>Doe</b>"
    assert student.scalar("SELECT count(*) FROM contacts") == 0


def test_duplicates_are_refused_with_a_way_to_the_existing_contact(student):
    at = network_page("Contacts")
    for name in ("Jane Doe", "J. Doe"):
        at.text_input(key="add_name").input(name)
        at.text_input(key="add_linkedin_url").input("https://www.linkedin.com/in/jane-doe")
        submit(at, "contact_add", "Add contact")
    assert "is already the linkedin url of Jane Doe" in at.error[0].value
    assert student.scalar("SELECT count(*) FROM contacts") == 1
    at.button(key="open_duplicate").click().run()
    assert at.text_input(key="edit_name").value == "Jane Doe"


def test_a_similar_name_asks_before_adding(student):
    at = network_page("Contacts")
    at.text_input(key="add_name").input("Jonathan Smith")
    submit(at, "contact_add", "Add contact")
    at.text_input(key="add_name").input("Smith Jonathan")
    submit(at, "contact_add", "Add contact")
    assert "similar name: Jonathan Smith" in at.warning[0].value.replace("**", "")
    assert student.scalar("SELECT count(*) FROM contacts") == 1
    at.button(key="contact_add_anyway").click().run()
    assert student.scalar("SELECT count(*) FROM contacts") == 2


def test_archive_asks_in_a_dialog_then_restore(student):
    at = network_page("Contacts")
    at.text_input(key="add_name").input("Jane Doe")
    submit(at, "contact_add", "Add contact")
    jane = student.scalar("SELECT CAST(id AS VARCHAR) FROM contacts")
    at.selectbox(key="contact_pick").set_value(jane).run()
    at.button(key="contact_archive").click().run()
    assert student.scalar("SELECT count(*) FROM contacts WHERE archived_at IS NULL") == 1   # not yet
    at.button(key="archive_contact_yes").click().run()
    assert not at.exception, at.exception
    assert student.scalar("SELECT count(*) FROM contacts WHERE archived_at IS NULL") == 0
    assert "Archived Jane Doe" in messages(at).replace("**", "")
    at.button(key="contact_restore").click().run()
    assert student.scalar("SELECT count(*) FROM contacts WHERE archived_at IS NULL") == 1


def test_map_your_network_adds_several_people_from_the_editor(student):
    at = network_page()
    at.session_state["map_editor"] = {
        "edited_rows": {0: {"name": "Aunt May", "organisation": "Daily Bugle"}, 2: {"name": "Uncle Ben"}},
        "added_rows": [], "deleted_rows": []}
    at.button(key="map_save").click().run()
    assert not at.exception, at.exception
    assert "Added 2 family contacts" in messages(at)
    assert sorted(student.rows("SELECT name, warmth, source FROM contacts")) == [
        ("Aunt May", "warm", "family"), ("Uncle Ben", "warm", "family")]
    assert at.radio(key="map_category").options[0] == "Family (2)"


def test_map_editor_errors_name_the_row_and_add_nobody(student):
    at = network_page()
    at.session_state["map_editor"] = {
        "edited_rows": {0: {"name": "Aunt May"}, 1: {"name": "Uncle Ben", "email": "ben@"}},
        "added_rows": [], "deleted_rows": []}
    at.button(key="map_save").click().run()
    assert "**Row 2, Email**" in at.error[0].value
    assert student.scalar("SELECT count(*) FROM contacts") == 0


def test_lamp_list_from_the_editor_in_lamp_order(student):
    at = network_page("Target organisations")
    at.session_state["orgs_editor"] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [
        {"Organisation": "Contoso", "Motivation": 2, "Postings": 3},
        {"Organisation": "Fabrikam", "Motivation": 3, "Postings": 1}]}
    at.button(key="orgs_save").click().run()
    assert not at.exception, at.exception
    assert "Saved 2 organisations" in messages(at)
    shown = at.data_editor[0].value
    assert shown["Organisation"].tolist() == ["Fabrikam", "Contoso"]
    at.session_state["orgs_editor"] = {"edited_rows": {1: {"Motivation": 7}}, "deleted_rows": [], "added_rows": []}
    at.button(key="orgs_save").click().run()
    assert "**Row 2, Motivation**" in at.error[0].value


def test_linkedin_import_preview_then_commit(student):
    at = network_page("Import from LinkedIn")
    at.get("file_uploader")[0].set_value(("Connections.csv", FIXTURE, "text/csv")).run()
    assert not at.exception, at.exception
    figures = {m.label: m.value for m in at.metric}
    assert figures["New people"] == "6" and figures["Invalid rows"] == "3"
    assert figures["Blank rows skipped"] == "2"
    assert student.scalar("SELECT count(*) FROM contacts") == 0
    at.button(key="linkedin_commit").click().run()
    assert not at.exception, at.exception
    assert student.scalar("SELECT count(*) FROM contacts WHERE source = 'linkedin'") == 6
    assert "Imported 6 new contacts" in messages(at)
    assert at.dataframe[-1].value["New contacts"].tolist() == [6]     # the earlier imports
    assert not at.get("file_uploader")[0].value                        # ready for another file


def test_a_file_that_is_not_an_export_is_refused(student):
    at = network_page("Import from LinkedIn")
    at.get("file_uploader")[0].set_value(("people.csv", b"Name,Email\nJane,j@x.org\n", "text/csv")).run()
    assert "can't be imported: no header row with 'First Name'" in at.error[0].value.replace("\\", "")
    assert not [b for b in at.button if b.key == "linkedin_commit"]
    assert student.scalar("SELECT count(*) FROM contacts") == 0


def test_network_map_and_warm_paths_on_the_demo(isolated_env):
    from lib import demo
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
    paths = at.dataframe[-1].value
    assert len(paths) >= 1 and set(paths.columns) >= {"Contact", "Introduced by"}
