"""The coach's side: the cohort at a glance (where each student is stuck), advising
sessions with their notes and action items, and the session report."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from lib import method, metrics
from lib.db import Database, new_id
from lib.followup import due_items
from lib.models import VISIBILITY, InvalidInput, InvalidRows, clean_text

QUIET_DAYS = 14                 # no activity for two weeks: a flag
STAGES = ("Mapping the network", "Asking", "Meeting", "Keeping in touch", "Landed")
FLAGS = {
    "no_warm": "No warm contacts yet",
    "no_replies": "Requests but no replies",
    "thank_yous": "Late or missing thank-yous",
    "quiet": "No activity for two weeks",
    "referrals": "Referrals not followed up",
}


def cohort_overview(db: Database, today: date, now: datetime) -> pd.DataFrame:
    """One row per student with the dashboard's own figures (lib/metrics.py, by student:
    the same definitions as `python -m lib stats`, each with its n), the last thing that
    happened (a contact added, a request or follow-up sent, a reply recorded, a
    conversation held, a touch, a thank-you sent; a conversation merely scheduled, or
    cancelled, is not activity), the furthest stage of the method reached, and flags where
    a student is stuck: no warm contacts; three or more settled requests and no reply; a
    late or missing thank-you; nothing happened for two weeks; a referral not contacted a
    week after it was received."""
    students = db.df("""SELECT CAST(id AS VARCHAR) AS id, name, cohort, landed_on FROM students
                        ORDER BY lower(name), id""")
    figures = [metrics.contacts(db, None, today, by_student=True),
               metrics.requests(db, None, today, by_student=True),
               metrics.conversations(db, None, today, now, by_student=True),
               metrics.thank_yous(db, None, now, by_student=True).rename(columns={"settled": "thanks_settled"}),
               metrics.follow_ups_due(db, None, today, now, by_student=True)[["student_id", "overdue"]]]
    frame = students
    for figure in figures:
        frame = frame.merge(figure.rename(columns={"student_id": "id"}), on="id", how="left")
    extra = db.df(f"""
        WITH activity AS (
            SELECT student_id, created_at AS moment FROM contacts WHERE CAST(created_at AS DATE) <= $today
            UNION ALL SELECT student_id, CAST(sent_on AS TIMESTAMP) FROM outreach_requests WHERE sent_on <= $today
            UNION ALL SELECT student_id, CAST(follow_up_sent_on AS TIMESTAMP) FROM outreach_requests
                      WHERE follow_up_sent_on <= $today
            UNION ALL SELECT student_id, CAST(replied_on AS TIMESTAMP) FROM outreach_requests WHERE replied_on <= $today
            UNION ALL SELECT i.student_id, {method.ended_at("i")} FROM interviews i
                      WHERE {method.held("i")} AND {method.passed("i")}
            UNION ALL SELECT student_id, thank_you_sent_at FROM interviews
                      WHERE status = 'held' AND thank_you_sent_at <= $now
            UNION ALL SELECT student_id, happened_at FROM touches WHERE happened_at <= $now),
        latest AS (SELECT student_id, CAST(max(moment) AS DATE) AS last_activity FROM activity GROUP BY student_id),
        kept AS (SELECT student_id, count(*) AS kept FROM touches
                 WHERE happened_at <= $now AND kind NOT IN ('thank_you', 'reply') GROUP BY student_id),
        ref AS (
            SELECT c.student_id, count(*) AS waiting FROM contacts c
            WHERE c.source = 'referral' AND c.archived_at IS NULL
              AND CAST(c.created_at AS DATE) <= $today - {method.REFERRAL_WAIT_DAYS}
              AND NOT EXISTS (SELECT 1 FROM outreach_requests q WHERE q.contact_id = c.id)
            GROUP BY c.student_id)
        SELECT CAST(st.id AS VARCHAR) AS id, latest.last_activity, coalesce(kept.kept, 0) AS kept,
               coalesce(ref.waiting, 0) AS referrals_waiting
        FROM students st LEFT JOIN latest ON latest.student_id = st.id LEFT JOIN kept ON kept.student_id = st.id
        LEFT JOIN ref ON ref.student_id = st.id""", {"today": today, "now": now})
    frame = frame.merge(extra, on="id", how="left")
    counts = ["warm", "cold", "sent", "replied", "pending", "settled", "held", "scheduled", "on_time", "late",
              "missing", "thanks_settled", "overdue", "kept", "referrals_waiting"]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    frame["reply_rate"] = frame["reply_rate"].astype("object").where(frame["settled"] > 0, None)
    frame["on_time_rate"] = frame["on_time_rate"].astype("object").where(frame["thanks_settled"] > 0, None)
    frame["stage"] = [_stage(row) for row in frame.itertuples()]
    frame["flags"] = [_flags(row, today) for row in frame.itertuples()]
    return frame


def _stage(row) -> str:
    if pd.notna(row.landed_on):
        return STAGES[4]
    if row.held and row.kept:
        return STAGES[3]
    if row.held:
        return STAGES[2]
    if row.sent:
        return STAGES[1]
    return STAGES[0]


def _flags(row, today: date) -> list[str]:
    flags = []
    if row.warm == 0:
        flags.append("no_warm")
    if row.settled >= 3 and row.replied == 0:
        flags.append("no_replies")
    if row.late + row.missing:
        flags.append("thank_yous")
    if pd.isna(row.last_activity) or (today - pd.Timestamp(row.last_activity).date()).days >= QUIET_DAYS:
        flags.append("quiet")
    if row.referrals_waiting:
        flags.append("referrals")
    return flags


def cohorts(db: Database) -> list[str]:
    return [c for (c,) in db.rows("SELECT DISTINCT cohort FROM students WHERE cohort IS NOT NULL ORDER BY cohort")]


# --- advising sessions -------------------------------------------------------------------------

def since_last_session(db: Database, student_id: str, today: date, now: datetime) -> dict:
    """What changed since the previous advising session (or the last 30 days without one):
    contacts added, requests sent, replies, conversations held, and items now overdue.
    "Previous" is the last session held before today: a session saved today is the one
    this brief (and its report) is for, never the one it compares with."""
    last = db.scalar("SELECT max(held_on) FROM advising_sessions WHERE student_id = ? AND held_on < ?",
                     [student_id, today])
    since = last or today - timedelta(days=30)
    counts = db.rows("""
        SELECT (SELECT count(*) FROM contacts WHERE student_id = $sid AND CAST(created_at AS DATE) > $since
                    AND CAST(created_at AS DATE) <= $today),
               (SELECT count(*) FROM outreach_requests WHERE student_id = $sid AND sent_on > $since AND sent_on <= $today),
               (SELECT count(*) FROM outreach_requests WHERE student_id = $sid AND replied_on > $since
                    AND replied_on <= $today),
               (SELECT count(*) FROM interviews WHERE student_id = $sid AND status = 'held'
                    AND CAST(scheduled_at AS DATE) > $since AND scheduled_at <= $now)""",
                     {"sid": student_id, "since": since, "today": today, "now": now})[0]
    due = due_items(db, student_id, today, now, horizon_days=0)
    return {"since": since, "had_session": last is not None, "contacts": counts[0], "requests": counts[1],
            "replies": counts[2], "conversations": counts[3], "overdue": int((due["status"] == "overdue").sum())}


CHANGES = (("contacts", "contact added", "contacts added"), ("requests", "request sent", "requests sent"),
           ("replies", "reply", "replies"), ("conversations", "conversation held", "conversations held"),
           ("overdue", "item overdue", "items overdue"))


def changes_line(brief: dict) -> str:
    """The brief in one line, each count with its own word: '1 contact added · 2 requests sent · ...'."""
    return " · ".join(f"{brief[key]} {one if brief[key] == 1 else many}" for key, one, many in CHANGES)


def record_session(db: Database, student_id: str, held_on: date, coach: str | None, notes: str | None,
                   visibility: str, action_items: list[dict], today: date, now: datetime) -> str:
    """Save an advising session and its action items (each {"text", "due_on"}; an item
    without a date is due in method.TO_DO_DAYS); the items join the student's due queue.
    All or nothing; problems name their row. Notes or an item are needed: an empty form
    saved (a second click) is refused, not stored as a session."""
    if visibility not in VISIBILITY:
        raise InvalidInput("Visibility", "must be private or shared")
    if not isinstance(held_on, date) or not today - timedelta(days=365) <= held_on <= today:
        raise InvalidInput("Date", "must be today or within the past year")
    coach = clean_text(coach, "Coach", max_len=120)
    notes = clean_text(notes, "Notes", max_len=10000)
    items, problems = [], []
    for number, item in enumerate(action_items, start=1):
        text, due_on = item.get("text"), item.get("due_on")
        if not str(text or "").strip() and due_on in (None, ""):
            continue
        try:
            text = clean_text(text, "Action", required=True, max_len=300)
            if isinstance(due_on, str) and due_on.strip():      # the editor hands dates back as ISO text
                try:
                    due_on = date.fromisoformat(due_on.strip()[:10])
                except ValueError:
                    raise InvalidInput("Due", f"{due_on!r} is not a date") from None
            if isinstance(due_on, datetime):
                due_on = due_on.date()
            if due_on in (None, "") or (isinstance(due_on, float) and due_on != due_on):   # no date: in a week
                due_on = today + timedelta(days=method.TO_DO_DAYS)
            if not isinstance(due_on, date) or not today <= due_on <= today + timedelta(days=365):
                raise InvalidInput("Due", "must be a date from today to a year ahead")
        except InvalidInput as exc:
            problems.append(InvalidInput(f"Action item {number}, {exc.field}", exc.message))
            continue
        items.append((text, due_on))
    if problems:
        raise InvalidRows(problems)
    if not notes and not items:     # a click on Save with nothing written is not a session
        raise InvalidInput("Session notes", "write notes or at least one action item")
    session_id = new_id()
    with db.write(student_id=student_id) as cur:
        cur.execute("""INSERT INTO advising_sessions (id, student_id, coach_name, held_on, notes, visibility, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?)""", [session_id, student_id, coach, held_on, notes, visibility, now])
        for text, due_on in items:
            cur.execute("""INSERT INTO action_items (id, student_id, session_id, text, due_on, created_at)
                           VALUES (?, ?, ?, ?, ?, ?)""", [new_id(), student_id, session_id, text, due_on, now])
    return session_id


def latest_session(db: Database, student_id: str, today: date) -> dict | None:
    """The last advising session held on or before today: the one a report is for."""
    frame = db.df("""SELECT held_on, coach_name, notes, visibility FROM advising_sessions
                     WHERE student_id = ? AND held_on <= ? ORDER BY held_on DESC, created_at DESC LIMIT 1""",
                  [student_id, today])
    return None if frame.empty else frame.astype(object).where(frame.notna(), None).iloc[0].to_dict()


def student_flags(db: Database, student_id: str, today: date, now: datetime) -> list[str]:
    """Where one student may be stuck: the cohort overview's flags for them (FLAGS keys)."""
    overview = cohort_overview(db, today, now)
    row = overview[overview["id"] == student_id]
    return list(row["flags"].iloc[0]) if len(row) else []


def sessions_table(db: Database, student_id: str, today: date, *, include_private: bool = True) -> pd.DataFrame:
    """Advising sessions, newest first. A student sees only the notes shared with them."""
    frame = db.df("""
        SELECT s.held_on AS "Date", s.coach_name AS "Coach", s.visibility AS "Visibility", s.notes AS "Notes",
               count(a.id) AS "Action items", count(a.done_at) AS "Done"
        FROM advising_sessions s LEFT JOIN action_items a ON a.session_id = s.id
        WHERE s.student_id = $sid AND ($private OR s.visibility = 'shared')
        GROUP BY s.id, s.held_on, s.coach_name, s.visibility, s.notes ORDER BY s.held_on DESC""",
                  {"sid": student_id, "private": include_private})
    frame["Visibility"] = frame["Visibility"].map(VISIBILITY)
    return frame


def shared_sessions(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """The sessions a student sees: notes the coach shared (private notes stay with the coach)."""
    return sessions_table(db, student_id, today, include_private=False)


def action_items_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Action items from advising sessions: open ones first, by due date."""
    return db.df("""
        SELECT a.text AS "Action item", a.due_on AS "Due", a.done_at IS NOT NULL AS "Done",
               s.held_on AS "Agreed on"
        FROM action_items a LEFT JOIN advising_sessions s ON s.id = a.session_id
        WHERE a.student_id = $sid
        ORDER BY a.done_at IS NOT NULL, a.due_on""", {"sid": student_id})


# --- the session report ------------------------------------------------------------------------

def session_report_data(db: Database, student_id: str, today: date, now: datetime,
                        coach: str | None = None) -> dict:
    """What the session report shows, as plain values for lib/documents' templates: the
    figures, warm and cold contacts through the method, reply rates with their n, what changed
    since the last session, where they may be stuck, the agreed next steps and shared notes."""
    from lib.charts import WARMTH_COLOURS
    from lib.students import get_student
    student = get_student(db, student_id)
    summary = metrics.summary(db, student_id, today, now)
    pipeline = metrics.pipeline(db, student_id, today, now)
    rates = metrics.reply_rates(db, student_id, today)
    brief = since_last_session(db, student_id, today, now)
    actions = action_items_table(db, student_id, today)
    actions = actions[~actions["Done"]]
    session = latest_session(db, student_id, today)
    coach = coach or (session or {}).get("coach_name")
    shared = (session or {}).get("notes") if (session or {}).get("visibility") == "shared" else None
    r, t = summary["requests"], summary["thank_yous"]
    settled_thanks = t["on_time"] + t["late"] + t["missing"]
    top = max(int(pipeline["contacts"].max()), 1)

    def count(warmth, stage):
        return int(pipeline[(pipeline["warmth"] == warmth) & (pipeline["stage"] == stage)]["contacts"].iloc[0])
    stages = [(stage, [(w.capitalize(), count(w, stage), WARMTH_COLOURS[w], round(100 * count(w, stage) / top))
                       for w in ("warm", "cold")]) for stage in metrics.PIPELINE_STAGES]
    rate_rows = [(str(row.label).capitalize() if row.dimension == "Warmth" else str(row.label), f"{row.rate:.0%}",
                  row.replied, row.n, row.n < metrics.SMALL_N) for row in rates.itertuples() if row.n]
    figures = [("Warm contacts", summary["contacts"]["warm"], None), ("Cold contacts", summary["contacts"]["cold"], None),
               ("Requests sent", r["sent"], None),
               ("Reply rate", "n/a" if r["reply_rate"] is None else f"{r['reply_rate']:.0%}",
                f"{r['replied']} of {r['settled']} settled"),
               ("Conversations held", summary["conversations"]["held"], None),
               ("Thank-yous on time", f"{t['on_time']} of {settled_thanks}", None)]
    return {"student": student["name"], "today": today, "coach": coach, "figures": figures, "stages": stages,
            "rates": rate_rows, "brief": brief, "changes": changes_line(brief),
            "since": f"since the session on {brief['since']:%d %B}" if brief["had_session"] else "in the last 30 days",
            "stuck": [FLAGS[flag] for flag in student_flags(db, student_id, today, now)],
            "steps": [(row._1, row.Due) for row in actions.itertuples()],
            "shared": shared, "shared_on": (session or {}).get("held_on")}


def session_report(db: Database, student_id: str, today: date, now: datetime, coach: str | None = None) -> str:
    """A one-page, print-ready HTML report to hand over at the end of a session (an autoescaping
    template in lib/documents: user text is never markup)."""
    from lib import documents
    return documents.session_report_html(session_report_data(db, student_id, today, now, coach))


def session_report_pdf(db: Database, student_id: str, today: date, now: datetime, coach: str | None = None) -> bytes:
    """The session report as a PDF (the same content; a Unicode font, so any name prints)."""
    from lib import documents
    return documents.session_report_pdf(session_report_data(db, student_id, today, now, coach))
