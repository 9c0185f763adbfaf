"""Drafting a request for a conversation, and the checks that coach the draft.

A good request (Dalton's rules, in our words): the connection comes first, it is short
(an email under about 100 words), it asks a small, specific question, it never asks
for a job, and it says more about them than about the sender. The four parts: how I
came to you; who I am; why you and what I hope to learn; the ask.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import quote

from lib.models import CHANNELS

LINKEDIN_NOTE_LIMIT = 300     # characters in a LinkedIn connection note
EMAIL_WORDS_GOOD = 100
EMAIL_WORDS_WARN = 150
TEXT_WORDS_GOOD = 60
OPENING_WORDS = 40            # "the opening": the first sentences, up to this many words

VARIANTS = {"warm": "Warm contact", "referral": "Referral", "cold": "Cold contact"}
CLOSE_SOURCES = ("family", "friends_community")

_JOB_WORDS = re.compile(
    r"\b(jobs?|internships?|positions?|openings?|vacanc(?:y|ies)|hiring|hire|employment|"
    r"r[eé]sum[eé]s?|cvs?|job offers?)\b", re.IGNORECASE)
_ASK_WORDS = re.compile(r"\b(would|could|can|might|may|will)\s+(you|we|i)\b|\b(are|were)\s+you\b|"
                        r"\bopen to\b|\bwilling\b|\bdo you have\b|\bhave you got\b", re.IGNORECASE)
_ME = re.compile(r"\b(i|i'm|i've|i'd|i'll|me|my|mine|myself)\b", re.IGNORECASE)
_YOU = re.compile(r"\b(you|your|yours|you're|you've|you'd|you'll|yourself)\b", re.IGNORECASE)
_GREETING = re.compile(r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening))\b[^\n]{0,60}\n",
                       re.IGNORECASE)
_CONNECTION_PHRASES = ("suggested", "referred", "recommended", "introduced", "alum", "alumni", "alumna",
                       "alumnus", "we met", "met you", "i met", "found your", "came across", "read your",
                       "saw your", "heard you", "through")
_STOPWORDS = {"the", "and", "from", "with", "for", "my", "our", "your", "at", "in", "of", "a", "an", "on",
              "found", "met", "via", "who", "that", "this", "their", "friend", "through"}


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
    if ctx.linkedin_url:
        return "linkedin", "No email on file: send a LinkedIn connection note (300 characters at most)."
    return "social", "No email or LinkedIn on file: use the messaging you share, or find their email first."


def channel_warning(ctx: Context, channel: str) -> str | None:
    """Why a chosen channel may be a poor fit for this contact, or None."""
    if channel == "text" and ctx.source not in CLOSE_SOURCES:
        return "Text messages are for family and close friends; a professional contact may find it intrusive."
    if channel == "email" and not ctx.email:
        return "You have no email address for this contact yet."
    if channel == "linkedin" and not ctx.linkedin_url:
        return "You have no LinkedIn address for this contact yet."
    if channel != "email" and ctx.email and channel != "text":
        return "You have their email: email is the better first channel."
    return None


def _connection_sentence(ctx: Context, variant: str) -> str:
    field = ctx.fields or "your field"
    how = (ctx.how_met or "").strip().rstrip(".")
    how = how[:1].lower() + how[1:] if how else ""
    if variant == "referral":
        return f"{ctx.referrer or 'A mutual contact'} suggested I get in touch with you."
    if ctx.source == "alumni":
        return f"I found you through the {ctx.school or 'school'} alumni network."
    if ctx.source == "event":
        return f"We met at {how}." if how else "We met at a recent event."
    if variant == "warm":
        return f"I'm writing because we know each other ({ctx.how_met.strip().rstrip('.')})." if how else \
            "I hope you're well."
    if ctx.source == "linkedin":
        return f"I came across your profile on LinkedIn while reading about {field}."
    if ctx.source == "org_website":
        where = f"the {ctx.organisation} website" if ctx.organisation else "your organisation's website"
        return f"I found your name on {where} while reading about {field}."
    return f"I came across your work while reading about {field}."


def _who_i_am(ctx: Context) -> str:
    if ctx.major and ctx.school:
        return f"I'm {ctx.my_first_name}, a {ctx.major} student at {ctx.school}."
    if ctx.school:
        return f"I'm {ctx.my_first_name}, a student at {ctx.school}."
    return f"I'm {ctx.my_first_name}, a student exploring {ctx.fields or 'my options'}."


def _why_you(ctx: Context) -> str:
    where = f" at {ctx.organisation}" if ctx.organisation else ""
    what = f"your work as {_article(ctx.role)} {ctx.role.lower()}{where}" if ctx.role else f"your work{where}"
    return (f"Your path into {ctx.fields or 'your field'} interests me, and {what} sounds like "
            "exactly what you could tell me about: how you got there and what your days look like.")


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def draft(ctx: Context, channel: str, variant: str) -> tuple[str, str]:
    """(subject, body) of a first draft for this contact, channel and variant."""
    ask = "Would you be open to a 20-minute phone or video call in the next few weeks?"
    connection = _connection_sentence(ctx, variant)
    if channel == "text":
        via = f" {ctx.referrer} suggested I ask you." if variant == "referral" and ctx.referrer else ""
        body = (f"Hi {ctx.first_name}, it's {ctx.my_first_name}!{via} I'm exploring {ctx.fields or 'careers'} and "
                f"your advice would mean a lot. Could you spare 20 minutes for a call in the next couple of weeks?")
        return "", body
    if channel == "linkedin":
        for parts in ((connection, _who_i_am(ctx), "Would you be open to a 20-minute call about your path?"),
                      (connection, "Would you be open to a 20-minute call about your path?"),
                      ("Would you be open to a 20-minute call about your path?",)):
            body = f"Hi {ctx.first_name}, " + " ".join(parts)
            if len(body) <= LINKEDIN_NOTE_LIMIT:
                break
        return "", body
    subject = (f"{ctx.referrer} suggested I reach out" if variant == "referral" and ctx.referrer else
               f"Question from a fellow {ctx.school} alum" if ctx.source == "alumni" and ctx.school else
               "A question about your work")
    body = (f"Hi {ctx.first_name},\n\n{connection} {_who_i_am(ctx)}\n\n{_why_you(ctx)}\n\n{ask}\n\n"
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
        f"{_connection_sentence(ctx, variant_for(ctx))}\n\nI know how full your week must be: would you be open to "
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
    """Words that show the connection: the referrer, the school, the event, how we met."""
    cues = [ctx.referrer or "", ctx.school or ""]
    for word in words(ctx.how_met or ""):
        if len(word) > 3 and word.lower() not in _STOPWORDS:
            cues.append(word)
    return [c for c in cues if c.strip()]


def check(text: str, channel: str, ctx: Context) -> list[Check]:
    """Every rule on a draft, each saying what it found and why it matters."""
    text = text or ""
    results = [_length(text, channel), _connection_first(text, ctx), _ask_is_question(text),
               _no_job_request(text), _about_them(text)]
    if channel == "linkedin":
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
    if found:
        return Check("connection", "Connection first", "ok",
                     f"The opening says how you came to them ({found[0]!r}).")
    return Check("connection", "Connection first", "warning",
                 "Say how you came to them in the first sentence or two (who suggested them, "
                 "your shared school, where you met): it is why they will read on.")


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


def channel_label(channel: str) -> str:
    return {"linkedin": "LinkedIn connection note"}.get(channel, CHANNELS[channel])
