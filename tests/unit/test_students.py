"""The roster: students who share a name can still be told apart in every picker."""
from datetime import datetime, timedelta

from lib.students import create_student, list_students


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
