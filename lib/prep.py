"""Getting ready for a conversation and recording what came out of it: the checklist,
the question bank and a selection that fits the time, the prep sheet, and the log."""
from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from lib import network, referrals
from lib.markdown import md_escape
from lib.db import ROOT, Database, new_id
from lib.models import FORMATS, INTERVIEW_STATUSES, TIARA, InvalidInput, InvalidRows, clean_text

CHECKLIST_CSV = ROOT / "data" / "prep_checklist.csv"
QUESTIONS_CSV = ROOT / "data" / "questions.csv"
_BANK_NAMESPACE = uuid.UUID("6f1c2b1e-8d52-4c55-9d7e-3a1b2c4d5e6f")   # stable ids for built-in questions

CATEGORIES = {
    "day_to_day": "Day-to-day work", "career_path": "Career path", "skills_education": "Skills and education",
    "trends": "Trends", "hiring": "Hiring and internships", "culture": "Culture", "challenges": "Challenges",
    "advice": "Advice", "resources": "Resources", "further_study": "Going back to school",
    "referrals": "Referrals", "closing": "Closing",
}
# What the student most wants from this conversation, and the categories that serve it.
GOALS = {
    "understand": ("Understand the work", ("day_to_day", "culture", "challenges", "trends")),
    "path": ("Plan a path in", ("career_path", "skills_education", "hiring", "advice")),
    "study": ("Decide about further study", ("further_study", "skills_education", "advice")),
    "network": ("Grow my network", ("referrals", "resources", "advice")),
}
CLOSING_KEYS = ("closing_linkedin", "closing_stay", "closing_referrals")   # always offered
OPENING_MINUTES = 3       # thanks, my two-sentence intro
CLOSING_MINUTES = 3       # the closing questions and goodbyes

# Questions to avoid in an informational interview, each with why. The patterns catch the
# ordinary ways of asking (tests/unit/test_prep.py lists the phrasings they must catch and the
# bank questions they must leave alone).
_JOB = r"(?:jobs?|internships?|positions?|openings?|vacanc(?:y|ies)|roles?|placements?)"
AVOID = (
    (re.compile(r"\b(hire me|hiring me|take me on|" + _JOB + r" for me|are you (?:hiring|recruiting)|"
                r"(?:any|are there|is there|do you have)\s+(?:any\s+)?(?:open\s+|available\s+)?" + _JOB + r"|"
                r"can i (?:work|intern) (?:for|with) you|(?:give|offer) me (?:a|an) " + _JOB + r"|"
                r"(?:refer|recommend) me (?:for|to)|put in a (?:good )?word|pass (?:on )?my (?:resume|cv)|"
                r"look at my (?:resume|cv)|get me (?:a|an|in)\b)", re.I),
     "asks for a job: this conversation is for learning"),
    (re.compile(r"\b(salary|salaries|earn|earns|earning|earnings|wages?|compensation|income|bonus(?:es)?|"
                r"paycheck|pay (?:range|scale|band|grade)s?|(?:your|the|their) pay|paid|"
                r"how much (?:do|does|did|can|could|would|will|might) .{0,50}?\b(?:make|get|take home|pay)|"
                r"what (?:do|does|did) .{0,40}?\b(?:make|pay)\b(?! (?:a )?(?:difference|decisions?|sense|"
                r"mistakes?|time|progress)))", re.I),
     "asks about pay: ask about the field's pay ranges only if they bring it up"),
    (re.compile(r"\b(how old are you|your age|married|marriage|divorced?|children|kids|pregnan\w*|religion|religious|"
                r"politics|political|vote|your health|illness|disabilit\w*|where do you live|your (?:family|"
                r"husband|wife|boyfriend|girlfriend|spouse)|dating|your address|home address)\b", re.I),
     "asks about their personal life"),
    (re.compile(r"\b(confidential|internal numbers|revenue|profits?|trade secrets?|client list|"
                r"who (?:are|is) (?:your|the) (?:clients?|customers?))\b", re.I),
     "asks for confidential information"),
    (re.compile(r"what does (your|the) (company|organi[sz]ation|firm) do|how many (employees|people work)|"
                r"where (is|are) (your|the) (office|offices|headquarters)|when was .{1,40} founded|"
                r"what (products|services) do(es)? (you|it|they) (offer|sell|make)", re.I),
     "is answered on their website: research it beforehand"),
)


def avoid_reasons(text: str) -> list[str]:
    """Why a question is one to avoid (empty when it is fine)."""
    return [reason for pattern, reason in AVOID if pattern.search(text or "")]


# --- built-in content --------------------------------------------------------------------

def checklist_template() -> pd.DataFrame:
    """The prep checklist template (data/prep_checklist.csv): key, label, days_before, in_person_only."""
    return pd.read_csv(CHECKLIST_CSV)


def bank_rows() -> list[dict]:
    """The question bank (data/questions.csv), validated; a bad row is named by its line."""
    frame = pd.read_csv(QUESTIONS_CSV, dtype=str, keep_default_na=False)
    problems, rows = [], []
    for line, row in enumerate(frame.to_dict("records"), start=2):
        try:
            if row["category"] not in CATEGORIES:
                raise InvalidInput("category", f"{row['category']!r} is not one of {', '.join(CATEGORIES)}")
            if row["tiara"] not in TIARA:
                raise InvalidInput("tiara", f"{row['tiara']!r} is not one of {', '.join(TIARA)}")
            minutes = float(row["minutes"])
            if not 0 < minutes <= 15:
                raise InvalidInput("minutes", "must be between 0 and 15")
            text = clean_text(row["text"], "text", required=True, max_len=300)
        except (InvalidInput, ValueError) as exc:
            problems.append(InvalidInput(f"{QUESTIONS_CSV.name} line {line}", str(exc)))
            continue
        rows.append({"id": str(uuid.uuid5(_BANK_NAMESPACE, row["key"])), "bank_key": row["key"],
                     "category": row["category"], "tiara": row["tiara"], "minutes": minutes, "text": text})
    if problems:
        raise InvalidRows(problems)
    return rows


def sync_question_bank(db: Database, now: datetime) -> int:
    """Bring the built-in questions in the database up to date with data/questions.csv
    (only when the file changed). Ids derive from each question's key, so they are the
    same in every database. Returns how many questions were written."""
    digest = hashlib.sha256(QUESTIONS_CSV.read_bytes()).hexdigest()
    if db.scalar("SELECT value FROM meta WHERE key = 'question_bank_sha256'") == digest:
        return 0
    rows = bank_rows()
    with db.write(internal=True) as cur:
        cur.insert_frame("questions", pd.DataFrame(rows).assign(created_at=now),
                         conflict=("id",), update=("category", "tiara", "minutes", "text"))
        cur.execute("""INSERT INTO meta VALUES ('question_bank_sha256', ?)
                       ON CONFLICT (key) DO UPDATE SET value = excluded.value""", [digest])
    return len(rows)


# --- the checklist ------------------------------------------------------------------------

def ensure_checklist(cur, student_id: str, interview_id: str, today: date, now: datetime) -> None:
    """Give a conversation its checklist and the three closing questions, once. Items are due
    some days before the conversation, but never before the day it was planned."""
    row = cur.execute("""SELECT CAST(scheduled_at AS DATE), format,
                                (SELECT count(*) FROM prep_items WHERE interview_id = $iid),
                                (SELECT count(*) FROM interview_questions WHERE interview_id = $iid)
                         FROM interviews WHERE student_id = $sid AND id = $iid""",
                      {"sid": student_id, "iid": interview_id}).fetchone()
    if row is None:
        raise InvalidInput("Conversation", "is not one of yours")
    day, fmt, items, questions = row
    if not items:
        for position, item in enumerate(checklist_template().to_dict("records")):
            if item["in_person_only"] and fmt != "in_person":
                continue
            due = max(day - timedelta(days=int(item["days_before"])), min(today, day))
            cur.execute("""INSERT INTO prep_items (id, student_id, interview_id, item_key, label, position, due_on,
                                                   created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                        [new_id(), student_id, interview_id, item["key"], item["label"], position, due, now])
    if not questions:
        for position, key in enumerate(CLOSING_KEYS, start=1000):
            cur.execute("""INSERT INTO interview_questions (id, student_id, interview_id, question_id, position,
                                                            created_at)
                           SELECT ?, ?, ?, id, ?, ? FROM questions WHERE bank_key = ?""",
                        [new_id(), student_id, interview_id, position, now, key])


def checklist(db: Database, student_id: str, interview_id: str) -> pd.DataFrame:
    """A conversation's checklist items in order: id, Item, Due (a date), Done."""
    frame = db.df("""SELECT CAST(id AS VARCHAR) AS id, label AS "Item", due_on AS "Due", done_at IS NOT NULL AS "Done"
                     FROM prep_items WHERE student_id = $sid AND interview_id = $iid ORDER BY position""",
                  {"sid": student_id, "iid": interview_id})
    frame["Due"] = [d.date() if hasattr(d, "date") else d for d in frame["Due"]]
    return frame


def tick(db: Database, student_id: str, done: dict[str, bool], now: datetime) -> None:
    """Mark checklist items done (True) or not done (False), by item id."""
    with db.write(student_id=student_id) as cur:
        for item_id, is_done in done.items():
            cur.execute("""UPDATE prep_items SET done_at = CASE WHEN $done THEN coalesce(done_at, $now) END
                           WHERE student_id = $sid AND id = $id""",
                        {"done": bool(is_done), "now": now, "sid": student_id, "id": item_id})


def readiness(items: pd.DataFrame) -> int | None:
    """Share of checklist items done, in percent (None without a checklist)."""
    return round(100 * items["Done"].mean()) if len(items) else None


# --- conversations ------------------------------------------------------------------------

def conversations(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Every conversation for the picker: still to prepare (soonest first), then to log, then done."""
    return db.df("""
        SELECT CAST(i.id AS VARCHAR) AS id, c.name AS contact, o.name AS organisation, i.scheduled_at,
               i.length_minutes, i.format, i.status, i.goal
        FROM interviews i JOIN contacts c ON c.id = i.contact_id LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE i.student_id = $sid
        ORDER BY CASE WHEN i.status = 'scheduled' AND CAST(i.scheduled_at AS DATE) >= $today THEN 0
                      WHEN i.status = 'scheduled' THEN 1 ELSE 2 END,
                 CASE WHEN i.status = 'scheduled' AND CAST(i.scheduled_at AS DATE) >= $today
                      THEN i.scheduled_at END ASC, i.scheduled_at DESC""", {"sid": student_id, "today": today})


def interview(db: Database, student_id: str, interview_id: str) -> dict | None:
    frame = db.df("""
        SELECT CAST(i.id AS VARCHAR) AS id, CAST(i.contact_id AS VARCHAR) AS contact_id, c.name AS contact, c.role,
               o.name AS organisation, c.how_met, i.scheduled_at, i.format, i.length_minutes, i.status, i.goal,
               i.research_notes, i.notes, i.takeaways, i.asked_linkedin, i.asked_stay_in_touch, i.asked_referrals,
               i.closing_answers, i.resume_requested, s.name AS student, coalesce(i.intro, s.pitch) AS pitch,
               i.intro, s.pitch AS profile_pitch, s.school, s.major, s.class_year, s.fields_of_interest,
               coalesce(i.thank_you_hours, s.thank_you_hours) AS thank_you_hours
        FROM interviews i JOIN contacts c ON c.id = i.contact_id JOIN students s ON s.id = i.student_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE i.student_id = $sid AND i.id = $iid""", {"sid": student_id, "iid": interview_id})
    return None if frame.empty else frame.astype(object).where(frame.notna(), None).iloc[0].to_dict()


def save_plan(db: Database, student_id: str, interview_id: str, goal: str | None, research_notes: str | None,
              pitch: str | None) -> None:
    """The goal, research notes and this conversation's intro. The intro starts as the pitch on the
    student's profile; an intro left equal to it keeps following the profile, a changed one is this
    conversation's own (no other conversation, nor the profile, changes)."""
    if goal is not None and goal not in GOALS:
        raise InvalidInput("Goal", f"must be one of {', '.join(label for label, _ in GOALS.values())}")
    notes = clean_text(research_notes, "Research notes", max_len=5000)
    pitch = clean_text(pitch, "My intro", max_len=600)
    with db.write(student_id=student_id) as cur:
        profile = cur.execute("SELECT pitch FROM students WHERE id = ?", [student_id]).fetchone()
        intro = None if profile is None or pitch == (profile[0] or None) else pitch
        cur.execute("""UPDATE interviews SET goal = $goal, research_notes = $notes, intro = $intro
                       WHERE student_id = $sid AND id = $iid""",
                    {"goal": goal, "notes": notes, "intro": intro, "sid": student_id, "iid": interview_id})


# --- questions ----------------------------------------------------------------------------

def question_bank(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """The built-in questions and the student's own, with the student's favourites."""
    frame = db.df("""
        SELECT CAST(q.id AS VARCHAR) AS id, q.category, q.tiara, q.minutes, q.text, q.student_id IS NOT NULL AS own,
               f.question_id IS NOT NULL AS favourite, q.bank_key
        FROM questions q
        LEFT JOIN question_favourites f ON f.question_id = q.id AND f.student_id = $sid
        WHERE q.student_id IS NULL OR q.student_id = $sid""", {"sid": student_id})
    order = {category: i for i, category in enumerate(CATEGORIES)}   # the brief's order, not alphabetical
    return frame.assign(_rank=frame["category"].map(order)).sort_values(
        ["_rank", "own", "bank_key", "text"], kind="stable").drop(columns="_rank").reset_index(drop=True)


def add_question(db: Database, student_id: str, text: str, category: str, tiara: str, minutes: float,
                 now: datetime, interview_id: str | None = None) -> tuple[str, list[str]]:
    """Add the student's own question to their bank and, given a conversation, to the end of
    its list (before the closing questions), in one transaction: written for it, it is chosen
    for it, whatever the bank's filters show. Returns its id and any reasons to reconsider it."""
    text = clean_text(text, "Question", required=True, max_len=300)
    if category not in CATEGORIES:
        raise InvalidInput("Category", "is not one of the categories")
    if tiara not in TIARA:
        raise InvalidInput("TIARA", "is not one of Trends, Insights, Advice, Resources, Assignments")
    if not isinstance(minutes, (int, float)) or not 0.5 <= minutes <= 15:
        raise InvalidInput("Minutes", "must be between 0.5 and 15")
    question_id = new_id()
    with db.write(student_id=student_id) as cur:
        cur.execute("""INSERT INTO questions (id, student_id, category, tiara, text, minutes, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?)""", [question_id, student_id, category, tiara, text, minutes, now])
        if interview_id is not None:
            chosen = [qid for (qid,) in cur.execute(
                """SELECT CAST(question_id AS VARCHAR) FROM interview_questions WHERE student_id = ? AND interview_id = ?
                   ORDER BY position""", [student_id, interview_id]).fetchall()]
            _save_selection(cur, student_id, interview_id, chosen + [question_id], now)
    return question_id, avoid_reasons(text)


def set_favourites(db: Database, student_id: str, favourites: dict[str, bool], now: datetime) -> None:
    with db.write(student_id=student_id) as cur:
        _set_favourites(cur, student_id, favourites, now)


def _set_favourites(cur, student_id: str, favourites: dict[str, bool], now: datetime) -> None:
    for question_id, on in favourites.items():
        cur.execute("DELETE FROM question_favourites WHERE student_id = ? AND question_id = ?",
                    [student_id, question_id])
        if on:
            cur.execute("INSERT INTO question_favourites VALUES (?, ?, ?)", [student_id, question_id, now])


def add_from_bank(db: Database, student_id: str, interview_id: str, ticked: list[str], favourites: dict[str, bool],
                  now: datetime) -> int:
    """One edit of the question bank, in one transaction: favourites set or unset, and the
    ticked questions added to the end of this conversation's list (those already on it are
    left where they are, so saving twice adds nothing twice). Returns how many were added."""
    with db.write(student_id=student_id) as cur:
        _set_favourites(cur, student_id, favourites, now)
        chosen = [qid for (qid,) in cur.execute(
            """SELECT CAST(question_id AS VARCHAR) FROM interview_questions WHERE student_id = ? AND interview_id = ?
               ORDER BY position""", [student_id, interview_id]).fetchall()]
        new = [qid for qid in dict.fromkeys(ticked) if qid not in chosen]
        if new:
            _save_selection(cur, student_id, interview_id, chosen + new, now)
        return len(new)


def selection(db: Database, student_id: str, interview_id: str) -> pd.DataFrame:
    """The questions chosen for a conversation, in order, closing questions last."""
    return db.df("""
        SELECT CAST(iq.id AS VARCHAR) AS id, CAST(q.id AS VARCHAR) AS question_id, q.category, q.tiara, q.minutes,
               q.text, iq.position, iq.answer_notes, q.bank_key
        FROM interview_questions iq JOIN questions q ON q.id = iq.question_id
        WHERE iq.student_id = $sid AND iq.interview_id = $iid
        ORDER BY q.category = 'closing', iq.position""", {"sid": student_id, "iid": interview_id})


def save_selection(db: Database, student_id: str, interview_id: str, question_ids: list[str],
                   now: datetime) -> None:
    """Replace the chosen questions with `question_ids` in this order; notes already taken
    on a question that stays are kept."""
    with db.write(student_id=student_id) as cur:
        _save_selection(cur, student_id, interview_id, question_ids, now)


def _save_selection(cur, student_id: str, interview_id: str, question_ids: list[str], now: datetime) -> None:
    if len(set(question_ids)) != len(question_ids):
        raise InvalidInput("Questions", "a question is chosen twice")
    known = {qid for (qid,) in cur.execute(
        "SELECT CAST(id AS VARCHAR) FROM questions WHERE student_id IS NULL OR student_id = ?",
        [student_id]).fetchall()}
    unknown = [q for q in question_ids if q not in known]
    if unknown:
        raise InvalidInput("Questions", f"{len(unknown)} chosen question(s) no longer exist")
    notes = dict(cur.execute("""SELECT CAST(question_id AS VARCHAR), answer_notes FROM interview_questions
                                WHERE student_id = ? AND interview_id = ?""", [student_id, interview_id]).fetchall())
    cur.execute("DELETE FROM interview_questions WHERE student_id = ? AND interview_id = ?", [student_id, interview_id])
    for position, question_id in enumerate(question_ids):
        cur.execute("""INSERT INTO interview_questions (id, student_id, interview_id, question_id, position,
                                                        answer_notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    [new_id(), student_id, interview_id, question_id, position, notes.get(question_id), now])


@dataclass
class Budget:
    length: int
    questions_minutes: float
    available: float = field(init=False)

    def __post_init__(self):
        self.available = self.length - OPENING_MINUTES - CLOSING_MINUTES

    @property
    def over(self) -> bool:
        return self.questions_minutes > self.available

    @property
    def share(self) -> float:
        return min(1.0, self.questions_minutes / self.available) if self.available > 0 else 1.0


def budget(length_minutes: int, chosen: pd.DataFrame) -> Budget:
    """Minutes of chosen questions against the time left once the opening and the closing
    (its questions included) are reserved."""
    body = chosen[chosen["category"] != "closing"]
    return Budget(length=length_minutes, questions_minutes=float(body["minutes"].sum()))


def order_rows(rows: list[tuple[int, dict, bool]]) -> list[dict]:
    """The list in the order the student numbered it, removals dropped. A number typed by the
    student wins a tie with the number a row already had, so Order = 1 puts a question first;
    rows otherwise keep their place."""
    kept = [(values, changed, index) for index, values, changed in rows if not values.get("Remove")]

    def number(values):
        order = values.get("Order")
        return 999 if order is None or order != order else order
    return [values for values, _, _ in sorted(kept, key=lambda r: (number(r[0]), not r[1], r[2]))]


def list_warnings(chosen: pd.DataFrame) -> list[str]:
    """What the list as a whole is missing, and the chosen questions better left out."""
    warnings = []
    if not (chosen["category"] == "closing").any():
        warnings.append("No closing question: end by asking to stay in touch and to connect on LinkedIn.")
    if not ((chosen["category"] == "referrals").any() or (chosen["bank_key"] == "closing_referrals").any()):
        warnings.append("No referral question: ask who else you should talk to; it is how your network grows.")
    for text in chosen["text"]:
        for reason in avoid_reasons(text):
            warnings.append(f"\u201c{text}\u201d {reason}.")
    return warnings


# --- the prep sheet ---------------------------------------------------------------------

def sheet(db: Database, student_id: str, interview_id: str) -> dict:
    """Everything the one-page prep sheet shows."""
    record = interview(db, student_id, interview_id)
    chosen = selection(db, student_id, interview_id)
    return {**record, "questions": chosen[chosen["category"] != "closing"]["text"].tolist(),
            "closing": chosen[chosen["category"] == "closing"]["text"].tolist(),
            "format_label": FORMATS.get(record["format"], record["format"])}


def _md(text) -> str:
    return md_escape(text, minimal=True) if text else ""


def sheet_markdown(data: dict) -> str:
    """The prep sheet as Markdown (user text escaped, so it prints as written)."""
    when = data["scheduled_at"]
    lines = [f"# Conversation with {_md(data['contact'])}", "",
             f"**{when:%A %d %B %Y, %H:%M}** · {_md(data['format_label'])} · {data['length_minutes']} minutes", "",
             f"**Who:** {_md(data['contact'])}" + (f", {_md(data['role'])}" if data["role"] else "")
             + (f" at {_md(data['organisation'])}" if data["organisation"] else ""), ""]
    if data["how_met"]:
        lines += [f"**How we're connected:** {_md(data['how_met'])}", ""]
    lines += ["## Research notes", "", _md(data["research_notes"]) or "_(none yet)_", "",
              "## My intro", "", _md(data["pitch"]) or "_(write two sentences about your interests and goals)_", "",
              "## Questions", ""]
    for number, text in enumerate(data["questions"], start=1):
        lines += [f"{number}. {_md(text)}", "", "   Notes: ______________________________________________", ""]
    if not data["questions"]:
        lines += ["_(choose questions on the Questions tab)_", ""]
    lines += ["## Closing", ""] + [f"- {_md(text)}" for text in data["closing"]]
    lines += ["", f"_Thank them within {data.get('thank_you_hours') or 24} hours._", ""]
    return "\n".join(lines)


def sheet_html(data: dict) -> str:
    """The prep sheet as one printable HTML page (an autoescaping template in lib/documents)."""
    from lib import documents
    return documents.prep_sheet_html(data)


def sheet_pdf(data: dict) -> bytes:
    """The prep sheet as a one-page A4 PDF (the same content, a Unicode font)."""
    from lib import documents
    return documents.prep_sheet_pdf(data)


# --- after the conversation ----------------------------------------------------------------

@dataclass
class ConversationLog:
    status: str
    notes: str | None = None
    takeaways: str | None = None
    asked_linkedin: bool = False
    asked_stay_in_touch: bool = False
    asked_referrals: bool = False
    closing_answers: str | None = None
    resume_requested: bool = False
    referrals: list[dict] = field(default_factory=list)      # {"name", "organisation"}
    referral_answers: dict[int, str] = field(default_factory=dict)   # row -> contact id or referrals.NEW_PERSON
    answer_notes: dict[str, str] = field(default_factory=dict)   # interview_questions.id -> notes
    new_time: datetime | None = None                           # when rescheduled


def log_conversation(db: Database, student_id: str, interview_id: str, log: ConversationLog, today: date,
                     now: datetime) -> referrals.Outcome:
    """Record how it went, in one transaction. Held: every person they suggested is recorded
    through lib/referrals.py (an existing contact turns warm, a new one is added, each with
    one to-do to reach out; an unsure match raises referrals.UnsureMatch until
    `log.referral_answers` says who is who); a resume request and a LinkedIn ask become
    to-dos. Rescheduled: the conversation moves to `new_time` and stays scheduled. Saving
    again doesn't duplicate people or to-dos. Returns what happened to the referrals."""
    if log.status not in INTERVIEW_STATUSES or log.status == "scheduled":
        raise InvalidInput("Status", "must be held, cancelled, no-show or rescheduled")
    notes = clean_text(log.notes, "Notes", max_len=10000)
    takeaways = clean_text(log.takeaways, "Key takeaways", max_len=5000)
    answers = clean_text(log.closing_answers, "Their answers", max_len=2000)
    suggested = referrals.clean(log.referrals)           # checked whatever the status: bad rows are named
    with db.write(student_id=student_id) as cur:
        record = cur.execute("""SELECT i.scheduled_at, CAST(i.contact_id AS VARCHAR), c.name FROM interviews i
                                JOIN contacts c ON c.id = i.contact_id WHERE i.student_id = $sid AND i.id = $iid""",
                             {"sid": student_id, "iid": interview_id}).fetchone()
        if record is None:
            raise InvalidInput("Conversation", "is not one of yours")
        scheduled_at, contact_id, contact = record
        if log.status == "rescheduled":
            if log.new_time is None or log.new_time.date() < today or log.new_time.date() > today + timedelta(days=365):
                raise InvalidInput("New date", "must be from today to a year ahead")
            cur.execute("""UPDATE interviews SET scheduled_at = $at, status = 'scheduled',
                               notes = concat_ws(E'\\n', notes, $moved) WHERE id = $iid""",
                        {"at": log.new_time, "iid": interview_id,
                         "moved": f"Rescheduled from {scheduled_at:%d %b %Y %H:%M}."})
            shift = (log.new_time.date() - scheduled_at.date()).days
            cur.execute("UPDATE prep_items SET due_on = due_on + $days WHERE interview_id = $iid AND done_at IS NULL",
                        {"days": shift, "iid": interview_id})
            return referrals.Outcome()
        if log.status in ("held", "no_show") and scheduled_at > now:
            raise InvalidInput("Status", f"the conversation is on {scheduled_at:%d %b %Y at %H:%M}: "
                                         "log it once it has happened")
        cur.execute("""UPDATE interviews SET status = $status, notes = $notes, takeaways = $takeaways,
                           asked_linkedin = $li, asked_stay_in_touch = $stay, asked_referrals = $refs,
                           closing_answers = $answers, resume_requested = $resume,
                           -- the thank-you window in force when it was held stays with it
                           thank_you_hours = CASE WHEN $status = 'held' THEN coalesce(thank_you_hours,
                               (SELECT thank_you_hours FROM students WHERE id = $sid)) END
                       WHERE id = $iid""",
                    {"status": log.status, "sid": student_id, "notes": notes, "takeaways": takeaways,
                     "li": log.asked_linkedin,
                     "stay": log.asked_stay_in_touch, "refs": log.asked_referrals or bool(suggested),
                     "answers": answers, "resume": log.resume_requested, "iid": interview_id})
        for iq_id, text in log.answer_notes.items():
            cur.execute("UPDATE interview_questions SET answer_notes = ? WHERE student_id = ? AND id = ?",
                        [clean_text(text, "Notes on a question", max_len=3000), student_id, iq_id])
        if log.status != "held":
            return referrals.Outcome()
        outcome = referrals.record(cur, student_id, suggested if log.status == "held" else [], referred_by=contact_id, referrer_name=contact,
                                   how_met=f"Suggested by {contact} in our conversation", today=today, now=now,
                                   answers=log.referral_answers, interview_id=interview_id)
        if log.resume_requested:
            _task(cur, student_id, "send_resume", f"Send your resume to {contact}", contact_id, interview_id,
                  today + timedelta(days=1), now)
        if log.asked_linkedin:
            _task(cur, student_id, "connect_linkedin", f"Connect with {contact} on LinkedIn", contact_id,
                  interview_id, today + timedelta(days=1), now)
        return outcome


def _task(cur, student_id, kind, title, contact_id, interview_id, due_on, now) -> None:
    """A to-do, unless this conversation already made the same one."""
    exists = cur.execute("""SELECT count(*) FROM tasks WHERE student_id = ? AND kind = ? AND interview_id = ?
                            AND contact_id = ?""", [student_id, kind, interview_id, contact_id]).fetchone()[0]
    if not exists:
        cur.execute("""INSERT INTO tasks (id, student_id, kind, title, contact_id, interview_id, due_on, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                    [new_id(), student_id, kind, title, contact_id, interview_id, due_on, now])


# --- tables ---------------------------------------------------------------------------------

def interviews_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Conversations, upcoming first, with prep readiness (share of checklist items done)."""
    frame = db.df("""
        SELECT c.name AS "Contact", o.name AS "Organisation", i.scheduled_at AS "When",
               i.format AS "Format", i.length_minutes AS "Minutes", i.status AS "Status",
               CASE WHEN count(p.id) > 0
                    THEN round(CAST(100 * count(p.done_at) AS DOUBLE PRECISION) / count(p.id), 0) END AS "Ready %",
               i.takeaways AS "Takeaways", i.thank_you_sent_at AS "Thank-you sent"
        FROM interviews i JOIN contacts c ON c.id = i.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        LEFT JOIN prep_items p ON p.interview_id = i.id
        WHERE i.student_id = $sid
        GROUP BY i.id, c.name, o.name, i.scheduled_at, i.format, i.length_minutes, i.status, i.takeaways,
                 i.thank_you_sent_at
        ORDER BY i.status <> 'scheduled', i.scheduled_at DESC""", {"sid": student_id})
    frame["Format"] = frame["Format"].map(FORMATS)
    frame["Status"] = frame["Status"].map(INTERVIEW_STATUSES)
    return frame
