"""The Viewer (issue 18 item 4): who sees which students and who may write where."""
import pytest

from lib import access, users
from lib.access import Viewer

ROSTER = b"""email,name,role,coach,cohort
cora@uni.edu,Cora,coach,,
kay@uni.edu,Kay,coach,,
ana@uni.edu,Ana,student,cora@uni.edu,A
ben@uni.edu,Ben,student,kay@uni.edu,B
"""


@pytest.fixture
def people(db):
    users.import_roster(db, users.parse_roster(ROSTER))
    ids = {e: access.viewer_for(db, f"{e}@uni.edu", admins=frozenset({"root@uni.edu"}))
           for e in ("ana", "ben", "cora", "kay")}
    return db, ids


def test_local_mode_is_todays_behaviour():
    local = Viewer.local()
    assert local.known and local.may_see("any-id") and local.visible(["a", "b"]) == ["a", "b"]
    assert local.can_write("a", "student", "student") and local.can_write("a", "coach", "coach")
    assert local.refusal("a", "student", "coach") == access.READ_ONLY
    assert local.role_for("coach") == "coach" and local.role_for(None) == "student"


def test_a_student_sees_and_writes_only_their_own_record(people):
    db, v = people
    ana, ben = v["ana"].own_student, v["ben"].own_student
    assert v["ana"].visible([ana, ben]) == [ana]
    assert v["ana"].can_write(ana, "student") and v["ana"].can_write(ana, "setup")
    assert not v["ana"].can_write(ben, "student")
    assert not v["ana"].can_write(ana, "coach") and not v["ana"].can_write(ana, "admin")
    assert v["ana"].role_for("coach") == "student"        # the sidebar can't make a student a coach


def test_a_coach_sees_assigned_students_read_only_and_writes_on_coach_pages(people):
    db, v = people
    ana, ben = v["ana"].own_student, v["ben"].own_student
    cora = v["cora"]
    assert cora.visible([ana, ben]) == [ana] and not cora.may_see(ben)
    assert cora.refusal(ana, "student") == access.READ_ONLY
    assert cora.can_write(ana, "coach") and not cora.can_write(ben, "coach")
    assert not cora.can_write(None, "admin") and not cora.is_admin


def test_admins_come_from_configuration_and_see_everyone(people):
    db, v = people
    root = access.viewer_for(db, "Root@Uni.edu", admins=access.admins_from(" root@uni.edu, other@uni.edu "))
    assert root.is_admin and root.may_see(v["ben"].own_student) and root.can_write(None, "admin")
    assert root.refusal(v["ben"].own_student, "student") == access.READ_ONLY_ADMIN
    assert access.admins_from(["A@x.edu", ""]) == {"a@x.edu"}


def test_unknown_people_see_nothing_and_may_do_nothing(people):
    db, v = people
    nobody = access.viewer_for(db, "stranger@uni.edu")
    assert not nobody.known and nobody.visible([v["ana"].own_student]) == []
    assert not nobody.can_write(None, "setup")


def test_the_cache_key_tells_viewers_apart(people):
    db, v = people
    assert len({v[e].key for e in v}) == 4
    assert Viewer.local().key != v["cora"].key


def test_the_access_log_records_views_by_others_but_nothing_in_local_mode(people, now):
    db, v = people
    ana = v["ana"].own_student
    access.log(db, Viewer.local(), ana, "viewed", now=now)
    access.log(db, v["cora"], ana, "viewed", "Network", now=now)
    history = access.record_history(db, ana)
    assert list(history["Who"]) == ["cora@uni.edu"] and list(history["Where"]) == ["Network"]
    assert len(access.full_log(db)) == 1
