"""Contacts and target organisations: who the student knows, and who can introduce them where."""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib.db import Database
from lib.models import SOURCES


def contacts_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """The student's current contacts, warm first, with who introduced whom."""
    frame = db.df("""
        SELECT c.name AS "Name", c.warmth AS "Warmth", c.source AS "Source", c.role AS "Role",
               o.name AS "Organisation", c.how_met AS "How we met", ref.name AS "Referred by",
               c.email AS "Email", c.linkedin_url AS "LinkedIn", CAST(c.created_at AS DATE) AS "Added"
        FROM contacts c
        LEFT JOIN organisations o ON o.id = c.organisation_id
        LEFT JOIN contacts ref ON ref.id = c.referred_by
        WHERE c.student_id = $sid AND c.archived_at IS NULL
        ORDER BY c.warmth = 'cold', lower(c.name)""", {"sid": student_id})
    frame["Source"] = frame["Source"].map(SOURCES)
    return frame


def organisations_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Target organisations in LAMP order: advocacy (a warm contact there) first, then
    motivation (0-3), then postings (1-3), then name."""
    return db.df("""
        SELECT o.name AS "Organisation", o.industry AS "Industry",
               count(c.id) FILTER (WHERE c.warmth = 'warm') > 0 AS "Advocacy",
               o.motivation AS "Motivation", o.postings AS "Postings",
               count(c.id) FILTER (WHERE c.warmth = 'warm') AS "Warm contacts",
               count(c.id) FILTER (WHERE c.warmth = 'cold') AS "Cold contacts"
        FROM organisations o
        LEFT JOIN contacts c ON c.organisation_id = o.id AND c.archived_at IS NULL
        WHERE o.student_id = $sid AND o.archived_at IS NULL
        GROUP BY o.id, o.name, o.industry, o.motivation, o.postings
        ORDER BY "Advocacy" DESC, o.motivation DESC NULLS LAST, o.postings DESC NULLS LAST, lower(o.name)""",
        {"sid": student_id})
