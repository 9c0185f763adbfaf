"""AppTest: Outreach > Compose writes a draft that reads naturally from the profile and the
contact, and each check says what it found and, when it fails, why the rule matters; a
LinkedIn connection gets a LinkedIn message (issue 17 item 1)."""
from tests.app.test_outreach_page import add, db, outreach_page  # noqa: F401  (db is a fixture)
from tests.app.test_pages import key


def compose(at, contact_id):
    at.selectbox(key=key(at, "compose", "contact")).set_value(contact_id).run()
    assert not at.exception, at.exception
    return at


def test_the_draft_reads_naturally_and_checks_say_why(db):
    carla = add(db, "Carla Diaz", organisation="City Museum of Art", role="Education Director",
                source="professors_mentors", how_met="My HIST 2301 lecturer", email="carla@example.org")
    at = compose(outreach_page("Compose"), carla)
    text = at.text_area(key=key(at, "compose", "text")).value
    assert "As my HIST 2301 lecturer, you know my work" in text and "(My" not in text
    checks = " ".join(m.value for m in at.markdown)
    assert "Connection first" in checks and "Why:" not in checks            # all pass: no lecture
    at.text_area(key=key(at, "compose", "text")).input("Hi Carla, I'm Ada. I want an internship.").run()
    checks = " ".join(m.value for m in at.markdown)
    assert "Why:" in checks and "asking for a job turns a favour into a burden" in checks


def test_a_linkedin_connection_gets_a_message(db):
    from lib import clock, linkedin
    from tests.conftest import TODAY
    csv = (b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
           b"Mei,Chen,https://www.linkedin.com/in/mei-chen-88,,Contoso,Data Scientist,12 Mar 2025\n")
    linkedin.commit(db, db.student, linkedin.parse(csv, TODAY), filename="Connections.csv",
                    now=clock.moment_of(TODAY))
    mei = db.rows("SELECT CAST(id AS VARCHAR) FROM contacts WHERE name = 'Mei Chen'")[0][0]
    at = compose(outreach_page("Compose"), mei)
    assert at.radio(key=key(at, "compose", "channel")).value == "linkedin"
    assert "LinkedIn message" in at.radio(key=key(at, "compose", "channel")).options
    text = at.text_area(key=key(at, "compose", "text")).value
    assert "connected on LinkedIn" in text and "came across your profile" not in text
    assert "Fits a LinkedIn note" not in " ".join(m.value for m in at.markdown)
