"""Taking the plan elsewhere: a calendar (.ics) of due follow-ups and scheduled
conversations, and a spreadsheet-safe CSV of contacts and their touches."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import icalendar

from lib.db import Database
from lib.followup import DUE_KINDS, due_items
from lib.models import FORMATS, SOURCES, TOUCH_KINDS

PRODID = "-//Coffee Chat Coach//coffee-chat-coach//EN"
UID_DOMAIN = "coffeechat-coach"
CALENDAR_HORIZON_DAYS = 90
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def calendar(db: Database, student_id: str, today: date, now: datetime) -> bytes:
    """An iCalendar file: each open follow-up due in the next 90 days (or overdue) as an
    all-day event, and each scheduled conversation as a timed one. UIDs come from the item
    ids, so re-importing updates the same events instead of duplicating them. The
    icalendar library escapes text (commas, semicolons, newlines) per RFC 5545."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Coffee chats")
    for item in due_items(db, student_id, today, now, horizon_days=CALENDAR_HORIZON_DAYS).itertuples():
        event = icalendar.Event()
        event.add("uid", f"{item.item_key}@{UID_DOMAIN}")
        event.add("dtstamp", now)
        due_on = item.due_on.date() if isinstance(item.due_on, datetime) else item.due_on
        day = max(due_on, today)         # overdue items sit on today, saying when they were due
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", item.title)
        late = f" (due {due_on:%d %b %Y})" if due_on < today else ""
        event.add("description", f"{DUE_KINDS[item.kind]}{late}. From Coffee Chat Coach.")
        event.add("categories", [DUE_KINDS[item.kind]])
        cal.add_component(event)
    conversations = db.df("""
        SELECT CAST(i.id AS VARCHAR) AS id, c.name, o.name AS organisation, i.scheduled_at, i.length_minutes, i.format
        FROM interviews i JOIN contacts c ON c.id = i.contact_id LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE i.student_id = $sid AND i.status = 'scheduled' AND i.scheduled_at >= $today
        ORDER BY i.scheduled_at""", {"sid": student_id, "today": datetime.combine(today, datetime.min.time())})
    for row in conversations.itertuples():
        start = row.scheduled_at.to_pydatetime()
        event = icalendar.Event()
        event.add("uid", f"interview:{row.id}@{UID_DOMAIN}")
        event.add("dtstamp", now)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=int(row.length_minutes)))
        org = f" ({row.organisation})" if isinstance(row.organisation, str) else ""
        event.add("summary", f"Coffee chat with {row.name}{org}")
        event.add("description", f"{FORMATS.get(row.format, row.format)}, {row.length_minutes} minutes. "
                                 "Prep sheet on the Prep page.")
        cal.add_component(event)
    return cal.to_ical()


def neutralise(value: object) -> str:
    """A cell a spreadsheet will show as text: one starting with = + - @ or a tab or a
    carriage return gets a leading apostrophe, so it can't run as a formula."""
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


CSV_COLUMNS = ("contact", "warmth", "source", "role", "organisation", "email", "linkedin_url", "how_met",
               "touch_date", "touch_kind", "touch_channel", "touch_note")


def contacts_csv(db: Database, student_id: str, today: date) -> str:
    """One row per contact and touch (a contact never touched has one row with empty touch
    columns), every cell neutralised against formula injection."""
    frame = db.df("""
        SELECT c.name, c.warmth, c.source, c.role, o.name AS organisation, c.email, c.linkedin_url, c.how_met,
               strftime(t.happened_at, '%Y-%m-%d') AS touch_date, t.kind, t.channel, t.note
        FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
        LEFT JOIN touches t ON t.contact_id = c.id AND t.student_id = $sid AND CAST(t.happened_at AS DATE) <= $today
        WHERE c.student_id = $sid AND c.archived_at IS NULL
        ORDER BY lower(c.name), c.id, t.happened_at""", {"sid": student_id, "today": today})
    frame["source"] = frame["source"].map(SOURCES)
    frame["kind"] = frame["kind"].map(TOUCH_KINDS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in frame.itertuples(index=False):
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()
