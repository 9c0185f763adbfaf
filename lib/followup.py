"""The due queue: everything a student should do, with the date it falls due.

One SQL query gathers every kind of item, so the home page, the Follow-ups page and
the `stats` figures count the same things. An item is identified by `<kind>:<row id>`;
a snooze on that key hides it until its date.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pandas as pd

from lib import method
from lib.db import Database, new_id
from lib.models import CHANNELS, TOUCH_KINDS, InvalidInput, clean_text

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

# Per organisation, the next person to approach there: a current contact who works there and
# has not been asked yet, warm first, then by name. The 3B7 second-contact item names them.
NEXT_AT_ORGANISATION_SQL = """
    SELECT n.student_id, n.organisation_id,
           (array_agg(CAST(n.id AS VARCHAR) ORDER BY n.warmth = 'cold', lower(n.name), n.id))[1] AS next_id,
           (array_agg(n.name ORDER BY n.warmth = 'cold', lower(n.name), n.id))[1] AS next_name
    FROM contacts n
    WHERE ($sid IS NULL OR n.student_id = $sid) AND n.archived_at IS NULL AND n.organisation_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM outreach_requests q WHERE q.contact_id = n.id AND q.sent_on <= $today)
    GROUP BY n.student_id, n.organisation_id"""

# Per person met (a conversation held; archived contacts left out): the last touch (the
# conversation's end or any logged touch, as of $now), their interval, the next touch date
# and the keep-in-touch status. The due queue's reconnects and the Keep in touch tab read it.
LAST_TOUCH_SQL = f"""
    WITH met AS (
        SELECT i.student_id, i.contact_id, max({method.ended_at("i")}) AS last_met FROM interviews i
        WHERE ($sid IS NULL OR i.student_id = $sid) AND {method.held("i")} AND i.scheduled_at <= $now
        GROUP BY i.student_id, i.contact_id),
    touched AS (
        SELECT contact_id, max(happened_at) AS last_touch, count(*) AS touches FROM touches
        WHERE ($sid IS NULL OR student_id = $sid) AND happened_at <= $now GROUP BY contact_id),
    last AS (
        SELECT m.student_id, m.contact_id, c.name, c.warmth, o.name AS organisation,
               CAST(greatest(m.last_met, coalesce(t.last_touch, m.last_met)) AS DATE) AS last_touch,
               coalesce(t.touches, 0) + 1 AS touches, {method.keep_in_touch_days("c")} AS ideal_days
        FROM met m JOIN contacts c ON c.id = m.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        LEFT JOIN touched t ON t.contact_id = m.contact_id
        WHERE c.archived_at IS NULL)
    SELECT *, $today - last_touch AS days_since, last_touch + ideal_days AS next_on,
           {method.keep_in_touch_status("($today - last_touch)", "ideal_days")} AS status
    FROM last"""

_DUE_SQL = f"""
WITH ended AS (
    SELECT i.*, {method.ended_at("i")} AS ended_at
    FROM interviews i JOIN contacts c ON c.id = i.contact_id
    WHERE ($sid IS NULL OR i.student_id = $sid) AND c.archived_at IS NULL
), open_requests AS (
    -- requests to a current contact still in the 3B7 routine (not past their Curmudgeon point)
    SELECT r.*, c.name AS contact_name, c.organisation_id,
           c.name || coalesce(' at ' || org.name, '') AS contact_label      -- tells two Jordan Lees apart
    FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
    LEFT JOIN organisations org ON org.id = c.organisation_id
    WHERE ($sid IS NULL OR r.student_id = $sid) AND c.archived_at IS NULL AND r.sent_on <= $today
      AND {method.routine_open("r")}
), items AS (
    -- Thank them within the window in force when the conversation was held: due today until
    -- the deadline moment, overdue after it.
    SELECT e.student_id, 'thank_you' AS kind, e.id AS row_id, e.contact_id,
           'Thank ' || c.name || ' for the conversation' AS title,
           CAST({method.thank_you_deadline("e", "s")} AS DATE) AS due_on, {method.thank_you_deadline("e", "s")} AS due_at
    FROM ended e JOIN contacts c ON c.id = e.contact_id JOIN students s ON s.id = e.student_id
    WHERE {method.held("e")} AND NOT {method.thank_you_sent("e")}
    UNION ALL
    -- A conversation whose time has passed but whose outcome nobody recorded: one item
    -- (its prep items leave the queue).
    SELECT e.student_id, 'log_conversation', e.id, e.contact_id,
           'Record how the conversation with ' || c.name || ' went',
           CAST(e.scheduled_at AS DATE), NULL
    FROM ended e JOIN contacts c ON c.id = e.contact_id
    WHERE e.status = 'scheduled' AND {method.passed("e")}
    UNION ALL
    -- 3B7: no reply by the follow-up point, one follow-up to the same person.
    SELECT r.student_id, 'follow_up', r.id, r.contact_id,
           'Follow up once with ' || r.contact_label, {method.follow_up_due("r")}, NULL
    FROM open_requests r
    WHERE NOT {method.followed_up("r")}
    UNION ALL
    -- 3B7: no reply by the second-contact point, approach a second person at that organisation
    -- (the next one not yet asked, warm first; or say there is no one else there yet).
    SELECT r.student_id, 'second_contact', r.id, r.contact_id,
           CASE WHEN nx.next_name IS NULL
                THEN 'No one at ' || o.name || ' you have not asked yet: look for alumni there (no reply yet from '
                     || r.contact_name || ')'
                ELSE 'Approach a second contact at ' || o.name || ': ' || nx.next_name || ' (no reply yet from '
                     || r.contact_name || ')' END,
           {method.second_contact_due("r")}, NULL
    FROM open_requests r JOIN organisations o ON o.id = r.organisation_id
    LEFT JOIN ({NEXT_AT_ORGANISATION_SQL}) nx
        ON nx.student_id = r.student_id AND nx.organisation_id = r.organisation_id
    WHERE NOT EXISTS (SELECT 1 FROM outreach_requests r2 JOIN contacts c2 ON c2.id = r2.contact_id
                      WHERE r2.student_id = r.student_id AND c2.organisation_id = r.organisation_id
                        AND r2.contact_id <> r.contact_id AND r2.sent_on >= r.sent_on AND r2.sent_on <= $today)
    UNION ALL
    -- Keep in touch with everyone met: the clock restarts at every logged touch.
    SELECT k.student_id, 'reconnect', k.contact_id, k.contact_id, 'Reconnect with ' || k.name, k.next_on, NULL
    FROM ({LAST_TOUCH_SQL}) k
    UNION ALL
    SELECT p.student_id, 'prep', p.id, e.contact_id, p.label || ' (' || c.name || ')', p.due_on, NULL
    FROM prep_items p JOIN ended e ON e.id = p.interview_id JOIN contacts c ON c.id = e.contact_id
    WHERE p.done_at IS NULL AND e.status = 'scheduled' AND NOT {method.passed("e")} AND p.due_on IS NOT NULL
    UNION ALL
    SELECT a.student_id, 'action_item', a.id, NULL, a.text, a.due_on, NULL
    FROM action_items a
    WHERE ($sid IS NULL OR a.student_id = $sid) AND a.done_at IS NULL
    UNION ALL
    SELECT t.student_id, 'task', t.id, t.contact_id, t.title, t.due_on, NULL
    FROM tasks t LEFT JOIN contacts c ON c.id = t.contact_id
    WHERE ($sid IS NULL OR t.student_id = $sid) AND t.done_at IS NULL AND c.archived_at IS NULL
)
SELECT CAST(i.student_id AS VARCHAR) AS student_id, i.kind || ':' || CAST(i.row_id AS VARCHAR) AS item_key,
       i.kind, i.title, CAST(i.contact_id AS VARCHAR) AS contact_id, i.due_on, i.due_at,
       {method.due_status("i.due_on", "i.due_at")} AS status
FROM items i
LEFT JOIN snoozes z ON z.student_id = i.student_id AND z.item_key = i.kind || ':' || CAST(i.row_id AS VARCHAR)
WHERE i.due_on <= $horizon AND (z.until_on IS NULL OR z.until_on <= $today)
ORDER BY i.due_on, i.kind, i.title
"""


QUEUE_DAYS = 7   # the queue is read a week ahead at least, once per data version, and cut shorter


def due_items(db: Database, student_id: str | None, today: date, now: datetime,
              horizon_days: int = QUEUE_DAYS) -> pd.DataFrame:
    """Every open item due by `today + horizon_days`, overdue first; None means all students.

    Five figures on three pages read this queue (due today, overdue by kind, do today...),
    and the query is costly to plan, so the week ahead is read once per data version and
    shorter horizons are cut from it."""
    reach = max(horizon_days, QUEUE_DAYS)
    queue = db.remember(("due_items", today, now, reach), student_id, lambda: db.df(
        _DUE_SQL, {"sid": student_id, "today": today, "now": now, "horizon": today + timedelta(days=reach)}))
    return queue[queue["due_on"] <= pd.Timestamp(today + timedelta(days=horizon_days))].reset_index(drop=True)


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


# --- acting on the queue ---------------------------------------------------------------------

DISMISSED = date(9999, 12, 31)     # a snooze until the end of time: the item is done for good
MAX_SNOOZE_DAYS = 365
SNOOZE_SQL = """INSERT INTO snoozes (student_id, item_key, until_on) VALUES (?, ?, ?)
                ON CONFLICT (student_id, item_key) DO UPDATE SET until_on = excluded.until_on"""
TASK_TOUCHES = {"send_resume": ("update", "Sent my resume"), "connect_linkedin": ("other", "Connected on LinkedIn"),
                "tell_helpers": ("landed", "Told them I landed a role")}


def _touch(cur, student_id: str, contact_id: str, kind: str, at: datetime, note: str | None, now: datetime,
           channel: str | None = None) -> None:
    cur.execute("""INSERT INTO touches (id, student_id, contact_id, kind, happened_at, channel, note, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", [new_id(), student_id, contact_id, kind, at, channel, note, now])


def complete(db: Database, student_id: str, item_key: str, today: date, now: datetime) -> str:
    """Mark a due item done in one step, logging the touch it stands for. Returns what was done."""
    kind, _, row_id = item_key.partition(":")
    if kind not in DUE_KINDS or not row_id:
        raise InvalidInput("Item", f"{item_key!r} is not a due item")
    with db.write(student_id=student_id) as cur:
        if kind == "thank_you":
            contact = cur.execute("""UPDATE interviews SET thank_you_sent_at = $now WHERE student_id = $sid AND id = $id
                                     AND thank_you_sent_at IS NULL RETURNING contact_id""",
                                  {"now": now, "sid": student_id, "id": row_id}).fetchone()
            if contact:
                _touch(cur, student_id, contact[0], "thank_you", now, "Thank-you sent", now)
            return "Thank-you recorded as sent."
        if kind == "follow_up":
            cur.execute("""UPDATE outreach_requests SET follow_up_sent_on = $today WHERE student_id = $sid AND id = $id
                           AND follow_up_sent_on IS NULL""", {"today": today, "sid": student_id, "id": row_id})
            return "Follow-up recorded as sent."
        if kind == "reconnect":
            _touch(cur, student_id, row_id, "update", now, "Reconnected", now)
            return "Touch logged: the keep-in-touch clock starts again."
        if kind == "prep":
            cur.execute("UPDATE prep_items SET done_at = $now WHERE student_id = $sid AND id = $id AND done_at IS NULL",
                        {"now": now, "sid": student_id, "id": row_id})
            return "Prep item ticked."
        if kind == "action_item":
            cur.execute("UPDATE action_items SET done_at = $now WHERE student_id = $sid AND id = $id AND done_at IS NULL",
                        {"now": now, "sid": student_id, "id": row_id})
            return "Action item done."
        if kind == "task":
            task = cur.execute("""UPDATE tasks SET done_at = $now WHERE student_id = $sid AND id = $id AND done_at IS NULL
                                  RETURNING kind, contact_id""", {"now": now, "sid": student_id, "id": row_id}).fetchone()
            if task and task[1] and task[0] in TASK_TOUCHES:
                touch_kind, note = TASK_TOUCHES[task[0]]
                _touch(cur, student_id, task[1], touch_kind, now, note, now)
            return "Done."
        # second contacts and unlogged conversations have no single write: they leave the queue
        cur.execute(SNOOZE_SQL, [student_id, item_key, DISMISSED])
        return "Taken off your list."


def snooze(db: Database, student_id: str, item_key: str, until: date, today: date) -> None:
    """Hide a due item until a date (tomorrow at the earliest, a year at the latest)."""
    if not isinstance(until, date) or not today < until <= today + timedelta(days=MAX_SNOOZE_DAYS):
        raise InvalidInput("Snooze until", f"must be a date after today and within {MAX_SNOOZE_DAYS} days")
    with db.write(student_id=student_id) as cur:
        cur.execute(SNOOZE_SQL, [student_id, item_key, until])


# --- thank-yous -------------------------------------------------------------------------------

def thank_you_clock(db: Database, student_id: str, today: date, now: datetime) -> pd.DataFrame:
    """Each conversation held, newest first: when it ended, the thank-you deadline (the
    window in force when it was held: 24 hours, or 48 if the student had chosen it), when
    the thank-you went, and its state: on time, late, missing (window closed, not sent) or
    open (hours left)."""
    return db.df(f"""
        SELECT CAST(i.id AS VARCHAR) AS id, CAST(i.contact_id AS VARCHAR) AS contact_id, c.name AS contact,
               c.warmth, i.takeaways, {method.ended_at("i")} AS ended_at,
               {method.thank_you_deadline("i", "s")} AS deadline,
               i.thank_you_sent_at AS sent_at, {method.thank_you_window("i", "s")} AS window_hours,
               {method.thank_you_state("i", "s")} AS state,
               CASE WHEN {method.thank_you_state("i", "s")} = 'open'
                    THEN round({method.elapsed("second", "$now", method.thank_you_deadline("i", "s"))} / 3600.0, 1) END
                   AS hours_left
        FROM interviews i JOIN contacts c ON c.id = i.contact_id JOIN students s ON s.id = i.student_id
        WHERE i.student_id = $sid AND {method.held("i")} AND i.scheduled_at <= $now
        ORDER BY ended_at DESC""", {"sid": student_id, "now": now})


def record_thank_you(db: Database, student_id: str, interview_id: str, sent_at: datetime, note: str | None,
                     now: datetime) -> None:
    """The thank-you went out at `sent_at` (not before the conversation ended, not in the future)."""
    note = clean_text(note, "Message", max_len=5000)
    with db.write(student_id=student_id) as cur:
        row = cur.execute(f"""SELECT {method.ended_at("")}, CAST(contact_id AS VARCHAR), status
                             FROM interviews WHERE student_id = ? AND id = ?""", [student_id, interview_id]).fetchone()
        if row is None or row[2] != "held":
            raise InvalidInput("Conversation", "is not a conversation you held")
        if not row[0] <= sent_at <= now:
            raise InvalidInput("Sent at", f"must be between the end of the conversation ({row[0]:%d %b %H:%M}) and now")
        cur.execute("UPDATE interviews SET thank_you_sent_at = ? WHERE id = ?", [sent_at, interview_id])
        cur.execute("DELETE FROM touches WHERE student_id = ? AND contact_id = ? AND kind = 'thank_you' "
                    "AND happened_at >= ?", [student_id, row[1], row[0]])
        _touch(cur, student_id, row[1], "thank_you", sent_at, note, now, channel="email")


def takeaway_choices(takeaways: str | None) -> list[str]:
    """The takeaways a thank-you can mention, one each: the lines of the field, and the
    sentences within a line, in the order they were written."""
    choices = []
    for line in (takeaways or "").splitlines():
        line = line.strip().lstrip("-*•·0123456789.) ").strip()
        choices += [sentence.strip() for sentence in re.split(r"(?<=[.!?])\s+", line) if sentence.strip()]
    return choices


def thank_you_draft(contact: str, takeaway: str | None, student: str) -> str:
    """A short thank-you that names one thing learnt: the one takeaway the student chose."""
    first = contact.split()[0]
    point = (takeaway or "").strip().rstrip(".!")
    if point and not point[1:2].isupper():          # "Build a portfolio" -> "build a portfolio"; "SQL ..." stays
        point = point[:1].lower() + point[1:]
    learnt = (f"One thing you said has stayed with me: {point}. I'm going to act on it."
              if point else "I learnt a lot about your work and how you got there.")
    return (f"Hi {first},\n\nThank you for taking the time to talk with me. {learnt}\n\n"
            f"I'll let you know how things go.\n\nWith thanks,\n{student}")


def set_thank_you_window(db: Database, student_id: str, hours: int) -> None:
    """Change the student's thank-you window from now on. Conversations already held keep
    the window that was in force when they were held (stored with them first)."""
    if hours not in method.THANK_YOU_WINDOWS:
        raise InvalidInput("Thank-you window", "must be " + " or ".join(map(str, method.THANK_YOU_WINDOWS)) + " hours")
    with db.write(student_id=student_id) as cur:
        store_window(cur, student_id, hours)


def store_window(cur, student_id: str, hours: int) -> None:
    """Inside a write: held conversations keep the window in force, then the new one is set."""
    cur.execute("""UPDATE interviews SET thank_you_hours = s.thank_you_hours FROM students s
                   WHERE s.id = interviews.student_id AND interviews.student_id = ?
                     AND interviews.status = 'held' AND interviews.thank_you_hours IS NULL""", [student_id])
    cur.execute("UPDATE students SET thank_you_hours = ? WHERE id = ?", [hours, student_id])


# --- keeping in touch -------------------------------------------------------------------------

RECONNECT_IDEAS = (
    "Tell them you followed their advice, and how it went.",
    "Send an article, talk or event that fits their work.",
    "Share a progress update: a course finished, a project done, an application sent.",
    "Comment on something they published or a milestone of theirs.",
    "Offer help: an introduction, a resource, a hand at an event.",
    "Ask one new, specific question that came up since you talked.",
    "Tell them when you land a job or internship, and thank them for their part.",
)
def person_labels(frame: pd.DataFrame, name: str = "contact", organisation: str = "organisation",
                  key: str = "contact_id") -> list[str]:
    """One label per person (row), telling apart people who share a name: their
    organisation, and a number if that is shared too. Charts use these as rows."""
    names = [str(n) for n in frame[name]]
    orgs = [o if isinstance(o, str) and o.strip() else "no organisation" for o in frame[organisation]] \
        if organisation in frame else ["" for _ in names]
    people = {}
    for n, o, k in zip(names, orgs, frame[key]):
        people.setdefault(n, {}).setdefault(k, o)
    labels = {}
    for n, ids in people.items():
        if len(ids) == 1:
            labels.update({(n, k): n for k in ids})
            continue
        by_org = {}
        for k, o in ids.items():
            by_org.setdefault(o, []).append(k)
        for o, keys in by_org.items():
            for number, k in enumerate(keys, start=1):
                labels[(n, k)] = f"{n} ({o})" if len(keys) == 1 else f"{n} ({o}, #{number})"
    return [labels[(n, k)] for n, k in zip(names, frame[key])]


@method.worded
def cadence(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Everyone the student has met, by urgency: the last touch (a conversation, a thank-you,
    a reply, an update... any logged contact restarts the clock), the ideal interval
    ({DEFAULT_KEEP_IN_TOUCH_DAYS} days, about six months, unless set per contact), the next
    touch date, and a status: green before the interval, amber from it, red only past
    {RED_PAST} times it (at exactly {RED_PAST} times it is still amber)."""
    frame = db.df(f"""
        SELECT CAST(contact_id AS VARCHAR) AS id, name AS contact, organisation, warmth, last_touch, touches,
               ideal_days, days_since, next_on, status
        FROM ({LAST_TOUCH_SQL}) k WHERE student_id = $sid
        ORDER BY next_on, lower(name), contact_id""", {"sid": student_id, "today": today,
                                                       "now": datetime.combine(today, time.max)})
    frame["label"] = person_labels(frame, key="id")
    for column in ("last_touch", "next_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def log_touch(db: Database, student_id: str, contact_id: str, kind: str, on: date, channel: str | None,
              note: str | None, today: date, now: datetime) -> None:
    """Any contact after the conversation: restarts that person's keep-in-touch clock."""
    if kind not in TOUCH_KINDS:
        raise InvalidInput("Kind", "is not one of the kinds of touch")
    if channel is not None and channel not in CHANNELS:
        raise InvalidInput("Channel", "is not one of the channels")
    if not isinstance(on, date) or not today - timedelta(days=3650) <= on <= today:
        raise InvalidInput("Date", "must be today or in the past ten years")
    note = clean_text(note, "Note", max_len=2000)
    with db.write(student_id=student_id) as cur:
        if not cur.execute("SELECT count(*) FROM contacts WHERE student_id = ? AND id = ?",
                           [student_id, contact_id]).fetchone()[0]:
            raise InvalidInput("Contact", "is not one of your contacts")
        _touch(cur, student_id, contact_id, kind, datetime.combine(on, now.time()), note, now, channel)


# --- referrals and landing a role -------------------------------------------------------------

def referrals_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Every referral received (one row per time someone suggested someone): who, who
    suggested them, since when (the day they were suggested), and when they were contacted
    (the request that closed the to-do; the day of the referral when a request to them was
    already waiting); days waiting while not."""
    frame = db.df("""
        SELECT c.name, c.role, o.name AS organisation, coalesce(s.name, ref.name) AS "Suggested by",
               CAST(t.created_at AS DATE) AS "Since", CAST(t.done_at AS DATE) AS "Contacted on",
               CASE WHEN t.done_at IS NULL THEN $today - CAST(t.created_at AS DATE) END
                   AS "Days waiting"
        FROM tasks t JOIN contacts c ON c.id = t.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        LEFT JOIN contacts s ON s.id = t.suggested_by
        LEFT JOIN contacts ref ON ref.id = c.referred_by
        WHERE t.student_id = $sid AND t.kind = 'referral_outreach' AND c.archived_at IS NULL
        ORDER BY t.done_at IS NOT NULL, t.created_at""", {"sid": student_id, "today": today})
    from lib.network import labels          # names that two people share are told apart
    return frame.assign(Referral=labels(frame))[["Referral", "Suggested by", "Since", "Contacted on", "Days waiting"]]


def helpers(db: Database, student_id: str) -> pd.DataFrame:
    """Everyone who helped: people the student talked with, and people who referred them on."""
    return db.df("""
        SELECT DISTINCT CAST(c.id AS VARCHAR) AS id, c.name FROM contacts c
        WHERE c.student_id = $sid AND c.archived_at IS NULL
          AND (c.id IN (SELECT contact_id FROM interviews WHERE student_id = $sid AND status = 'held')
               OR c.id IN (SELECT referred_by FROM contacts WHERE student_id = $sid AND referred_by IS NOT NULL)
               OR c.id IN (SELECT contact_id FROM outreach_requests WHERE student_id = $sid AND outcome = 'referred'))
        ORDER BY c.name""", {"sid": student_id})


def record_landed(db: Database, student_id: str, landed_on: date, note: str | None, today: date,
                  now: datetime) -> int:
    """The student landed a job or internship: one to-do per person who helped, to tell them.
    Returns how many to-dos were added (none twice)."""
    if not isinstance(landed_on, date) or not today - timedelta(days=365) <= landed_on <= today:
        raise InvalidInput("Date", "must be today or within the past year")
    note = clean_text(note, "What you landed", required=True, max_len=300)
    people = helpers(db, student_id)
    with db.write(student_id=student_id) as cur:
        cur.execute("UPDATE students SET landed_on = ?, landed_note = ? WHERE id = ?", [landed_on, note, student_id])
        done = {cid for (cid,) in cur.execute(
            "SELECT CAST(contact_id AS VARCHAR) FROM tasks WHERE student_id = ? AND kind = 'tell_helpers'",
            [student_id]).fetchall()}
        added = 0
        for person in people.itertuples():
            if person.id in done:
                continue
            cur.execute("""INSERT INTO tasks (id, student_id, kind, title, contact_id, due_on, created_at)
                           VALUES (?, ?, 'tell_helpers', ?, ?, ?, ?)""",
                        [new_id(), student_id, f"Tell {person.name} about {note} and thank them", person.id,
                         today + timedelta(days=3), now])
            added += 1
    return added


def timeline(db: Database, student_id: str, today: date, limit: int = 12) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For the people met whose next touch is nearest: every touch so far (with the
    conversations) and the next due point with its status."""
    people = cadence(db, student_id, today).head(limit)
    if people.empty:
        return people, pd.DataFrame(columns=["id", "contact", "warmth", "at", "kind", "label"])
    points = db.df("""
        SELECT CAST(c.id AS VARCHAR) AS id, c.name AS contact, c.warmth, CAST(t.happened_at AS DATE) AS at, t.kind
        FROM touches t
        JOIN contacts c ON c.id = t.contact_id
        WHERE t.student_id = $sid AND CAST(t.contact_id AS VARCHAR) = ANY($ids)
          AND CAST(t.happened_at AS DATE) <= $today
        UNION ALL
        SELECT CAST(c.id AS VARCHAR), c.name, c.warmth, CAST(i.scheduled_at AS DATE), 'meeting' FROM interviews i
        JOIN contacts c ON c.id = i.contact_id
        WHERE i.student_id = $sid AND i.status = 'held' AND CAST(i.contact_id AS VARCHAR) = ANY($ids)
        ORDER BY 2, 1, 4""", {"sid": student_id, "ids": people["id"].tolist(), "today": today})
    points["kind"] = points["kind"].map(TOUCH_KINDS)
    points["label"] = points["id"].map(dict(zip(people["id"], people["label"])))
    return people, points


def week_ahead(db: Database, student_id: str, today: date, now: datetime) -> pd.DataFrame:
    """The due queue for one student: overdue, today, and later this week (up to Sunday)."""
    return due_items(db, student_id, today, now, horizon_days=method.days_left_this_week(today))


def touchable(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Contacts to log a touch with: people met first, then everyone else, by name."""
    return db.df("""
        SELECT CAST(c.id AS VARCHAR) AS id, c.name, c.role, o.name AS organisation, c.how_met FROM contacts c
        LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE c.student_id = $sid AND c.archived_at IS NULL
        ORDER BY c.id NOT IN (SELECT contact_id FROM interviews WHERE student_id = $sid AND status = 'held'),
                 lower(c.name) LIMIT 2000""", {"sid": student_id})
