"""LinkedIn Connections.csv: both export layouts, every quirk, and an import that is
previewed, all-or-nothing and idempotent."""
import io
import zipfile
from datetime import date

import pytest

from lib import linkedin, network
from lib.linkedin import NotAConnectionsExport
from lib.network import ContactInput
from lib.students import create_student
from tests.conftest import ROOT, TODAY

FIXTURES = ROOT / "tests" / "fixtures" / "linkedin"
CURRENT = (FIXTURES / "Connections.csv").read_bytes()
OLDER = (FIXTURES / "Connections_older.csv").read_bytes()


def by_name(parsed):
    return {c.name: c for c in parsed.connections}


def test_current_export_with_notes_block_and_every_quirk():
    parsed = linkedin.parse(CURRENT, TODAY)
    assert parsed.header_line == 4 and parsed.layout == "current"
    people = by_name(parsed)
    assert list(people) == ["Priya Raman", "Tomás Ortega", "Mei Chen", "Jordan Blake", "Ana Silva", "Noor Haddad"]
    # quoted comma, doubled quotes, and both together
    assert people["Priya Raman"].position == "Analyst, Population Health"
    assert people["Tomás Ortega"].company == 'Lakeside "Green" Energy'
    assert people["Noor Haddad"].position == 'Nurse Educator, "Float" Pool'
    # dates like "06 Dec 2023"; a row without one keeps the person
    assert people["Priya Raman"].connected_on == date(2023, 12, 6)
    assert people["Ana Silva"].connected_on is None and people["Ana Silva"].company is None
    # country host, capitals, query string and trailing slash normalised away
    assert people["Mei Chen"].linkedin_url == "https://www.linkedin.com/in/mei-chen-88"
    # a row with a URL but no name is kept, named from the URL
    assert people["Jordan Blake"].linkedin_url == "https://www.linkedin.com/in/jordan-blake-3f9e1a"
    # most emails are empty; a present one is kept
    assert people["Priya Raman"].email is None
    assert people["Tomás Ortega"].email == "tomas.ortega@example.org"
    # a row of empty fields and an empty line: skipped and counted
    assert parsed.skipped_blank == 2
    invalid = {row["line"]: row["reason"] for row in parsed.invalid}
    assert set(invalid) == {10, 11, 12}
    assert invalid[10].startswith("Email Address:")
    assert invalid[11].startswith("Connected On:") and "Yesterday" in invalid[11]
    assert "8 fields where the header has 7" in invalid[12]   # Fabrikam, Inc. unquoted


def test_older_export_without_url_column_and_us_dates():
    parsed = linkedin.parse(OLDER, TODAY)
    assert parsed.header_line == 1 and parsed.layout == "older"
    people = by_name(parsed)
    assert list(people) == ["Grace Hopper", "Alan Turing", "Ada Lovelace"]
    assert people["Grace Hopper"].connected_on == date(2018, 1, 8)
    assert people["Alan Turing"].connected_on == date(2017, 12, 24)
    assert people["Alan Turing"].company == "Bletchley, Park"
    assert all(c.linkedin_url is None for c in parsed.connections)
    assert parsed.skipped_blank == 1
    assert [row["line"] for row in parsed.invalid] == [6]   # ragged: five fields, not six
    assert "5 fields where the header has 6" in parsed.invalid[0]["reason"]


@pytest.mark.parametrize("encode", [
    pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), id="utf8-bom"),
    pytest.param(lambda text: text.encode("utf-8"), id="utf8"),
    pytest.param(lambda text: text.encode("cp1252"), id="cp1252"),
    pytest.param(lambda text: text.encode("utf-16"), id="utf16-bom"),
])
def test_encodings(encode):
    text = CURRENT.decode("utf-8")
    parsed = linkedin.parse(encode(text), TODAY)
    assert by_name(parsed)["Tomás Ortega"].company == 'Lakeside "Green" Energy'
    assert len(parsed.connections) == 6


def test_header_found_by_content_with_extra_columns_in_another_order():
    data = ("Some preamble\n\nConnected On,Position,Company,Tag,Last Name,First Name\n"
            "06 Dec 2023,Analyst,Contoso,x,Doe,Jane\n").encode()
    parsed = linkedin.parse(data, TODAY)
    assert parsed.header_line == 3
    jane = parsed.connections[0]
    assert (jane.name, jane.company, jane.position, jane.connected_on) == \
        ("Jane Doe", "Contoso", "Analyst", date(2023, 12, 6))


def test_the_whole_linkedin_archive_zip_is_opened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Basic_LinkedInDataExport/Connections.csv", CURRENT)
        archive.writestr("Basic_LinkedInDataExport/Profile.csv", b"First Name\nMe\n")
    assert len(linkedin.parse(buffer.getvalue(), TODAY).connections) == 6


@pytest.mark.parametrize("name, message", [
    ("not_connections.csv", "no header row with 'First Name' and 'Last Name'"),
    ("missing_columns.csv", "has no 'Company' or 'Connected On' columns"),
])
def test_other_files_are_refused_saying_what_is_missing(name, message):
    with pytest.raises(NotAConnectionsExport, match=message):
        linkedin.parse((FIXTURES / name).read_bytes(), TODAY)


def test_binary_and_empty_files_are_refused():
    with pytest.raises(NotAConnectionsExport, match="not a text file"):
        linkedin.parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00", TODAY)
    with pytest.raises(NotAConnectionsExport, match="no header row"):
        linkedin.parse(b"", TODAY)


def test_future_and_pre_linkedin_dates_are_invalid_rows():
    data = (b"First Name,Last Name,Company,Position,Connected On\n"
            b"A,One,X,Y,01 Jan 2030\nB,Two,X,Y,01 Jan 1999\nC,Three,X,Y,01 Jan 2020\n")
    parsed = linkedin.parse(data, TODAY)
    assert [c.name for c in parsed.connections] == ["C Three"]
    assert [(r["line"], "future" in r["reason"] or "before LinkedIn" in r["reason"])
            for r in parsed.invalid] == [(2, True), (3, True)]


# --- the import --------------------------------------------------------------------------

@pytest.fixture
def student(db):
    return create_student(db, "Ada Lovelace")


def test_preview_commit_and_a_second_import_adds_nothing(db, student, now):
    network.add_contact(db, student, ContactInput(name="Mei Chen", source="alumni", organisation="Contoso",
                                                  linkedin_url="linkedin.com/in/mei-chen-88"), now)
    plan = linkedin.preview(db, student, CURRENT, TODAY)
    assert plan.summary() == {"new": 5, "duplicates": 1, "skipped_blank": 2, "invalid": [
        {"line": 10, "reason": plan.parsed.invalid[0]["reason"]},
        {"line": 11, "reason": plan.parsed.invalid[1]["reason"]},
        {"line": 12, "reason": plan.parsed.invalid[2]["reason"]}]}
    assert "Mei Chen (same LinkedIn URL)" in plan.duplicates[0][1]
    assert db.scalar("SELECT count(*) FROM contacts") == 1           # a preview writes nothing

    import_id, done = linkedin.commit(db, student, plan.parsed, filename="Connections.csv", now=now)
    assert len(done.new) == 5
    rows = db.df("""SELECT c.name, c.warmth, c.source, c.role, o.name AS org, o.target, c.connected_on
                    FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
                    WHERE c.import_id = $id ORDER BY c.name""", {"id": import_id})
    assert rows["name"].tolist() == ["Ana Silva", "Jordan Blake", "Noor Haddad", "Priya Raman", "Tomás Ortega"]
    assert set(rows["warmth"]) == {"cold"} and set(rows["source"]) == {"linkedin"}
    # Northwind Health appears twice in the file: one organisation, not a target
    assert db.scalar("SELECT count(*) FROM organisations WHERE name = 'Northwind Health'") == 1
    assert not rows["target"].dropna().any()
    assert db.scalar("SELECT row_count FROM imports WHERE id = $id", {"id": import_id}) == 5

    again = linkedin.preview(db, student, CURRENT, TODAY)
    assert (len(again.new), len(again.duplicates)) == (0, 6)
    linkedin.commit(db, student, again.parsed, filename="Connections.csv", now=now)
    assert db.scalar("SELECT count(*) FROM contacts") == 6


def test_older_export_matches_by_name_and_organisation(db, student, now):
    network.add_contact(db, student, ContactInput(name="grace  hopper", organisation="navy research lab",
                                                  source="professors_mentors"), now)
    plan = linkedin.preview(db, student, OLDER, TODAY)
    assert [c.name for c, _ in plan.duplicates] == ["Grace Hopper"]
    linkedin.commit(db, student, plan.parsed, filename=None, now=now)
    assert linkedin.preview(db, student, OLDER, TODAY).summary()["new"] == 0


def test_an_import_that_fails_half_way_leaves_nothing(db, student, now, monkeypatch):
    many = b"First Name,Last Name,URL,Company,Position,Connected On\n" + b"".join(
        f"P{i},Q,https://www.linkedin.com/in/p{i},Org {i % 7},Role,06 Dec 2023\n".encode() for i in range(12_000))
    parsed = linkedin.parse(many, TODAY)
    calls = []

    def explode(done, total):
        calls.append(done)
        if len(calls) == 2:
            raise RuntimeError("power cut")
    with pytest.raises(RuntimeError):
        linkedin.commit(db, student, parsed, filename="big.csv", now=now, progress=explode)
    assert db.scalar("SELECT count(*) FROM contacts") == 0
    assert db.scalar("SELECT count(*) FROM organisations") == 0
    assert db.scalar("SELECT count(*) FROM imports") == 0
    linkedin.commit(db, student, parsed, filename="big.csv", now=now, progress=lambda d, t: calls.append(d))
    assert calls[-3:] == [5_000, 10_000, 12_000]
    assert db.scalar("SELECT count(*) FROM contacts") == 12_000
    assert db.scalar("SELECT count(*) FROM organisations") == 7
