"""Requests for a conversation: log them, record replies, schedule the conversation, and
say where each stands in the 3B7 routine (Dalton): no reply after 3 business days,
approach a second contact at the organisation; after 7, one follow-up to the first;
after that the request counts as unanswered and the queue moves on."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from lib import drafts, method, network, prep, referrals
from lib.db import Database, new_id
from lib.followup import NEXT_AT_ORGANISATION_SQL, due_items
from lib.metrics import REPLY_BEHAVIOUR_SQL
from lib.models import (CHANNELS, FORMATS, OUTCOMES, REPLY_BEHAVIOURS, InvalidInput,
                        clean_text)
from lib.students import get_student

OLDEST_REQUEST_DAYS = 3 * 365     # a request logged as sent more than three years ago is a typo
LATEST_SCHEDULE_DAYS = 365


def _date(value, field: str, *, earliest: date, latest: date) -> date:
    if not isinstance(value, date):
        raise InvalidInput(field, "is required")
    if isinstance(value, datetime):
        value = value.date()
    if value > latest:
        raise InvalidInput(field, f"{value:%d %b %Y} is after {latest:%d %b %Y}")
    if value < earliest:
        raise InvalidInput(field, f"{value:%d %b %Y} is before {earliest:%d %b %Y}")
    return value


def _request(cur, student_id: str, request_id: str) -> dict:
    if not request_id:
        raise InvalidInput("Request", "choose one first")
    row = cur.execute("""
        SELECT r.sent_on, r.replied_on, r.outcome, r.follow_up_sent_on, CAST(r.contact_id AS VARCHAR), c.name,
               o.name
        FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE r.student_id = $sid AND r.id = $rid""", {"sid": student_id, "rid": request_id}).fetchone()
    if row is None:
        raise InvalidInput("Request", "is not one of your requests")
    keys = ("sent_on", "replied_on", "outcome", "follow_up_sent_on", "contact_id", "contact", "organisation")
    return dict(zip(keys, row))


# --- composing ---------------------------------------------------------------------------

def draft_context(db: Database, student_id: str, contact_id: str) -> drafts.Context:
    """The student's profile and the contact, as the drafting rules need them."""
    student = get_student(db, student_id)
    contact = network.get_contact(db, student_id, contact_id)
    if student is None or contact is None:
        raise InvalidInput("Contact", "is not one of your contacts")
    referrer = network.get_contact(db, student_id, contact["referred_by"]) if contact["referred_by"] else None

    def text(value):
        return value if isinstance(value, str) and value.strip() else None
    return drafts.Context(
        student_name=student["name"], school=text(student.get("school")), major=text(student.get("major")),
        fields=text(student.get("fields_of_interest")), contact_name=contact["name"], role=contact["role"],
        organisation=contact["organisation"], source=contact["source"], warmth=contact["warmth"],
        how_met=contact["how_met"], referrer=referrer["name"] if referrer else None, email=contact["email"],
        linkedin_url=contact["linkedin_url"], phone=contact["phone"],
        class_year=_year(student.get("class_year")),
        linkedin_connected=bool(contact.get("linkedin_connected")))


def _year(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def compose_choices(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Contacts to write to: never asked first, warm before cold, then by name."""
    return db.df("""
        SELECT CAST(c.id AS VARCHAR) AS id, c.name, o.name AS organisation, c.warmth,
               c.id IN (SELECT contact_id FROM outreach_requests WHERE student_id = $sid) AS asked
        FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE c.student_id = $sid AND c.archived_at IS NULL
        ORDER BY asked, c.warmth = 'cold', lower(c.name)""", {"sid": student_id})


# --- writes ------------------------------------------------------------------------------

def log_request(db: Database, student_id: str, contact_id: str, channel: str, sent_on: date,
                message: str | None, today: date, now: datetime) -> str:
    """Record a request as sent. The date can't be in the future or years back."""
    if not contact_id:
        raise InvalidInput("Write to", "choose the contact first")
    if channel not in CHANNELS:
        raise InvalidInput("Channel", f"{channel!r} is not one of {', '.join(CHANNELS)}")
    sent_on = _date(sent_on, "Date sent", earliest=today - timedelta(days=OLDEST_REQUEST_DAYS), latest=today)
    message = clean_text(message, "Message", max_len=5000)
    with db.write(student_id=student_id) as cur:
        found = cur.execute("SELECT count(*) FROM contacts WHERE student_id = $sid AND id = $cid AND archived_at IS NULL",
                            {"sid": student_id, "cid": contact_id}).fetchone()[0]
        if not found:
            raise InvalidInput("Contact", "is not one of your current contacts")
        waiting = cur.execute(f"""SELECT r.sent_on FROM outreach_requests r
                                  WHERE r.student_id = $sid AND r.contact_id = $cid AND {method.routine_open("r")}
                                  ORDER BY r.sent_on DESC LIMIT 1""",
                              {"sid": student_id, "cid": contact_id, "today": today}).fetchone()
        if waiting:   # one request at a time: a nudge is that request's follow-up, not a second request
            raise InvalidInput("Contact", f"already has your request of {waiting[0]:%d %b %Y} waiting for a reply: "
                                          "send its one follow-up instead (Outreach > Do today)")
        request_id = new_id()
        cur.execute("""INSERT INTO outreach_requests (id, student_id, contact_id, channel, sent_on, message, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?)""", [request_id, student_id, contact_id, channel, sent_on,
                                                          message, now])
        # a referral is followed through once they are contacted: their to-do is done
        cur.execute("""UPDATE tasks SET done_at = ? WHERE student_id = ? AND contact_id = ?
                       AND kind = 'referral_outreach' AND done_at IS NULL""", [now, student_id, contact_id])
    return request_id


def record_reply(db: Database, student_id: str, request_id: str, replied_on: date, outcome: str,
                 today: date, now: datetime, referral: dict | None = None,
                 answers: dict[int, str] | None = None) -> referrals.Outcome:
    """Record their answer. 'Referred me elsewhere' with a person (`referral`: name, and
    optionally organisation, email, LinkedIn URL) records the referral through
    lib/referrals.py: an existing contact turns warm, a new one is added, never a twin;
    an unsure match raises referrals.UnsureMatch until `answers` says who is who."""
    if outcome not in OUTCOMES:
        raise InvalidInput("Outcome", f"must be one of {', '.join(OUTCOMES.values())}")
    suggested = referrals.clean([referral] if referral and outcome == "referred" else [], "Referred to")
    with db.write(student_id=student_id) as cur:
        request = _request(cur, student_id, request_id)
        if request["replied_on"] is not None:
            raise InvalidInput("Request", f"{request['contact']}'s reply is already recorded")
        replied_on = _date(replied_on, "Reply date", earliest=request["sent_on"], latest=today)
        cur.execute("UPDATE outreach_requests SET replied_on = $on, outcome = $outcome WHERE id = $rid",
                    {"on": replied_on, "outcome": outcome, "rid": request_id})
        cur.execute("""INSERT INTO touches (id, student_id, contact_id, kind, happened_at, note, created_at)
                       VALUES (?, ?, ?, 'reply', ?, ?, ?)""",
                    [new_id(), student_id, request["contact_id"], datetime.combine(replied_on, now.time()),
                     f"Replied to the request: {OUTCOMES[outcome].lower()}", now])
        return referrals.record(cur, student_id, suggested, referred_by=request["contact_id"],
                                referrer_name=request["contact"], how_met=f"Suggested by {request['contact']}",
                                today=today, now=now, answers=answers)


def follow_up_of(db: Database, student_id: str, request_id: str) -> dict:
    """The request a follow-up is drafted for: its channel, when it was sent, to whom."""
    row = db.rows("""SELECT channel, sent_on, CAST(contact_id AS VARCHAR) FROM outreach_requests
                     WHERE student_id = $sid AND id = $rid""", {"sid": student_id, "rid": request_id})
    if not row:
        raise InvalidInput("Request", "is not one of your requests")
    return dict(zip(("channel", "sent_on", "contact_id"), row[0]))


def mark_follow_up_sent(db: Database, student_id: str, request_id: str, sent_on: date, today: date) -> None:
    """The one 3B7 follow-up went out."""
    with db.write(student_id=student_id) as cur:
        request = _request(cur, student_id, request_id)
        if request["replied_on"] is not None:
            raise InvalidInput("Follow-up", f"{request['contact']} already replied")
        if request["follow_up_sent_on"] is not None:
            raise InvalidInput("Follow-up", f"the one follow-up to {request['contact']} went out on "
                                            f"{request['follow_up_sent_on']:%d %b %Y}")
        sent_on = _date(sent_on, "Follow-up date", earliest=request["sent_on"], latest=today)
        cur.execute("UPDATE outreach_requests SET follow_up_sent_on = $on WHERE id = $rid",
                    {"on": sent_on, "rid": request_id})


def schedule(db: Database, student_id: str, request_id: str, start: datetime, fmt: str,
             length_minutes: int, today: date, now: datetime) -> str:
    """Put an agreed conversation in the calendar: creates the interview, its prep
    checklist and the three closing questions."""
    if fmt not in FORMATS:
        raise InvalidInput("Format", f"must be one of {', '.join(FORMATS.values())}")
    if not isinstance(length_minutes, int) or not 5 <= length_minutes <= 240:
        raise InvalidInput("Length", "must be between 5 and 240 minutes (20-30 is usual)")
    with db.write(student_id=student_id) as cur:
        request = _request(cur, student_id, request_id)
        if request["outcome"] != "agreed":
            raise InvalidInput("Request", f"{request['contact']} hasn't agreed to talk yet: record the reply first")
        _date(start, "Date", earliest=request["sent_on"], latest=today + timedelta(days=LATEST_SCHEDULE_DAYS))
        taken = cur.execute("""SELECT count(*) FROM interviews WHERE student_id = $sid AND request_id = $rid
                               AND status <> 'cancelled'""", {"sid": student_id, "rid": request_id}).fetchone()[0]
        if taken:
            raise InvalidInput("Request", f"the conversation with {request['contact']} is already scheduled")
        interview_id = new_id()
        cur.execute("""INSERT INTO interviews (id, student_id, contact_id, request_id, scheduled_at, format,
                                               length_minutes, status, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, 'scheduled', ?)""",
                    [interview_id, student_id, request["contact_id"], request_id, start, fmt, length_minutes, now])
        prep.ensure_checklist(cur, student_id, interview_id, today, now)
    return interview_id


# --- reads -------------------------------------------------------------------------------

STATE_SQL = method.step("r")


def requests_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Every request sent, newest first: business days waited, where it stands in the 3B7
    routine, whether it counts as pending, replied or unanswered, and how the person replies."""
    frame = db.df(f"""
        WITH behaviour AS ({REPLY_BEHAVIOUR_SQL})
        SELECT CAST(r.id AS VARCHAR) AS id, c.name AS "Contact", o.name AS "Organisation", c.warmth AS "Warmth",
               r.channel AS "Channel", r.sent_on AS "Sent",
               business_days(r.sent_on, coalesce(least(r.replied_on, $today), $today)) AS "Business days",
               {STATE_SQL} AS "3B7",
               {method.counts_as("r")} AS "Counts as",
               r.follow_up_sent_on AS "Followed up", r.replied_on AS "Replied", r.outcome AS "Outcome",
               b.behaviour AS "Replies"
        FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        LEFT JOIN behaviour b ON b.contact_id = r.contact_id
        WHERE r.student_id = $sid AND r.sent_on <= $today
        ORDER BY r.sent_on DESC, lower(c.name)""", {"sid": student_id, "today": today})
    frame["Channel"] = frame["Channel"].map(CHANNELS)
    frame["Outcome"] = frame["Outcome"].map(OUTCOMES)
    frame["Replies"] = frame["Replies"].map(lambda b: REPLY_BEHAVIOURS.get(b, b))
    return frame


def open_requests(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Requests still without a reply, oldest first (the ones to record a reply for)."""
    return db.df("""
        SELECT CAST(r.id AS VARCHAR) AS id, c.name AS contact, c.role, o.name AS organisation, c.how_met,
               r.sent_on, r.channel
        FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE r.student_id = $sid AND r.replied_on IS NULL AND r.sent_on <= $today AND c.archived_at IS NULL
        ORDER BY r.sent_on, lower(c.name)""", {"sid": student_id, "today": today})


def agreed_unscheduled(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """People who agreed to talk, with no conversation in the calendar yet."""
    return db.df("""
        SELECT CAST(r.id AS VARCHAR) AS id, c.name AS contact, c.role, o.name AS organisation, c.how_met,
               r.replied_on
        FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE r.student_id = $sid AND r.outcome = 'agreed' AND r.replied_on <= $today AND c.archived_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM interviews i WHERE i.request_id = r.id AND i.status <> 'cancelled')
        ORDER BY r.replied_on, lower(c.name)""", {"sid": student_id, "today": today})


def do_today(db: Database, student_id: str, today: date, now: datetime) -> pd.DataFrame:
    """The 3B7 items due today or overdue (the same items as the home page's due list),
    each second-contact item with a suggestion: the next person at that organisation not
    yet asked, warm first (none when nobody else there is in the network)."""
    due = due_items(db, student_id, today, now, horizon_days=0)
    due = due[due["kind"].isin(["follow_up", "second_contact"])].copy()
    due["request_id"] = due["item_key"].str.split(":").str[1]
    suggestions = db.df(f"""
        SELECT CAST(r.id AS VARCHAR) AS request_id, o.name AS organisation, nx.next_id, nx.next_name
        FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
        JOIN organisations o ON o.id = c.organisation_id
        LEFT JOIN ({NEXT_AT_ORGANISATION_SQL}) nx ON nx.student_id = r.student_id AND nx.organisation_id = o.id
        WHERE r.student_id = $sid AND CAST(r.id AS VARCHAR) = ANY($ids)""",
                        {"sid": student_id, "today": today, "ids": due["request_id"].tolist()})
    return due.merge(suggestions, on="request_id", how="left")
