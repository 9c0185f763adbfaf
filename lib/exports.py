"""Taking the plan elsewhere: a calendar (.ics) of due follow-ups and scheduled
conversations, and a spreadsheet-safe CSV of contacts and their touches."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import icalendar

from lib.db import Database
from lib.followup import DUE_KINDS, due_items
from lib.models import FORMATS, SOURCES, TOUCH_KINDS

PRODID = "-//Coffee Chat Coach//coffee-chat-coach//EN"
UID_DOMAIN = "coffeechat-coach"
CALENDAR_HORIZON_DAYS = 90
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet may split a cell on any of these (comma and semicolon locales, tab, lines)
# and trim the pieces; a piece that then starts with one of the triggers (fullwidth forms
# included) is read as a formula. Each such piece gets an apostrophe before its trigger.
_FORMULA_PIECE = re.compile(r"(^|[,;\t\r\n])(\s*)(?=[=+\-@\uff1d\uff0b\uff0d\uff20])")


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
    """A cell a spreadsheet will show as text, however it splits and trims it: wherever a
    piece of the cell (the start, or after , ; a tab or a line break, past any whitespace)
    begins with = + - @ or their fullwidth forms, an apostrophe goes before that sign; a cell
    starting with a tab or carriage return gets one too. Only apostrophes are added."""
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    if text.startswith(("\t", "\r")):
        text = "'" + text
    return _FORMULA_PIECE.sub(lambda m: m.group(1) + m.group(2) + "'", text)


def write_rows(out, rows) -> None:
    """CSV with every field quoted (so a spreadsheet in a semicolon locale doesn't split a
    cell at its commas or semicolons) and every cell neutralised."""
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])


CSV_COLUMNS = ("contact", "warmth", "source", "role", "organisation", "email", "linkedin_url", "how_met",
               "touch_date", "touch_kind", "touch_channel", "touch_note")


def contacts_csv(db: Database, student_id: str, today: date) -> str:
    """One row per contact and touch (a contact never touched has one row with empty touch
    columns), every field quoted and every cell neutralised against formula injection."""
    frame = db.df("""
        SELECT c.name, c.warmth, c.source, c.role, o.name AS organisation, c.email, c.linkedin_url, c.how_met,
               CAST(CAST(t.happened_at AS DATE) AS VARCHAR) AS touch_date, t.kind, t.channel, t.note
        FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
        LEFT JOIN touches t ON t.contact_id = c.id AND t.student_id = $sid AND CAST(t.happened_at AS DATE) <= $today
        WHERE c.student_id = $sid AND c.archived_at IS NULL
        ORDER BY lower(c.name), c.id, t.happened_at""", {"sid": student_id, "today": today})
    frame["source"] = frame["source"].map(SOURCES)
    frame["kind"] = frame["kind"].map(TOUCH_KINDS)
    out = io.StringIO(",".join(CSV_COLUMNS) + "\r\n")      # plain names; every data field is quoted
    out.seek(0, io.SEEK_END)
    write_rows(out, frame.itertuples(index=False))
    return out.getvalue()
