"""Advising sessions and the action items agreed in them."""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib.db import Database
from lib.models import VISIBILITY


def sessions_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Advising sessions, newest first."""
    frame = db.df("""
        SELECT s.held_on AS "Date", s.coach_name AS "Coach", s.visibility AS "Visibility", s.notes AS "Notes",
               count(a.id) AS "Action items", count(a.done_at) AS "Done"
        FROM advising_sessions s LEFT JOIN action_items a ON a.session_id = s.id
        WHERE s.student_id = $sid
        GROUP BY s.id, s.held_on, s.coach_name, s.visibility, s.notes ORDER BY s.held_on DESC""", {"sid": student_id})
    frame["Visibility"] = frame["Visibility"].map(VISIBILITY)
    return frame


def action_items_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Action items from advising sessions: open ones first, by due date."""
    return db.df("""
        SELECT a.text AS "Action item", a.due_on AS "Due", a.done_at IS NOT NULL AS "Done",
               s.held_on AS "Agreed on"
        FROM action_items a LEFT JOIN advising_sessions s ON s.id = a.session_id
        WHERE a.student_id = $sid
        ORDER BY a.done_at IS NOT NULL, a.due_on""", {"sid": student_id})
