"""The roster: students who share a name can still be told apart in every picker."""
from datetime import datetime, timedelta

import pytest

from lib.models import InvalidInput
from lib.students import create_student, get_student, list_students


def test_labels_tell_apart_students_who_share_a_name(db):
    start = datetime(2026, 9, 1, 9)
    create_student(db, "Grace Hopper", school="Lakeside University", class_year=2027, now=start)
    create_student(db, "Aisha Khan", school="Lakeside University", class_year=2027, now=start)
    create_student(db, "Aisha Khan", school="Hillcrest College", class_year=2027, now=start + timedelta(days=2))
    first = create_student(db, "aisha khan", school="Hillcrest College", class_year=2027, now=start)
    create_student(db, "Aisha Khan", school="Hillcrest College", class_year=2027, now=start + timedelta(days=1))
    create_student(db, "Aisha Khan", now=start)
    roster = list_students(db)
    labels = dict(zip(roster["id"], roster["label"]))
    assert roster["label"].is_unique
    assert sorted(roster["label"]) == [
        "Aisha Khan", "Aisha Khan · Hillcrest College · class of 2027 · 2",
        "Aisha Khan · Hillcrest College · class of 2027 · 3",
        "Aisha Khan · Lakeside University · class of 2027", "Grace Hopper",
        "aisha khan · Hillcrest College · class of 2027 · 1"]
    assert labels[first].endswith("· 1")          # numbered in the order they joined, not at random


def test_update_profile_and_the_thank_you_window(db):
    from datetime import datetime
    from lib.students import update_profile
    sid = create_student(db, "Ada Lovelace")
    update_profile(db, sid, " Ada King ", school="Lakeside", major="History", class_year="2027",
                   fields_of_interest="museums", pitch="Two sentences.", thank_you_hours=48)
    student = get_student(db, sid)
    assert (student["name"], student["school"], int(student["class_year"]), int(student["thank_you_hours"])) == (
        "Ada King", "Lakeside", 2027, 48)
    with pytest.raises(InvalidInput, match="class year"):
        update_profile(db, sid, "Ada", class_year="soon")
    with pytest.raises(InvalidInput, match="thank-you window"):
        update_profile(db, sid, "Ada", thank_you_hours=12)
    with pytest.raises(InvalidInput, match="name"):
        update_profile(db, sid, "  ")
    assert get_student(db, sid)["name"] == "Ada King"          # a refused edit changes nothing


def test_cohort_groups(db):
    from lib.students import cohorts, set_cohort
    a, b = create_student(db, "Ada"), create_student(db, "Ben")
    set_cohort(db, a, " Spring 2027 workshop ")
    set_cohort(db, b, "Autumn group")
    assert cohorts(db) == ["Autumn group", "Spring 2027 workshop"]
    set_cohort(db, b, "")
    assert cohorts(db) == ["Spring 2027 workshop"] and get_student(db, b)["cohort"] is None
