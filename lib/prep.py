"""Conversations and their preparation: the checklist and, later, the chosen questions."""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib.db import Database
from lib.models import FORMATS, INTERVIEW_STATUSES


def interviews_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Conversations, upcoming first, with prep readiness (share of checklist items done)."""
    frame = db.df("""
        SELECT c.name AS "Contact", o.name AS "Organisation", i.scheduled_at AS "When",
               i.format AS "Format", i.length_minutes AS "Minutes", i.status AS "Status",
               CASE WHEN count(p.id) > 0 THEN round(100.0 * count(p.done_at) / count(p.id)) END AS "Ready %",
               i.takeaways AS "Takeaways", i.thank_you_sent_at AS "Thank-you sent"
        FROM interviews i JOIN contacts c ON c.id = i.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        LEFT JOIN prep_items p ON p.interview_id = i.id
        WHERE i.student_id = $sid
        GROUP BY i.id, c.name, o.name, i.scheduled_at, i.format, i.length_minutes, i.status, i.takeaways,
                 i.thank_you_sent_at
        ORDER BY i.status <> 'scheduled', i.scheduled_at DESC""", {"sid": student_id})
    frame["Format"] = frame["Format"].map(FORMATS)
    frame["Status"] = frame["Status"].map(INTERVIEW_STATUSES)
    return frame


def prep_items_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Checklist items of conversations still ahead, by due date."""
    return db.df("""
        SELECT c.name AS "Conversation with", p.label AS "Item", p.due_on AS "Due",
               p.done_at IS NOT NULL AS "Done"
        FROM prep_items p JOIN interviews i ON i.id = p.interview_id JOIN contacts c ON c.id = i.contact_id
        WHERE p.student_id = $sid AND i.status = 'scheduled'
        ORDER BY i.scheduled_at, p.position""", {"sid": student_id})
