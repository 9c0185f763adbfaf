"""People who may sign in (issue 18): add one, import a roster (all or nothing, bad rows
named), deactivate, assign a student to a coach and a cohort group, list them; a student's
request to delete their data and an admin carrying it out. Cohort groups are students.cohort
(the coach's grouping, shared with the Coach page). Who may see what is lib/access.py."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from email_validator import EmailNotValidError, validate_email

from lib import clock
from lib.db import Database, new_id
from lib.models import InvalidInput, InvalidRows, clean_text

ROLES = {"student": "Student", "coach": "Coach", "admin": "Admin"}
ROSTER_COLUMNS = ("email", "name", "role", "coach", "cohort")
MAX_ROSTER_BYTES = 2_000_000
MAX_ROSTER_ROWS = 20_000


def normalise_email(value: object, field: str = "email") -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise InvalidInput(field, "is required")
    if len(text) > 254:
        raise InvalidInput(field, f"is {len(text)} characters long; the limit is 254")
    try:
        return validate_email(text, check_deliverability=False, test_environment=True).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput(field, f"{text!r} is not a valid email address ({exc})") from None


@dataclass(frozen=True)
class Person:
    email: str
    role: str
    name: str | None = None
    coach: str | None = None      # a student's coach, by email
    cohort: str | None = None     # a student's cohort group


def clean_person(email: object, role: object, name: object = None, coach: object = None,
                 cohort: object = None) -> Person:
    """Validate one person; InvalidInput names the field."""
    role_text = str(role or "").strip().lower()
    if role_text not in ROLES:
        raise InvalidInput("role", f"must be one of {', '.join(ROLES)}, got {str(role or '')!r}")
    person = Person(email=normalise_email(email), role=role_text, name=clean_text(name, "name", max_len=120),
                    coach=normalise_email(coach, "coach") if str(coach or "").strip() else None,
                    cohort=clean_text(cohort, "cohort", max_len=80))
    if role_text != "student" and (person.coach or person.cohort):
        raise InvalidInput("coach" if person.coach else "cohort", "only a student has a coach and a cohort group")
    return person


def _user(cur, email: str) -> tuple | None:
    return cur.execute("SELECT CAST(id AS VARCHAR), role, active, CAST(student_id AS VARCHAR) FROM users "
                       "WHERE email = ?", [email]).fetchone()


def _add(cur, person: Person, now: datetime, pending_coaches: dict[str, str] | None = None) -> str:
    """Insert one person inside the caller's transaction; return the user id."""
    if _user(cur, person.email):
        raise InvalidInput("email", f"{person.email} is already registered")
    coach_id = None
    if person.coach:
        found = _user(cur, person.coach)
        if found and found[1] in ("coach", "admin") and found[2]:
            coach_id = found[0]
        elif pending_coaches and person.coach in pending_coaches:
            coach_id = pending_coaches[person.coach]
        else:
            raise InvalidInput("coach", f"{person.coach} is not an active coach")
    user_id, student_id = new_id(), None
    if person.role == "student":
        student_id = new_id()
        cur.execute("INSERT INTO students (id, name, cohort, created_at) VALUES (?, ?, ?, ?)",
                    [student_id, person.name or person.email.split("@")[0], person.cohort, now])
    cur.execute("INSERT INTO users (id, email, name, role, active, student_id, created_at) VALUES (?, ?, ?, ?, true, ?, ?)",
                [user_id, person.email, person.name, person.role, student_id, now])
    if coach_id:
        cur.execute("INSERT INTO coach_assignments VALUES (?, ?, ?)", [coach_id, student_id, now])
    return user_id


def add_person(db: Database, email: str, role: str, *, name: str | None = None, coach: str | None = None,
               cohort: str | None = None, now: datetime | None = None) -> str:
    """Add one person (a student gets their student record); return the user id."""
    person = clean_person(email, role, name, coach, cohort)
    with db.write() as cur:
        return _add(cur, person, now or clock.now())


@dataclass
class Roster:
    people: list[tuple[int, Person]]      # (line, person)
    problems: list[InvalidInput]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.people)


def parse_roster(data: bytes) -> Roster:
    """Read a roster CSV (email,name,role,coach,cohort). Every bad row is named by its line;
    nothing is written here."""
    if len(data) > MAX_ROSTER_BYTES:
        return Roster([], [InvalidInput("file", f"is {len(data):,} bytes; the limit is {MAX_ROSTER_BYTES:,}")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Roster([], [InvalidInput("file", f"is not UTF-8 text (byte {exc.start})")])
    if "\x00" in text:
        return Roster([], [InvalidInput("file", "holds a NUL byte: not a CSV file")])
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        return Roster([], [InvalidInput("file", f"cannot be read as CSV ({exc})")])
    if not rows:
        return Roster([], [InvalidInput("file", "is empty")])
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in ("email", "role") if c not in header]
    if missing:
        return Roster([], [InvalidInput("header", f"missing column {', '.join(missing)} "
                                                  f"(expected {','.join(ROSTER_COLUMNS)})")])
    if len(rows) - 1 > MAX_ROSTER_ROWS:
        return Roster([], [InvalidInput("file", f"has {len(rows) - 1:,} rows; the limit is {MAX_ROSTER_ROWS:,}")])
    people, problems, seen = [], [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {h: (row[i] if i < len(row) else "") for i, h in enumerate(header)}
        try:
            person = clean_person(values.get("email"), values.get("role"), values.get("name"),
                                  values.get("coach"), values.get("cohort"))
        except InvalidInput as exc:
            problems.append(InvalidInput(f"line {line}", f"{exc.field}: {exc.message}"))
            continue
        if person.email in seen:
            problems.append(InvalidInput(f"line {line}", f"email: {person.email} is also on line {seen[person.email]}"))
            continue
        seen[person.email] = line
        people.append((line, person))
    if not people and not problems:
        problems.append(InvalidInput("file", "has no people in it"))
    return Roster(people, problems)


def import_roster(db: Database, roster: Roster, *, now: datetime | None = None) -> int:
    """Add everyone on the roster in one transaction, or nobody: InvalidRows names every bad
    row (parse problems, emails already registered, coaches who are neither registered nor
    coaches on the roster). Returns how many people were added."""
    if not roster.people:
        raise InvalidRows(roster.problems or [InvalidInput("file", "has no people in it")])
    now = now or clock.now()
    problems: list[InvalidInput] = list(roster.problems)   # checked against the database too, then refused whole
    with db.write() as cur:
        # coaches first, so students can name a coach added by the same roster
        coaches: dict[str, str] = {}
        ordered = sorted(roster.people, key=lambda lp: lp[1].role == "student")
        for line, person in ordered:
            try:
                user_id = _add(cur, person, now, coaches)
            except InvalidInput as exc:
                problems.append(InvalidInput(f"line {line}", f"{exc.field}: {exc.message}"))
                continue
            if person.role in ("coach", "admin"):
                coaches[person.email] = user_id
        if problems:
            problems.sort(key=lambda p: int(p.field.split()[-1]) if p.field.startswith("line ") else 0)
            raise InvalidRows(problems)     # rolls the whole roster back
    return len(roster.people)


def set_active(db: Database, email: str, active: bool) -> None:
    """Deactivate (or reactivate) a person: a deactivated person can no longer sign in."""
    email = normalise_email(email)
    with db.write() as cur:
        if not _user(cur, email):
            raise InvalidInput("email", f"{email} is not registered")
        cur.execute("UPDATE users SET active = ? WHERE email = ?", [active, email])


def assign(db: Database, student_email: str, coach_email: str | None, cohort: str | None = None, *,
           now: datetime | None = None) -> None:
    """A student's coach (replacing any other; None: no coach) and cohort group (blank: none)."""
    student_email = normalise_email(student_email, "student")
    cohort = clean_text(cohort, "cohort", max_len=80)
    with db.write() as cur:
        student = _user(cur, student_email)
        if not student or student[1] != "student":
            raise InvalidInput("student", f"{student_email} is not a registered student")
        coach_id = None
        if coach_email:
            coach = _user(cur, normalise_email(coach_email, "coach"))
            if not coach or coach[1] not in ("coach", "admin") or not coach[2]:
                raise InvalidInput("coach", f"{coach_email} is not an active coach")
            coach_id = coach[0]
        cur.execute("DELETE FROM coach_assignments WHERE student_id = ?", [student[3]])
        if coach_id:
            cur.execute("INSERT INTO coach_assignments VALUES (?, ?, ?)", [coach_id, student[3], now or clock.now()])
        cur.execute("UPDATE students SET cohort = ? WHERE id = ?", [cohort, student[3]])


def unassign(db: Database, coach_email: str, student_id: str) -> None:
    """End one coach's assignment to one student."""
    with db.write() as cur:
        cur.execute("""DELETE FROM coach_assignments WHERE student_id = ?
                       AND coach_id = (SELECT id FROM users WHERE email = ?)""",
                    [student_id, normalise_email(coach_email, "coach")])


def people(db: Database) -> pd.DataFrame:
    """Everyone registered: email, name, role, active, their student record, coach(es) and
    cohort group, whether they asked for deletion."""
    return db.df("""
        SELECT u.email, u.name, u.role, u.active, CAST(u.student_id AS VARCHAR) AS student_id,
               (SELECT string_agg(c.email, ', ' ORDER BY c.email) FROM coach_assignments a
                JOIN users c ON c.id = a.coach_id WHERE a.student_id = u.student_id) AS coach,
               s.cohort, u.deletion_requested_at
        FROM users u LEFT JOIN students s ON s.id = u.student_id
        ORDER BY CASE u.role WHEN 'admin' THEN 0 WHEN 'coach' THEN 1 ELSE 2 END, u.email""")


# --- deletion ---------------------------------------------------------------------------------

def request_deletion(db: Database, student_id: str, by_email: str, *, now: datetime | None = None) -> None:
    """The student asks for everything of theirs to be deleted; an admin carries it out."""
    from lib import access
    now = now or clock.now()
    with db.write(student_id=student_id) as cur:
        cur.execute("UPDATE users SET deletion_requested_at = ? WHERE student_id = ?", [now, student_id])
        access.log_in(cur, by_email, "student", student_id, "deletion requested", None, now)


def deletion_requests(db: Database) -> pd.DataFrame:
    return db.df("""SELECT u.email, u.name, CAST(u.student_id AS VARCHAR) AS student_id, u.deletion_requested_at
                    FROM users u WHERE u.deletion_requested_at IS NOT NULL ORDER BY u.deletion_requested_at""")


def delete_student(db: Database, student_id: str, by_email: str, *, now: datetime | None = None) -> dict:
    """Remove everything of one student in one transaction: every row of theirs in every
    table, their user and coach assignments. The access log keeps its rows and records the
    deletion. Returns {table: rows removed}."""
    from lib import access
    now = now or clock.now()
    removed: dict[str, int] = {}
    with db.write() as cur:
        if not cur.execute("SELECT count(*) FROM students WHERE id = ?", [student_id]).fetchone()[0]:
            raise InvalidInput("student", "no such student record")
        tables = [t for (t,) in cur.execute("""
            SELECT table_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name = 'student_id' AND table_name <> 'access_log'
            ORDER BY table_name""").fetchall()]
        for table in tables:
            count = cur.execute(f'SELECT count(*) FROM "{table}" WHERE student_id = ?', [student_id]).fetchone()[0]
            if count:
                cur.execute(f'DELETE FROM "{table}" WHERE student_id = ?', [student_id])
                removed[table] = count
        cur.execute("DELETE FROM students WHERE id = ?", [student_id])
        removed["students"] = 1
        access.log_in(cur, by_email, "admin", student_id, "deleted",
                      f"{sum(removed.values())} rows in {len(removed)} tables", now)
    return removed


# --- a student's own data ---------------------------------------------------------------------

def student_archive(db: Database, student_id: str, today, now) -> bytes:
    """Everything of one student as a .zip: one formula-safe CSV per table holding their rows
    (their profile included; coaches' private notes are the coach's, so only shared sessions),
    the contacts-and-touches CSV and the .ics calendar (lib/exports.py)."""
    import zipfile
    from lib import exports
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        tables = [t for (t,) in db.rows("""
            SELECT table_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name = 'student_id' AND table_name NOT IN ('coach_assignments')
            ORDER BY table_name""")]
        queries = {"students": ("SELECT * FROM students WHERE id = ?", [student_id])}
        for table in tables:
            where = "student_id = ?" + (" AND visibility = 'shared'" if table == "advising_sessions" else "")
            queries[table] = (f'SELECT * FROM "{table}" WHERE {where}', [student_id])
        for table, (sql, params) in queries.items():
            frame = db.df(sql, params)
            out = io.StringIO()
            exports.write_rows(out, [list(frame.columns), *frame.itertuples(index=False, name=None)])
            archive.writestr(f"tables/{table}.csv", out.getvalue())
        archive.writestr("contacts_and_touches.csv", exports.contacts_csv(db, student_id, today))
        archive.writestr("calendar.ics", exports.calendar(db, student_id, today, now))
    return buffer.getvalue()
