"""Contacts and target organisations: who the student knows, and who can introduce them where.

Contacts are added one at a time (a form), several at a time per category ("Map your
network") or from LinkedIn (lib/linkedin.py). Whatever the door, the same rules hold:
emails are validated, LinkedIn addresses normalised, a second contact with the same
email or LinkedIn URL is refused, and similar names are only ever suggested.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

import pandas as pd
from email_validator import EmailNotValidError, validate_email
from rapidfuzz import fuzz, process, utils

from lib.db import Database, new_id
from lib.metrics import REPLY_BEHAVIOUR_SQL
from lib.models import (REPLY_BEHAVIOURS, SOURCES, WARMTH, InvalidInput, InvalidRows, StaleEdit, clean_text,
                        suggested_warmth)

SIMILAR_NAME_SCORE = 85     # rapidfuzz token-sort ratio from which two names look alike
MAX_KEEP_IN_TOUCH_DAYS = 3650

# "Map your network": what to think of, category by category. A student facing an empty
# page lists nobody; a student asked "who in your family works somewhere interesting?"
# lists five people.
MAP_PROMPTS = {
    "family": "Parents, siblings, aunts, uncles, cousins, in-laws: where do they work, and whom do they know?",
    "friends_community": "Friends, their parents, neighbours, teammates, clubs, volunteering, your faith "
                         "or cultural community.",
    "professors_mentors": "Professors, teaching assistants, advisors, research supervisors, coaches, "
                          "mentors from school or programmes.",
    "supervisors_coworkers": "Managers and colleagues from jobs, internships, research projects and "
                             "volunteering.",
    "career_coach": "Your career centre's coaches and advisors, and the employer contacts they know.",
    "alumni": "People who went to your school or programme: the alumni directory, LinkedIn's alumni "
              "search, alumni panels.",
    "event": "People you met at career fairs, information sessions, conferences, talks and meetups.",
    "referral": "People someone suggested you talk to: write down who suggested them.",
    "linkedin": "Interesting people you found on LinkedIn who share nothing with you yet.",
    "org_website": "People named on the websites of organisations you are curious about.",
    "other": "Anyone else: authors, speakers, people in the news in your field.",
}

_LINKEDIN_PATH = re.compile(r"^/(in|pub)/([^/?#]+)")
_PHONE_CHARS = re.compile(r"^[0-9+()\-. /x]+$", re.IGNORECASE)


# --- normalising the fields people type or import ---------------------------------------

def normalise_email(value: object, field: str = "Email") -> str | None:
    """A valid address (domain lower-cased), or None when blank. No DNS lookups."""
    text = clean_text(value, field, max_len=254)
    if text is None:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidInput(field, f"{text!r} is not a valid email address ({exc})") from None


def normalise_linkedin(value: object, field: str = "LinkedIn URL") -> str | None:
    """https://www.linkedin.com/in/<slug>, whatever the country host, query or trailing slash."""
    text = clean_text(value, field, max_len=300)
    if text is None:
        return None
    parts = urlsplit(text if "//" in text else "https://" + text)
    host = (parts.hostname or "").lower()
    match = _LINKEDIN_PATH.match(parts.path)
    if parts.scheme.lower() not in ("http", "https") or not (host == "linkedin.com" or host.endswith(
            ".linkedin.com")) or not match:
        raise InvalidInput(field, f"{text!r} is not a LinkedIn profile address "
                                  "(like https://www.linkedin.com/in/jane-doe)")
    return f"https://www.linkedin.com/{match.group(1)}/{match.group(2).lower()}"


def name_from_linkedin(url: str) -> str:
    """'jane-doe-4a7b12' -> 'Jane Doe': a readable name when an export row has none."""
    slug = url.rstrip("/").rsplit("/", 1)[-1]
    words = [w for w in re.split(r"[-_]+", slug) if w and not any(ch.isdigit() for ch in w)]
    return " ".join(w.capitalize() for w in words) or slug


def normalise_phone(value: object, field: str = "Phone") -> str | None:
    text = clean_text(value, field, max_len=40)
    if text is None:
        return None
    digits = sum(ch.isdigit() for ch in text)
    if not _PHONE_CHARS.match(text) or not 6 <= digits <= 20:
        raise InvalidInput(field, f"{text!r} is not a phone number (digits, spaces, + - ( ) only)")
    return text


def org_key(name: object) -> str | None:
    """How organisation names are matched: case and spacing don't make a new organisation."""
    text = " ".join(str(name).split()).casefold() if name is not None else ""
    return text or None


# --- contacts -----------------------------------------------------------------------------

@dataclass
class ContactInput:
    """A contact as a form or an editor row gives it: organisation by name, warmth None
    meaning 'as suggested by the source'."""
    name: str | None
    role: str | None = None
    organisation: str | None = None
    email: str | None = None
    linkedin_url: str | None = None
    phone: str | None = None
    source: str = "other"
    warmth: str | None = None
    how_met: str | None = None
    referred_by: str | None = None
    keep_in_touch_days: int | None = None
    notes: str | None = None


class DuplicateContact(InvalidInput):
    """Same email or LinkedIn URL as a contact the student already has."""

    def __init__(self, field: str, existing_id: str, existing_name: str, archived: bool):
        where = " (archived: restore it from the archived list)" if archived else ""
        super().__init__(field, f"is already the {field.lower()} of {existing_name}{where}")
        self.existing_id = existing_id
        self.existing_name = existing_name


def _clean(cur, student_id: str, data: ContactInput, contact_id: str | None) -> dict:
    """Validated column values for the contacts table (organisation still by name)."""
    if data.source not in SOURCES:
        raise InvalidInput("Source", f"{data.source!r} is not one of the categories")
    warmth = data.warmth or suggested_warmth(data.source)
    if warmth not in WARMTH:
        raise InvalidInput("Warmth", "must be warm or cold")
    days = data.keep_in_touch_days
    if days is not None and not (isinstance(days, int) and 1 <= days <= MAX_KEEP_IN_TOUCH_DAYS):
        raise InvalidInput("Keep in touch", f"must be between 1 and {MAX_KEEP_IN_TOUCH_DAYS} days")
    row = {
        "name": clean_text(data.name, "Name", required=True, max_len=120),
        "role": clean_text(data.role, "Role", max_len=160),
        "organisation": clean_text(data.organisation, "Organisation", max_len=160),
        "email": normalise_email(data.email),
        "linkedin_url": normalise_linkedin(data.linkedin_url),
        "phone": normalise_phone(data.phone),
        "warmth": warmth,
        "source": data.source,
        "how_met": clean_text(data.how_met, "How we met", max_len=500),
        "referred_by": data.referred_by or None,
        "keep_in_touch_days": days,
        "notes": clean_text(data.notes, "Notes", max_len=5000),
    }
    if row["referred_by"]:
        check_referrer(cur, student_id, row["referred_by"], contact_id)
    duplicate = _duplicate(cur, student_id, row["email"], row["linkedin_url"], contact_id)
    if duplicate:
        raise duplicate
    return row


def check_referrer(cur, student_id: str, referrer_id: str, contact_id: str | None) -> None:
    chain = cur.execute("""
        WITH RECURSIVE up(id, referred_by, depth) AS (
            SELECT id, referred_by, 0 FROM contacts WHERE student_id = $sid AND id = $rid
            UNION ALL
            SELECT c.id, c.referred_by, up.depth + 1 FROM contacts c JOIN up ON c.id = up.referred_by
            WHERE c.student_id = $sid AND up.depth < 50)
        SELECT CAST(id AS VARCHAR) FROM up""", {"sid": student_id, "rid": referrer_id}).fetchall()
    if not chain:
        raise InvalidInput("Referred by", "is not one of your contacts")
    if contact_id and any(cid == str(contact_id) for (cid,) in chain):
        raise InvalidInput("Referred by", "would make a loop: a contact can't have introduced themselves")


def _duplicate(cur, student_id: str, email: str | None, url: str | None,
               contact_id: str | None) -> DuplicateContact | None:
    for field, column, value in (("Email", "email", email), ("LinkedIn URL", "linkedin_url", url)):
        if value is None:
            continue
        row = cur.execute(f"""
            SELECT CAST(id AS VARCHAR), name, archived_at IS NOT NULL FROM contacts
            WHERE student_id = $sid AND lower({column}) = lower($value)
              AND ($cid IS NULL OR id <> CAST($cid AS UUID))
            LIMIT 1""", {"sid": student_id, "value": value, "cid": contact_id}).fetchone()
        if row:
            return DuplicateContact(field, row[0], row[1], row[2])
    return None


def ensure_organisations(cur, student_id: str, names, now: datetime) -> dict[str, str]:
    """{org_key: id} for these organisation names, creating (non-target) ones not seen before."""
    wanted = {}
    for name in names:
        key = org_key(name)
        if key and key not in wanted:
            wanted[key] = " ".join(str(name).split())
    if not wanted:
        return {}
    existing = cur.execute("""
        SELECT name_key, CAST(id AS VARCHAR), archived_at IS NULL
        FROM organisations WHERE student_id = $sid AND name_key = ANY($keys)""",
        {"sid": student_id, "keys": list(wanted)}).fetchall()
    ids: dict[str, str] = {}
    for key, oid, active in existing:   # prefer an active row if an archived twin exists
        if key not in ids or active:
            ids[key] = oid
    missing = [(key, name) for key, name in wanted.items() if key not in ids]
    if missing:
        frame = pd.DataFrame({"id": [new_id() for _ in missing], "student_id": student_id,
                              "name": [name for _, name in missing], "name_key": [key for key, _ in missing],
                              "target": False, "created_at": now})
        cur.insert_frame("organisations", frame)
        ids.update({key: oid for (key, _), oid in zip(missing, frame["id"])})
    return {key: ids[key] for key in wanted}


def check_contact(db: Database, student_id: str, data: ContactInput, contact_id: str | None = None) -> None:
    """Raise InvalidInput (or DuplicateContact) as saving would, without writing anything."""
    with db.reading() as cur:
        _clean(cur, student_id, data, contact_id)


def add_contact(db: Database, student_id: str, data: ContactInput, now: datetime) -> str:
    return db.write_retrying(lambda cur: insert_contact(cur, student_id, data, now), student_id=student_id)


def insert_contact(cur, student_id: str, data: ContactInput, now: datetime) -> str:
    """add_contact() inside a transaction another write already holds."""
    return _insert(cur, student_id, _clean(cur, student_id, data, None), now)


def _insert(cur, student_id: str, row: dict, now: datetime) -> str:
    org = row.pop("organisation")
    row["organisation_id"] = ensure_organisations(cur, student_id, [org], now).get(org_key(org))
    contact_id = new_id()
    columns = ["id", "student_id", *row, "created_at"]
    cur.execute(f"INSERT INTO contacts ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [contact_id, student_id, *row.values(), now])
    return contact_id


def update_contact(db: Database, student_id: str, contact_id: str, data: ContactInput, now: datetime,
                   *, revision: int) -> None:
    """Save an edit made on the copy read at `revision`; refused (StaleEdit) if it changed since."""
    db.write_retrying(lambda cur: _update(cur, student_id, contact_id, data, now, revision), student_id=student_id)


def _update(cur, student_id: str, contact_id: str, data: ContactInput, now: datetime, revision: int) -> None:
    row = _clean(cur, student_id, data, contact_id)
    org = row.pop("organisation")
    row["organisation_id"] = ensure_organisations(cur, student_id, [org], now).get(org_key(org))
    assignments = ", ".join(f"{column} = ?" for column in row)
    updated = cur.execute(
        f"UPDATE contacts SET {assignments}, revision = revision + 1 "
        "WHERE student_id = ? AND id = ? AND revision = ? RETURNING id",
        [*row.values(), student_id, contact_id, revision]).fetchall()
    if not updated:
        raise StaleEdit(f"{row['name']} was changed in another window since you opened it. "
                        "Your edit was not saved: reopen the contact and make it again.")


def set_archived(db: Database, student_id: str, contact_id: str, now: datetime, archived: bool) -> None:
    """Archive (hide, keep history) or restore a contact."""
    with db.write(student_id=student_id) as cur:
        cur.execute("""UPDATE contacts SET archived_at = $at, revision = revision + 1
                       WHERE student_id = $sid AND id = $cid""",
                    {"at": now if archived else None, "sid": student_id, "cid": contact_id})


def get_contact(db: Database, student_id: str, contact_id: str) -> dict | None:
    """One contact as the edit form needs it: organisation by name, plus its revision."""
    frame = db.df("""
        SELECT CAST(c.id AS VARCHAR) AS id, c.name, c.role, o.name AS organisation, c.email, c.linkedin_url,
               c.phone, c.source, c.warmth, c.how_met, CAST(c.referred_by AS VARCHAR) AS referred_by,
               c.keep_in_touch_days, c.notes, c.revision, c.archived_at IS NOT NULL AS archived,
               (c.source = 'linkedin' AND (c.import_id IS NOT NULL OR c.connected_on IS NOT NULL)) AS linkedin_connected
        FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE c.student_id = $sid AND c.id = $cid""", {"sid": student_id, "cid": contact_id})
    if frame.empty:
        return None
    record = frame.astype(object).where(frame.notna(), None).iloc[0].to_dict()
    if record["keep_in_touch_days"] is not None:
        record["keep_in_touch_days"] = int(record["keep_in_touch_days"])
    return record


def contact_input(record: dict) -> ContactInput:
    """The editable fields of a get_contact() record."""
    return ContactInput(**{k: record.get(k) for k in asdict(ContactInput(name=None))})


def similar_contacts(db: Database, student_id: str, name: str, *, exclude_id: str | None = None,
                     limit: int = 3) -> list[dict]:
    """Contacts whose names look like `name` (word order and case ignored): suggestions only."""
    people = db.df("""
        SELECT CAST(c.id AS VARCHAR) AS id, c.name, o.name AS organisation
        FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE c.student_id = $sid AND c.archived_at IS NULL""", {"sid": student_id})
    if exclude_id is not None:
        people = people[people["id"] != exclude_id]
    return _similar(name, people, limit)


def _similar(name: str, people: pd.DataFrame, limit: int) -> list[dict]:
    if not name or people.empty:
        return []
    matches = process.extract(name, people["name"].tolist(), scorer=fuzz.token_sort_ratio,
                              processor=utils.default_process, limit=limit,
                              score_cutoff=SIMILAR_NAME_SCORE)
    return [{**people.iloc[index][["id", "name", "organisation"]].to_dict(), "score": round(score)}
            for _, score, index in matches]


@dataclass
class AddedMany:
    added: int
    similar: list[dict]   # {"name": new person, "similar": [existing contacts with a similar name]}


def add_many(db: Database, student_id: str, source: str, rows: list[dict], now: datetime) -> AddedMany:
    """Add the named people of one category at once ("Map your network"), all or none.

    `rows` are the editor's rows in order (keys as ContactInput's); blank rows are skipped.
    Every problem is reported with its row number. Returns, per added person, any
    existing contacts with a similar name, for the student to check.
    """
    problems, cleaned = [], []
    seen: dict[str, int] = {}
    with db.write(student_id=student_id) as cur:
        for number, values in enumerate(rows, start=1):
            if not any(str(v).strip() for v in values.values() if v is not None):
                continue
            data = ContactInput(**{k: values.get(k) for k in ("name", "role", "organisation", "email",
                                                             "linkedin_url", "how_met")}, source=source)
            try:
                row = _clean(cur, student_id, data, None)
            except InvalidInput as exc:
                problems.append(InvalidInput(f"Row {number}, {exc.field}", exc.message))
                continue
            for key in (row["email"], row["linkedin_url"]):
                if key and key.lower() in seen:
                    problems.append(InvalidInput(f"Row {number}", f"repeats row {seen[key.lower()]} "
                                                                  f"({key})"))
                elif key:
                    seen[key.lower()] = number
            cleaned.append(row)
        if problems:
            raise InvalidRows(problems)
        people = cur.execute("""
            SELECT CAST(c.id AS VARCHAR) AS id, c.name, o.name AS organisation
            FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
            WHERE c.student_id = $sid AND c.archived_at IS NULL""", {"sid": student_id}).df()
        hints = [{"name": row["name"], "similar": _similar(row["name"], people, 3)} for row in cleaned]
        for row in cleaned:
            _insert(cur, student_id, row, now)
    return AddedMany(added=len(cleaned), similar=[hint for hint in hints if hint["similar"]])


class KnownContacts:
    """The keys that identify a student's existing contacts, for matching imported rows."""

    def __init__(self, rows: list[tuple]):
        self.by_url: dict[str, str] = {}
        self.by_email: dict[str, str] = {}
        self.by_name_org: dict[tuple, tuple[str, bool]] = {}
        for name, org, email, url in rows:
            self.add(name, org, email, url, name)

    def add(self, name, organisation, email, url, label: str) -> None:
        if url:
            self.by_url.setdefault(url.lower(), label)
        if email:
            self.by_email.setdefault(email.lower(), label)
        self.by_name_org.setdefault((" ".join(name.casefold().split()), org_key(organisation)),
                                    (label, bool(url)))

    def match(self, name, organisation, email, url) -> str | None:
        """What an incoming person matches: same LinkedIn URL, same email, or same name at the
        same organisation (unless both have LinkedIn URLs, which then tell them apart)."""
        if url and url.lower() in self.by_url:
            return f"{self.by_url[url.lower()]} (same LinkedIn URL)"
        if email and email.lower() in self.by_email:
            return f"{self.by_email[email.lower()]} (same email)"
        found = self.by_name_org.get((" ".join(name.casefold().split()), org_key(organisation)))
        if found and not (url and found[1]):
            return f"{found[0]} (same name and organisation)"
        return None


def contact_keys(db_or_cursor, student_id: str) -> KnownContacts:
    sql = """SELECT c.name, o.name, c.email, c.linkedin_url FROM contacts c
             LEFT JOIN organisations o ON o.id = c.organisation_id WHERE c.student_id = $sid"""
    params = {"sid": student_id}
    rows = db_or_cursor.rows(sql, params) if isinstance(db_or_cursor, Database) else \
        db_or_cursor.execute(sql, params).fetchall()
    return KnownContacts(rows)


# --- organisations: the LAMP list ----------------------------------------------------------

@dataclass
class OrganisationInput:
    """A LAMP row as the editor gives it: `row` is its position on screen (for messages),
    `id`/`revision` are None for a new row."""
    row: int
    id: str | None
    name: str | None
    industry: str | None = None
    motivation: int | None = None
    postings: int | None = None
    revision: int | None = None


def save_organisations(db: Database, student_id: str, rows: list[OrganisationInput], now: datetime) -> int:
    """Add or edit LAMP entries in one transaction; every problem names its row. A new row
    whose name matches an organisation already known (from a contact) makes that one a target;
    renaming onto another organisation's name is refused. Edits made on a stale copy raise
    StaleEdit and save nothing."""
    problems, cleaned = [], []
    names_seen: dict[str, int] = {}
    for row in rows:
        try:
            name = clean_text(row.name, "Organisation", required=True, max_len=160)
            key = org_key(name)
            if key in names_seen:
                raise InvalidInput("Organisation", f"{name} is already on row {names_seen[key]}")
            names_seen[key] = row.row
            industry = clean_text(row.industry, "Industry", max_len=120)
            motivation = _score(row.motivation, "Motivation", 0, 3)
            postings = _score(row.postings, "Postings", 1, 3)
        except InvalidInput as exc:
            problems.append(InvalidInput(f"Row {row.row}, {exc.field}", exc.message))
            continue
        cleaned.append((row, name, industry, motivation, postings))
    if problems:
        raise InvalidRows(problems)
    with db.write(student_id=student_id) as cur:
        known = {key: (oid, target) for key, oid, target in cur.execute("""
            SELECT name_key, CAST(id AS VARCHAR), target
            FROM organisations WHERE student_id = $sid AND archived_at IS NULL AND name_key = ANY($keys)""",
            {"sid": student_id, "keys": list(names_seen)}).fetchall()}
        for row, name, industry, motivation, postings in cleaned:
            twin = known.get(org_key(name))
            if twin and twin[0] != row.id and (row.id is not None or twin[1]):
                problems.append(InvalidInput(f"Row {row.row}, Organisation",
                                             f"{name} is already {'on your list' if twin[1] else 'known'}"))
        if problems:
            raise InvalidRows(problems)
        for row, name, industry, motivation, postings in cleaned:
            org_id = row.id or ensure_organisations(cur, student_id, [name], now)[org_key(name)]
            updated = cur.execute("""
                UPDATE organisations SET name = $name, name_key = $key, industry = $industry, motivation = $motivation,
                       postings = $postings, target = true, archived_at = NULL, revision = revision + 1
                WHERE student_id = $sid AND id = $oid AND ($rev IS NULL OR revision = $rev)
                RETURNING id""", {"name": name, "key": org_key(name), "industry": industry, "motivation": motivation,
                                  "postings": postings, "sid": student_id, "oid": org_id,
                                  "rev": row.revision}).fetchall()
            if not updated:
                raise StaleEdit(f"{name} was changed in another window since you opened the list. "
                                "Nothing was saved: reload and make your edits again.")
    return len(cleaned)


def _score(value, field: str, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(field, f"must be a whole number from {low} to {high}") from None
    if not low <= number <= high or number != float(value):
        raise InvalidInput(field, f"must be a whole number from {low} to {high}")
    return number


def remove_target(db: Database, student_id: str, organisation_id: str) -> None:
    """Take an organisation off the LAMP list; its contacts keep their link to it."""
    with db.write(student_id=student_id) as cur:
        cur.execute("""UPDATE organisations SET target = false, revision = revision + 1
                       WHERE student_id = $sid AND id = $oid""", {"sid": student_id, "oid": organisation_id})


# --- reads for the page --------------------------------------------------------------------

def contacts_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """The student's current contacts, warm first, with who introduced whom and how they
    reply to requests (Booster, Obligate, Curmudgeon: see metrics.reply_behaviour)."""
    frame = db.df(f"""
        WITH behaviour AS ({REPLY_BEHAVIOUR_SQL})
        SELECT CAST(c.id AS VARCHAR) AS id, c.name AS "Name", c.warmth AS "Warmth", c.source AS "Source",
               c.role AS "Role", o.name AS "Organisation", b.behaviour AS "Replies", c.how_met AS "How we met",
               ref.name AS "Referred by", c.email AS "Email", c.linkedin_url AS "LinkedIn",
               CAST(c.created_at AS DATE) AS "Added"
        FROM contacts c
        LEFT JOIN organisations o ON o.id = c.organisation_id
        LEFT JOIN contacts ref ON ref.id = c.referred_by
        LEFT JOIN behaviour b ON b.contact_id = c.id
        WHERE c.student_id = $sid AND c.archived_at IS NULL
        ORDER BY c.warmth = 'cold', lower(c.name)""", {"sid": student_id, "today": today})
    frame["Source"] = frame["Source"].map(SOURCES)
    frame["Replies"] = frame["Replies"].map(REPLY_BEHAVIOURS)
    return frame


def archived_contacts(db: Database, student_id: str, today: date) -> pd.DataFrame:
    return db.df("""
        SELECT CAST(id AS VARCHAR) AS id, name AS "Name", CAST(archived_at AS DATE) AS "Archived"
        FROM contacts WHERE student_id = $sid AND archived_at IS NOT NULL
        ORDER BY archived_at DESC""", {"sid": student_id})


def referrer_choices(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Who can have introduced the student to someone: warm contacts and anyone they have
    contacted (an imported LinkedIn connection they never wrote to can't have)."""
    frame = db.df("""
        SELECT CAST(c.id AS VARCHAR) AS id, c.name, c.role, o.name AS organisation, c.how_met
        FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE c.student_id = $sid AND c.archived_at IS NULL
          AND (c.warmth = 'warm' OR c.id IN (SELECT contact_id FROM outreach_requests WHERE student_id = $sid))
        ORDER BY lower(c.name)""", {"sid": student_id})
    return frame.assign(label=labels(frame))


def describe(person: dict) -> str:
    """A person as a picker shows them: the name, then what tells two people of that name
    apart (role, organisation, how the student met them)."""
    def given(value) -> bool:
        return isinstance(value, str) and bool(value.strip())
    details = [person[k] for k in ("role", "organisation") if given(person.get(k))]
    label = person["name"] + (f" · {', '.join(details)}" if details else "")
    if given(person.get("how_met")):
        label += f" · {person['how_met']}"
    return label


def labels(frame: pd.DataFrame) -> pd.Series:
    """describe() for each row of a frame with name (and role, organisation, how_met) columns."""
    return pd.Series([describe(row) for row in frame.to_dict("records")], index=frame.index, dtype=object)


def source_counts(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Current contacts per source category (every category listed, zero included)."""
    counts = db.df("""
        SELECT source, count(*) AS n FROM contacts
        WHERE student_id = $sid AND archived_at IS NULL GROUP BY source""", {"sid": student_id})
    found = dict(zip(counts["source"], counts["n"]))
    return pd.DataFrame({"source": list(SOURCES), "n": [int(found.get(s, 0)) for s in SOURCES]})


def organisations_table(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """The LAMP list (Dalton): the student's target organisations, scored on Motivation
    (0-3: how much they want to work there), Postings (1-3: openings for people like them)
    and Advocacy (a warm contact or alumnus there, from the contacts). Sorted the way the
    method works the list: motivation first, then postings, then advocacy."""
    return db.df("""
        SELECT CAST(o.id AS VARCHAR) AS id, o.revision, o.name AS "Organisation", o.industry AS "Industry",
               o.motivation AS "Motivation", o.postings AS "Postings",
               count(c.id) FILTER (WHERE c.warmth = 'warm') > 0 AS "Advocacy",
               coalesce(string_agg(c.name, ', ' ORDER BY c.source = 'referral', lower(c.name))
                        FILTER (WHERE c.warmth = 'warm'), '') AS "Warm paths",
               count(c.id) AS "Contacts"
        FROM organisations o
        LEFT JOIN contacts c ON c.organisation_id = o.id AND c.archived_at IS NULL
        WHERE o.student_id = $sid AND o.archived_at IS NULL AND o.target
        GROUP BY o.id, o.revision, o.name, o.industry, o.motivation, o.postings
        ORDER BY o.motivation DESC NULLS LAST, o.postings DESC NULLS LAST, "Advocacy" DESC,
                 lower(o.name)""", {"sid": student_id})


def organisation_choices(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Every organisation the student knows of: targets first, then by number of contacts."""
    return db.df("""
        SELECT CAST(o.id AS VARCHAR) AS id, o.name, o.target,
               count(c.id) FILTER (WHERE c.warmth = 'warm') AS warm, count(c.id) AS contacts
        FROM organisations o
        LEFT JOIN contacts c ON c.organisation_id = o.id AND c.archived_at IS NULL
        WHERE o.student_id = $sid AND o.archived_at IS NULL
        GROUP BY o.id, o.name, o.target
        ORDER BY o.target DESC, warm DESC, contacts DESC, lower(o.name)""", {"sid": student_id})


def warm_paths(db: Database, student_id: str, organisation_id: str) -> pd.DataFrame:
    """Warm paths into an organisation: the warm contacts who work there (family, friends,
    professors, supervisors, a career coach, alumni, or people referred to the student),
    with how the student knows them and, for referrals, who made the introduction.
    Referred people come first: someone already vouched for the student with them."""
    frame = db.df("""
        SELECT c.name AS "Contact", c.role AS "Role", c.source AS "Source", c.how_met AS "How you know them",
               ref.name AS "Introduced by"
        FROM contacts c LEFT JOIN contacts ref ON ref.id = c.referred_by
        WHERE c.student_id = $sid AND c.organisation_id = $oid AND c.archived_at IS NULL
          AND c.warmth = 'warm'
        ORDER BY c.source = 'referral' DESC, lower(c.name)""", {"sid": student_id, "oid": organisation_id})
    frame["Source"] = frame["Source"].map(SOURCES)
    return frame


def graph(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """One row per current contact for the network map: category, warmth, organisation,
    who referred them, and engagement (requests sent + conversations held)."""
    return db.df("""
        SELECT CAST(c.id AS VARCHAR) AS id, c.name, c.warmth, c.source, o.name AS organisation,
               CAST(c.referred_by AS VARCHAR) AS referred_by,
               coalesce(r.n, 0) AS requests, coalesce(i.n, 0) AS conversations,
               coalesce(r.n, 0) + coalesce(i.n, 0) AS engagement
        FROM contacts c
        LEFT JOIN organisations o ON o.id = c.organisation_id
        LEFT JOIN (SELECT contact_id, count(*) AS n FROM outreach_requests WHERE student_id = $sid
                   GROUP BY contact_id) r ON r.contact_id = c.id
        LEFT JOIN (SELECT contact_id, count(*) AS n FROM interviews WHERE student_id = $sid AND status = 'held'
                   GROUP BY contact_id) i ON i.contact_id = c.id
        WHERE c.student_id = $sid AND c.archived_at IS NULL
        ORDER BY c.source, c.warmth DESC, lower(c.name)""", {"sid": student_id})


def warmth_by_source(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """Current contacts per source category and warmth."""
    frame = db.df("""
        SELECT source, warmth, count(*) AS contacts FROM contacts
        WHERE student_id = $sid AND archived_at IS NULL
        GROUP BY source, warmth ORDER BY source, warmth""", {"sid": student_id})
    frame["source"] = frame["source"].map(SOURCES)
    return frame


def warmth_by_organisation(db: Database, student_id: str, today: date, top: int = 12) -> pd.DataFrame:
    """Warm and cold contacts at the organisations with the most contacts (top 12)."""
    return db.df("""
        WITH per_org AS (
            SELECT o.name AS organisation, c.warmth, count(*) AS contacts,
                   sum(count(*)) OVER (PARTITION BY o.id) AS total, o.id
            FROM contacts c JOIN organisations o ON o.id = c.organisation_id
            WHERE c.student_id = $sid AND c.archived_at IS NULL
            GROUP BY o.id, o.name, c.warmth)
        SELECT organisation, warmth, contacts, total FROM per_org
        WHERE id IN (SELECT id FROM per_org GROUP BY id, total ORDER BY total DESC, id LIMIT $top)
        ORDER BY total DESC, organisation, warmth""", {"sid": student_id, "top": top})
