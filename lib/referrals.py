"""Referrals: someone the student talked with suggested another person. One door for both
places that happens (a reply "Referred me elsewhere", and the log of a held conversation).

A referral is matched against the network before anything is created, so a person is never
added twice: by LinkedIn URL, then email, then the same name at the same organisation. A
name that is only close (rapidfuzz), or the same name with no organisation to tell, is
*unsure*: the student is asked, and the write waits for the answer. A match turns the
existing contact warm (a cold contact becomes a referral, introduced by the referrer); a
new person is added as a warm referral. Either way there is one open to-do to reach out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from rapidfuzz import fuzz, utils

from lib import method, network
from lib.db import new_id
from lib.models import InvalidInput, InvalidRows, clean_text

NEAR_NAME_SCORE = 85          # rapidfuzz token-sort ratio from which two names may be one person
NEW_PERSON = "new"            # the answer "a different person" to an unsure match


@dataclass(frozen=True)
class Referral:
    """A suggested person as the student typed them."""
    name: str
    organisation: str | None = None
    email: str | None = None
    linkedin_url: str | None = None


@dataclass(frozen=True)
class Candidate:
    """An existing contact who may be the suggested person."""
    contact_id: str
    label: str          # name, role, organisation, how met: what tells same-named people apart


@dataclass(frozen=True)
class Question:
    """Is the referral at `row` one of these people? Asked when a match is unsure."""
    row: int
    name: str
    candidates: tuple[Candidate, ...]


class UnsureMatch(InvalidInput):
    """One or more referrals may already be in the network: the student must say who is who.
    Nothing was written. `answers` to resubmit: {row: contact_id or NEW_PERSON}."""

    def __init__(self, questions: list[Question]):
        names = ", ".join(q.name for q in questions)
        super().__init__("People they suggested", f"{names} may already be in your network: "
                                                  "say whether it is the same person")
        self.questions = questions


@dataclass
class Outcome:
    """What recording the referrals did: contacts added, and existing contacts reused."""
    added: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)


def clean(rows: list[dict], label: str = "Referral") -> list[tuple[int, Referral]]:
    """The non-blank rows of an editor or form as Referrals, numbered as on screen."""
    referrals, problems = [], []
    for number, values in enumerate(rows, start=1):
        if not any(str(v or "").strip() for v in values.values()):
            continue
        try:
            referrals.append((number, Referral(
                name=clean_text(values.get("name"), "Name", required=True, max_len=120),
                organisation=clean_text(values.get("organisation"), "Organisation", max_len=160),
                email=network.normalise_email(values.get("email")),
                linkedin_url=network.normalise_linkedin(values.get("linkedin_url")))))
        except InvalidInput as exc:
            problems.append(InvalidInput(f"{label} {number}, {exc.field}", exc.message))
    if problems:
        raise InvalidRows(problems)
    return referrals


def _people(cur, student_id: str) -> list[dict]:
    rows = cur.execute("""
        SELECT CAST(c.id AS VARCHAR), c.name, o.name, c.role, c.how_met, lower(c.email), lower(c.linkedin_url),
               c.archived_at IS NOT NULL, CAST(c.referred_by AS VARCHAR)
        FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE c.student_id = $sid""", {"sid": student_id}).fetchall()
    return [dict(zip(("id", "name", "organisation", "role", "how_met", "email", "url", "archived", "referred_by"), row))
            for row in rows]


def describe(person: dict) -> str:
    return network.describe(person) + (" · archived" if person.get("archived") else "")


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def match(people: list[dict], referral: Referral, referred_by: str | None = None) -> tuple[str | None, list[dict]]:
    """(the contact this referral certainly is, or None; else the people it may be). The
    same name already introduced by the same referrer is certain: a log saved again."""
    if referral.linkedin_url:
        for person in people:
            if person["url"] == referral.linkedin_url.lower():
                return person["id"], []
    if referral.email:
        for person in people:
            if person["email"] == referral.email.lower():
                return person["id"], []
    key = network.org_key(referral.organisation)
    same_name = [p for p in people if _same_name(p["name"], referral.name)]
    again = [p for p in same_name if referred_by and p["referred_by"] == referred_by]
    if len(again) == 1:
        return again[0]["id"], []
    if key:
        exact = [p for p in same_name if network.org_key(p["organisation"]) == key]
        if len(exact) == 1:
            return exact[0]["id"], []
        near = [p for p in people if network.org_key(p["organisation"]) == key and
                fuzz.token_sort_ratio(p["name"], referral.name, processor=utils.default_process) >= NEAR_NAME_SCORE]
        # the same name elsewhere may be someone who moved: asked, never assumed
        return None, near or [p for p in same_name if not p["organisation"]]
    return None, same_name


def record(cur, student_id: str, referrals: list[tuple[int, Referral]], *, referred_by: str, referrer_name: str,
           how_met: str, today: date, now: datetime, answers: dict[int, str] | None = None,
           interview_id: str | None = None) -> Outcome:
    """Inside the caller's write transaction: each referral matched or added (see the module
    docstring), with one open to-do to reach out. Raises UnsureMatch (before writing
    anything) while an unsure match has no answer in `answers`."""
    answers = answers or {}
    people = _people(cur, student_id)
    resolved, questions = [], []
    for row, referral in referrals:
        contact_id, maybe = match(people, referral, referred_by)
        if contact_id is None and maybe:
            answer = answers.get(row)
            if answer is None or (answer != NEW_PERSON and answer not in {p["id"] for p in maybe}):
                questions.append(Question(row, referral.name, tuple(Candidate(p["id"], describe(p)) for p in maybe)))
                continue
            contact_id = None if answer == NEW_PERSON else answer
        resolved.append((referral, contact_id))
    if questions:
        raise UnsureMatch(questions)
    outcome = Outcome()
    for referral, contact_id in resolved:
        if contact_id == referred_by:
            continue                                   # they named themselves: nothing to follow up
        if contact_id is None:
            contact_id = network.insert_contact(cur, student_id, network.ContactInput(
                name=referral.name, organisation=referral.organisation, email=referral.email,
                linkedin_url=referral.linkedin_url, source="referral", referred_by=referred_by, how_met=how_met), now)
            outcome.added.append(contact_id)
            people.append({"id": contact_id, "name": referral.name, "organisation": referral.organisation,
                           "role": None, "how_met": how_met, "email": referral.email and referral.email.lower(),
                           "url": referral.linkedin_url and referral.linkedin_url.lower(), "archived": False,
                           "referred_by": referred_by})
        else:
            try:                                        # introduced by the referrer, unless that makes a loop
                network.check_referrer(cur, student_id, referred_by, contact_id)
                introduced_by = referred_by
            except InvalidInput:
                introduced_by = None
            _warm_up(cur, student_id, contact_id, introduced_by, now)
            outcome.matched.append(contact_id)
        _to_do(cur, student_id, contact_id, f"Reach out to {referral.name} (suggested by {referrer_name})",
               interview_id, today + timedelta(days=method.REFERRAL_WAIT_DAYS), now, referred_by, today)
    return outcome


def _warm_up(cur, student_id: str, contact_id: str, referred_by: str | None, now: datetime) -> None:
    """An existing contact was suggested: warm from now on. A cold one becomes a referral
    introduced by the referrer; a warm one keeps where they come from. Restored if archived."""
    cur.execute("""
        UPDATE contacts SET warmth = 'warm',
               source = CASE WHEN warmth = 'cold' THEN 'referral' ELSE source END,
               referred_by = CASE WHEN referred_by IS NULL AND warmth = 'cold' THEN CAST($ref AS UUID)
                                  ELSE referred_by END,
               archived_at = NULL, revision = revision + 1
        WHERE student_id = $sid AND id = $cid""", {"sid": student_id, "cid": contact_id, "ref": referred_by})


def _to_do(cur, student_id: str, contact_id: str, title: str, interview_id: str | None, due_on: date,
           now: datetime, suggested_by: str | None, today: date) -> None:
    """One open 'reach out' to-do per person, however often they are suggested. Someone whose
    request is still waiting for its reply is being contacted already: their to-do is born done."""
    open_ = cur.execute("""SELECT count(*) FROM tasks WHERE student_id = ? AND contact_id = ?
                           AND kind = 'referral_outreach' AND done_at IS NULL""", [student_id, contact_id]).fetchone()[0]
    if open_:
        return
    waiting = cur.execute(f"""SELECT count(*) FROM outreach_requests r WHERE r.student_id = $sid
                              AND r.contact_id = $cid AND {method.routine_open("r")}""",
                          {"sid": student_id, "cid": contact_id, "today": today}).fetchone()[0]
    cur.execute("""INSERT INTO tasks (id, student_id, kind, title, contact_id, interview_id, due_on, created_at,
                                      done_at, suggested_by)
                   VALUES (?, ?, 'referral_outreach', ?, ?, ?, ?, ?, ?, ?)""",
                [new_id(), student_id, title, contact_id, interview_id, due_on, now, now if waiting else None,
                 suggested_by])
