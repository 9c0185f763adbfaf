"""The draft checks: a good draft passes every rule, and each rule fails just past its edge."""
import dataclasses

import pytest

from lib import drafts

CTX = drafts.Context(
    student_name="Ada Lovelace", school="Lakeside University", major="History", fields="museum education",
    contact_name="Carla Diaz", role="Education Director", organisation="City Museum of Art", source="referral",
    warmth="warm", how_met="Introduced by Omar Kim", referrer="Omar Kim", email="carla@museum.example.org",
    linkedin_url="https://www.linkedin.com/in/carla-diaz", phone=None)
COLD = dataclasses.replace(CTX, source="org_website", warmth="cold", referrer=None, how_met=None)


def levels(text, channel="email", ctx=CTX):
    return {c.key: c.level for c in drafts.check(text, channel, ctx)}


@pytest.mark.parametrize("ctx", [CTX, COLD, dataclasses.replace(CTX, source="alumni", referrer=None)])
@pytest.mark.parametrize("channel", ["email", "linkedin", "social"])
def test_every_template_passes_its_own_checks(ctx, channel):
    subject, body = drafts.draft(ctx, channel, drafts.variant_for(ctx))
    assert set(levels(body, channel, ctx).values()) == {"ok"}, drafts.check(body, channel, ctx)


def test_variants_and_channel_suggestions():
    assert drafts.variant_for(CTX) == "referral" and drafts.variant_for(COLD) == "cold"
    assert drafts.suggested_channel(CTX)[0] == "email"
    no_email = dataclasses.replace(COLD, email=None)
    assert drafts.suggested_channel(no_email)[0] == "linkedin"
    assert drafts.suggested_channel(dataclasses.replace(no_email, linkedin_url=None))[0] == "social"
    aunt = dataclasses.replace(CTX, source="family", email=None, phone="+44 7700 900123")
    assert drafts.suggested_channel(aunt)[0] == "text"
    assert "family and close friends" in drafts.channel_warning(COLD, "text")
    assert drafts.channel_warning(aunt, "text") is None


def body_of(words: int) -> str:
    head = "Omar Kim suggested I write to you. Would you be open to a short call about your work?"
    return head + " word" * (words - len(drafts.words(head)))


@pytest.mark.parametrize("n, level", [(100, "ok"), (101, "note"), (150, "note"), (151, "warning")])
def test_email_length_edges(n, level):
    assert len(drafts.words(body_of(n))) == n
    assert levels(body_of(n))["length"] == level


@pytest.mark.parametrize("n, level", [(300, "ok"), (301, "error")])
def test_linkedin_note_limit_edge(n, level):
    text = body_of(10)
    text = text + "x" * (n - len(text))
    assert levels(text, "linkedin")["linkedin_limit"] == level
    assert "linkedin_limit" not in levels(text, "email")


def test_the_connection_must_be_in_the_opening():
    assert levels("Hi Carla,\nOmar Kim suggested I write. Would you have time for a call?")["connection"] == "ok"
    late = ("Hi Carla,\nI study history. I love museums. Omar Kim suggested I write. "
            "Would you be open to a call?")
    assert levels(late)["connection"] == "warning"           # third sentence: too late
    assert levels("I came across your talk on museum outreach. Could we talk?", ctx=COLD)["connection"] == "ok"
    assert levels("I study history. Could we talk?", ctx=COLD)["connection"] == "warning"


def test_the_ask_must_be_a_question():
    assert levels("Omar Kim suggested you. Would you be open to a 20-minute call?")["ask"] == "ok"
    assert levels("Omar Kim suggested you. Would you be open to a 20-minute call.")["ask"] == "warning"
    assert levels("Omar Kim suggested you. How is the weather?")["ask"] == "warning"   # a question, not an ask


@pytest.mark.parametrize("word", ["job", "Jobs", "internship", "position", "resume", "résumé", "CV", "hiring"])
def test_asking_for_a_job_is_flagged(word):
    check = {c.key: c for c in drafts.check(f"Omar Kim suggested you. Do you have a {word} for me?", "email", CTX)}
    assert check["no_job"].level == "warning" and word.lower() in check["no_job"].detail


def test_job_inside_another_word_is_not_flagged():
    assert levels("Omar Kim suggested you. Would you share your jobless-recovery research?")["no_job"] == "ok"


def test_more_about_them_than_me_edge():
    assert levels("I you.")["about_them"] == "note"             # equal: not more about them
    assert levels("I you your.")["about_them"] == "ok"
    assert levels("I me my you.")["about_them"] == "note"


def test_mailto_and_eml_keep_headers_on_one_line():
    link = drafts.mailto(CTX, "A question\r\nBcc: x@evil.example", "Line one\nLine two")
    assert link.startswith("mailto:carla@museum.example.org?subject=A%20question%20Bcc%3A%20x%40evil.example&")
    assert "body=Line%20one%0D%0ALine%20two" in link
    raw = drafts.eml(CTX, "Hi\nBcc: x@evil.example", "Hello").decode()
    assert "\nBcc:" not in raw and "Subject: Hi Bcc: x@evil.example" in raw and "X-Unsent: 1" in raw
    assert drafts.mailto(dataclasses.replace(CTX, email=None), "s", "b") is None
