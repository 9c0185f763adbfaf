"""The due queue: everything a student should do, with the date it falls due.

One SQL query gathers every kind of item, so the home page, the Follow-ups page and
the `stats` figures count the same things. An item is identified by `<kind>:<row id>`;
a snooze on that key hides it until its date.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from lib.db import Database
from lib.models import DEFAULT_KEEP_IN_TOUCH_DAYS, TOUCH_KINDS

DUE_KINDS = {
    "thank_you": "Thank-you",
    "log_conversation": "Log a conversation",
    "follow_up": "3B7 follow-up",
    "second_contact": "3B7 second contact",
    "reconnect": "Keep in touch",
    "prep": "Prep item",
    "action_item": "Coach action item",
    "task": "To-do",
}

_DUE_SQL = f"""
WITH ended AS (
    SELECT i.*, i.scheduled_at + to_minutes(i.length_minutes) AS ended_at
    FROM interviews i WHERE ($sid IS NULL OR i.student_id = $sid)
), items AS (
    -- Thank them within the student's window (24 or 48 hours) after the conversation ends.
    SELECT e.student_id, 'thank_you' AS kind, e.id AS row_id, e.contact_id,
           'Thank ' || c.name || ' for the conversation' AS title,
           CAST(e.ended_at + to_hours(s.thank_you_hours) AS DATE) AS due_on
    FROM ended e JOIN contacts c ON c.id = e.contact_id JOIN students s ON s.id = e.student_id
    WHERE e.status = 'held' AND e.thank_you_sent_at IS NULL
    UNION ALL
    -- A conversation whose time has passed but whose outcome nobody recorded.
    SELECT e.student_id, 'log_conversation', e.id, e.contact_id,
           'Record how the conversation with ' || c.name || ' went',
           CAST(e.scheduled_at AS DATE)
    FROM ended e JOIN contacts c ON c.id = e.contact_id
    WHERE e.status = 'scheduled' AND e.ended_at <= $now
    UNION ALL
    -- 3B7: no reply after 7 business days, one follow-up to the same person.
    SELECT r.student_id, 'follow_up', r.id, r.contact_id,
           'Follow up once with ' || c.name, add_business_days(r.sent_on, 7)
    FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
    WHERE ($sid IS NULL OR r.student_id = $sid)
      AND r.replied_on IS NULL AND r.follow_up_sent_on IS NULL AND r.sent_on <= $today
    UNION ALL
    -- 3B7: no reply after 3 business days, approach a second person at that organisation.
    SELECT r.student_id, 'second_contact', r.id, r.contact_id,
           'Approach a second contact at ' || o.name || ' (no reply yet from ' || c.name || ')',
           add_business_days(r.sent_on, 3)
    FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
         JOIN organisations o ON o.id = c.organisation_id
    WHERE ($sid IS NULL OR r.student_id = $sid)
      AND r.replied_on IS NULL AND r.sent_on <= $today
      AND NOT EXISTS (SELECT 1 FROM outreach_requests r2 JOIN contacts c2 ON c2.id = r2.contact_id
                      WHERE r2.student_id = r.student_id AND c2.organisation_id = c.organisation_id
                        AND r2.contact_id <> r.contact_id AND r2.sent_on >= r.sent_on)
    UNION ALL
    -- Keep in touch with everyone met: the clock restarts at every logged touch.
    SELECT c.student_id, 'reconnect', c.id, c.id,
           'Reconnect with ' || c.name,
           CAST(greatest(m.last_met, coalesce(t.last_touch, m.last_met)) AS DATE)
               + coalesce(c.keep_in_touch_days, {DEFAULT_KEEP_IN_TOUCH_DAYS})
    FROM contacts c
    JOIN (SELECT contact_id, max(ended_at) AS last_met FROM ended WHERE status = 'held'
          GROUP BY contact_id) m ON m.contact_id = c.id
    LEFT JOIN (SELECT contact_id, max(happened_at) AS last_touch FROM touches
               WHERE ($sid IS NULL OR student_id = $sid) GROUP BY contact_id) t ON t.contact_id = c.id
    WHERE c.archived_at IS NULL
    UNION ALL
    SELECT p.student_id, 'prep', p.id, e.contact_id, p.label || ' (' || c.name || ')', p.due_on
    FROM prep_items p JOIN ended e ON e.id = p.interview_id JOIN contacts c ON c.id = e.contact_id
    WHERE p.done_at IS NULL AND e.status = 'scheduled' AND p.due_on IS NOT NULL
    UNION ALL
    SELECT a.student_id, 'action_item', a.id, NULL, a.text, a.due_on
    FROM action_items a
    WHERE ($sid IS NULL OR a.student_id = $sid) AND a.done_at IS NULL
    UNION ALL
    SELECT t.student_id, 'task', t.id, t.contact_id, t.title, t.due_on
    FROM tasks t
    WHERE ($sid IS NULL OR t.student_id = $sid) AND t.done_at IS NULL
)
SELECT CAST(i.student_id AS VARCHAR) AS student_id, i.kind || ':' || CAST(i.row_id AS VARCHAR) AS item_key,
       i.kind, i.title, CAST(i.contact_id AS VARCHAR) AS contact_id, i.due_on,
       CASE WHEN i.due_on < $today THEN 'overdue' WHEN i.due_on = $today THEN 'today'
            ELSE 'upcoming' END AS status
FROM items i
LEFT JOIN snoozes z ON z.student_id = i.student_id AND z.item_key = i.kind || ':' || CAST(i.row_id AS VARCHAR)
WHERE i.due_on <= $horizon AND (z.until_on IS NULL OR z.until_on <= $today)
ORDER BY i.due_on, i.kind, i.title
"""


def due_items(db: Database, student_id: str | None, today: date, now: datetime,
              horizon_days: int = 7) -> pd.DataFrame:
    """Every open item due by `today + horizon_days`, overdue first; None means all students."""
    return db.df(_DUE_SQL, {"sid": student_id, "today": today, "now": now,
                            "horizon": today + timedelta(days=horizon_days)})


def touches_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Every logged touch (thank-yous, replies, updates...), newest first."""
    frame = db.df("""
        SELECT t.happened_at AS "When", c.name AS "Contact", c.warmth AS "Warmth", t.kind AS "Kind",
               t.note AS "Note"
        FROM touches t JOIN contacts c ON c.id = t.contact_id
        WHERE t.student_id = $sid AND CAST(t.happened_at AS DATE) <= $today
        ORDER BY t.happened_at DESC""", {"sid": student_id, "today": today})
    frame["Kind"] = frame["Kind"].map(TOUCH_KINDS)
    return frame
