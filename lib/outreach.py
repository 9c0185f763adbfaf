"""Requests for a conversation, their replies, and where each stands in the 3B7 routine."""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib.db import Database
from lib.metrics import FOLLOW_UP_WINDOW_BUSINESS_DAYS
from lib.models import CHANNELS, OUTCOMES


def requests_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Every request sent, newest first, with business days waited and its state."""
    frame = db.df(f"""
        SELECT c.name AS "Contact", c.warmth AS "Warmth", r.channel AS "Channel", r.sent_on AS "Sent",
               r.follow_up_sent_on AS "Followed up", r.replied_on AS "Replied", r.outcome AS "Outcome",
               CASE WHEN r.replied_on IS NOT NULL THEN business_days(r.sent_on, r.replied_on) END
                   AS "Business days to reply",
               CASE WHEN r.replied_on IS NOT NULL THEN 'replied'
                    WHEN business_days(r.sent_on, $today) <= {FOLLOW_UP_WINDOW_BUSINESS_DAYS} THEN 'pending'
                    ELSE 'unanswered' END AS "State",
               r.message AS "Message"
        FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
        WHERE r.student_id = $sid AND r.sent_on <= $today
        ORDER BY r.sent_on DESC, lower(c.name)""", {"sid": student_id, "today": today})
    frame["Channel"] = frame["Channel"].map(CHANNELS)
    frame["Outcome"] = frame["Outcome"].map(OUTCOMES)
    return frame
