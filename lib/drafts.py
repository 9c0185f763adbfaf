"""Drafting a request for a conversation, and the checks that coach the draft.

A good request (Dalton's rules, in our words): the connection comes first, it is short
(an email under about 100 words), it asks a small, specific question, it never asks
for a job, and it says more about them than about the sender. The four parts: how I
came to you; who I am; why you and what I hope to learn; the ask.

The sentences are written from the data as a student would write them: lists joined with
"and", a title or field in lower case unless it is an acronym or a name, the how-we-met
text turned into a phrase ("As my research mentor, ...", "We met at the fall career fair")
or left out when it does not read as one. data/example_drafts.toml holds good examples of
each variant that the tests hold the templates to.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import quote

from lib.db import ROOT
from lib.models import CHANNELS

EXAMPLES_TOML = ROOT / "data" / "example_drafts.toml"
LINKEDIN_NOTE_LIMIT = 300     # characters in a LinkedIn connection note
EMAIL_WORDS_GOOD = 100
EMAIL_WORDS_WARN = 150
TEXT_WORDS_GOOD = 60
OPENING_WORDS = 40            # "the opening": the first sentences, up to this many words

VARIANTS = {"warm": "Warm contact", "referral": "Referral", "cold": "Cold contact"}
CLOSE_SOURCES = ("family", "friends_community")
KNOWN_SOURCES = ("professors_mentors", "supervisors_coworkers", "career_coach")   # they know the student

_JOB_WORDS = re.compile(
    r"\b(jobs?|internships?|positions?|openings?|vacanc(?:y|ies)|hiring|hire|employment|"
    r"r[eé]sum[eé]s?|cvs?|job offers?)\b", re.IGNORECASE)
_ASK_WORDS = re.compile(r"\b(would|could|can|might|may|will)\s+(you|we|i)\b|\b(are|were)\s+you\b|"
                        r"\bopen to\b|\bwilling\b|\bdo you have\b|\bhave you got\b", re.IGNORECASE)
_ME = re.compile(r"\b(i|i'm|i've|i'd|i'll|me|my|mine|myself)\b", re.IGNORECASE)
_YOU = re.compile(r"\b(you|your|yours|you're|you've|you'd|you'll|yourself)\b", re.IGNORECASE)
_GREETING = re.compile(r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening))\b[^\n]{0,60}\n",
                       re.IGNORECASE)
# Phrases that say how the student came to *this person*: a referral, a meeting, their own work.
_CONNECTION_PHRASES = ("suggested", "referred", "recommended", "introduced", "we met", "met you", "i met",
                       "connected on linkedin", "your profile", "your work", "your article", "your talk",
                       "your post", "your panel", "your podcast", "your team", "your research", "your book",
                       "heard you", "you spoke", "you speak", "your name", "as my", "you were my", "you taught")
_ALUMNI_PHRASES = ("alum", "alumni", "alumna", "alumnus", "fellow")
_STOPWORDS = {"the", "and", "from", "with", "for", "my", "our", "your", "at", "in", "of", "a", "an", "on",
              "found", "met", "via", "who", "that", "this", "their", "friend", "through", "linkedin",
              "connection", "search", "page", "team", "about", "introduced"}
_ARTICLES = ("the", "a", "an", "my", "your", "his", "her", "their", "our", "this", "last", "next")


@dataclass(frozen=True)
class Context:
    """What the draft is built from: the student and the contact, as plain values."""
    student_name: str
    school: str | None
    major: str | None
    fields: str | None
    contact_name: str
    role: str | None
    organisation: str | None
    source: str
    warmth: str
    how_met: str | None
    referrer: str | None
    email: str | None
    linkedin_url: str | None
    phone: str | None
    class_year: int | None = None
    linkedin_connected: bool = False     # imported from LinkedIn: already a connection

    @property
    def first_name(self) -> str:
        return self.contact_name.split()[0]

    @property
    def my_first_name(self) -> str:
        return self.student_name.split()[0]


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    level: str        # 'ok', 'note' (worth a look), 'warning', or 'error' (won't go through)
    detail: str

    @property
    def passed(self) -> bool:
        return self.level == "ok"

    @property
    def why(self) -> str:
        """Why the rule matters, in a sentence."""
        return RULE_WHY[self.key]


RULE_WHY = {
    "length": "Busy people answer short messages; a long one waits for a free moment that never comes.",
    "connection": "How you came to them is why they read on: a name they know, a shared school, a meeting.",
    "ask": "A small, specific question is easy to say yes to; a statement is easy to ignore.",
    "no_job": "An informational interview is to learn; asking for a job turns a favour into a burden.",
    "about_them": "People reply to interest in their work, not to a life story.",
    "linkedin_limit": "LinkedIn cuts a connection note at 300 characters; it won't send a longer one.",
}


def variant_for(ctx: Context) -> str:
    if ctx.referrer or ctx.source == "referral":
        return "referral"
    return "warm" if ctx.warmth == "warm" else "cold"


def suggested_channel(ctx: Context) -> tuple[str, str]:
    """The channel to use and why: email first; LinkedIn or social messages when there is
    no email; a text message only for family and close friends."""
    if ctx.source in CLOSE_SOURCES and ctx.phone and not ctx.email:
        return "text", "A close contact with a phone number: a short text is fine."
    if ctx.email:
        return "email", "Email first: it is the most professional and easiest to answer."
    if ctx.linkedin_connected:
        return "linkedin", "No email on file, and you are already connected on LinkedIn: send them a message there."
    if ctx.linkedin_url:
        return "linkedin", "No email on file: send a LinkedIn connection note (300 characters at most)."
    return "social", "No email or LinkedIn on file: use the messaging you share, or find their email first."


def channel_warning(ctx: Context, channel: str) -> str | None:
    """Why a chosen channel may be a poor fit for this contact, or None."""
    if channel == "text" and ctx.source not in CLOSE_SOURCES:
        return "Text messages are for family and close friends; a professional contact may find it intrusive."
    if channel == "email" and not ctx.email:
        return "You have no email address for this contact yet."
    if channel == "linkedin" and not (ctx.linkedin_url or ctx.linkedin_connected):
        return "You have no LinkedIn address for this contact yet."
    if channel != "email" and ctx.email and channel != "text":
        return "You have their email: email is the better first channel."
    return None


# --- writing natural sentences -------------------------------------------------------------

def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_PROPER = {"english", "french", "spanish", "german", "chinese", "japanese", "arabic", "latin", "american",
           "european", "african", "asian", "python", "java", "excel", "google", "microsoft", "linkedin"}


def _lower_word(word: str) -> str:
    """'Public' -> 'public'; 'AI', 'iOS', 'BIOL', 'English', '2301' stay as typed."""
    if len(word) > 1 and not word[1:].islower() or word.lower().strip(",.") in _PROPER:
        return word
    return word[:1].lower() + word[1:]


def lower_first(text: str) -> str:
    """'Public health' -> 'public health'; 'AI ethics', 'iOS', 'BIOL 2301' stay as typed."""
    first, _, rest = text.partition(" ")
    return _lower_word(first) + (" " + rest if rest else "")


def lower_phrase(text: str) -> str:
    """A title or field as it reads inside a sentence: 'Education Director' -> 'education director',
    'Public Health' -> 'public health'; acronyms and names ('CEO', 'UX', 'English') stay."""
    return " ".join(_lower_word(w) for w in text.split())


_THE_WORDS = re.compile(r"\b(department|museum|lab|laboratory|board|university|institute|council|agency|office|"
                        r"ministry|foundation|centre|center|society|association|service|hospital|library|"
                        r"school|college|union|commission|authority|trust|bank of|city of)\b", re.IGNORECASE)


def organisation_phrase(name: str) -> str:
    """'County Health Department' -> 'the County Health Department'; 'Keller & Vance' unchanged."""
    if re.match(r"^the\b", name, re.IGNORECASE) or not _THE_WORDS.search(name) or "'" in name:
        return name
    return "the " + name


def field_list(fields: str | None) -> list[str]:
    """'public health, epidemiology; Health Policy' -> ['public health', 'epidemiology', 'health policy']."""
    parts = re.split(r"\s*(?:[,;/|]|\band\b|&)\s*", fields or "")
    seen, out = set(), []
    for part in parts:
        part = part.strip(" .")
        part = re.sub(r"^(?:and|or)\s+", "", part)
        if part and part.lower() not in seen:
            seen.add(part.lower())
            out.append(lower_phrase(part) if all(w[:1].isupper() for w in part.split()) else lower_first(part))
    return out


def fields_phrase(ctx: Context, default: str = "your field") -> str:
    return join_words(field_list(ctx.fields)) or default


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _how(ctx: Context) -> str:
    how = " ".join((ctx.how_met or "").split()).rstrip(".!")
    return how


def _with_article(phrase: str) -> str:
    """'fall 2026 career fair' -> 'the fall 2026 career fair'; 'a meet-up', 'TechCon' unchanged."""
    first = phrase.split(" ", 1)[0]
    if first.lower() in _ARTICLES or first[:1].isupper():
        return phrase
    return "the " + phrase


def _your(text: str) -> str:
    """Their words about them, turned to address them: 'their article' -> 'your article'."""
    swaps = {"their": "your", "them": "you", "they": "you", "his": "your", "her": "your", "him": "you"}
    return re.sub(r"\b(their|them|they|his|her|him)\b", lambda m: swaps[m.group(1).lower()], text,
                  flags=re.IGNORECASE)


def relation(ctx: Context) -> str | None:
    """How a known contact (professor, supervisor, coach...) relates to the student, as a phrase
    after 'As': 'my research mentor', 'my History seminar professor'; None when it does not fit."""
    how = _how(ctx)
    if not how or re.match(r"^(met|found|introduced|read|heard|saw|spoke|linkedin)\b", how, re.I):
        return None
    how = lower_first(how)
    if _JOB_WORDS.search(how):                  # 'supervisor at my summer job' -> 'supervisor'
        how = re.split(r"\s+(?:at|in|on|during|from)\s+", how, maxsplit=1)[0]
    of_my = re.match(r"^([\w -]{2,40}?) of (my|the) (.+)$", how)
    if of_my:                                   # 'professor of my History seminar' -> 'my History seminar professor'
        how = f"{of_my.group(2)} {of_my.group(3)} {of_my.group(1)}"
    if not re.match(r"^(my|our)\b", how, re.I):
        how = "my " + re.sub(r"^(a|an|the)\s+", "", how)
    return how if len(how.split()) <= 8 else None


def event_phrase(ctx: Context) -> str | None:
    """'Met at fall 2026 career fair' -> 'We met at the fall 2026 career fair'; 'Spoke on a panel
    about X' -> 'I heard you speak on a panel about X'; None when the text does not read so."""
    how = _how(ctx)
    met = re.match(r"^(?:we\s+)?met\s+(at|during|on|in)\s+(.+)$", how, re.I)
    if met:
        return f"We met {met.group(1).lower()} {_with_article(met.group(2))}"
    spoke = re.match(r"^(?:they\s+|she\s+|he\s+)?(?:spoke|talked|presented)\s+(.+)$", how, re.I)
    if spoke:
        return f"I heard you speak {_your(spoke.group(1))}"
    if re.match(r"^(fall|spring|summer|winter|autumn|the|a|an)?\s*[\w -]*(fair|meet-?up|conference|panel|"
                r"workshop|event|talk|seminar|webinar|open day|hackathon)$", how, re.I):
        return f"We met at {_with_article(lower_first(how))}"
    return None


def found_phrase(ctx: Context) -> str | None:
    """'Read their article on X' -> 'I read your article on X'; None when it does not read so."""
    how = _how(ctx)
    seen = re.match(r"^(?:i\s+)?(read|heard|saw|watched|listened to)\s+(.+)$", how, re.I)
    if seen:
        return f"I {seen.group(1).lower()} {_your(seen.group(2))}"
    return None


def _their_work(ctx: Context, what: str = "work") -> str:
    where = f" at {organisation_phrase(ctx.organisation)}" if ctx.organisation else ""
    if ctx.role:
        role = lower_phrase(ctx.role)
        return f"your {what} as {_article(role)} {role}{where}"
    return f"your {what}{where}"


def connection_sentence(ctx: Context, variant: str) -> str:
    """How I came to you: the first sentence after the greeting."""
    fields = fields_phrase(ctx)
    if variant == "referral":
        return f"{ctx.referrer or 'A mutual contact'} suggested I get in touch with you."
    if ctx.source == "alumni":
        school = f"the {ctx.school}" if ctx.school else "our school's"
        return f"I found you through {school} alumni network, and your path since graduating is just what I hoped to learn about."
    if ctx.source == "event":
        phrase = event_phrase(ctx) or "We met at a recent event"
        return f"{phrase}, and I've been thinking about what you said since."
    if ctx.source in KNOWN_SOURCES or (variant == "warm" and ctx.source not in ("linkedin", "org_website", "other")):
        known = relation(ctx)
        if known:
            return f"As {known}, you know my work, and your advice on {fields} would mean a lot."
        return f"I hope you're well! Your advice on {fields} would mean a lot, so I wanted to ask you."
    if ctx.source == "linkedin":
        if ctx.linkedin_connected:
            return f"We're connected on LinkedIn, and I'd value your view as I look into {fields}."
        return f"I came across your profile on LinkedIn while reading about {fields}."
    if ctx.source == "org_website":
        where = f"the {ctx.organisation} website" if ctx.organisation else "your organisation's website"
        return f"I found your name on {where} while reading about {fields}."
    found = found_phrase(ctx)
    if found:
        return f"{found}, and it made me want to learn more about your path."
    return f"I came across your work while reading about {fields}."


def who_i_am(ctx: Context) -> str:
    """Who I am: name, major, school and year, as one sentence."""
    year = f", graduating in {ctx.class_year}" if ctx.class_year else ""
    if ctx.major and ctx.school:
        major = ctx.major.strip()
        return f"I'm {ctx.my_first_name}, {_article(major)} {major} student at {ctx.school}{year}."
    if ctx.school:
        return f"I'm {ctx.my_first_name}, a student at {ctx.school}{year}."
    if ctx.major:
        return f"I'm {ctx.my_first_name}, {_article(ctx.major)} {ctx.major.strip()} student{year}."
    return f"I'm {ctx.my_first_name}, a student exploring {fields_phrase(ctx, 'my options')}{year}."


def why_you(ctx: Context, fields_said: bool = False) -> str:
    """Why you: their work or path, and what I hope to learn (the fields once in the message)."""
    fields = "" if fields_said else fields_phrase(ctx, "")
    work = _their_work(ctx, "path" if fields_said else "work")
    lead = f"I'm exploring {fields}, and {work}" if fields else work[:1].upper() + work[1:]
    tail = "is what I'd love to hear about" if fields_said else "is the kind of path I'd love to understand"
    return f"{lead} {tail}: how you got there and what your days look like."


def _says_fields(ctx: Context, sentence: str) -> bool:
    phrase = fields_phrase(ctx, "")
    return bool(phrase) and phrase in sentence


ASK = "Would you be open to a 20-minute phone or video call in the next few weeks, at a time that suits you?"
SHORT_ASK = "Would you be open to a 20-minute call about your path?"


def draft_parts(ctx: Context, channel: str, variant: str) -> dict[str, str]:
    """The four parts of a first draft, in order: connection, who, why, ask."""
    connection = connection_sentence(ctx, variant)
    note = channel == "linkedin" and not ctx.linkedin_connected
    return {"connection": connection, "who": who_i_am(ctx), "why": why_you(ctx, _says_fields(ctx, connection)),
            "ask": SHORT_ASK if note else ASK}


def _after_greeting(sentence: str) -> str:
    """A sentence placed after 'Hi Helen, ': 'As my mentor...' -> 'as my mentor...' (names stay)."""
    first = sentence.split(" ", 1)[0]
    return sentence[:1].lower() + sentence[1:] if first in ("As", "We", "We're", "You", "Your") else sentence


def draft(ctx: Context, channel: str, variant: str) -> tuple[str, str]:
    """(subject, body) of a first draft for this contact, channel and variant."""
    parts = draft_parts(ctx, channel, variant)
    if channel == "text":
        via = f" {ctx.referrer} suggested I ask you." if variant == "referral" and ctx.referrer else ""
        body = (f"Hi {ctx.first_name}, it's {ctx.my_first_name}!{via} I'm exploring {fields_phrase(ctx, 'careers')} "
                "and your advice would mean a lot. Could you spare 20 minutes for a call in the next couple of weeks?")
        return "", body
    if channel == "linkedin" and not ctx.linkedin_connected:      # a connection note: 300 characters
        for chosen in (("connection", "who", "ask"), ("connection", "ask"), ("ask",)):
            body = f"Hi {ctx.first_name}, " + _after_greeting(" ".join(parts[p] for p in chosen))
            if len(body) <= LINKEDIN_NOTE_LIMIT:
                break
        return "", body
    if channel in ("linkedin", "social"):                       # a message to a connection
        body = (f"Hi {ctx.first_name},\n\n{parts['connection']} {parts['who']}\n\n{parts['why']}\n\n"
                f"{parts['ask']}\n\nThank you,\n{ctx.my_first_name}")
        return "", body
    first_field = (field_list(ctx.fields) or [""])[0]
    subject = (f"{ctx.referrer} suggested I reach out" if variant == "referral" and ctx.referrer else
               f"Question from a fellow {ctx.school} alum" if ctx.source == "alumni" and ctx.school else
               f"Your advice on {first_field}" if variant == "warm" and first_field else
               f"A question about your path into {first_field}" if first_field else "A question about your work")
    body = (f"Hi {ctx.first_name},\n\n{parts['connection']} {parts['who']}\n\n{parts['why']}\n\n{parts['ask']}\n\n"
            f"Thank you for considering it,\n{ctx.student_name}")
    return subject, body


def follow_up(ctx: Context, channel: str, sent_on) -> tuple[str, str]:
    """(subject, body) of the one 3B7 follow-up: short, friendly, the same small ask."""
    when = f"{sent_on:%A %d %B}" if sent_on else "last week"
    if channel in ("linkedin", "text", "social"):
        return "", (f"Hi {ctx.first_name}, following up on my note from {when}. I know you're busy: would you "
                    "have 20 minutes for a call in the coming weeks? Your perspective would help a lot.")
    return "Following up: a question about your work", (
        f"Hi {ctx.first_name},\n\nI'm following up on my note from {when}, in case it got buried. "
        f"{connection_sentence(ctx, variant_for(ctx))}\n\nI know how full your week must be: would you be open to "
        f"a 20-minute call at a time that suits you?\n\nThank you,\n{ctx.student_name}")


# --- the checks --------------------------------------------------------------------------

def words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def opening(text: str) -> str:
    """The start of the message after any greeting line: its first two sentences, at most
    OPENING_WORDS words."""
    body = _GREETING.sub("", text.strip() + "\n", count=1).strip()
    body = re.sub(r"^(hi|hello|hey|dear)\s+[^,\n]{1,40},\s*", "", body, flags=re.IGNORECASE)
    first_two = " ".join(_sentences(body)[:2])
    return " ".join(first_two.split()[:OPENING_WORDS])


def connection_cues(ctx: Context) -> list[str]:
    """Words that show the connection *to this contact*: the referrer, the event or how we met,
    their organisation and role, and the shared school only for alumni. The student's own
    school, major or name are not a connection to a stranger."""
    cues = [ctx.referrer or "", ctx.organisation or ""]
    if ctx.referrer:
        cues += [w for w in ctx.referrer.split() if len(w) > 2]
    if ctx.source == "alumni":
        cues.append(ctx.school or "")
    if ctx.role:
        cues.append(ctx.role)
    for word in words(ctx.how_met or ""):
        if len(word) > 3 and word.lower() not in _STOPWORDS and not (ctx.school and word in ctx.school.split()
                                                                     and ctx.source != "alumni"):
            cues.append(word)
    return [c for c in cues if c.strip()]


def check(text: str, channel: str, ctx: Context) -> list[Check]:
    """Every rule on a draft, each saying what it found and why it matters."""
    text = text or ""
    results = [_length(text, channel), _connection_first(text, ctx), _ask_is_question(text),
               _no_job_request(text), _about_them(text)]
    if channel == "linkedin" and not ctx.linkedin_connected:
        results.append(_linkedin_limit(text))
    return results


def _length(text: str, channel: str) -> Check:
    n = len(words(text))
    if channel == "text":
        if n <= TEXT_WORDS_GOOD:
            return Check("length", "Short", "ok", f"{n} words: right for a text message.")
        return Check("length", "Short", "note", f"{n} words: a text should be a few lines; "
                                                 f"aim for under {TEXT_WORDS_GOOD}.")
    if channel == "linkedin":
        return Check("length", "Short", "ok" if n <= EMAIL_WORDS_GOOD else "note", f"{n} words.")
    if n <= EMAIL_WORDS_GOOD:
        return Check("length", "Short", "ok", f"{n} words: under about {EMAIL_WORDS_GOOD}, easy to read on a phone.")
    if n <= EMAIL_WORDS_WARN:
        return Check("length", "Short", "note", f"{n} words: a little long; busy people answer short "
                                                 f"messages (aim for about {EMAIL_WORDS_GOOD}).")
    return Check("length", "Short", "warning", f"{n} words: past {EMAIL_WORDS_WARN}, many readers stop; "
                                                f"cut it to about {EMAIL_WORDS_GOOD}.")


def _connection_first(text: str, ctx: Context) -> Check:
    if ctx.source in CLOSE_SOURCES:
        return Check("connection", "Connection first", "ok", "A close contact: they know who you are.")
    start = opening(text).lower()
    found = [cue for cue in connection_cues(ctx) if re.search(rf"\b{re.escape(cue.lower())}\b", start)]
    found += [p for p in _CONNECTION_PHRASES if re.search(rf"\b{re.escape(p)}\b", start)]
    if ctx.source == "alumni":
        found += [p for p in _ALUMNI_PHRASES if re.search(rf"\b{re.escape(p)}\b", start)]
    if found:
        return Check("connection", "Connection first", "ok",
                     f"The opening says how you came to them ({found[0]!r}).")
    hint = {"referral": f"name {ctx.referrer}, who suggested them" if ctx.referrer else "name who suggested them",
            "alumni": "say you share a school" + (f" ({ctx.school})" if ctx.school else ""),
            "event": "say where you met"}.get(ctx.source if ctx.source != "referral" else "referral")
    if not hint and ctx.source in KNOWN_SOURCES:
        hint = "remind them how they know you (the class, the job, the project)"
    hint = hint or "say what of theirs brought you to them (their work, their article, their team)"
    level = "note" if ctx.source in KNOWN_SOURCES else "warning"
    return Check("connection", "Connection first", level,
                 f"The first sentence or two don't yet say how you came to {ctx.first_name}: {hint}. "
                 "Your own school or major is not a connection to them.")


def _ask_is_question(text: str) -> Check:
    asks = [s for s in _sentences(text) if s.endswith("?") and _ASK_WORDS.search(s)]
    if asks:
        return Check("ask", "The ask is a question", "ok", f"You ask: \u201c{asks[-1][:90]}\u201d")
    return Check("ask", "The ask is a question", "warning",
                 "End with a small, specific ask phrased as a question, such as: Would you be open to a "
                 "20-minute call? A question is easy to answer; a statement is easy to ignore.")


def _no_job_request(text: str) -> Check:
    found = sorted({m.group(0).lower() for m in _JOB_WORDS.finditer(text)})
    if not found:
        return Check("no_job", "No job request", "ok", "Nothing reads as asking for a job: you are asking to learn.")
    return Check("no_job", "No job request", "warning",
                 f"Mentions {', '.join(repr(w) for w in found)}. An informational interview is to learn; "
                 "asking for a job, internship or resume review puts people off. Leave it out.")


def _about_them(text: str) -> Check:
    me, you = len(_ME.findall(text)), len(_YOU.findall(text))
    if you > me:
        return Check("about_them", "More about them", "ok", f"'you/your' {you} times, 'I/me/my' {me}.")
    return Check("about_them", "More about them", "note",
                 f"'I/me/my' {me} times, 'you/your' {you}: turn a sentence or two toward them and their work.")


def _linkedin_limit(text: str) -> Check:
    n = len(text)
    if n <= LINKEDIN_NOTE_LIMIT:
        return Check("linkedin_limit", "Fits a LinkedIn note", "ok", f"{n} of {LINKEDIN_NOTE_LIMIT} characters.")
    return Check("linkedin_limit", "Fits a LinkedIn note", "error",
                 f"{n} characters: a connection note takes {LINKEDIN_NOTE_LIMIT} at most; "
                 f"cut {n - LINKEDIN_NOTE_LIMIT}.")


# --- output ------------------------------------------------------------------------------

def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def mailto(ctx: Context, subject: str, body: str) -> str | None:
    if not ctx.email:
        return None
    return (f"mailto:{quote(ctx.email, safe='@')}?subject={quote(_one_line(subject))}"
            f"&body={quote(body.replace(chr(13), '').replace(chr(10), chr(13) + chr(10)))}")


def eml(ctx: Context, subject: str, body: str) -> bytes:
    """An unsent email (opens as a draft in Outlook and Apple Mail)."""
    message = EmailMessage()
    if ctx.email:
        message["To"] = formataddr((_one_line(ctx.contact_name), ctx.email))
    message["Subject"] = _one_line(subject)
    message["X-Unsent"] = "1"
    message.set_content(body)
    return bytes(message)


def channel_label(channel: str, ctx: Context | None = None) -> str:
    """'LinkedIn message' to a connection (imported from LinkedIn); a 'connection note' otherwise."""
    if channel == "linkedin":
        return "LinkedIn message" if ctx is not None and ctx.linkedin_connected else "LinkedIn connection note"
    return CHANNELS[channel]


def examples() -> list[dict]:
    """The library of good example messages (data/example_drafts.toml): each with its variant,
    channel, the context it was written for, and the text."""
    with open(EXAMPLES_TOML, "rb") as handle:
        return tomllib.load(handle)["example"]


def example_context(example: dict) -> Context:
    """The Context an example was written for."""
    base = {f: None for f in Context.__dataclass_fields__}
    base.update(linkedin_connected=False)
    base.update(example["context"])
    return Context(**base)
