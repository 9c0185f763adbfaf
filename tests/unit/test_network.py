"""Contacts and the LAMP list: validation, duplicates, similar names, warm paths."""
import pandas as pd
import pytest

from lib import network
from lib.models import InvalidInput, InvalidRows, StaleEdit
from lib.network import ContactInput, DuplicateContact, OrganisationInput
from lib.students import create_student
from tests.conftest import TODAY


@pytest.fixture
def student(db):
    return create_student(db, "Ada Lovelace")


def add(db, student, now, **fields):
    fields.setdefault("source", "other")
    return network.add_contact(db, student, ContactInput(**fields), now)


def test_warmth_is_suggested_from_the_source_and_can_be_overridden(db, student, now):
    alum = add(db, student, now, name="Ana Ruiz", source="alumni")
    found = add(db, student, now, name="Ben Ode", source="org_website")
    overridden = add(db, student, now, name="Cy Twombly", source="org_website", warmth="warm")
    warmth = dict(db.rows("SELECT CAST(id AS VARCHAR), warmth FROM contacts"))
    assert (warmth[alum], warmth[found], warmth[overridden]) == ("warm", "cold", "warm")


@pytest.mark.parametrize("field, value, message", [
    ("name", "  ", "Name: is required"),
    ("email", "jane@", "Email: 'jane@' is not a valid email address"),
    ("linkedin_url", "https://example.com/in/jane", "LinkedIn URL: 'https://example.com/in/jane' is not a LinkedIn"),
    ("linkedin_url", "javascript:alert(1)", "is not a LinkedIn profile address"),
    ("phone", "call me maybe", "Phone: 'call me maybe' is not a phone number"),
    ("keep_in_touch_days", 0, "Keep in touch: must be between 1 and 3650 days"),
    ("source", "aliens", "Source: 'aliens' is not one of the categories"),
    ("notes", "x" * 5001, "Notes: is 5001 characters long"),
])
def test_bad_fields_are_named_and_nothing_is_written(db, student, now, field, value, message):
    fields = {"name": "Jane Doe", field: value}
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        add(db, student, now, **fields)
    assert db.scalar("SELECT count(*) FROM contacts") == 0
    assert db.scalar("SELECT count(*) FROM organisations") == 0


def test_emails_and_linkedin_urls_are_normalised(db, student, now):
    cid = add(db, student, now, name="Jane Doe", email="Jane.Doe@EXAMPLE.com",
              linkedin_url="uk.linkedin.com/in/Jane-Doe/?trk=abc")
    record = network.get_contact(db, student, cid)
    assert record["email"] == "Jane.Doe@example.com"
    assert record["linkedin_url"] == "https://www.linkedin.com/in/jane-doe"


def test_duplicates_by_email_or_linkedin_are_refused_with_a_pointer(db, student, now):
    first = add(db, student, now, name="Jane Doe", email="jane@example.com",
                linkedin_url="https://www.linkedin.com/in/jane-doe")
    with pytest.raises(DuplicateContact) as caught:
        add(db, student, now, name="J. Doe", email="JANE@example.com")
    assert caught.value.existing_id == first and caught.value.field == "Email"
    assert "is already the email of Jane Doe" in str(caught.value)
    with pytest.raises(DuplicateContact, match="LinkedIn URL: is already the linkedin url of Jane Doe"):
        add(db, student, now, name="Janet", linkedin_url="linkedin.com/in/JANE-DOE/")
    network.set_archived(db, student, first, now, True)
    with pytest.raises(DuplicateContact, match="archived"):
        add(db, student, now, name="Jane", email="jane@example.com")
    # another student may know the same person
    other = create_student(db, "Grace Hopper")
    add(db, other, now, name="Jane Doe", email="jane@example.com")


def test_similar_names_are_suggested_not_merged(db, student, now):
    add(db, student, now, name="Jonathan Smith", organisation="Contoso")
    add(db, student, now, name="Priya Raman")
    similar = network.similar_contacts(db, student, "smith jonathan")
    assert [(s["name"], s["organisation"]) for s in similar] == [("Jonathan Smith", "Contoso")]
    assert network.similar_contacts(db, student, "Jon Smyth") == [] or \
        network.similar_contacts(db, student, "Jon Smyth")[0]["score"] >= network.SIMILAR_NAME_SCORE
    add(db, student, now, name="Jonathan Smith")      # allowed: never merged automatically
    assert db.scalar("SELECT count(*) FROM contacts WHERE name = 'Jonathan Smith'") == 2


def test_edit_keeps_one_organisation_per_name_and_refuses_a_stale_copy(db, student, now):
    cid = add(db, student, now, name="Jane Doe", organisation="Contoso")
    record = network.get_contact(db, student, cid)
    data = network.contact_input(record)
    data.organisation, data.role = "  contoso ", "Analyst"
    network.update_contact(db, student, cid, data, now, revision=record["revision"])
    assert db.scalar("SELECT count(*) FROM organisations") == 1
    assert network.get_contact(db, student, cid)["role"] == "Analyst"
    data.role = "Manager"
    with pytest.raises(StaleEdit, match="changed in another window"):
        network.update_contact(db, student, cid, data, now, revision=record["revision"])
    assert network.get_contact(db, student, cid)["role"] == "Analyst"


def test_referred_by_must_be_a_contact_and_not_a_loop(db, student, now):
    carla = add(db, student, now, name="Carla", source="professors_mentors")
    ben = add(db, student, now, name="Ben", source="referral", referred_by=carla)
    record = network.get_contact(db, student, carla)
    data = network.contact_input(record)
    data.referred_by = ben
    with pytest.raises(InvalidInput, match="Referred by: would make a loop"):
        network.update_contact(db, student, carla, data, now, revision=record["revision"])
    with pytest.raises(InvalidInput, match="Referred by: is not one of your contacts"):
        add(db, student, now, name="Dee", referred_by="00000000-0000-0000-0000-000000000000")


def test_archive_and_restore(db, student, now):
    cid = add(db, student, now, name="Jane Doe")
    network.set_archived(db, student, cid, now, True)
    assert network.contacts_table(db, student, TODAY).empty
    assert network.archived_contacts(db, student, TODAY)["Name"].tolist() == ["Jane Doe"]
    network.set_archived(db, student, cid, now, False)
    assert network.contacts_table(db, student, TODAY)["Name"].tolist() == ["Jane Doe"]


def test_map_your_network_adds_all_or_none_naming_rows(db, student, now):
    rows = [{"name": "Aunt May", "organisation": "Daily Bugle"}, {"name": ""},
            {"name": "Uncle Ben", "email": "ben@"}, {"name": "Cousin Sam", "email": "sam@example.com"},
            {"name": "Cousin Samuel", "email": "sam@example.com"}]
    with pytest.raises(InvalidRows) as caught:
        network.add_many(db, student, "family", rows, now)
    assert [p.field for p in caught.value.problems] == ["Row 3, Email", "Row 5"]
    assert "repeats row 4" in caught.value.problems[1].message
    assert db.scalar("SELECT count(*) FROM contacts") == 0
    add(db, student, now, name="May Parker")
    result = network.add_many(db, student, "family", [rows[0], rows[1], rows[3]], now)
    assert result.added == 2
    assert db.rows("SELECT DISTINCT warmth, source FROM contacts WHERE source = 'family'") == [("warm", "family")]
    assert network.source_counts(db, student, TODAY).set_index("source")["n"]["family"] == 2


def test_lamp_list_order_advocacy_and_warm_paths(db, student, now):
    network.save_organisations(db, student, [
        OrganisationInput(1, None, "Contoso", "Software", 3, 2),
        OrganisationInput(2, None, "Fabrikam", "Design", 3, 3),
        OrganisationInput(3, None, "Northwind", "Health", 1, 3),
        OrganisationInput(4, None, "Adatum", None, None, None)], now)
    carla = add(db, student, now, name="Carla Diaz", source="alumni", organisation="Contoso")
    add(db, student, now, name="Ben Ode", source="referral", organisation="Contoso", referred_by=carla)
    add(db, student, now, name="Cold Caller", source="linkedin", organisation="Fabrikam")
    add(db, student, now, name="Someone", source="family", organisation="Elsewhere Inc")
    lamp = network.organisations_table(db, student, TODAY)
    # motivation first, then postings, then advocacy; unscored last; non-targets absent
    assert lamp["Organisation"].tolist() == ["Fabrikam", "Contoso", "Northwind", "Adatum"]
    assert lamp["Advocacy"].tolist() == [False, True, False, False]
    assert lamp.set_index("Organisation")["Warm paths"]["Contoso"] == "Carla Diaz, Ben Ode"
    contoso = lamp.set_index("Organisation")["id"]["Contoso"]
    paths = network.warm_paths(db, student, contoso)
    assert paths["Contact"].tolist() == ["Ben Ode", "Carla Diaz"]
    assert paths["Introduced by"].iloc[0] == "Carla Diaz" and pd.isna(paths["Introduced by"].iloc[1])
    choices = network.organisation_choices(db, student, TODAY)
    assert "Elsewhere Inc" in set(choices["name"]) and not choices.set_index("name")["target"]["Elsewhere Inc"]


def test_lamp_rows_are_validated_together(db, student, now):
    with pytest.raises(InvalidRows) as caught:
        network.save_organisations(db, student, [
            OrganisationInput(1, None, "Contoso", None, 4, 1), OrganisationInput(2, None, "", None, None, None),
            OrganisationInput(3, None, "Fabrikam", None, 1, 0), OrganisationInput(4, None, "contoso", None, 1, 1)],
            now)
    assert [p.field for p in caught.value.problems] == [
        "Row 1, Motivation", "Row 2, Organisation", "Row 3, Postings", "Row 4, Organisation"]
    assert db.scalar("SELECT count(*) FROM organisations") == 0


def test_a_known_organisation_becomes_a_target_instead_of_a_twin(db, student, now):
    add(db, student, now, name="Jane", organisation="Contoso")
    network.save_organisations(db, student, [OrganisationInput(1, None, "CONTOSO", "Software", 2, 2)], now)
    assert db.rows("SELECT name, target FROM organisations") == [("CONTOSO", True)]
    lamp = network.organisations_table(db, student, TODAY)
    oid, revision = lamp["id"][0], int(lamp["revision"][0])
    network.save_organisations(db, student, [OrganisationInput(1, oid, "Contoso", "Software", 3, 2, revision)], now)
    with pytest.raises(StaleEdit, match="Contoso was changed in another window"):
        network.save_organisations(db, student, [OrganisationInput(1, oid, "Contoso", None, 0, 1, revision)], now)
    network.save_organisations(db, student, [OrganisationInput(1, None, "Fabrikam", None, None, None)], now)
    with pytest.raises(InvalidRows, match="Row 2, Organisation: fabrikam is already on your list"):
        network.save_organisations(db, student, [OrganisationInput(2, oid, "fabrikam", None, 3, 2, revision + 1)],
                                   now)
    network.remove_target(db, student, oid)
    assert network.organisations_table(db, student, TODAY)["Organisation"].tolist() == ["Fabrikam"]
    assert db.scalar("SELECT count(*) FROM contacts WHERE organisation_id IS NOT NULL") == 1


def test_graph_counts_engagement_and_charts_group_by_warmth(db, student, now):
    carla = add(db, student, now, name="Carla", source="alumni", organisation="Contoso")
    add(db, student, now, name="Ben", source="referral", referred_by=carla, organisation="Contoso")
    add(db, student, now, name="Cold", source="linkedin", organisation="Fabrikam")
    db_rows = db.rows
    with db.write() as cur:
        cur.execute("""INSERT INTO outreach_requests (id, student_id, contact_id, channel, sent_on, created_at)
                       VALUES (gen_random_uuid(), ?, ?, 'email', DATE '2026-11-02', ?)""", [student, carla, now])
    nodes = network.graph(db, student, TODAY).set_index("name")
    assert nodes.loc["Carla", "requests"] == 1 and nodes.loc["Ben", "referred_by"] == carla
    by_org = network.warmth_by_organisation(db, student, TODAY)
    assert by_org[["organisation", "warmth", "contacts"]].values.tolist() == [
        ["Contoso", "warm", 2], ["Fabrikam", "cold", 1]]
    by_source = network.warmth_by_source(db, student, TODAY)
    assert set(map(tuple, by_source[["source", "warmth"]].values)) == {
        ("Alumni", "warm"), ("Referral", "warm"), ("LinkedIn", "cold")}
    assert db_rows("SELECT count(*) FROM contacts") == [(3,)]
