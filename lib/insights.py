"""What a student is learning, mined from the notes of their conversations: the skills, tools,
credentials and courses people named; advice more than one person gave; resources and people
recommended; and which TIARA parts their questions covered.

Deterministic and offline: a curated vocabulary in data/vocabulary.csv (term, kind, synonyms)
does the matching, with simple normalisation and rapidfuzz for variants and typos; advice is
grouped by the vocabulary terms and topics it names and by word overlap. No model, no network.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

VOCABULARY = Path(__file__).resolve().parent.parent / "data" / "vocabulary.csv"
KINDS = {"skill": "Skill", "tool": "Tool", "credential": "Credential", "course": "Course"}   # shown; "topic" groups advice
FUZZY_SCORE = 85            # rapidfuzz ratio from which a word is a variant ("tabelau") of an entry
FUZZY_PHRASE_SCORE = 92     # the same for phrases of several words ("people still" is not "people skills")
FUZZY_MIN_LENGTH = 7        # shorter words must match exactly: "sas" is not "sass"
ADVICE_OVERLAP = 72         # token-set ratio from which two pieces of advice say the same
STOPWORDS = frozenset("""a an and are as at be been before being but by can could do does doing don't for from get
    getting go had has have having he her here him his how i i'd i'll i'm if in into is it it's its just let me more
    most my no not now of on once one only or our out over own really she should so some than that the their them
    then there these they this those through to too up us very was we were what when where which while who will with
    would you your you're yours also even every any much many well still first try trying make sure lot lots""".split())
_WORD = re.compile(r"[a-z0-9+#][a-z0-9+#'.\-/]*[a-z0-9+#]|[a-z0-9+#]")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+|\s+[-•·]\s+")


@dataclass(frozen=True)
class Entry:
    term: str
    kind: str
    synonyms: tuple[str, ...]


@dataclass
class Vocabulary:
    entries: list[Entry]
    exact: dict[str, list[Entry]] = field(default_factory=dict)   # normalised synonym -> entries
    case_sensitive: dict[str, Entry] = field(default_factory=dict)  # "R", "PR": only as written
    kinds: dict[str, str] = field(default_factory=dict)             # term -> kind
    longest: int = 1

    def fuzzy_choices(self, size: int) -> list[str]:
        """Synonyms of `size` words long enough to be matched approximately (none of them a topic:
        "matters" is not "masters")."""
        if not hasattr(self, "_fuzzy"):
            self._fuzzy: dict[int, list[str]] = {}
            for synonym, entries in self.exact.items():
                if len(synonym) >= FUZZY_MIN_LENGTH and any(e.kind != "topic" for e in entries):
                    self._fuzzy.setdefault(synonym.count(" ") + 1, []).append(synonym)
        return self._fuzzy.get(size, [])

    def add(self, entry: Entry, synonym: str) -> None:
        self.__dict__.pop("_fuzzy", None)
        words = normalise(synonym)
        if len(synonym) <= 2:        # one or two letters ("R", "PR") match only in capitals, as a word
            self.case_sensitive[synonym.upper()] = entry
            return
        self.exact.setdefault(" ".join(words), []).append(entry)
        self.longest = max(self.longest, len(words))


def normalise(text: str) -> list[str]:
    """Lower-cased words; hyphens and slashes between words become spaces ("A/B" stays one)."""
    text = text.casefold().replace("’", "'")
    text = re.sub(r"(?<=[a-z])[-_](?=[a-z])", " ", text)
    return [w.strip(".'-/") for w in _WORD.findall(text) if w.strip(".'-/")]


@lru_cache(maxsize=4)
def vocabulary(path: Path = VOCABULARY) -> Vocabulary:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    vocab = Vocabulary([])
    for row in rows:
        synonyms = tuple(s.strip() for s in (row["synonyms"] or "").split("|") if s.strip())
        entry = Entry(row["term"].strip(), row["kind"].strip(), synonyms)
        vocab.entries.append(entry)
        vocab.kinds[entry.term] = entry.kind
        for synonym in {row["term"].strip(), *synonyms}:
            vocab.add(entry, synonym)
    return vocab


def terms_in(text: str | None, vocab: Vocabulary | None = None, *, kinds=None) -> set[str]:
    """The vocabulary terms a text names (exact phrases first, then close variants)."""
    if not text:
        return set()
    vocab = vocab or vocabulary()
    found: set[str] = set()
    for word in re.findall(r"(?<![\w&'])([A-Z]{1,2})(?![\w&'])", text):
        if word in vocab.case_sensitive:
            found.add(vocab.case_sensitive[word].term)
    words = normalise(text)
    used = [False] * len(words)
    for size in range(min(vocab.longest, len(words)), 0, -1):          # longest phrases first
        for start in range(len(words) - size + 1):
            if any(used[start:start + size]):
                continue
            phrase = " ".join(words[start:start + size])
            entries = vocab.exact.get(phrase)
            if entries is None and size <= 2 and len(phrase) >= FUZZY_MIN_LENGTH and words[start] not in STOPWORDS:
                entries = _close(vocab, phrase, size)
            if entries:
                found.update(e.term for e in entries)
                used[start:start + size] = [True] * size
    return {t for t in found if kinds is None or vocab.kinds[t] in kinds}


def _close(vocab: Vocabulary, phrase: str, size: int) -> list[Entry] | None:
    """The entries of the synonym closest to `phrase` (same number of words, not a topic), if
    close enough: rapidfuzz's extractOne over that size's synonyms, precomputed once."""
    choices = vocab.fuzzy_choices(size)
    if not choices:
        return None
    found = process.extractOne(phrase, choices, scorer=fuzz.ratio,
                               score_cutoff=FUZZY_SCORE if size == 1 else FUZZY_PHRASE_SCORE)
    if found is None or abs(len(found[0]) - len(phrase)) > 2:
        return None
    return [e for e in vocab.exact[found[0]] if e.kind != "topic"]     # topics match as written


# --- advice ------------------------------------------------------------------------------------

def sentences(text: str | None) -> list[str]:
    """The separate points of a note: its lines, sentences and bullet points."""
    points = [s.strip(" -•·*;,") for s in _SENTENCE.split(text or "") if len(s.strip(" -•·*;,")) > 3]
    return [p[:1].upper() + p[1:] for p in points]


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


ASSOCIATION_TOPIC = "Professional association"
_JOIN = re.compile(r"\b(?:join|joined|joining|member|membership|sign up)\b", re.I)


def gist(text: str, vocab: Vocabulary | None = None) -> tuple[frozenset[str], str]:
    """(the terms and topics a piece of advice names, its content words stemmed and sorted)."""
    vocab = vocab or vocabulary()
    keys = set(terms_in(text, vocab))
    if _JOIN.search(text) and any(kind == "association" for kind, _ in resources_in(text)):
        keys.add(ASSOCIATION_TOPIC)         # "join the American Alliance of Museums" is joining an association
    keys = frozenset(keys)
    content = sorted({_stem(w) for w in normalise(text) if w not in STOPWORDS and len(w) > 2})
    return keys, " ".join(content)


def same_advice(a: tuple[frozenset[str], str], b: tuple[frozenset[str], str]) -> bool:
    """Two pieces of advice say the same when they name the same term or topic, or their
    content words mostly coincide."""
    if a[0] & b[0]:
        return True
    return fuzz.token_set_ratio(a[1], b[1]) >= ADVICE_OVERLAP and min(len(a[1]), len(b[1])) > 0


def group_advice(items: list[str], vocab: Vocabulary | None = None, gists: list | None = None) -> list[list[int]]:
    """Indices of `items` grouped so that each group is one piece of advice (union-find over
    same_advice), groups in order of their first item. `gists` may come computed already."""
    vocab = vocab or vocabulary()
    gists = gists if gists is not None else [gist(text, vocab) for text in items]
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i):
            if same_advice(gists[i], gists[j]):
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


# --- resources ---------------------------------------------------------------------------------

_ORG_WORDS = r"(?:Association|Society|Institute|Council|Network|Alliance|Foundation|Federation|Guild|Collective)"
_EVENT_WORDS = r"(?i:conference|summit|meetup|meet-up|symposium|webinar|festival|fair|week|day|hackathon|forum|expo|meeting)"
_CAP = r"(?:[A-Z][\w&'’.-]*|of|for|and|the|in|on|&)"
_TAIL = r"(?:\s+(?:of|for|on)(?:\s+(?:[A-Z][\w'’-]*|&))+)?"
RESOURCE_PATTERNS = (
    ("site", re.compile(r"\b(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|edu|gov|co|uk)"
                        r"(?:/[^\s,;)]*)?", re.I)),
    ("book", re.compile(r"[\"“]([^\"”]{3,80})[\"”]")),
    ("association", re.compile(rf"\b((?:[A-Z][\w&'’.-]*\s+)(?:{_CAP}\s+){{0,5}}{_ORG_WORDS}{_TAIL}"
                               rf"|{_ORG_WORDS}\s+(?:of|for)(?:\s+(?:[A-Z][\w'’-]*|&))+)")),
    ("event", re.compile(rf"\b((?:[A-Z][\w&'’.-]*\s+)(?:{_CAP}\s+){{0,4}}{_EVENT_WORDS}{_TAIL})")),
    ("newsletter", re.compile(r"\b((?:[A-Z][\w&'’.-]*\s+){1,4})(?:newsletter|podcast|blog|magazine)\b")),
)
_LEADING = re.compile(r"^(?:(?:the|a|an|join|read|try|see|follow|attend|at|in|on|go to|check out|look at)\s+)+",
                      re.I)


def resources_in(text: str | None) -> list[tuple[str, str]]:
    """(kind, name) of the books, sites, associations, events and newsletters a note names."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for kind, pattern in RESOURCE_PATTERNS:
        for match in pattern.finditer(text or ""):
            name = (match.group(1) if match.groups() else match.group(0)).strip(" .,;:")
            name = _LEADING.sub("", name).strip()
            key = name.casefold()
            if len(name) < 3 or key in seen or any(key in s or s in key for s in seen):
                continue
            seen.add(key)
            found.append((kind, name))
    return found


# --- one student's notes ---------------------------------------------------------------------------
# Only lib.db is needed below; imported here so the text functions above stay usable on their own.
from datetime import date, datetime, timedelta  # noqa: E402

import pandas as pd  # noqa: E402

from lib import method  # noqa: E402
from lib.db import Database, new_id  # noqa: E402
from lib.models import InvalidInput, clean_text  # noqa: E402

TIARA_PARTS = ("trends", "insights", "advice", "resources", "assignments")


def student_vocabulary(db: Database, student_id: str) -> Vocabulary:
    """The curated vocabulary plus the terms this student added."""
    base = vocabulary()
    added = db.rows("SELECT term, kind, synonyms FROM learning_terms WHERE student_id = ? ORDER BY term", [student_id])
    if not added:
        return base
    vocab = Vocabulary(list(base.entries), {k: list(v) for k, v in base.exact.items()}, dict(base.case_sensitive),
                       dict(base.kinds), base.longest)
    for term, kind, synonyms in added:
        entry = Entry(term, kind, tuple(s.strip() for s in (synonyms or "").split("|") if s.strip()))
        vocab.entries.append(entry)
        vocab.kinds[term] = kind
        for synonym in {term, *entry.synonyms}:
            vocab.add(entry, synonym)
    return vocab


def add_term(db: Database, student_id: str, term: str, kind: str, synonyms: str | None, now: datetime) -> str:
    """A term the student wants counted (with other ways people say it, separated by commas)."""
    term = clean_text(term, "Term", required=True, max_len=80)
    if kind not in KINDS:
        raise InvalidInput("Kind", "must be a skill, tool, credential or course")
    words = [s.strip() for s in re.split(r"[,|]", clean_text(synonyms, "Other ways to say it", max_len=500) or "")]
    with db.write(student_id=student_id) as cur:
        if cur.execute("SELECT count(*) FROM learning_terms WHERE student_id = ? AND lower(term) = lower(?)",
                       [student_id, term]).fetchone()[0]:
            raise InvalidInput("Term", f"{term} is already on your list")
        term_id = new_id()
        cur.execute("INSERT INTO learning_terms VALUES (?, ?, ?, ?, ?, ?)",
                    [term_id, student_id, term, kind, "|".join(w for w in words if w) or None, now])
    return term_id


def conversations(db: Database, student_id: str, today: date) -> pd.DataFrame:
    """The held conversations and everything noted in them: one row per conversation."""
    frame = db.df("""
        SELECT CAST(i.id AS VARCHAR) AS id, CAST(i.contact_id AS VARCHAR) AS contact_id, c.name AS person,
               o.name AS organisation, o.industry, c.role, CAST(i.scheduled_at AS DATE) AS held_on,
               i.takeaways, i.notes, i.closing_answers,
               coalesce(string_agg(iq.answer_notes, E'\\n') FILTER (WHERE q.tiara <> 'advice'), '') AS answers,
               coalesce(string_agg(iq.answer_notes, E'\\n') FILTER (WHERE q.tiara = 'advice'), '') AS advice_answers
        FROM interviews i JOIN contacts c ON c.id = i.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        LEFT JOIN interview_questions iq ON iq.interview_id = i.id AND iq.answer_notes IS NOT NULL
        LEFT JOIN questions q ON q.id = iq.question_id
        WHERE i.student_id = $sid AND i.status = 'held' AND CAST(i.scheduled_at AS DATE) <= $today
        GROUP BY i.id, i.contact_id, c.name, o.name, o.industry, c.role, i.scheduled_at, i.takeaways, i.notes,
                 i.closing_answers
        ORDER BY held_on, person""", {"sid": student_id, "today": today})
    return frame


def _texts(row) -> str:
    return "\n".join(str(v) for v in (row.takeaways, row.notes, row.closing_answers, row.answers, row.advice_answers)
                     if isinstance(v, str) and v.strip())


@dataclass
class Learning:
    """What one student's notes say: each list ranked by how many conversations it comes from."""
    skills: list[dict]            # term, kind, conversations, people, notes (conversation ids)
    advice: list[dict]            # text, people, conversations, dates, notes, variants
    resources: list[dict]         # text, kind, people
    suggested_people: list[dict]  # name, suggested_by, reached_out
    tiara: dict[str, int]         # questions asked per TIARA part, across held conversations
    held: int                     # conversations the figures come from

    def as_json(self) -> dict:
        """The command line's contract (python -m lib learning --json)."""
        return {"skills": [{"term": s["term"], "conversations": s["conversations"], "people": s["people"]}
                           for s in self.skills],
                "advice": [{"text": a["text"], "people": a["people"], "conversations": a["conversations"]}
                           for a in self.advice],
                "resources": [{"text": r["text"], "kind": r["kind"], "people": r["people"]} for r in self.resources],
                "tiara": dict(self.tiara)}


def learning(db: Database, student_id: str, today: date) -> Learning:
    """Skills, advice, resources, people suggested and TIARA coverage from one student's notes."""
    vocab = student_vocabulary(db, student_id)
    held = conversations(db, student_id, today)
    skills: dict[str, dict] = {}
    advice_items: list[tuple[str, object]] = []
    resources: dict[str, dict] = {}
    for row in held.itertuples():
        text = _texts(row)
        for term in terms_in(text, vocab, kinds=set(KINDS)):
            entry = skills.setdefault(term, {"term": term, "kind": vocab.kinds[term], "people": [], "notes": []})
            entry["notes"].append(row.id)
            if row.person not in entry["people"]:
                entry["people"].append(row.person)
        for source in (row.takeaways, row.advice_answers):
            advice_items += [(sentence, row) for sentence in sentences(source if isinstance(source, str) else "")]
        for kind, name in resources_in(text):
            entry = resources.setdefault(name.casefold(), {"text": name, "kind": kind, "people": []})
            if row.person not in entry["people"]:
                entry["people"].append(row.person)
    advice = []
    for group in group_advice([text for text, _ in advice_items], vocab):
        rows = [advice_items[i][1] for i in group]
        people = list(dict.fromkeys(r.person for r in rows))
        advice.append({"text": advice_items[group[0]][0], "variants": [advice_items[i][0] for i in group],
                       "people": people, "conversations": len({r.id for r in rows}),
                       "dates": sorted({r.held_on for r in rows}), "notes": list(dict.fromkeys(r.id for r in rows)),
                       "contact_id": rows[0].contact_id})
    done = {title for (title,) in db.rows("SELECT title FROM tasks WHERE student_id = ? AND kind = 'other'",
                                           [student_id])}
    for item in advice:
        item["to_do"] = advice_title(item["text"]) in done
    for entry in skills.values():
        entry["conversations"] = len(set(entry["notes"]))
    ranked = sorted(skills.values(), key=lambda s: (-s["conversations"], s["term"].casefold()))
    advice.sort(key=lambda a: (-len(a["people"]), -a["conversations"], a["text"].casefold()))
    return Learning(skills=ranked, advice=advice,
                    resources=sorted(resources.values(), key=lambda r: (-len(r["people"]), r["text"].casefold())),
                    suggested_people=suggested_people(db, student_id), tiara=tiara_coverage(db, student_id, today),
                    held=len(held))


def suggested_people(db: Database, student_id: str) -> list[dict]:
    """People someone the student talked with suggested, and whether they have been asked."""
    frame = db.df("""
        SELECT c.name, ref.name AS suggested_by,
               EXISTS (SELECT 1 FROM outreach_requests r WHERE r.contact_id = c.id) AS reached_out
        FROM contacts c JOIN contacts ref ON ref.id = c.referred_by
        WHERE c.student_id = $sid AND c.archived_at IS NULL
          AND ref.id IN (SELECT contact_id FROM interviews WHERE student_id = $sid AND status = 'held')
        ORDER BY reached_out, lower(c.name)""", {"sid": student_id})
    return frame.to_dict("records")


def tiara_coverage(db: Database, student_id: str, today: date) -> dict[str, int]:
    """Questions chosen for held conversations, per TIARA part (0 for a part never asked)."""
    counts = dict(db.rows("""
        SELECT q.tiara, count(*) FROM interview_questions iq JOIN questions q ON q.id = iq.question_id
        JOIN interviews i ON i.id = iq.interview_id
        WHERE iq.student_id = ? AND i.status = 'held' AND CAST(i.scheduled_at AS DATE) <= ? AND q.category <> 'closing'
        GROUP BY q.tiara""", [student_id, today]))
    return {part: int(counts.get(part, 0)) for part in TIARA_PARTS}


def questions_for_gaps(db: Database, student_id: str, coverage: dict[str, int], per_part: int = 3) -> pd.DataFrame:
    """Bank questions for the TIARA parts never asked, ones the student hasn't chosen before first."""
    gaps = [part for part, n in coverage.items() if n == 0]
    if not gaps:
        return pd.DataFrame(columns=["tiara", "text"])
    marks = ", ".join(f"$gap{i}" for i in range(len(gaps)))
    frame = db.df(f"""
        SELECT q.tiara, q.text FROM questions q
        WHERE (q.student_id IS NULL OR q.student_id = $sid) AND q.tiara IN ({marks}) AND q.category <> 'closing'
        ORDER BY q.tiara, q.id IN (SELECT question_id FROM interview_questions WHERE student_id = $sid), q.text""",
                  {"sid": student_id, **{f"gap{i}": part for i, part in enumerate(gaps)}})
    return frame.groupby("tiara", sort=False).head(per_part).reset_index(drop=True)


def advice_title(text: str) -> str:
    """The title of the to-do a piece of advice becomes."""
    return f"Act on the advice: {text}"


def advice_to_do(db: Database, student_id: str, text: str, contact_id: str | None, today: date, now: datetime) -> bool:
    """Turn a piece of advice into a to-do on the due list (due in method.TO_DO_DAYS); once per advice."""
    title = clean_text(advice_title(text), "Advice", required=True, max_len=400)
    with db.write(student_id=student_id) as cur:
        if cur.execute("SELECT count(*) FROM tasks WHERE student_id = ? AND kind = 'other' AND title = ?",
                       [student_id, title]).fetchone()[0]:
            raise InvalidInput("Advice", "is already on your due list")
        cur.execute("""INSERT INTO tasks (id, student_id, kind, title, contact_id, due_on, created_at)
                       VALUES (?, ?, 'other', ?, ?, ?, ?)""",
                    [new_id(), student_id, title, contact_id, today + timedelta(days=method.TO_DO_DAYS), now])
    return True


# --- measured quality ------------------------------------------------------------------------------

def score(notes: list[dict]) -> dict[str, float]:
    """Precision and recall against hand-labelled notes (tests/fixtures/insights): skills as
    (note, term) pairs; advice grouping as pairs of advice put in the same group; resources
    as (note, name) pairs."""
    tp = fp = fn = 0
    rtp = rfp = rfn = 0
    for note in notes:
        got, want = terms_in(note["text"], kinds=set(KINDS)), set(note["skills"])
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
        found, wanted = {name for _, name in resources_in(note["text"])}, set(note["resources"])
        rtp, rfp, rfn = rtp + len(found & wanted), rfp + len(found - wanted), rfn + len(wanted - found)
    advice = [a for note in notes for a in note["advice"]]
    predicted = {i: g for g, group in enumerate(group_advice([a["text"] for a in advice])) for i in group}
    atp = afp = afn = 0
    for i in range(len(advice)):
        for j in range(i):
            same, together = advice[i]["group"] == advice[j]["group"], predicted[i] == predicted[j]
            atp, afp, afn = atp + (same and together), afp + (together and not same), afn + (same and not together)

    def ratio(a: int, b: int) -> float:
        return round(a / (a + b), 3) if a + b else 1.0
    return {"notes": len(notes), "skill_precision": ratio(tp, fp), "skill_recall": ratio(tp, fn),
            "advice_pairs": atp + afn, "advice_precision": ratio(atp, afp), "advice_recall": ratio(atp, afn),
            "resource_precision": ratio(rtp, rfp), "resource_recall": ratio(rtp, rfn)}


# --- field briefs --------------------------------------------------------------------------------

def fields_of(text: str | None) -> list[str]:
    """A student's fields of interest, as they listed them ("UX research, data science and design")."""
    text = text or ""
    # "data science, UX research and design": a list; "museums and the arts": one field
    parts = re.split(r",|;|/|\n" + (r"|\band\b" if re.search(r"[,;/\n]", text) else ""), text)
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


OTHER_FIELD = "Other conversations"


def field_of(row, fields: list[str]) -> str:
    """The field of interest a conversation belongs to: the one whose words best match the
    person's organisation, industry, role and the notes; the only one when there is one."""
    if len(fields) <= 1:
        return fields[0] if fields else "Everything"
    about = " ".join(str(v) for v in (row.organisation, row.industry, row.role, _texts(row)) if isinstance(v, str))
    scores = {f: fuzz.partial_ratio(f.casefold(), about.casefold()) for f in fields}
    best = max(scores, key=scores.get)
    return best if scores[best] >= 80 else OTHER_FIELD


def field_briefs(db: Database, student_id: str, today: date, fields_of_interest: str | None) -> list[dict]:
    """Per field of interest, what the people in it said: how many, who, the skills, the
    advice and the resources they named (ranked as on the page)."""
    vocab = student_vocabulary(db, student_id)
    held = conversations(db, student_id, today)
    fields = fields_of(fields_of_interest)
    briefs: dict[str, dict] = {}
    terms = {row.id: terms_in(_texts(row), vocab, kinds=set(KINDS)) for row in held.itertuples()}
    unplaced = []
    for row in held.itertuples():
        field_name = field_of(row, fields)
        if field_name == OTHER_FIELD:
            unplaced.append(row)
        else:
            briefs.setdefault(field_name, {"rows": []})["rows"].append(row)
    for row in unplaced:        # nothing names a field: the field whose conversations share most of its terms
        overlap = {name: sum(len(terms[row.id] & terms[other.id]) for other in brief["rows"])
                   for name, brief in briefs.items() if name != OTHER_FIELD}
        best = max(overlap, key=overlap.get, default=None)
        briefs.setdefault(best if best and overlap[best] else OTHER_FIELD, {"rows": []})["rows"].append(row)
    result = []
    for field_name, brief in briefs.items():
        rows = brief["rows"]
        skills: dict[str, set] = {}
        for row in rows:
            for term in terms_in(_texts(row), vocab, kinds=set(KINDS)):
                skills.setdefault(term, set()).add(row.person)
        items = [(s, row) for row in rows for source in (row.takeaways, row.advice_answers)
                 for s in sentences(source if isinstance(source, str) else "")]
        advice = []
        for group in group_advice([s for s, _ in items], vocab):
            people = list(dict.fromkeys(items[i][1].person for i in group))
            advice.append({"text": items[group[0]][0], "people": people})
        resources: dict[str, dict] = {}
        for row in rows:
            for kind, name in resources_in(_texts(row)):
                resources.setdefault(name.casefold(), {"text": name, "kind": kind, "people": set()})["people"].add(
                    row.person)
        result.append({
            "field": field_name, "people": list(dict.fromkeys(r.person for r in rows)), "conversations": len(rows),
            "skills": sorted(({"term": t, "people": len(p)} for t, p in skills.items()),
                             key=lambda s: (-s["people"], s["term"].casefold()))[:12],
            "advice": sorted(advice, key=lambda a: (-len(a["people"]), a["text"].casefold()))[:10],
            "resources": sorted(({"text": r["text"], "kind": r["kind"], "people": len(r["people"])}
                                 for r in resources.values()), key=lambda r: (-r["people"], r["text"].casefold()))[:10],
            "first": min(r.held_on for r in rows), "last": max(r.held_on for r in rows)})
    return sorted(result, key=lambda b: (-b["conversations"], b["field"]))


def briefs(db: Database, student_id: str, today: date) -> list[dict]:
    """field_briefs() for the student's own fields of interest (the page's cached read)."""
    return field_briefs(db, student_id, today,
                        db.scalar("SELECT fields_of_interest FROM students WHERE id = ?", [student_id]))


# --- the coach's view: counts only, from students who share them ------------------------------------

def set_sharing(db: Database, student_id: str, share: bool) -> None:
    """Whether the student's coach sees the counts mined from their notes (never the notes)."""
    with db.write(student_id=student_id) as cur:
        cur.execute("UPDATE students SET share_learning = ? WHERE id = ?", [bool(share), student_id])


def cohort_learning(db: Database, student_ids: list[str], today: date) -> dict:
    """Across students who share: how many explore each field, and how many students' notes
    name each skill or advice topic. Counts only; no sentence from a note leaves this function."""
    shared = [sid for (sid,) in db.rows("SELECT CAST(id AS VARCHAR) FROM students WHERE share_learning")
              if sid in set(student_ids)]
    fields: dict[str, int] = {}
    skills: dict[str, set] = {}
    topics: dict[str, set] = {}
    for sid in shared:
        for field_name in fields_of(db.scalar("SELECT fields_of_interest FROM students WHERE id = ?", [sid])):
            shown = next((f for f in fields if f.casefold() == field_name.casefold()), field_name)
            fields[shown] = fields.get(shown, 0) + 1
        vocab = student_vocabulary(db, sid)
        for row in conversations(db, sid, today).itertuples():
            text = _texts(row)
            for term in terms_in(text, vocab):
                (skills if vocab.kinds[term] in KINDS else topics).setdefault(term, set()).add(sid)
            for source in (row.takeaways, row.advice_answers):
                for sentence in sentences(source if isinstance(source, str) else ""):
                    for key in gist(sentence, vocab)[0]:
                        topics.setdefault(key, set()).add(sid)

    def ranked(counts: dict[str, set]) -> list[tuple[str, int]]:
        return sorted(((k, len(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0].casefold()))
    return {"sharing": len(shared), "of": len(student_ids),
            "fields": sorted(fields.items(), key=lambda kv: (-kv[1], kv[0])),
            "skills": ranked(skills), "advice_topics": ranked(topics)}
