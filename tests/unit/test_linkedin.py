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
    assert list(people) == ["Priya Raman", "Tomás Ortega", "Mei Chen", "Jordan Blake", "Sam Okafor",
                            "Lena Fischer", "Ana Silva", "Noor Haddad"]
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
    # an unusable optional field: the person comes in without it, the line is a warning
    warnings = {row["line"]: row["reason"] for row in parsed.warnings}
    assert set(warnings) == {10, 11}
    assert warnings[10].startswith("Email Address:") and "imported without it" in warnings[10]
    assert people["Sam Okafor"].email is None and people["Sam Okafor"].company == "Fabrikam"
    assert warnings[11].startswith("Connected On:") and "Yesterday" in warnings[11]
    assert people["Lena Fischer"].connected_on is None
    invalid = {row["line"]: row["reason"] for row in parsed.invalid}
    assert set(invalid) == {12}
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
    assert len(parsed.connections) == 8 and not parsed.warnings[2:]


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
    assert len(linkedin.parse(buffer.getvalue(), TODAY).connections) == 8


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


def test_future_and_pre_linkedin_dates_keep_the_person_without_the_date():
    data = (b"First Name,Last Name,Company,Position,Connected On\n"
            b"A,One,X,Y,01 Jan 2030\nB,Two,X,Y,01 Jan 1999\nC,Three,X,Y,01 Jan 2020\n")
    parsed = linkedin.parse(data, TODAY)
    assert [(c.name, c.connected_on) for c in parsed.connections] == \
        [("A One", None), ("B Two", None), ("C Three", date(2020, 1, 1))]
    assert [(r["line"], "future" in r["reason"] or "before LinkedIn" in r["reason"])
            for r in parsed.warnings] == [(2, True), (3, True)]
    assert parsed.invalid == []


# --- the import --------------------------------------------------------------------------

@pytest.fixture
def student(db):
    return create_student(db, "Ada Lovelace")


def test_preview_commit_and_a_second_import_adds_nothing(db, student, now):
    network.add_contact(db, student, ContactInput(name="Mei Chen", source="alumni", organisation="Contoso",
                                                  linkedin_url="linkedin.com/in/mei-chen-88"), now)
    plan = linkedin.preview(db, student, CURRENT, TODAY)
    assert plan.summary() == {"new": 7, "duplicates": 1, "skipped_blank": 2, "invalid": [
        {"line": 12, "reason": plan.parsed.invalid[0]["reason"]}], "warnings": [
        {"line": 10, "reason": plan.parsed.warnings[0]["reason"]},
        {"line": 11, "reason": plan.parsed.warnings[1]["reason"]}]}
    assert "Mei Chen (same LinkedIn URL)" in plan.duplicates[0][1]
    assert db.scalar("SELECT count(*) FROM contacts") == 1           # a preview writes nothing

    import_id, done = linkedin.commit(db, student, plan.parsed, filename="Connections.csv", now=now)
    assert len(done.new) == 7
    rows = db.df("""SELECT c.name, c.warmth, c.source, c.role, o.name AS org, o.target, c.connected_on
                    FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
                    WHERE c.import_id = $id ORDER BY c.name""", {"id": import_id})
    assert rows["name"].tolist() == ["Ana Silva", "Jordan Blake", "Lena Fischer", "Noor Haddad", "Priya Raman",
                                     "Sam Okafor", "Tomás Ortega"]
    assert set(rows["warmth"]) == {"cold"} and set(rows["source"]) == {"linkedin"}
    # Northwind Health appears twice in the file: one organisation, not a target
    assert db.scalar("SELECT count(*) FROM organisations WHERE name = 'Northwind Health'") == 1
    assert not rows["target"].dropna().any()
    assert db.scalar("SELECT row_count FROM imports WHERE id = $id", {"id": import_id}) == 7

    again = linkedin.preview(db, student, CURRENT, TODAY)
    assert (len(again.new), len(again.duplicates)) == (0, 8)
    linkedin.commit(db, student, again.parsed, filename="Connections.csv", now=now)
    assert db.scalar("SELECT count(*) FROM contacts") == 8


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


# --- hostile and damaged files (issue 16 items 2, 5, 6, 7) -------------------------------------

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def zipped(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_without_expanding_it():
    import tracemalloc
    bomb = zipped({"Connections.csv": HEADER.encode() + b"a" * 200_000_000})
    assert len(bomb) < 300_000
    tracemalloc.start()
    try:
        with pytest.raises(NotAConnectionsExport, match="Connections.csv.*(expands|compressed)"):
            linkedin.parse(bomb, TODAY)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000, peak


def test_a_zip_member_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(linkedin, "MAX_TEXT_BYTES", 10_000)
    rows = "".join(f"P{i},Q,,,{os_random_word(i)},R,06 Dec 2023\n" for i in range(2000))
    with pytest.raises(NotAConnectionsExport, match="larger than"):
        linkedin.parse(zipped({"Connections.csv": (HEADER + rows).encode()}), TODAY)
    with pytest.raises(NotAConnectionsExport, match="larger than"):      # and as a plain file
        linkedin.parse((HEADER + rows).encode(), TODAY)


def os_random_word(i: int) -> str:
    import hashlib
    return hashlib.sha256(str(i).encode()).hexdigest()[:12]


def test_a_zip_member_whose_header_lies_about_its_size_is_refused():
    data = bytearray(zipped({"Connections.csv": HEADER.encode() + b"a" * 5_000_000}))
    # the central directory says 100 bytes; the stream holds 5 MB
    import struct
    at = data.rfind(b"PK\x01\x02")
    data[at + 24:at + 28] = struct.pack("<I", 100)
    with pytest.raises(NotAConnectionsExport):
        linkedin.parse(bytes(data), TODAY)


def test_several_connections_csv_in_one_archive_says_which_was_used():
    archive = zipped({"old/Connections.csv": (HEADER + "Old,Person,,,X,Y,06 Dec 2020\n").encode(),
                      "Basic_LinkedInDataExport/Connections.csv": CURRENT})
    parsed = linkedin.parse(archive, TODAY)
    assert "Basic_LinkedInDataExport/Connections.csv" in parsed.source
    assert "old/Connections.csv" in parsed.source and "2" in parsed.source
    assert len(parsed.connections) == 8


def test_a_damaged_or_encrypted_zip_is_refused_with_a_message():
    good = zipped({"Connections.csv": CURRENT})
    with pytest.raises(NotAConnectionsExport, match="damaged"):
        linkedin.parse(good[: len(good) // 2], TODAY)
    broken = bytearray(good)
    at = broken.find(CURRENT[:0] or b"PK\x03\x04") + 30 + len("Connections.csv") + 10
    broken[at:at + 20] = b"\xff" * 20
    with pytest.raises(NotAConnectionsExport):
        linkedin.parse(bytes(broken), TODAY)


@pytest.mark.parametrize("size", [131_073, 500_000])
def test_a_field_over_the_csv_limit_is_refused_naming_the_line(size):
    data = (HEADER + "A,One,,,X,Y,06 Dec 2023\n" + 'B,"' + "x" * size + '",,,X,Y,06 Dec 2023\n').encode()
    with pytest.raises(NotAConnectionsExport, match="line 3"):
        linkedin.parse(data, TODAY)


def test_an_unclosed_quote_or_a_nul_is_refused_naming_the_line():
    with pytest.raises(NotAConnectionsExport, match="line 3"):
        linkedin.parse((HEADER + "A,One,,,X,Y,06 Dec 2023\nB,Two,,,X\x00Y,Z,06 Dec 2023\n").encode(), TODAY)


def test_utf8_with_a_few_bad_bytes_stays_utf8_and_names_the_lines():
    text = HEADER + "Zoë,Durand,,,Crédit Agricole,Analyste,06 Dec 2023\n" + "Bad,Byte,,,X,Y,06 Dec 2023\n" + \
        "Björn,Ström,,,Volvo,Ingenjör,06 Dec 2023\n"
    data = text.encode("utf-8").replace(b"Bad,Byte", b"Bad\xff,Byte")
    parsed = linkedin.parse(data, TODAY)
    assert parsed.encoding == "utf-8"
    names = [c.name for c in parsed.connections]
    assert names[0] == "Zoë Durand" and names[2] == "Björn Ström"            # never "ZoÃ«"
    assert names[1] == "Bad\ufffd Byte"
    assert [w["line"] for w in parsed.warnings] == [3] and "not UTF-8" in parsed.warnings[0]["reason"]


def test_windows_1252_is_chosen_only_on_evidence():
    data = (HEADER + "Zoë,Durand,,,Crédit Agricole,Analyste,06 Dec 2023\n").encode("cp1252")
    parsed = linkedin.parse(data, TODAY)
    assert parsed.encoding == "cp1252" and parsed.connections[0].name == "Zoë Durand"
    assert not parsed.warnings


def test_a_file_mixing_encodings_is_refused_rather_than_garbled():
    utf8 = (HEADER + "Zoë,Durand,,,X,Y,06 Dec 2023\n").encode("utf-8")
    cp1252 = "".join(f"Rémi{i},Müller,,,Société,Ingénieur,06 Dec 2023\n" for i in range(5)).encode("cp1252")
    with pytest.raises(NotAConnectionsExport, match="encoding"):
        linkedin.parse(utf8 + cp1252, TODAY)


@pytest.mark.parametrize("row, field", [
    ("Ada,Byron,,urn:li:member:12345,X,Y,06 Dec 2023", "Email Address"),
    ("Ada,Byron,,ada at example,X,Y,06 Dec 2023", "Email Address"),
    ("Ada,Byron,,,X,Y,31 Feb 2023", "Connected On"),
    ("Ada,Byron,,,X,Y,21 Nov 2026", "Connected On"),                # tomorrow: time zones
    ("Ada,Byron,,,X,Y,1/8/1899",  "Connected On"),
    ("Ada,Byron,not a url,,X,Y,06 Dec 2023", "URL"),
    ("Ada,Byron,,,X," + "p" * 400 + ",06 Dec 2023", "Position"),
    ("Ada,Byron,,,"  + "c" * 400 + ",Y,06 Dec 2023", "Company"),
])
def test_an_unusable_optional_field_imports_the_person_without_it(row, field):
    parsed = linkedin.parse((HEADER + row + "\n").encode(), TODAY)
    assert [c.name for c in parsed.connections] == ["Ada Byron"] and parsed.invalid == []
    assert parsed.warnings[0]["line"] == 2 and parsed.warnings[0]["reason"].startswith(field)
    ada = parsed.connections[0]
    value = {"Email Address": ada.email, "Connected On": ada.connected_on, "URL": ada.linkedin_url,
             "Position": ada.position, "Company": ada.company}[field]
    assert value is None


def test_only_a_row_without_a_name_is_refused():
    parsed = linkedin.parse((HEADER + ",,,someone@example.org,X,Y,06 Dec 2023\n"
                             + "," * 0 + ",,not a url,,X,Y,06 Dec 2023\n").encode(), TODAY)
    assert parsed.connections == []
    assert [r["line"] for r in parsed.invalid] == [2, 3]
    assert all("no name" in r["reason"] for r in parsed.invalid)


def test_cli_refuses_an_oversized_field_with_exit_2_and_no_traceback(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "Connections.csv"
    path.write_text(HEADER + 'B,"' + "x" * 200_000 + '",,,X,Y,06 Dec 2023\n')
    result = subprocess.run([sys.executable, "-m", "lib", "import-linkedin", "--student", "Ada", str(path),
                             "--db", str(tmp_path / "x.duckdb")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "Traceback" not in result.stderr and "line 2" in result.stderr
