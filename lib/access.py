"""The Viewer (issue 18): who is looking, which students they may see or change.

Two modes, chosen by configuration (lib/ui/session.py reads it):
- local: one person on their own machine, as before sign-in existed. Every student of the
  file is theirs; the role is chosen in the sidebar, and a coach looks at a student's pages
  read-only.
- signed-in: identity comes from the identity provider (st.user's email), and the database
  says the rest: the role, the student record a student owns, the students a coach is
  assigned. An unknown or deactivated email is nobody: it sees nothing. The first admins
  come from configuration, never from the browser.

The Viewer is rebuilt from the database on every run (one small query), so a removed
assignment or a changed role takes effect at the next page. Nothing here reads widgets or
query parameters. The access log records who viewed or exported whose record and when.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from lib import clock
from lib.db import Database, new_id

LOCAL, SIGNED_IN = "local", "signed-in"
READ_ONLY = "You are viewing this student's pages as their coach: changes are switched off."
READ_ONLY_ADMIN = "You are viewing this student's pages as an administrator: changes are switched off."
NOT_YOURS = "You can change only your own data."


@dataclass(frozen=True)
class Viewer:
    mode: str                                  # LOCAL or SIGNED_IN
    email: str | None = None
    name: str | None = None
    role: str | None = None                    # signed-in: student, coach or admin; None: unknown or local
    own_student: str | None = None             # a student user's own record
    students: frozenset[str] = frozenset()     # signed-in coach: assigned students

    @classmethod
    def local(cls) -> "Viewer":
        return cls(LOCAL)

    @property
    def is_local(self) -> bool:
        return self.mode == LOCAL

    @property
    def known(self) -> bool:
        """May use the app at all (local mode, or a registered, active person)."""
        return self.is_local or self.role is not None

    @property
    def is_admin(self) -> bool:
        return self.mode == SIGNED_IN and self.role == "admin"

    @property
    def sees_everyone(self) -> bool:
        return self.is_local or self.is_admin

    @property
    def key(self) -> tuple:
        """What a cached read that depends on who is looking adds to its key."""
        if self.sees_everyone:
            return (self.mode, self.role)
        return (self.mode, self.email, self.role, self.own_student, tuple(sorted(self.students)))

    def may_see(self, student_id: str | None) -> bool:
        if student_id is None or self.sees_everyone:
            return student_id is None or self.known
        if self.role == "student":
            return student_id == self.own_student
        return self.role == "coach" and student_id in self.students

    def visible(self, student_ids) -> list[str]:
        """The ids of `student_ids` this viewer may see, in the given order."""
        return [s for s in student_ids if self.may_see(s)]

    def role_for(self, chosen: str | None) -> str:
        """The role the app acts as: chosen in the sidebar in local mode; the database's when
        signed in (an admin is a coach wherever students are concerned)."""
        if self.is_local:
            return chosen if chosen in ("student", "coach") else "student"
        return "student" if self.role == "student" else "coach"

    def refusal(self, student_id: str | None, kind: str, chosen_role: str | None = None) -> str | None:
        """Why a write on this page, about this student, is refused (None: allowed).
        A coach (or admin) views a student's pages read-only; a student writes only their own
        data, and never on coach or admin pages; only an admin writes on admin pages."""
        if self.is_local:
            return READ_ONLY if chosen_role == "coach" and kind == "student" else None
        if not self.known:
            return NOT_YOURS
        if kind == "admin":
            return None if self.is_admin else NOT_YOURS
        if self.role == "student":
            if kind in ("coach", "admin") or student_id != self.own_student:
                return NOT_YOURS
            return None
        if kind == "student":
            return READ_ONLY_ADMIN if self.is_admin else READ_ONLY
        return None if student_id is None or self.may_see(student_id) else NOT_YOURS

    def can_write(self, student_id: str | None, kind: str = "student", chosen_role: str | None = None) -> bool:
        return self.refusal(student_id, kind, chosen_role) is None


def admins_from(value) -> frozenset[str]:
    """Configured first admins: a comma-separated string or a list of emails."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    return frozenset(str(e).strip().lower() for e in items if str(e).strip())


def viewer_for(db: Database, email: str | None, name: str | None = None,
               admins: frozenset[str] = frozenset()) -> Viewer:
    """The signed-in Viewer for `email` (as the identity provider gave it): the database's role
    and students; a configured admin is an admin; anyone else, or a deactivated person, is
    unknown (role None) and sees nothing."""
    email = (email or "").strip().lower()
    if not email:
        return Viewer(SIGNED_IN)
    row = db.rows("SELECT CAST(id AS VARCHAR), name, role, active, CAST(student_id AS VARCHAR) FROM users "
                  "WHERE email = ?", [email])
    if email in admins:
        return Viewer(SIGNED_IN, email, (row[0][1] if row else None) or name, "admin")
    if not row or not row[0][3]:
        return Viewer(SIGNED_IN, email, name)
    user_id, stored_name, role, _, own = row[0]
    students = frozenset()
    if role == "coach":
        students = frozenset(s for (s,) in db.rows(
            "SELECT CAST(student_id AS VARCHAR) FROM coach_assignments WHERE coach_id = ?", [user_id]))
    return Viewer(SIGNED_IN, email, stored_name or name, role, own, students)


# --- the access log ---------------------------------------------------------------------------

ACTIONS = ("viewed", "exported", "refused", "deletion requested", "deleted")


def log_in(cur, email: str | None, role: str | None, student_id: str | None, action: str,
           detail: str | None = None, now: datetime | None = None) -> None:
    """One access-log row, inside the caller's transaction."""
    cur.execute("INSERT INTO access_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                [new_id(), now or clock.now(), email or "(not signed in)", role or "unknown", student_id, action,
                 (detail or "")[:300] or None])


def log(db: Database, viewer: Viewer, student_id: str | None, action: str, detail: str | None = None, *,
        now: datetime | None = None) -> None:
    """Record that `viewer` viewed, exported or was refused `student_id`'s record. Nothing is
    recorded in local mode (one person on their own machine). The log is the app's own
    bookkeeping, so it is written past the read-only guard (a coach's view is logged), and
    it bumps only that student's cache version."""
    if viewer.is_local:
        return
    with db.write(internal=True, student_id=student_id) as cur:
        log_in(cur, viewer.email, viewer.role, student_id, action, detail, now)


def record_history(db: Database, student_id: str, today=None) -> pd.DataFrame:
    """Who has looked at this student's record: every view, export and refusal by someone else
    (and deletion requests), newest first."""
    return db.df("""SELECT happened_at AS "When", viewer_email AS "Who", viewer_role AS "Role",
                           action AS "What", detail AS "Where"
                    FROM access_log WHERE student_id = ? ORDER BY happened_at DESC LIMIT 500""", [student_id])


def full_log(db: Database, limit: int = 2000) -> pd.DataFrame:
    """The whole access log for admins, newest first."""
    return db.df("""SELECT l.happened_at AS "When", l.viewer_email AS "Who", l.viewer_role AS "Role",
                           l.action AS "What", coalesce(s.name, CAST(l.student_id AS VARCHAR)) AS "Whose record",
                           l.detail AS "Where"
                    FROM access_log l LEFT JOIN students s ON s.id = l.student_id
                    ORDER BY l.happened_at DESC LIMIT ?""", [limit])
