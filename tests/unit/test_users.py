"""People and roles (issue 18 item 3): one by one, a roster all or nothing with bad rows named,
deactivation, coach and cohort assignment, deletion of a student's data with the log kept."""
import pandas as pd
import pytest

from lib import access, backup, network, users
from lib.models import InvalidInput, InvalidRows
from lib.network import ContactInput

ROSTER = b"""email,name,role,coach,cohort
cora@uni.edu,Cora Coach,coach,,
ana@uni.edu,Ana Alves,student,cora@uni.edu,Spring 2027
ben@uni.edu,Ben Bell,student,,
"""


def test_a_student_user_gets_their_own_student_record(db):
    users.add_person(db, "Cora@Uni.EDU", "coach", name="Cora")
    users.add_person(db, "ana@uni.edu", "student", name="Ana", coach="cora@uni.edu", cohort="Spring")
    people = users.people(db).set_index("email")
    assert people.loc["cora@uni.edu", "role"] == "coach" and pd.isna(people.loc["cora@uni.edu", "student_id"])
    ana = people.loc["ana@uni.edu"]
    assert ana["coach"] == "cora@uni.edu" and ana["cohort"] == "Spring"
    assert db.scalar("SELECT name FROM students WHERE id = ?", [ana["student_id"]]) == "Ana"


@pytest.mark.parametrize("email,role,coach,field", [
    ("not-an-email", "student", None, "email"), ("a@uni.edu", "wizard", None, "role"),
    ("a@uni.edu", "student", "nobody@uni.edu", "coach"), ("a@uni.edu", "coach", "x@uni.edu", "coach")])
def test_bad_people_are_refused_naming_the_field_and_nothing_is_written(db, email, role, coach, field):
    with pytest.raises(InvalidInput) as refused:
        users.add_person(db, email, role, coach=coach)
    assert refused.value.field == field
    assert db.scalar("SELECT count(*) FROM users") == 0 and db.scalar("SELECT count(*) FROM students") == 0


def test_an_email_is_registered_once(db):
    users.add_person(db, "ana@uni.edu", "student")
    with pytest.raises(InvalidInput, match="already registered"):
        users.add_person(db, "ANA@uni.edu", "coach")


def test_a_roster_is_imported_whole_students_naming_coaches_from_the_same_file(db):
    assert users.import_roster(db, users.parse_roster(ROSTER)) == 3
    people = users.people(db).set_index("email")
    assert people.loc["ana@uni.edu", "coach"] == "cora@uni.edu"
    assert people.loc["ana@uni.edu", "cohort"] == "Spring 2027"
    assert db.scalar("SELECT count(*) FROM students") == 2


def test_a_roster_with_bad_rows_is_refused_whole_and_every_bad_row_is_named(db):
    users.add_person(db, "ben@uni.edu", "student")
    data = ROSTER + b"bad-email,X,student,,\nzed@uni.edu,Zed,wizard,,\nyan@uni.edu,Yan,student,nobody@uni.edu,\n" \
                    b"ana@uni.edu,Ana again,student,,\n"
    with pytest.raises(InvalidRows) as refused:
        users.import_roster(db, users.parse_roster(data))
    named = [(p.field, p.message.split(":")[0]) for p in refused.value.problems]
    assert named == [("line 4", "email"), ("line 5", "email"), ("line 6", "role"), ("line 7", "coach"),
                     ("line 8", "email")]
    assert db.scalar("SELECT count(*) FROM users") == 1 and db.scalar("SELECT count(*) FROM students") == 1


@pytest.mark.parametrize("data,field", [(b"", "file"), (b"name,cohort\nA,B\n", "header"), (b"\xff\xfe\x00a", "file"),
                                        (b"email,role\n", "file")])
def test_unreadable_rosters_are_refused(data, field):
    roster = users.parse_roster(data)
    assert not roster.ok and roster.problems[0].field == field


def test_deactivated_people_and_unknown_emails_see_nothing(db):
    users.import_roster(db, users.parse_roster(ROSTER))
    assert access.viewer_for(db, "ana@uni.edu").known
    users.set_active(db, "ana@uni.edu", False)
    assert not access.viewer_for(db, "ana@uni.edu").known
    assert not access.viewer_for(db, "stranger@uni.edu").known


def test_assignment_moves_a_student_to_another_coach_and_group(db):
    users.import_roster(db, users.parse_roster(ROSTER + b"kay@uni.edu,Kay,coach,,\n"))
    ana = access.viewer_for(db, "ana@uni.edu").own_student
    assert access.viewer_for(db, "cora@uni.edu").students == {ana}
    users.assign(db, "ana@uni.edu", "kay@uni.edu", "Fall 2027")
    assert access.viewer_for(db, "cora@uni.edu").students == frozenset()
    assert access.viewer_for(db, "kay@uni.edu").students == {ana}
    assert users.people(db).set_index("email").loc["ana@uni.edu", "cohort"] == "Fall 2027"
    users.unassign(db, "kay@uni.edu", ana)
    assert access.viewer_for(db, "kay@uni.edu").students == frozenset()


def test_deleting_a_student_removes_everything_of_theirs_and_the_log_keeps_that_it_happened(db, now):
    users.import_roster(db, users.parse_roster(ROSTER))
    ana, ben = (access.viewer_for(db, e).own_student for e in ("ana@uni.edu", "ben@uni.edu"))
    for sid in (ana, ben):
        network.add_contact(db, sid, ContactInput(name="Someone"), now)
    cora = access.viewer_for(db, "cora@uni.edu")
    access.log(db, cora, ana, "viewed", "My progress", now=now)
    users.request_deletion(db, ana, "ana@uni.edu", now=now)
    assert list(users.deletion_requests(db)["email"]) == ["ana@uni.edu"]
    removed = users.delete_student(db, ana, "admin@uni.edu", now=now)
    assert removed["contacts"] == 1 and removed["users"] == 1 and removed["students"] == 1
    for (table,) in db.rows("""SELECT table_name FROM information_schema.columns WHERE column_name = 'student_id'
                               AND table_name <> 'access_log'"""):
        assert db.scalar(f'SELECT count(*) FROM "{table}" WHERE student_id = ?', [ana]) == 0, table
    assert db.scalar("SELECT count(*) FROM contacts WHERE student_id = ?", [ben]) == 1
    assert sorted(access.record_history(db, ana)["What"]) == ["deleted", "deletion requested", "viewed"]
    assert backup.check(db)["ok"]
