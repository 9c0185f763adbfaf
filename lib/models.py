"""The vocabulary of the method: the allowed values of each coded field, in one place.

The database CHECK constraints (lib/migrations.py) and the forms both read these tuples,
so a label shown to a student and a value stored never drift apart.
"""
from __future__ import annotations

from lib import method

WARMTH = ("warm", "cold")

# Where a contact comes from. The first seven share a connection with the student (warm);
# the rest are found or met once (cold). A referral turns a cold contact warm.
SOURCES = {
    "family": "Family",
    "friends_community": "Friends and community",
    "professors_mentors": "Professors and mentors",
    "supervisors_coworkers": "Supervisors and co-workers",
    "career_coach": "Career coach",
    "alumni": "Alumni",
    "referral": "Referral",
    "linkedin": "LinkedIn",
    "org_website": "Organisation website",
    "event": "Event or career fair",
    "other": "Other",
}
WARM_SOURCES = ("family", "friends_community", "professors_mentors", "supervisors_coworkers",
                "career_coach", "alumni", "referral")

CHANNELS = {"email": "Email", "linkedin": "LinkedIn message", "social": "Other social message",
            "text": "Text message"}
OUTCOMES = {"agreed": "Agreed", "declined": "Declined", "referred": "Referred me elsewhere"}
FORMATS = {"phone": "Phone", "video": "Video", "in_person": "In person"}
INTERVIEW_STATUSES = {"scheduled": "Scheduled", "held": "Held", "cancelled": "Cancelled",
                      "no_show": "No-show", "rescheduled": "Rescheduled"}
TOUCH_KINDS = {
    "thank_you": "Thank-you",
    "reply": "They replied",
    "meeting": "Met again",
    "update": "Progress update",
    "advice_followed": "I followed your advice",
    "article": "Article or event for you",
    "comment": "Comment on their work",
    "offer_help": "Offer of help",
    "question": "A new question",
    "landed": "I landed the job",
    "other": "Other",
}
# Dalton's names for how people answer a request, from the measured reply time.
REPLY_BEHAVIOURS = {
    "booster": f"Booster: replied within {method.BOOSTER_BUSINESS_DAYS} business days",
    "obligate": "Obligate: replied later",
    "curmudgeon": "Curmudgeon: no reply after the follow-up",
    "waiting": "Waiting for a reply",
    "not_followed_up": "No reply, not followed up",
}
TIARA = {"trends": "Trends", "insights": "Insights", "advice": "Advice",
         "resources": "Resources", "assignments": "Assignments"}
VISIBILITY = {"private": "Private to the coach", "shared": "Shared with the student"}
TASK_KINDS = {"referral_outreach": "Reach out to a referral", "send_resume": "Send your resume",
              "connect_linkedin": "Connect on LinkedIn", "tell_helpers": "Tell everyone who helped",
              "other": "To-do"}

DEFAULT_INTERVIEW_MINUTES = 30   # 20-30 minutes is the norm
# The thank-you windows and the keep-in-touch interval are the method's rules: lib/method.py.
THANK_YOU_HOURS = method.THANK_YOU_WINDOWS
DEFAULT_KEEP_IN_TOUCH_DAYS = method.DEFAULT_KEEP_IN_TOUCH_DAYS


def suggested_warmth(source: str) -> str:
    return "warm" if source in WARM_SOURCES else "cold"


def sql_in(values) -> str:
    """A SQL IN-list of string literals, for CHECK constraints built from the tuples above."""
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


class InvalidInput(ValueError):
    """Bad input, naming the field (or row) at fault so the UI and CLI can say which."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def clean_text(value: object, field: str, *, required: bool = False, max_len: int = 200) -> str | None:
    """Trim a free-text field; None when blank. Refuses blank required fields and oversize text."""
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise InvalidInput(field, "is required")
        return None
    if len(text) > max_len:
        raise InvalidInput(field, f"is {len(text)} characters long; the limit is {max_len}")
    return text


class InvalidRows(ValueError):
    """Several rows of a table or file are bad; each problem names its row and field."""

    def __init__(self, problems: list[InvalidInput]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class StaleEdit(RuntimeError):
    """The record changed in another session since this one read it: the edit is refused."""
