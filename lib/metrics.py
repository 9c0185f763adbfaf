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

from lib import clock, method
from lib.db import Database
from lib.followup import DUE_KINDS, due_items, person_labels
from lib.models import CHANNELS

SMALL_N = 10  # below this many, a rate is shown with a warning and an interval

_SID = "($sid IS NULL OR student_id = $sid)"


def _rate(part: int, n: int) -> float | None:
    return round(part / n, 4) if n else None


def _figure(frame: pd.DataFrame, by_student: bool, counts: tuple[str, ...], rates: dict[str, tuple[str, str]]):
    """A figure's per-student frame (by_student) or its totals for the student or cohort
    asked for: the counts summed, each rate recomputed from its summed parts (with its n)."""
    if by_student:
        frame = frame.astype({c: "int64" for c in counts})
        for rate, (part, n) in rates.items():
            frame[rate] = [_rate(a, b) for a, b in zip(frame[part], frame[n])]
        return frame.reset_index(drop=True)
    totals = {c: int(frame[c].sum()) for c in counts}
    for rate, (part, n) in rates.items():
        totals[rate] = _rate(totals[part], totals[n])
    return totals


def contacts(db: Database, student_id: str | None, today: date, *, by_student: bool = False):
    """Contacts in the network (archived ones left out). Warm contacts share a connection
    with the student (family, friends, professors, supervisors, coach, alumni, referrals);
    cold ones were found (LinkedIn, a website) or met once at an event."""
    frame = db.df(f"""SELECT CAST(student_id AS VARCHAR) AS student_id,
                             count(*) FILTER (WHERE warmth = 'warm') AS warm, count(*) FILTER (WHERE warmth = 'cold') AS cold
                      FROM contacts WHERE {_SID} AND archived_at IS NULL AND CAST(created_at AS DATE) <= $today
                      GROUP BY student_id""", {"sid": student_id, "today": today})
    return _figure(frame, by_student, ("warm", "cold"), {})


@method.worded
def requests(db: Database, student_id: str | None, today: date, *, by_student: bool = False):
    """Requests for a conversation sent so far (an archived contact's included: they were
    sent). Replied: the contact answered (yes, no, or 'talk to someone else'). Pending: no
    reply yet and inside its window, {FOLLOW_UP_BUSINESS_DAYS} business days from sending (the 3B7
    follow-up point) or, once followed up, {CURMUDGEON_BUSINESS_DAYS} business days from the follow-up (the
    Curmudgeon point), whichever ends later; pending requests are not counted in the rate.
    Unanswered: no reply and past its window. Settled = replied + unanswered.
    Reply rate = replied / settled; empty (null) when nothing is settled."""
    frame = db.df(f"""
        SELECT CAST(r.student_id AS VARCHAR) AS student_id, count(*) AS sent,
               count(*) FILTER (WHERE {method.replied("r")}) AS replied,
               count(*) FILTER (WHERE {method.pending("r")}) AS pending,
               count(*) FILTER (WHERE {method.settled("r")}) AS settled
        FROM outreach_requests r WHERE ($sid IS NULL OR r.student_id = $sid) AND r.sent_on <= $today
        GROUP BY r.student_id""", {"sid": student_id, "today": today})
    return _figure(frame, by_student, ("sent", "replied", "pending", "settled"), {"reply_rate": ("replied", "settled")})


def conversations(db: Database, student_id: str | None, today: date, now: datetime, *, by_student: bool = False):
    """Conversations held (logged as held), and scheduled ones still ahead (their start is
    after the 'as of' moment; with archived contacts left out)."""
    frame = db.df(f"""
        SELECT CAST(i.student_id AS VARCHAR) AS student_id, count(*) FILTER (WHERE {method.held("i")}) AS held,
               count(*) FILTER (WHERE i.status = 'scheduled' AND i.scheduled_at > $now AND c.archived_at IS NULL)
                   AS scheduled
        FROM interviews i JOIN contacts c ON c.id = i.contact_id
        WHERE ($sid IS NULL OR i.student_id = $sid) GROUP BY i.student_id""", {"sid": student_id, "now": now})
    return _figure(frame, by_student, ("held", "scheduled"), {})


@method.worded
def thank_yous(db: Database, student_id: str | None, now: datetime, *, by_student: bool = False):
    """Thank-yous for conversations held, measured from the end of the conversation against
    the window in force when it was held ({DEFAULT_THANK_YOU_HOURS} hours, or
    the longer one, {THANK_YOU_WINDOWS}, if the student had chosen it; changing the setting
    later does not re-grade them). On time: sent by the deadline. Late: sent after it.
    Missing: not sent and the deadline has passed. Settled (the n) = on time + late +
    missing; conversations still inside their window are not counted yet."""
    frame = db.df(f"""
        WITH held AS (
            SELECT CAST(i.student_id AS VARCHAR) AS student_id, {method.thank_you_state("i", "s")} AS state
            FROM interviews i JOIN students s ON s.id = i.student_id
            WHERE ($sid IS NULL OR i.student_id = $sid) AND {method.held("i")})
        SELECT student_id, count(*) FILTER (WHERE state = 'on time') AS on_time,
               count(*) FILTER (WHERE state = 'late') AS late, count(*) FILTER (WHERE state = 'missing') AS missing,
               count(*) FILTER (WHERE state <> 'open') AS settled
        FROM held GROUP BY student_id""", {"sid": student_id, "now": now})
    return _figure(frame, by_student, ("on_time", "late", "missing", "settled"), {"on_time_rate": ("on_time", "settled")})


def follow_ups_due(db: Database, student_id: str | None, today: date, now: datetime, *, by_student: bool = False):
    """Open items in the due queue: thank-yous, 3B7 follow-ups and second contacts,
    keep-in-touch reconnects, prep items, coach action items and to-dos (archived contacts'
    items left out). Today: due today and its deadline not yet passed. Overdue: due before
    today, or a deadline (a thank-you's) already passed; snoozed items are left out."""
    items = due_items(db, student_id, today, now, horizon_days=0)
    frame = (items.assign(today=items["status"] == "today", overdue=items["status"] == "overdue")
             .groupby("student_id", as_index=False)[["today", "overdue"]].sum())
    return _figure(frame, by_student, ("today", "overdue"), {})


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
        replied AS (SELECT DISTINCT contact_id FROM outreach_requests WHERE {_SID} AND {method.replied("")}),
        met AS (SELECT DISTINCT contact_id FROM interviews WHERE {_SID} AND status = 'held'),
        thanked AS (SELECT DISTINCT contact_id FROM interviews
                    WHERE {_SID} AND {method.held("")} AND {method.thank_you_sent("")})
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


@method.worded
def reply_rates(db: Database, student_id: str | None, today: date) -> pd.DataFrame:
    """Reply rate by warmth and by channel: replied / settled requests in each group
    (pending requests, still inside their window of {FOLLOW_UP_BUSINESS_DAYS} business days, or
    {CURMUDGEON_BUSINESS_DAYS} after a follow-up, are left out; see requests). Each rate
    carries its n (settled requests) and a 95% Wilson interval, which is wide when n is small."""
    frame = db.df(f"""
        WITH r AS (
            SELECT c.warmth, r.channel,
                   {method.replied("r")} AS replied, {method.pending("r")} AS pending
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


@method.worded
def thank_you_hours(db: Database, student_id: str | None, now: datetime) -> pd.DataFrame:
    """Hours from the end of each conversation held to the thank-you, against the marks of
    the windows ({THANK_YOU_WINDOWS} hours); each conversation carries the window in force
    when it was held and its state (on time, late, missing, open). A thank-you not sent is
    shown at the hours elapsed so far."""
    return db.df(f"""
        SELECT CAST(i.id AS VARCHAR) AS id, c.name AS contact, c.warmth,
               {method.ended_at("i")} AS ended_at,
               round({method.elapsed("minute", method.ended_at("i"),
                                     "coalesce(least(i.thank_you_sent_at, $now), $now)")} / 60.0, 1) AS hours,
               {method.thank_you_sent("i")} AS sent,
               {method.thank_you_window("i", "s")} AS window_hours,
               {method.thank_you_state("i", "s")} AS state
        FROM interviews i JOIN contacts c ON c.id = i.contact_id JOIN students s ON s.id = i.student_id
        WHERE ($sid IS NULL OR i.student_id = $sid) AND {method.held("i")} AND {method.passed("i")}
        ORDER BY ended_at""", {"sid": student_id, "now": now})


@method.worded
def touch_gaps(db: Database, student_id: str | None, now: datetime, limit: int = 15) -> pd.DataFrame:
    """For each person met (archived contacts left out): the days between consecutive
    touches (the conversation, the thank-you, replies, updates...) and the days since the
    last one, against that contact's keep-in-touch target ({DEFAULT_KEEP_IN_TOUCH_DAYS} days,
    about six months, unless set otherwise). One row per person: people who share a name
    are labelled apart. The `limit` people whose next touch is nearest (or most overdue)
    are shown."""
    target = method.keep_in_touch_days("c")
    since = f"round({method.elapsed('hour', 'p.last_at', '$now')} / 24.0, 1)"
    frame = db.df(f"""
        WITH moments AS (
            SELECT contact_id, {method.ended_at("")} AS moment_at FROM interviews
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
                   array_agg(round({method.elapsed("hour", "prev", "moment_at")} / 24.0, 1) ORDER BY moment_at)
                       FILTER (WHERE prev IS NOT NULL) AS gaps
            FROM ordered GROUP BY contact_id)
        SELECT CAST(c.id AS VARCHAR) AS contact_id, c.name AS contact, o.name AS organisation, c.warmth,
               {target} AS target_days, {since} AS days_since_last,
               coalesce(p.gaps, CAST(ARRAY[] AS DOUBLE PRECISION[])) AS gaps
        FROM per_contact p JOIN contacts c ON c.id = p.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE c.archived_at IS NULL
        ORDER BY {target} - {since}, c.name, c.id
        LIMIT $limit""", {"sid": student_id, "now": now, "limit": limit})
    frame["label"] = person_labels(frame)
    return frame


# --- outreach: the 3B7 routine and how people reply ---------------------------------------

# One row per contact who has been asked: their reply behaviour from their latest request.
# Shared by reply_behaviour() and the contacts table, so both say the same thing.
REPLY_BEHAVIOUR_SQL = f"""
    SELECT contact_id,
           {method.behaviour("")} AS behaviour
    FROM (SELECT *, row_number() OVER (PARTITION BY contact_id ORDER BY sent_on DESC, created_at DESC) AS latest
          FROM outreach_requests WHERE ($sid IS NULL OR student_id = $sid) AND sent_on <= $today) r
    WHERE latest = 1"""


@method.worded
def reply_behaviour(db: Database, student_id: str | None, today: date) -> pd.DataFrame:
    """How each contact answered the latest request (Dalton's names). Booster: replied
    within {BOOSTER_BUSINESS_DAYS} business days. Obligate: replied, later than that.
    Curmudgeon: followed up, and no reply within {CURMUDGEON_BUSINESS_DAYS} business days of
    the follow-up. Waiting: the request is pending. 'No reply, not followed up': past
    {FOLLOW_UP_BUSINESS_DAYS} business days and the follow-up was never sent."""
    return db.df(f"SELECT CAST(contact_id AS VARCHAR) AS contact_id, behaviour FROM ({REPLY_BEHAVIOUR_SQL}) b",
                 {"sid": student_id, "today": today})


def reply_rates_by_week(db: Database, student_id: str | None, today: date, weeks: int = 26) -> pd.DataFrame:
    """Reply rate by the week a request was sent (weeks start on Monday; the last 26):
    replied / settled requests of that week, with n and a 95% Wilson interval. Requests
    still pending (see requests) are counted apart, not against the rate."""
    frame = db.df(f"""
        SELECT CAST(date_trunc('week', r.sent_on) AS DATE) AS week,
               count(*) FILTER (WHERE {method.replied("r")}) AS replied,
               count(*) FILTER (WHERE {method.pending("r")}) AS pending,
               count(*) FILTER (WHERE {method.settled("r")}) AS n,
               count(*) AS sent
        FROM outreach_requests r
        WHERE ($sid IS NULL OR r.student_id = $sid) AND r.sent_on <= $today
          AND r.sent_on > $today - 7 * $weeks * INTERVAL '1 day'
        GROUP BY week ORDER BY week""", {"sid": student_id, "today": today, "weeks": weeks})
    frame["rate"] = [r / n if n else None for r, n in zip(frame["replied"], frame["n"])]
    bounds = [wilson_interval(r, n) for r, n in zip(frame["replied"], frame["n"])]
    frame["low"], frame["high"] = [b[0] for b in bounds], [b[1] for b in bounds]
    return frame


@method.worded
def reply_latency(db: Database, student_id: str | None, today: date, cap: int = 10) -> pd.DataFrame:
    """Business days from sending a request to the reply, for every reply so far, counted
    by warmth (replies after 10 business days are grouped as '10+'). The
    {SECOND_CONTACT_BUSINESS_DAYS} and {FOLLOW_UP_BUSINESS_DAYS} marks are the 3B7 routine's:
    by {SECOND_CONTACT_BUSINESS_DAYS} a Booster has answered; at {FOLLOW_UP_BUSINESS_DAYS} the
    one follow-up is due."""
    return db.df("""
        SELECT c.warmth, least(business_days(r.sent_on, r.replied_on), $cap) AS days, count(*) AS replies
        FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
        WHERE ($sid IS NULL OR r.student_id = $sid) AND r.replied_on <= $today
        GROUP BY 1, 2 ORDER BY days, c.warmth""", {"sid": student_id, "today": today, "cap": cap})


FUNNEL_STAGES = ("In network", "Asked", "Replied", "Agreed", "Met")


def outreach_funnel(db: Database, student_id: str | None, today: date, now: datetime) -> pd.DataFrame:
    """People at each step of outreach, warm and cold apart: in the network, asked for a
    conversation, replied, agreed to talk, met (a conversation held). Each person counts
    once per step, whatever the number of messages."""
    frame = db.df(f"""
        WITH c AS (SELECT id, warmth FROM contacts
                   WHERE {_SID} AND archived_at IS NULL AND CAST(created_at AS DATE) <= $today),
        r AS (SELECT contact_id, bool_or(true) AS asked, bool_or({method.replied("")}) AS replied,
                     bool_or({method.replied("")} AND outcome = 'agreed') AS agreed
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
    frame = db.df(f"""
        WITH held AS (
            SELECT CAST(date_trunc('month', i.scheduled_at) AS DATE) AS month, {method.thank_you_state("i", "s")} AS state
            FROM interviews i JOIN students s ON s.id = i.student_id
            WHERE ($sid IS NULL OR i.student_id = $sid) AND {method.held("i")})
        SELECT month, count(*) FILTER (WHERE state = 'on time') AS on_time,
               count(*) FILTER (WHERE state <> 'open') AS n
        FROM held GROUP BY month HAVING count(*) FILTER (WHERE state <> 'open') > 0
        ORDER BY month""", {"sid": student_id, "now": now})
    frame["rate"] = frame["on_time"] / frame["n"]
    bounds = [wilson_interval(k, n) for k, n in zip(frame["on_time"], frame["n"])]
    frame["low"], frame["high"] = [b[0] for b in bounds], [b[1] for b in bounds]
    return frame


def overdue_by_kind(db: Database, student_id: str | None, today: date, now: datetime) -> pd.DataFrame:
    """Open items past their due date, by kind (the due queue's own definition)."""
    items = due_items(db, student_id, today, now, horizon_days=0)
    counts = items[items["status"] == "overdue"]["kind"].value_counts()
    return pd.DataFrame({"kind": [DUE_KINDS[k] for k in counts.index], "items": counts.values.astype(int)})
