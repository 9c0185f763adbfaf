"""The app's one Markdown escaper: specials escaped, and no shape left from which GitHub's
autolinks make a link (issue 16, item 3)."""
import re

import pytest

from lib.markdown import md_escape

AUTOLINK = re.compile(r"(?i)https?://|www\.|[-.\w+]@[-\w]")


@pytest.mark.parametrize("text", [
    "https://evil.example/beacon", "see www.evil.example today", "write to zoe@evil.example",
    "HTTP://EVIL.EXAMPLE", "ftp://evil.example", "![x](https://evil.example/x.png)", "[a](javascript:alert(1))",
])
def test_no_link_can_be_made_from_escaped_text(text):
    escaped = md_escape(text)
    unescaped = re.sub(r"\\(.)", r"\1", escaped)          # what the reader sees once escapes are read
    assert not AUTOLINK.search(unescaped)
    assert unescaped.replace("\u2060", "") == text          # and it reads exactly as typed
    assert "](" not in escaped.replace("\\]\\(", "")


def test_ordinary_text_is_unchanged_but_for_escapes():
    assert md_escape("Zoë O'Neil, 3 years at Acme") == "Zoë O'Neil, 3 years at Acme"
    assert md_escape("a.b") == "a\\.b"
