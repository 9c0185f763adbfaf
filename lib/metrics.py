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
from lib.followup import DUE_KINDS, due_items
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
    on_time, late, missing = db.rows("""
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


# --- outreach: the 3B7 routine and how people reply ---------------------------------------

SECOND_CONTACT_BUSINESS_DAYS = 3
CURMUDGEON_GRACE_BUSINESS_DAYS = 3

# One row per contact who has been asked: their reply behaviour from their latest request.
# Shared by reply_behaviour() and the contacts table, so both say the same thing.
REPLY_BEHAVIOUR_SQL = f"""
    SELECT contact_id,
           CASE WHEN replied_on IS NOT NULL AND replied_on <= $today THEN
                    CASE WHEN business_days(sent_on, replied_on) <= {SECOND_CONTACT_BUSINESS_DAYS}
                         THEN 'booster' ELSE 'obligate' END
                WHEN follow_up_sent_on IS NOT NULL AND follow_up_sent_on <= $today
                     AND business_days(follow_up_sent_on, $today) >= {CURMUDGEON_GRACE_BUSINESS_DAYS}
                    THEN 'curmudgeon'
                WHEN follow_up_sent_on IS NOT NULL AND follow_up_sent_on <= $today THEN 'waiting'
                WHEN business_days(sent_on, $today) <= {FOLLOW_UP_WINDOW_BUSINESS_DAYS} THEN 'waiting'
                ELSE 'not_followed_up' END AS behaviour
    FROM (SELECT *, row_number() OVER (PARTITION BY contact_id ORDER BY sent_on DESC, created_at DESC) AS latest
          FROM outreach_requests WHERE ($sid IS NULL OR student_id = $sid) AND sent_on <= $today)
    WHERE latest = 1"""


def reply_behaviour(db: Database, student_id: str | None, today: date) -> pd.DataFrame:
    """How each contact answered the latest request (Dalton's names). Booster: replied
    within 3 business days. Obligate: replied, later than that. Curmudgeon: no reply, and
    none within 3 business days of the one follow-up. Waiting: inside the 7-business-day
    window, or just followed up. 'No reply, not followed up': past 7 business days and
    the follow-up was never sent."""
    return db.df(f"SELECT CAST(contact_id AS VARCHAR) AS contact_id, behaviour FROM ({REPLY_BEHAVIOUR_SQL})",
                 {"sid": student_id, "today": today})


def reply_rates_by_week(db: Database, student_id: str | None, today: date, weeks: int = 26) -> pd.DataFrame:
    """Reply rate by the week a request was sent (weeks start on Monday; the last 26):
    replied / settled requests of that week, with n and a 95% Wilson interval. Requests
    still pending (inside 7 business days) are counted apart, not against the rate."""
    frame = db.df(f"""
        SELECT date_trunc('week', sent_on)::DATE AS week,
               count(*) FILTER (WHERE replied_on <= $today) AS replied,
               count(*) FILTER (WHERE (replied_on IS NULL OR replied_on > $today)
                                  AND business_days(sent_on, $today) <= {FOLLOW_UP_WINDOW_BUSINESS_DAYS}) AS pending,
               count(*) AS sent
        FROM outreach_requests
        WHERE {_SID} AND sent_on <= $today AND sent_on > $today - to_days(7 * $weeks)
        GROUP BY week ORDER BY week""", {"sid": student_id, "today": today, "weeks": weeks})
    frame["n"] = frame["sent"] - frame["pending"]
    frame["rate"] = [r / n if n else None for r, n in zip(frame["replied"], frame["n"])]
    bounds = [wilson_interval(r, n) for r, n in zip(frame["replied"], frame["n"])]
    frame["low"], frame["high"] = [b[0] for b in bounds], [b[1] for b in bounds]
    return frame


def reply_latency(db: Database, student_id: str | None, today: date, cap: int = 10) -> pd.DataFrame:
    """Business days from sending a request to the reply, for every reply so far, counted
    by warmth (replies after 10 business days are grouped as '10+'). The 3 and 7 marks
    are the 3B7 routine's: by 3 a Booster has answered; at 7 the one follow-up is due."""
    return db.df("""
        SELECT c.warmth, least(business_days(r.sent_on, r.replied_on), $cap) AS days, count(*) AS replies
        FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
        WHERE ($sid IS NULL OR r.student_id = $sid) AND r.replied_on <= $today
        GROUP BY ALL ORDER BY days, c.warmth""", {"sid": student_id, "today": today, "cap": cap})


FUNNEL_STAGES = ("In network", "Asked", "Replied", "Agreed", "Met")


def outreach_funnel(db: Database, student_id: str | None, today: date, now: datetime) -> pd.DataFrame:
    """People at each step of outreach, warm and cold apart: in the network, asked for a
    conversation, replied, agreed to talk, met (a conversation held). Each person counts
    once per step, whatever the number of messages."""
    frame = db.df(f"""
        WITH c AS (SELECT id, warmth FROM contacts
                   WHERE {_SID} AND archived_at IS NULL AND CAST(created_at AS DATE) <= $today),
        r AS (SELECT contact_id, bool_or(true) AS asked, bool_or(replied_on <= $today) AS replied,
                     bool_or(replied_on <= $today AND outcome = 'agreed') AS agreed
              FROM outreach_requests WHERE {_SID} AND sent_on <= $today GROUP BY contact_id),
        m AS (SELECT DISTINCT contact_id FROM interviews WHERE {_SID} AND status = 'held' AND scheduled_at <= $now)
        SELECT c.warmth, count(*) AS "In network", count(*) FILTER (WHERE r.asked) AS "Asked",
               count(*) FILTER (WHERE r.replied) AS "Replied", count(*) FILTER (WHERE r.agreed) AS "Agreed",
               count(m.contact_id) AS "Met"
        FROM c LEFT JOIN r ON r.contact_id = c.id LEFT JOIN m ON m.contact_id = c.id
        GROUP BY c.warmth""", {"sid": student_id, "today": today, "now": now})
    long = frame.melt(id_vars="warmth", var_name="stage", value_name="people")
    grid = pd.MultiIndex.from_product([("warm", "cold"), FUNNEL_STAGES], names=["warmth", "stage"])
    return (long.set_index(["warmth", "stage"]).reindex(grid, fill_value=0).reset_index()
            .astype({"people": "int64"}))


def thank_you_on_time_by_month(db: Database, student_id: str | None, today: date, now: datetime) -> pd.DataFrame:
    """Thank-yous sent on time, by the month of the conversation: on time / settled
    (on time + late + missing; still-open windows left out), with n and a 95% interval."""
    frame = db.df("""
        WITH held AS (
            SELECT date_trunc('month', i.scheduled_at)::DATE AS month, i.thank_you_sent_at AS sent_at,
                   i.scheduled_at + to_minutes(i.length_minutes) + to_hours(s.thank_you_hours) AS deadline
            FROM interviews i JOIN students s ON s.id = i.student_id
            WHERE ($sid IS NULL OR i.student_id = $sid) AND i.status = 'held' AND i.scheduled_at <= $now)
        SELECT month, count(*) FILTER (WHERE sent_at <= deadline AND sent_at <= $now) AS on_time,
               count(*) FILTER (WHERE (sent_at <= $now) OR deadline < $now) AS n
        FROM held GROUP BY month HAVING n > 0 ORDER BY month""", {"sid": student_id, "now": now})
    frame["rate"] = frame["on_time"] / frame["n"]
    bounds = [wilson_interval(k, n) for k, n in zip(frame["on_time"], frame["n"])]
    frame["low"], frame["high"] = [b[0] for b in bounds], [b[1] for b in bounds]
    return frame


def overdue_by_kind(db: Database, student_id: str | None, today: date, now: datetime) -> pd.DataFrame:
    """Open items past their due date, by kind (the due queue's own definition)."""
    items = due_items(db, student_id, today, now, horizon_days=0)
    counts = items[items["status"] == "overdue"]["kind"].value_counts()
    return pd.DataFrame({"kind": [DUE_KINDS[k] for k in counts.index], "items": counts.values.astype(int)})
