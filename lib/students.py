"""Student profiles: create, list, look up by name or id."""
from __future__ import annotations

import uuid
from datetime import datetime

import pandas as pd

from lib import clock
from lib.db import Database, new_id
from lib.models import InvalidInput, clean_text


def _profile(name, school, major, class_year, fields_of_interest, pitch) -> dict:
    """A profile's fields, validated the same way when it is created and when it is edited."""
    return {"name": clean_text(name, "name", required=True, max_len=120), "school": clean_text(school, "school"),
            "major": clean_text(major, "major"), "class_year": _class_year(class_year),
            "fields_of_interest": clean_text(fields_of_interest, "fields of interest", max_len=300),
            "pitch": clean_text(pitch, "pitch", max_len=600)}


def create_student(db: Database, name: str, *, school: str | None = None, major: str | None = None,
                   class_year: int | str | None = None, fields_of_interest: str | None = None,
                   pitch: str | None = None, cohort: str | None = None,
                   now: datetime | None = None) -> str:
    """Validate and store a profile; return its id. Raises InvalidInput naming the field."""
    row = {"id": new_id(), **_profile(name, school, major, class_year, fields_of_interest, pitch),
           "cohort": clean_text(cohort, "cohort", max_len=80), "created_at": now or clock.now()}
    with db.write() as cur:
        cur.execute(f"INSERT INTO students ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                    list(row.values()))
    return row["id"]


def update_profile(db: Database, student_id: str, name: str, *, school: str | None = None,
                   major: str | None = None, class_year: int | str | None = None,
                   fields_of_interest: str | None = None, pitch: str | None = None,
                   thank_you_hours: int | None = None) -> None:
    """Change a student's profile in one transaction. The thank-you window applies from now on:
    conversations already held keep the window in force when they were held."""
    from lib import followup, method
    row = _profile(name, school, major, class_year, fields_of_interest, pitch)
    if thank_you_hours is not None and int(thank_you_hours) not in method.THANK_YOU_WINDOWS:
        raise InvalidInput("thank-you window", "must be " + " or ".join(map(str, method.THANK_YOU_WINDOWS))
                           + " hours")
    with db.write(student_id=student_id) as cur:
        if not cur.execute("SELECT count(*) FROM students WHERE id = ?", [student_id]).fetchone()[0]:
            raise InvalidInput("student", "no such profile")
        cur.execute(f"UPDATE students SET {', '.join(f'{k} = ${k}' for k in row)} WHERE id = $sid",
                    {**row, "sid": student_id})
        if thank_you_hours is not None:
            followup.store_window(cur, student_id, int(thank_you_hours))


def set_cohort(db: Database, student_id: str, cohort: str | None) -> None:
    """Put a student in a cohort group (a coach's grouping, e.g. 'Spring 2027 workshop'); blank: none."""
    cohort = clean_text(cohort, "cohort", max_len=80)
    with db.write(student_id=student_id) as cur:
        if not cur.execute("SELECT count(*) FROM students WHERE id = ?", [student_id]).fetchone()[0]:
            raise InvalidInput("student", "no such profile")
        cur.execute("UPDATE students SET cohort = ? WHERE id = ?", [cohort, student_id])


def cohorts(db: Database) -> list[str]:
    """The cohort groups in use, by name."""
    return [r[0] for r in db.rows("SELECT DISTINCT cohort FROM students WHERE cohort IS NOT NULL ORDER BY cohort")]


def _class_year(value: int | str | None) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        raise InvalidInput("class year", f"must be a year such as 2027, got {value!r}") from None
    if not 1950 <= year <= 2100:
        raise InvalidInput("class year", f"must be between 1950 and 2100, got {year}")
    return year


def list_students(db: Database) -> pd.DataFrame:
    """Every student, with a `label` that tells apart students who share a name (a career
    centre has several Aisha Khans): the name, then school and class year where the name
    repeats, then a number where even those repeat."""
    return db.df("""
        WITH named AS (
            SELECT *, CASE WHEN count(*) OVER (PARTITION BY lower(name)) = 1 THEN name
                           ELSE concat_ws(' · ', name, nullif(trim(school), ''),
                                          'class of ' || CAST(class_year AS VARCHAR)) END AS described
            FROM students)
        SELECT CAST(id AS VARCHAR) AS id, name, school, major, class_year, cohort, fields_of_interest, is_demo,
               CASE WHEN count(*) OVER (PARTITION BY lower(described)) = 1 THEN described
                    ELSE described || ' · ' || CAST(row_number() OVER (PARTITION BY lower(described)
                                                                       ORDER BY created_at, id) AS VARCHAR)
               END AS label
        FROM named ORDER BY lower(name), label, id""")


def get_student(db: Database, student_id: str) -> dict | None:
    frame = db.df("SELECT *, CAST(id AS VARCHAR) AS id FROM students WHERE id = ?", [student_id])
    return None if frame.empty else frame.iloc[0].to_dict()


def resolve_student(db: Database, name_or_id: str) -> str:
    """The id of the one student with this id or (case-insensitive) name; LookupError otherwise."""
    key = name_or_id.strip()
    try:
        uuid.UUID(key)
        rows = db.rows("SELECT CAST(id AS VARCHAR) FROM students WHERE id = ?", [key])
    except ValueError:
        rows = db.rows("SELECT CAST(id AS VARCHAR) FROM students WHERE lower(name) = lower(?)", [key])
    if not rows:
        raise LookupError(f"no student named or with id {key!r}")
    if len(rows) > 1:
        raise LookupError(f"{len(rows)} students are named {key!r}; use the id instead")
    return rows[0][0]
