"""The demo cohort: generated, deterministic for a seed and an "as of" date, labelled demo.

Every date is placed relative to `as_of`, so a demo built today looks current. Students
follow a few recognisable patterns (thriving, steady, cold contacts only, late
thank-yous, just started, gone quiet) so a coach has real stuck points to find. Replies
follow the method's experience: warm contacts answer more often and sooner than cold.

The demo lives in its own database file (lib.db.demo_path()); it is never written into
a file holding real students.
"""
from __future__ import annotations

import csv
import functools
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

from lib import clock, method
from lib.db import ROOT, Database
from lib.network import org_key
from lib.prep import CLOSING_KEYS, bank_rows, checklist_template
from lib.models import SOURCES, WARM_SOURCES, suggested_warmth

DEFAULT_STUDENTS = 12
DEFAULT_SEED = 7

FIRST = ["Maya", "Jonah", "Priya", "Diego", "Aisha", "Liam", "Mei", "Omar", "Sofia", "Kwame",
         "Hannah", "Ravi", "Elena", "Tariq", "Grace", "Mateo", "Yuki", "Noah", "Amara", "Lucas",
         "Fatima", "Ethan", "Ines", "Samuel", "Leila", "Daniel", "Chloe", "Arjun", "Zoe", "Kofi",
         "Nadia", "Felix", "Rosa", "Hiro", "Alma", "Isaac", "Wen", "Carmen", "Tomas", "Esther"]
LAST = ["Chen", "Okafor", "Patel", "Garcia", "Khan", "Murphy", "Nguyen", "Haddad", "Rossi",
        "Mensah", "Schmidt", "Iyer", "Petrova", "Ali", "Kim", "Alvarez", "Tanaka", "Cohen",
        "Diallo", "Silva", "Rahman", "Walker", "Moreau", "Osei", "Farah", "Novak", "Lopez",
        "Singh", "Brennan", "Sato", "Abebe", "Jensen", "Ortiz", "Yilmaz", "Baker", "Wu"]
SCHOOLS = ["Lakeside University", "Riverside State University", "Hillcrest College",
           "Northfield Institute of Technology"]
COHORTS = ["Spring 2027 workshop", "Fall 2026 advising"]


@dataclass(frozen=True)
class Field:
    name: str
    majors: tuple[str, ...]
    industry: str
    organisations: tuple[str, ...]
    roles: tuple[str, ...]


FIELDS = (
    Field("data science", ("Statistics", "Computer Science", "Economics"), "Analytics",
          ("Brightline Analytics", "Meridian Health Data", "Civic Insight Lab", "Northwind Retail",
           "Lumen Fintech", "Open Transit Authority"),
          ("Data Scientist", "Analytics Manager", "Machine Learning Engineer", "Data Engineer",
           "Research Analyst")),
    Field("public health", ("Public Health", "Biology", "Sociology"), "Health",
          ("County Health Department", "Riverbend Community Clinic", "Healthy Cities Institute",
           "Mercy Regional Hospital", "Global Vaccine Alliance"),
          ("Epidemiologist", "Program Manager", "Health Educator", "Policy Analyst")),
    Field("marketing", ("Marketing", "Communications", "Psychology"), "Marketing and media",
          ("Fable & Finch Agency", "Summit Outdoor Co.", "Pixel Harbor Studios", "Greenleaf Foods",
           "Northstar Media"),
          ("Brand Manager", "Content Strategist", "Marketing Analyst", "Account Director")),
    Field("environmental policy", ("Environmental Studies", "Political Science", "Geography"),
          "Energy and environment",
          ("Clean Rivers Trust", "State Energy Office", "Terra Consulting",
           "Coastal Resilience Network", "Solaris Power"),
          ("Sustainability Consultant", "Policy Advisor", "Field Scientist", "Program Officer")),
    Field("software engineering", ("Computer Science", "Mathematics", "Cognitive Science"),
          "Software",
          ("Cobalt Systems", "Harbor Robotics", "Quill Software", "Atlas Cloud", "Kestrel Games"),
          ("Software Engineer", "Engineering Manager", "Product Manager",
           "Site Reliability Engineer")),
    Field("museums and the arts", ("Art History", "History", "English"), "Arts and culture",
          ("City Museum of Art", "Lantern Theatre Company", "Heritage Archives",
           "Mosaic Arts Council"),
          ("Curator", "Education Director", "Development Officer", "Collections Manager")),
    Field("finance", ("Finance", "Economics", "Accounting"), "Financial services",
          ("Granite Capital", "Evergreen Credit Union", "Beacon Advisory", "Keystone Bank"),
          ("Financial Analyst", "Portfolio Manager", "Risk Analyst", "Relationship Manager")),
    Field("education", ("Education", "Psychology", "Linguistics"), "Education",
          ("Lincoln Unified School District", "Bright Futures Nonprofit", "Open Learning Lab",
           "Westfield College Admissions"),
          ("Teacher", "Instructional Designer", "Program Director", "Admissions Counselor")),
)


@dataclass(frozen=True)
class Pattern:
    """How a kind of student behaves: the knobs behind a recognisable coaching story."""
    name: str
    contacts: tuple[int, int]
    warm_share: float
    ask_share: float
    thank_on_time: float
    thank_missing: float
    active_days: tuple[int, int]     # contacts were added this many days before as_of
    follow_up_share: float
    quiet_days: int = 0              # nothing was sent in this many days before as_of


PATTERNS = (
    Pattern("thriving", (28, 38), 0.55, 0.65, 0.9, 0.0, (4, 150), 0.85),
    Pattern("steady", (18, 28), 0.5, 0.5, 0.7, 0.1, (6, 130), 0.6),
    Pattern("cold contacts only", (14, 22), 0.1, 0.6, 0.7, 0.1, (5, 90), 0.5),
    Pattern("late thank-yous", (18, 26), 0.5, 0.55, 0.2, 0.35, (5, 140), 0.4),
    Pattern("just started", (5, 9), 0.6, 0.3, 0.9, 0.0, (0, 9), 0.5),
    Pattern("gone quiet", (12, 18), 0.5, 0.45, 0.5, 0.3, (35, 160), 0.2, quiet_days=30),
)

HOW_MET = {
    "family": ["My aunt", "My uncle", "A cousin", "A family friend", "My older sister's partner"],
    "friends_community": ["Friend from high school", "Neighbour", "From my volunteering group",
                          "A teammate's parent"],
    "professors_mentors": ["Professor of my {major} seminar", "My research mentor",
                           "My academic advisor"],
    "supervisors_coworkers": ["Supervisor at my summer job", "Co-worker at the campus library",
                              "Research lab partner"],
    "career_coach": ["My career-centre coach"],
    "alumni": ["{school} alum, found in the alumni directory", "{school} alum, met at homecoming"],
    "referral": ["Introduced by {referrer}"],
    "linkedin": ["Found on LinkedIn", "Found through a LinkedIn search for {field}"],
    "org_website": ["Found on the {org} team page"],
    "event": ["Met at the fall career fair", "Met at a {field} meet-up",
              "Spoke on a campus panel about {field}"],
    "other": ["Read their article on {field}", "Heard them on a podcast"],
}
TAKEAWAYS = [
    "Build a small portfolio project before applying; it starts every conversation.",
    "The field values communication as much as technical depth.",
    "Join the regional professional association: its events are where people hire.",
    "Internships here are posted in January; the team decides by March.",
    "Their path was not linear: two roles in other fields before this one.",
    "A certificate matters less than showing the work.",
    "Small organisations give more responsibility early.",
    "Read the trade newsletter they recommended every week.",
    "Talk to someone on the operations side too, not only the glamorous roles.",
    "Graduate school can wait: most people there went after a few years of work.",
]
CLOSING_ANSWERS = [
    "Happy to connect on LinkedIn and hear how things go.",
    "Yes to staying in touch; suggested I write after my next internship.",
    "Suggested two colleagues and said I may use their name.",
]
DAYS_OF_WEEK_HOURS = (9, 10, 11, 13, 14, 15, 16)


@functools.lru_cache(maxsize=1)
def demo_notes() -> dict[str, list[str]]:
    """What people in each demo field say, for the demo's conversation notes."""
    notes: dict[str, list[str]] = {}
    with open(ROOT / "data" / "demo_notes.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            notes.setdefault(row["field"], []).append(row["note"])
    return notes


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class _Cohort:
    """Collects generated rows table by table, then writes them in one transaction."""

    def __init__(self, seed: int, as_of: date):
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.now = clock.moment_of(as_of)
        self.tables: dict[str, list[dict]] = {t: [] for t in (
            "students", "organisations", "contacts", "outreach_requests", "interviews",
            "touches", "prep_items", "advising_sessions", "action_items", "tasks", "interview_questions")}
        self.template = checklist_template().to_dict("records")
        bank = bank_rows()
        self.bank = [q for q in bank if q["category"] != "closing"]
        self.closing = [q for key in CLOSING_KEYS for q in bank if q["bank_key"] == key]
        self.used_names: set[str] = set()
        self.taken: set[tuple[str, str]] = set()    # (student, email or URL): the database keys them unique
        self.employers: dict[tuple[str, str], dict] = {}

    def person_name(self) -> str:
        rng = self.rng
        for _ in range(20):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if name not in self.used_names:
                break
        self.used_names.add(name)
        return name

    def add(self, table: str, **row) -> dict:
        row.setdefault("id", _uuid(self.rng))
        self.tables[table].append(row)
        return row

    # --- one student -------------------------------------------------------------------
    def student(self, index: int) -> None:
        rng = self.rng
        pattern = PATTERNS[index % len(PATTERNS)]
        field = FIELDS[rng.randrange(len(FIELDS))]
        school = rng.choice(SCHOOLS)
        major = rng.choice(field.majors)
        year = self.as_of.year + rng.choice((0, 1, 1, 2))
        name = self.person_name()
        start = self.now - timedelta(days=pattern.active_days[1] + 10)
        student = self.add(
            "students", name=name, school=school, major=major, class_year=year,
            fields_of_interest=field.name,
            pitch=(f"I'm a {major} student at {school} curious about {field.name}. "
                   f"I'm hoping to learn how people built careers as a {rng.choice(field.roles).lower()}."),
            cohort=COHORTS[index % len(COHORTS)], thank_you_hours=method.DEFAULT_THANK_YOU_HOURS, is_demo=True,
            created_at=start)
        sid = student["id"]
        ctx = {"school": school, "major": major, "field": field.name}

        orgs = []
        for org_name in rng.sample(field.organisations, k=min(len(field.organisations), rng.randint(3, 5))):
            org = self.add("organisations", student_id=sid, name=org_name, name_key=org_key(org_name),
                           industry=field.industry,
                           website=None, motivation=rng.randint(0, 3), postings=rng.randint(1, 3),
                           notes=None, created_at=start + timedelta(days=rng.randint(0, 5)),
                           archived_at=None, target=True)
            self.employers[(sid, org_name)] = org
            orgs.append(org)

        n_contacts = rng.randint(*pattern.contacts)
        contacts = [self.contact(sid, pattern, field, orgs, ctx) for _ in range(n_contacts)]
        met: list[dict] = []
        for contact in list(contacts):
            if rng.random() < pattern.ask_share:
                interview = self.request(sid, contact, pattern, field)
                if interview is not None and interview["status"] == "held":
                    met.append(contact)
                    for referral in self.referrals(sid, contact, interview, pattern, field, orgs, ctx):
                        contacts.append(referral)
        self.sessions(sid, pattern)

    def contact(self, sid: str, pattern: Pattern, field: Field, orgs: list[dict], ctx: dict,
                *, source: str | None = None, referrer: dict | None = None,
                created: datetime | None = None) -> dict:
        rng = self.rng
        if source is None:
            warm = rng.random() < pattern.warm_share
            pool = [s for s in WARM_SOURCES if s != "referral"] if warm else \
                [s for s in SOURCES if s not in WARM_SOURCES]
            source = rng.choice(pool)
        name = self.person_name()
        first, last = name.split(" ", 1)
        org = rng.choice(orgs) if orgs and rng.random() < 0.75 else None
        if org is None:  # works somewhere that is not (yet) on the student's LAMP list
            org = self.employer(sid, rng.choice(field.organisations), field, created or self.now)
        org_name = org["name"]
        domain = "".join(ch for ch in org_name.lower() if ch.isalnum())[:18] + ".example"
        how = rng.choice(HOW_MET[source]).format(org=org_name, referrer=referrer["name"] if referrer else "",
                                                 **ctx)
        if created is None:
            lo, hi = pattern.active_days
            created = self.now - timedelta(days=rng.randint(lo, hi), hours=rng.randint(0, 8))
        return self.add(
            "contacts", student_id=sid, name=name, role=rng.choice(field.roles),
            organisation_id=org["id"],
            email=self.unique(sid, f"{first.lower()}.{last.lower()}", f"@{domain}") if rng.random() < 0.8 else None,
            linkedin_url=(self.unique(sid, f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-"
                                           f"{rng.randint(10, 99)}", "") if rng.random() < 0.7 else None),
            phone=None, warmth=suggested_warmth(source), source=source, how_met=how,
            referred_by=referrer["id"] if referrer else None,
            keep_in_touch_days=rng.choice((None, None, None, 90, 120)) if source in WARM_SOURCES else None,
            notes=None, import_id=None, created_at=created, archived_at=None)

    def unique(self, sid: str, stem: str, tail: str) -> str:
        """stem + tail, numbered (stem2 + tail...) when this student already has it: a big
        cohort repeats names, and a student's contacts' emails and URLs are unique keys."""
        value, n = stem + tail, 1
        while (sid, value.lower()) in self.taken:
            n += 1
            value = f"{stem}{n}{tail}"
        self.taken.add((sid, value.lower()))
        return value

    def employer(self, sid: str, name: str, field: Field, created: datetime) -> dict:
        """The student's organisation row for an employer, created (not a target) on first use."""
        key = (sid, name)
        if key not in self.employers:
            self.employers[key] = self.add(
                "organisations", student_id=sid, name=name, name_key=org_key(name), industry=field.industry,
                website=None,
                motivation=None, postings=None, notes=None, created_at=created, archived_at=None, target=False)
        return self.employers[key]

    def request(self, sid: str, contact: dict, pattern: Pattern, field: Field) -> dict | None:
        """Send a request, maybe get a reply, maybe meet. Returns the interview if one was set."""
        rng = self.rng
        sent = _weekday_on_or_after(contact["created_at"].date() + timedelta(days=rng.randint(1, 30)))
        if sent > self.as_of - timedelta(days=pattern.quiet_days):
            return None
        warm = contact["warmth"] == "warm"
        if contact["email"]:
            channel = "text" if contact["source"] in ("family", "friends_community") and rng.random() < 0.3 \
                else "email"
        else:
            channel = "linkedin" if rng.random() < 0.8 else "social"
        # Warm contacts reply more often and sooner (the method's Boosters are mostly warm).
        p_reply = (0.8 if warm else 0.35) * (0.9 if channel in ("linkedin", "social") else 1.0)
        p_fast = 0.6 if warm else 0.35
        replied_on = outcome = None
        if rng.random() < p_reply:
            booster = method.BOOSTER_BUSINESS_DAYS
            latency = rng.randint(1, booster) if rng.random() < p_fast else rng.randint(booster + 1, 12)
            candidate = clock.add_business_days(sent, latency)
            if candidate <= self.as_of:
                replied_on = candidate
                outcome = rng.choices(("agreed", "referred", "declined"), (0.72, 0.14, 0.14))[0]
        follow_up = None
        due = clock.add_business_days(sent, method.FOLLOW_UP_BUSINESS_DAYS)
        if (replied_on is None or replied_on > due) and due <= self.as_of and rng.random() < pattern.follow_up_share:
            follow_up = min(clock.add_business_days(due, rng.randint(0, method.CURMUDGEON_BUSINESS_DAYS - 1)), self.as_of)
            if replied_on is not None and follow_up >= replied_on:
                follow_up = None
        first = contact["name"].split(" ")[0]
        message = (f"Hi {first}, I'm a student exploring {field.name}. {contact['how_met']}. "
                   f"I'd love to hear how you became a {contact['role'].lower()}. "
                   f"Would you have 20 minutes for a short call in the next few weeks?")
        request = self.add("outreach_requests", student_id=sid, contact_id=contact["id"], channel=channel,
                           sent_on=sent, message=message, follow_up_sent_on=follow_up, replied_on=replied_on,
                           outcome=outcome, created_at=datetime.combine(sent, time(9)))
        if replied_on is not None:
            self.add("touches", student_id=sid, contact_id=contact["id"], kind="reply",
                     happened_at=datetime.combine(replied_on, time(rng.randint(8, 18))), channel=channel,
                     note=None, created_at=datetime.combine(replied_on, time(19)))
        if outcome != "agreed":
            return None
        return self.interview(sid, contact, request, pattern, field)

    def interview(self, sid: str, contact: dict, request: dict, pattern: Pattern, field: Field) -> dict:
        rng = self.rng
        day = _weekday_on_or_after(request["replied_on"] + timedelta(days=rng.randint(3, 14)))
        scheduled = datetime.combine(day, time(rng.choice(DAYS_OF_WEEK_HOURS), rng.choice((0, 30))))
        length = rng.choice((20, 30, 30, 30))
        fmt = rng.choices(("video", "phone", "in_person"), (0.5, 0.3, 0.2))[0]
        ended = scheduled + timedelta(minutes=length)
        status = "scheduled"
        if ended <= self.now:
            status = rng.choices(("held", "cancelled", "no_show"), (0.88, 0.08, 0.04))[0]
        held = status == "held"
        asked_referrals = held and rng.random() < 0.7
        thank_you_at = None
        window = method.DEFAULT_THANK_YOU_HOURS       # every demo student keeps the default window
        if held:
            roll = rng.random()
            if roll < pattern.thank_on_time:
                thank_you_at = ended + timedelta(hours=rng.uniform(1, window - 2))
            elif roll < 1 - pattern.thank_missing:
                thank_you_at = ended + timedelta(hours=rng.uniform(window + 2, window + 86))
            if thank_you_at is not None and thank_you_at > self.now:
                thank_you_at = None
        interview = self.add(
            "interviews", student_id=sid, contact_id=contact["id"], request_id=request["id"],
            scheduled_at=scheduled, format=fmt, length_minutes=length, status=status,
            research_notes=None,
            notes="Talked through their path and a typical week." if held else None,
            takeaways=self.notes(field, request["id"]) if held else None,
            asked_linkedin=held and rng.random() < 0.8, asked_stay_in_touch=held and rng.random() < 0.8,
            asked_referrals=asked_referrals,
            closing_answers=rng.choice(CLOSING_ANSWERS) if held else None,
            resume_requested=held and rng.random() < 0.2, thank_you_sent_at=thank_you_at,
            thank_you_hours=window if held else None,
            created_at=datetime.combine(request["replied_on"], time(20)))
        if thank_you_at is not None:
            self.add("touches", student_id=sid, contact_id=contact["id"], kind="thank_you",
                     happened_at=thank_you_at, channel="email",
                     note="Thanked them and named one takeaway.", created_at=thank_you_at)
        if held:
            self.keep_in_touch(sid, contact, ended)
        if status in ("held", "scheduled"):
            self.questions(sid, interview)
        if status == "scheduled":
            self.prep(sid, interview, fmt)
        return interview

    def questions(self, sid: str, interview: dict) -> None:
        """The questions chosen for a conversation, as a student picks them: four to six from
        the bank, then the three closing ones. Drawn from their own generator, so the rest of
        the cohort is the same whichever questions come out."""
        rng = random.Random(f"questions:{interview['id']}")
        chosen = rng.sample(self.bank, rng.randint(4, 6))
        for position, question in [*enumerate(chosen, start=1), *enumerate(self.closing, start=1000)]:
            self.add("interview_questions", id=_uuid(rng), student_id=sid, interview_id=interview["id"],
                     question_id=question["id"], position=position, answer_notes=None,
                     created_at=interview["created_at"])

    def notes(self, field: Field, request_id: str) -> str:
        """Two takeaways in the words people in this field use (data/demo_notes.csv), drawn from
        their own generator so the rest of the cohort is the same whatever the notes say."""
        pool = demo_notes().get(field.name) or TAKEAWAYS
        return "\n".join(random.Random(request_id).sample(pool, 2))

    def keep_in_touch(self, sid: str, contact: dict, since: datetime) -> None:
        rng = self.rng
        moment = since
        while True:
            moment = moment + timedelta(days=rng.randint(40, 200))
            if moment > self.now or rng.random() < 0.35:
                return
            self.add("touches", student_id=sid, contact_id=contact["id"],
                     kind=rng.choice(("update", "advice_followed", "article", "question", "comment")),
                     happened_at=moment, channel="email", note=None, created_at=moment)

    def prep(self, sid: str, interview: dict, fmt: str) -> None:
        rng = self.rng
        day = interview["scheduled_at"].date()
        for position, item in enumerate(self.template):
            if item["in_person_only"] and fmt != "in_person":
                continue
            due = day - timedelta(days=int(item["days_before"]))
            done = rng.random() < 0.6 and due <= self.as_of
            self.add("prep_items", student_id=sid, interview_id=interview["id"], item_key=item["key"],
                     label=item["label"], position=position, due_on=due,
                     done_at=datetime.combine(min(due, self.as_of), time(18)) if done else None,
                     created_at=interview["created_at"])

    def referrals(self, sid, contact, interview, pattern, field, orgs, ctx) -> list[dict]:
        if not interview["asked_referrals"]:
            return []
        rng = self.rng
        met_at = interview["scheduled_at"] + timedelta(minutes=interview["length_minutes"])
        found = []
        for _ in range(rng.choice((0, 1, 1, 2))):
            referral = self.contact(sid, pattern, field, orgs, ctx, source="referral", referrer=contact,
                                    created=met_at + timedelta(hours=1))
            found.append(referral)
            if rng.random() < 0.6:
                self.request(sid, referral, pattern, field)
            else:
                self.add("tasks", student_id=sid, kind="referral_outreach",
                         title=f"Reach out to {referral['name']} (referred by {contact['name']})",
                         contact_id=referral["id"], interview_id=interview["id"],
                         due_on=met_at.date() + timedelta(days=7), done_at=None, created_at=met_at)
        return found

    def sessions(self, sid: str, pattern: Pattern) -> None:
        rng = self.rng
        for k in range(rng.randint(1, 3)):
            held_on = _weekday_on_or_after(self.as_of - timedelta(days=rng.randint(3, 80)))
            if held_on > self.as_of:
                held_on = self.as_of
            session = self.add("advising_sessions", student_id=sid, coach_name="Demo coach", held_on=held_on,
                               notes=f"Reviewed progress ({pattern.name}). Agreed next steps below.",
                               visibility="shared", created_at=datetime.combine(held_on, time(15)))
            for text in rng.sample(["Add five warm contacts from the alumni directory",
                                    "Send two requests to alumni this week",
                                    "Send the overdue thank-you notes",
                                    "Prepare questions for the next conversation",
                                    "Follow up with every referral"], 2):
                due = held_on + timedelta(days=rng.randint(5, 21))
                done = due < self.as_of and rng.random() < 0.6
                self.add("action_items", student_id=sid, session_id=session["id"], text=text, due_on=due,
                         done_at=datetime.combine(due, time(12)) if done else None,
                         created_at=session["created_at"])


def generate(students: int = DEFAULT_STUDENTS, seed: int = DEFAULT_SEED,
             as_of: date | None = None) -> dict[str, pd.DataFrame]:
    """The demo cohort as one DataFrame per table (nothing written)."""
    if students < 1:
        raise ValueError("students must be at least 1")
    cohort = _Cohort(seed, as_of or clock.today())
    for index in range(students):
        cohort.student(index)
    return {table: pd.DataFrame(rows) for table, rows in cohort.tables.items() if rows}


DEMO_TABLES = ("students", "organisations", "contacts", "outreach_requests", "interviews", "touches",
               "prep_items", "advising_sessions", "action_items", "tasks", "imports",
               "interview_questions", "question_favourites", "snoozes")


def load(db: Database, students: int = DEFAULT_STUDENTS, seed: int = DEFAULT_SEED,
         as_of: date | None = None) -> int:
    """Replace the database's contents with a fresh demo cohort; return the student count.

    Refuses a database that holds real (non-demo) students: the demo has its own file.
    """
    as_of = as_of or clock.today()
    real = db.scalar("SELECT count(*) FROM students WHERE NOT is_demo")
    if real:
        raise ValueError(f"{db.path} holds {real} real student(s); the demo needs its own database file")
    frames = generate(students, seed, as_of)
    with db.write(internal=True) as cur:  # one transaction: a failed reload leaves the old demo intact
        for table in DEMO_TABLES:
            cur.execute(f"DELETE FROM {table}")
        for table, frame in frames.items():
            cur.insert_frame(table, frame)
        cur.execute("""INSERT INTO meta (key, value) VALUES ('demo_as_of', ?), ('demo_seed', ?)
                       ON CONFLICT (key) DO UPDATE SET value = excluded.value""", [as_of.isoformat(), str(seed)])
    db.checkpoint()
    return students


def load_file(path: str | Path, **kwargs) -> int:
    with Database(path) as db:
        return load(db, **kwargs)
