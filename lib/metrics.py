"""The dashboard's figures: one definition each, in SQL, for one student or the whole cohort.

Each function's docstring is the definition a coach reads (the pages show it on hover).
`student_id=None` means every student in the database. Rules take `today` and `now`
explicitly; see lib/clock.py.
"""
from __future__ import annotations

import inspect
import math
from datetime import date, datetime
from typing import Callable

import pandas as pd

from lib import clock
from lib.db import Database
from lib.followup import due_items
from lib.models import CHANNELS, DEFAULT_KEEP_IN_TOUCH_DAYS

FOLLOW_UP_WINDOW_BUSINESS_DAYS = 7
SMALL_N = 10  # below this many, a rate is shown with a warning and an interval

_SID = "($sid IS NULL OR student_id = $sid)"


def contacts(db: Database, student_id: str | None, today: date) -> dict:
    """Contacts in the network (archived ones left out). Warm contacts share a connection
    with the student (family, friends, professors, supervisors, coach, alumni, referrals);
    cold ones were found (LinkedIn, a website) or met once at an event."""
    row = db.rows(f"""SELECT count(*) FILTER (WHERE warmth = 'warm'), count(*) FILTER (WHERE warmth = 'cold')
                      FROM contacts WHERE {_SID} AND archived_at IS NULL
                        AND CAST(created_at AS DATE) <= $today""",
                  {"sid": student_id, "today": today})[0]
    return {"warm": row[0], "cold": row[1]}


def requests(db: Database, student_id: str | None, today: date) -> dict:
    """Requests for a conversation sent so far. A request is replied when the contact
    answered (yes, no, or 'talk to someone else'). One with no reply is pending while
    inside its 7-business-day window (the 3B7 routine's follow-up point) and is not yet
    counted against the reply rate; after that it counts as unanswered.
    Reply rate = replied / (replied + unanswered); empty (null) when nothing is settled."""
    sent, replied, pending = db.rows(f"""
        SELECT count(*),
               count(*) FILTER (WHERE replied_on <= $today),
               count(*) FILTER (WHERE (replied_on IS NULL OR replied_on > $today)
                                  AND business_days(sent_on, $today) <= {FOLLOW_UP_WINDOW_BUSINESS_DAYS})
        FROM outreach_requests WHERE {_SID} AND sent_on <= $today""",
        {"sid": student_id, "today": today})[0]
    settled = sent - pending
    return {"sent": sent, "replied": replied, "pending": pending, "settled": settled,
            "reply_rate": round(replied / settled, 4) if settled else None}


def conversations(db: Database, student_id: str | None, today: date, now: datetime) -> dict:
    """Conversations held (logged as held), and scheduled ones still ahead (their start is
    after the 'as of' moment)."""
    held, scheduled = db.rows(f"""
        SELECT count(*) FILTER (WHERE status = 'held'),
               count(*) FILTER (WHERE status = 'scheduled' AND scheduled_at > $now)
        FROM interviews WHERE {_SID}""", {"sid": student_id, "now": now})[0]
    return {"held": held, "scheduled": scheduled}


def thank_yous(db: Database, student_id: str | None, now: datetime) -> dict:
    """Thank-yous for conversations held, measured from the end of the conversation
    against the student's window (24 hours; 48 if they chose it). On time: sent within
    the window. Late: sent after it. Missing: not sent and the window has closed.
    Conversations still inside their window are not counted yet."""
    on_time, late, missing = db.rows(f"""
        WITH held AS (
            SELECT i.thank_you_sent_at AS sent_at,
                   i.scheduled_at + to_minutes(i.length_minutes) + to_hours(s.thank_you_hours) AS deadline
            FROM interviews i JOIN students s ON s.id = i.student_id
            WHERE ($sid IS NULL OR i.student_id = $sid) AND i.status = 'held')
        SELECT count(*) FILTER (WHERE sent_at <= deadline AND sent_at <= $now),
               count(*) FILTER (WHERE sent_at > deadline AND sent_at <= $now),
               count(*) FILTER (WHERE (sent_at IS NULL OR sent_at > $now) AND deadline < $now)
        FROM held""", {"sid": student_id, "now": now})[0]
    settled = on_time + late + missing
    return {"on_time": on_time, "late": late, "missing": missing,
            "on_time_rate": round(on_time / settled, 4) if settled else None}


def follow_ups_due(db: Database, student_id: str | None, today: date, now: datetime) -> dict:
    """Open items in the due queue: thank-yous, 3B7 follow-ups and second contacts,
    keep-in-touch reconnects, prep items, coach action items and to-dos. Today: due
    today. Overdue: due before today and not done (snoozed items are left out)."""
    items = due_items(db, student_id, today, now, horizon_days=0)
    counts = items["status"].value_counts()
    return {"today": int(counts.get("today", 0)), "overdue": int(counts.get("overdue", 0))}


def summary(db: Database, student_id: str | None = None, today: date | None = None,
            now: datetime | None = None) -> dict:
    """Every headline figure, as `python -m lib stats` prints them."""
    today = today or clock.today()
    now = now or (clock.moment_of(today) if today != clock.today() else clock.now())
    return {
        "as_of": today.isoformat(),
        "student_id": student_id,
        "contacts": contacts(db, student_id, today),
        "requests": requests(db, student_id, today),
        "conversations": conversations(db, student_id, today, now),
        "thank_yous": thank_yous(db, student_id, now),
        "follow_ups_due": follow_ups_due(db, student_id, today, now),
    }


def definition(figure: Callable) -> str:
    """The coach-readable definition of a figure: its docstring, on one paragraph."""
    return " ".join(inspect.getdoc(figure).split())


# --- chart data: small frames, aggregated in SQL -----------------------------------------

PIPELINE_STAGES = ("In network", "Asked", "Replied", "Met", "Thanked")


def pipeline(db: Database, student_id: str | None, today: date, now: datetime) -> pd.DataFrame:
    """Warm and cold contacts through the method: in the network, asked for a conversation,
    replied, met (a conversation held), thanked (a thank-you sent). Each stage counts
    people, not messages, so it can only shrink from left to right."""
    frame = db.df(f"""
        WITH c AS (SELECT id, warmth FROM contacts
                   WHERE {_SID} AND archived_at IS NULL AND CAST(created_at AS DATE) <= $today),
        asked AS (SELECT DISTINCT contact_id FROM outreach_requests WHERE {_SID} AND sent_on <= $today),
        replied AS (SELECT DISTINCT contact_id FROM outreach_requests WHERE {_SID} AND replied_on <= $today),
        met AS (SELECT DISTINCT contact_id FROM interviews WHERE {_SID} AND status = 'held'),
        thanked AS (SELECT DISTINCT contact_id FROM interviews
                    WHERE {_SID} AND status = 'held' AND thank_you_sent_at <= $now)
        SELECT c.warmth,
               count(*) AS "In network",
               count(asked.contact_id) AS "Asked",
               count(replied.contact_id) AS "Replied",
               count(met.contact_id) AS "Met",
               count(thanked.contact_id) AS "Thanked"
        FROM c LEFT JOIN asked ON asked.contact_id = c.id LEFT JOIN replied ON replied.contact_id = c.id
             LEFT JOIN met ON met.contact_id = c.id LEFT JOIN thanked ON thanked.contact_id = c.id
        GROUP BY c.warmth""", {"sid": student_id, "today": today, "now": now})
    long = frame.melt(id_vars="warmth", var_name="stage", value_name="contacts")
    grid = pd.MultiIndex.from_product([("warm", "cold"), PIPELINE_STAGES], names=["warmth", "stage"])
    return (long.set_index(["warmth", "stage"]).reindex(grid, fill_value=0).reset_index()
            .astype({"contacts": "int64"}))


def reply_rates(db: Database, student_id: str | None, today: date) -> pd.DataFrame:
    """Reply rate by warmth and by channel: replied / settled requests in each group
    (pending requests, still inside their 7-business-day window, are left out). Each rate
    carries its n (settled requests) and a 95% Wilson interval, which is wide when n is small."""
    frame = db.df(f"""
        WITH r AS (
            SELECT c.warmth, r.channel,
                   r.replied_on IS NOT NULL AND r.replied_on <= $today AS replied,
                   (r.replied_on IS NULL OR r.replied_on > $today)
                       AND business_days(r.sent_on, $today) <= {FOLLOW_UP_WINDOW_BUSINESS_DAYS} AS pending
            FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
            WHERE ($sid IS NULL OR r.student_id = $sid) AND r.sent_on <= $today)
        SELECT 'Warmth' AS dimension, warmth AS "group", count(*) FILTER (WHERE replied) AS replied,
               count(*) FILTER (WHERE NOT pending) AS n
        FROM r GROUP BY warmth
        UNION ALL
        SELECT 'Channel', channel, count(*) FILTER (WHERE replied), count(*) FILTER (WHERE NOT pending)
        FROM r GROUP BY channel""", {"sid": student_id, "today": today})
    frame["label"] = [g if d == "Warmth" else CHANNELS.get(g, g)
                      for d, g in zip(frame["dimension"], frame["group"])]
    frame["rate"] = [r / n if n else None for r, n in zip(frame["replied"], frame["n"])]
    bounds = [wilson_interval(r, n) for r, n in zip(frame["replied"], frame["n"])]
    frame["low"] = [b[0] for b in bounds]
    frame["high"] = [b[1] for b in bounds]
    order = {"warm": 0, "cold": 1, **{c: 2 + i for i, c in enumerate(CHANNELS)}}
    return frame.sort_values(by="group", key=lambda s: s.map(order)).reset_index(drop=True)


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float | None, float | None]:
    """95% Wilson score interval for a proportion; (None, None) when n is 0."""
    if n == 0:
        return None, None
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def thank_you_hours(db: Database, student_id: str | None, now: datetime) -> pd.DataFrame:
    """Hours from the end of each conversation held to the thank-you, against the 24- and
    48-hour marks. A missing thank-you is shown at the hours elapsed so far."""
    return db.df("""
        SELECT c.name AS contact, c.warmth,
               i.scheduled_at + to_minutes(i.length_minutes) AS ended_at,
               round(date_diff('minute', i.scheduled_at + to_minutes(i.length_minutes),
                               coalesce(least(i.thank_you_sent_at, $now), $now)) / 60.0, 1) AS hours,
               i.thank_you_sent_at IS NOT NULL AND i.thank_you_sent_at <= $now AS sent,
               s.thank_you_hours AS window_hours
        FROM interviews i JOIN contacts c ON c.id = i.contact_id JOIN students s ON s.id = i.student_id
        WHERE ($sid IS NULL OR i.student_id = $sid) AND i.status = 'held'
          AND i.scheduled_at + to_minutes(i.length_minutes) <= $now
        ORDER BY ended_at""", {"sid": student_id, "now": now})


def touch_gaps(db: Database, student_id: str | None, now: datetime, limit: int = 15) -> pd.DataFrame:
    """For each person met: the days between consecutive touches (the conversation, the
    thank-you, replies, updates...) and the days since the last one, against that
    contact's keep-in-touch target (about six months unless set otherwise). The `limit`
    people whose next touch is nearest (or most overdue) are shown."""
    return db.df(f"""
        WITH moments AS (
            SELECT contact_id, scheduled_at + to_minutes(length_minutes) AS moment_at FROM interviews
            WHERE ($sid IS NULL OR student_id = $sid) AND status = 'held' AND scheduled_at <= $now
            UNION ALL
            SELECT contact_id, happened_at FROM touches
            WHERE ($sid IS NULL OR student_id = $sid) AND happened_at <= $now),
        met AS (SELECT DISTINCT contact_id FROM interviews
                WHERE ($sid IS NULL OR student_id = $sid) AND status = 'held' AND scheduled_at <= $now),
        ordered AS (
            SELECT m.contact_id, m.moment_at, lag(m.moment_at) OVER (PARTITION BY m.contact_id ORDER BY m.moment_at) AS prev
            FROM moments m JOIN met USING (contact_id)),
        per_contact AS (
            SELECT contact_id, max(moment_at) AS last_at,
                   list(round(date_diff('hour', prev, moment_at) / 24.0, 1) ORDER BY moment_at)
                       FILTER (WHERE prev IS NOT NULL) AS gaps
            FROM ordered GROUP BY contact_id)
        SELECT c.name AS contact, c.warmth,
               coalesce(c.keep_in_touch_days, {DEFAULT_KEEP_IN_TOUCH_DAYS}) AS target_days,
               round(date_diff('hour', p.last_at, $now) / 24.0, 1) AS days_since_last,
               coalesce(p.gaps, []) AS gaps
        FROM per_contact p JOIN contacts c ON c.id = p.contact_id
        WHERE c.archived_at IS NULL
        ORDER BY target_days - days_since_last, c.name
        LIMIT $limit""", {"sid": student_id, "now": now, "limit": limit})
