"""The coach's side: the cohort at a glance (where each student is stuck), advising
sessions with their notes and action items, and the session report."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape

import pandas as pd

from lib import method, metrics
from lib.db import Database, new_id
from lib.followup import due_items
from lib.models import VISIBILITY, InvalidInput, InvalidRows, clean_text

QUIET_DAYS = 14                 # no activity for two weeks: a flag
ACTION_ITEM_DAYS = 7            # an action item agreed without a date is due in a week
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


def record_session(db: Database, student_id: str, held_on: date, coach: str | None, notes: str | None,
                   visibility: str, action_items: list[dict], today: date, now: datetime) -> str:
    """Save an advising session and its action items (each {"text", "due_on"}; an item
    without a date is due in ACTION_ITEM_DAYS); the items join the student's due queue.
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
                due_on = today + timedelta(days=ACTION_ITEM_DAYS)
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

def _bars(rows: list[tuple[str, int, str]], top: int) -> str:
    """A small bar chart in plain HTML (prints anywhere, no script): (label, value, colour),
    bars scaled to `top`."""
    top = max(top, 1)
    return "".join(
        f"<div class='bar'><span class='label'>{escape(label)}</span><span class='track'>"
        f"<span class='fill' style='width:{100 * value / top:.0f}%;background:{colour}'></span></span>"
        f"<span class='value'>{value}</span></div>" for label, value, colour in rows)


def session_report(db: Database, student_id: str, today: date, now: datetime, coach: str | None = None) -> str:
    """A one-page, print-ready HTML report to hand over at the end of a session: the
    figures, warm and cold contacts through the method, reply rates with their n, what
    changed since the last session, and the agreed next steps. User text is escaped."""
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
    stuck = student_flags(db, student_id, today, now)
    r, t = summary["requests"], summary["thank_yous"]
    settled_thanks = t["on_time"] + t["late"] + t["missing"]
    stages = "".join(
        f"<h3>{stage}</h3>" + _bars([(w.capitalize(), int(pipeline[(pipeline['warmth'] == w) & (pipeline['stage'] == stage)]
                                                        ['contacts'].iloc[0]), WARMTH_COLOURS[w]) for w in ("warm", "cold")],
                                     int(pipeline["contacts"].max()))
        for stage in metrics.PIPELINE_STAGES)
    rate_rows = "".join(
        f"<tr><td>{escape(str(row.label).capitalize() if row.dimension == 'Warmth' else str(row.label))}</td><td>{row.rate:.0%}</td><td>{row.replied} of {row.n}"
        f"{' (small n)' if row.n < metrics.SMALL_N else ''}</td></tr>"
        for row in rates.itertuples() if row.n)
    steps = "".join(f"<li>{escape(row._1)} <span class='muted'>(by {row.Due:%d %b})</span></li>"
                    for row in actions.itertuples()) or "<li>No open action items.</li>"
    since = f"since the session on {brief['since']:%d %B}" if brief["had_session"] else "in the last 30 days"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Session report: {escape(student['name'])}</title>
<style>
  @page {{ size: A4; margin: 14mm; }}
  body {{ font: 10.5pt/1.35 system-ui, sans-serif; color: #222; max-width: 180mm; margin: auto; }}
  h1 {{ font-size: 16pt; margin: 0; }} h2 {{ font-size: 12pt; color: #0072B2; margin: 5mm 0 1mm; }}
  h3 {{ font-size: 9.5pt; margin: 2mm 0 0; color: #555; }} .muted {{ color: #666; }}
  .figures {{ display: flex; gap: 6mm; flex-wrap: wrap; }} .figures div {{ min-width: 30mm; }}
  .figures b {{ display: block; font-size: 15pt; }}
  .bar {{ display: flex; align-items: center; gap: 2mm; font-size: 9pt; }}
  .label {{ width: 12mm; }} .track {{ flex: 1; background: #eee; height: 3mm; }} .fill {{ display: block; height: 3mm; }}
  .value {{ width: 8mm; text-align: right; }} table {{ border-collapse: collapse; }} td {{ padding: 0.5mm 3mm 0.5mm 0; }}
  .cols {{ display: grid; grid-template-columns: 1fr 1fr; gap: 8mm; }} .notes {{ white-space: pre-wrap; }}
</style></head><body>
<h1>Session report: {escape(student['name'])}</h1>
<p class="muted">{today:%A %d %B %Y}{' · coach ' + escape(coach) if coach else ''}</p>
<div class="figures">
  <div>Warm contacts<b>{summary['contacts']['warm']}</b></div><div>Cold contacts<b>{summary['contacts']['cold']}</b></div>
  <div>Requests sent<b>{r['sent']}</b></div>
  <div>Reply rate<b>{'n/a' if r['reply_rate'] is None else f"{r['reply_rate']:.0%}"}</b>
       <span class="muted">{r['replied']} of {r['settled']} settled</span></div>
  <div>Conversations held<b>{summary['conversations']['held']}</b></div>
  <div>Thank-yous on time<b>{t['on_time']} of {settled_thanks}</b></div>
</div>
<div class="cols"><div><h2>Warm and cold through the method</h2>{stages}</div>
<div><h2>Reply rates</h2><table>{rate_rows or '<tr><td>No settled requests yet.</td></tr>'}</table>
<h2>What changed {since}</h2>
<p>{brief['contacts']} contacts added · {brief['requests']} requests sent · {brief['replies']} replies ·
{brief['conversations']} conversations held · {brief['overdue']} items overdue</p></div></div>
<h2>Where {escape(student['name'])} may be stuck</h2>
<ul>{''.join(f"<li>{escape(FLAGS[flag])}</li>" for flag in stuck) or "<li>Nothing: keep going.</li>"}</ul>
<h2>Agreed next steps</h2><ul>{steps}</ul>
{f"<h2>Notes from the session on {session['held_on']:%d %B}</h2><p class='notes'>{escape(shared)}</p>" if shared else ""}
<p class="muted">Made with Coffee Chat Coach.</p>
</body></html>"""
