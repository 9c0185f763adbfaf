"""The advising session's brief and report compare with the *previous* session, never with
the one just saved, and carry the shared notes, the stuck flags and the coach (issue 14, item 8)."""
from datetime import date

import pytest

from lib import coaching
from lib.models import InvalidInput
from lib.students import create_student
from tests.conftest import TODAY
from tests.factories import agreed_conversation, on


def test_saving_todays_session_does_not_reset_what_changed(db, now):
    sid = create_student(db, "Ada")
    coaching.record_session(db, sid, date(2026, 11, 10), "Jo Park", "First plan", "shared", [], date(2026, 11, 10), now)
    agreed_conversation(db, sid, "Carla", on(19), held=True)
    before = coaching.since_last_session(db, sid, TODAY, now)
    coaching.record_session(db, sid, TODAY, "Jo Park", "Agreed: two alumni a week.", "shared",
                            [{"text": "Email two alumni", "due_on": None}], TODAY, now)
    after = coaching.since_last_session(db, sid, TODAY, now)
    assert after == before                                   # still since 10 Nov: the saved session is today's
    assert (after["since"], after["requests"], after["conversations"]) == (date(2026, 11, 10), 1, 1)
    html = coaching.session_report(db, sid, TODAY, now)
    assert "What changed since the session on 10 November" in html
    assert "1 request sent" in html and "1 conversation held" in html
    assert "coach Jo Park" in html                             # from the session, not a widget
    assert "Notes from the session on 20 November" in html and "Agreed: two alumni a week." in html
    assert "First plan" not in html                            # the last session's notes, not older ones
    assert "Email two alumni" in html and "by 27 Nov" in html  # no date given: due in a week


def test_private_notes_stay_out_and_flags_come_in(db, now):
    sid = create_student(db, "Ben")
    coaching.record_session(db, sid, TODAY, "Jo", "Private worry", "private", [], TODAY, now)
    html = coaching.session_report(db, sid, TODAY, now)
    assert "Private worry" not in html
    assert "Where Ben may be stuck" in html
    for flag in coaching.student_flags(db, sid, TODAY, now):
        assert coaching.FLAGS[flag] in html
    assert coaching.student_flags(db, sid, TODAY, now)          # a student with nobody mapped is stuck


def test_an_empty_session_is_refused(db, now):
    sid = create_student(db, "Cy")
    with pytest.raises(InvalidInput, match="write notes or at least one action item"):
        coaching.record_session(db, sid, TODAY, "Jo", "  ", "shared", [{"text": "", "due_on": None}], TODAY, now)
    assert db.scalar("SELECT count(*) FROM advising_sessions") == 0
