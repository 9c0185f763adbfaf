"""User text made safe for Markdown (Streamlit's, and the prep sheet's): one escaper for the app.

Escaping Markdown's special characters stops links, images, colours, LaTeX and HTML, but
not GitHub's *autolinks*: Streamlit's renderer turns bare `https://…`, `www.…` and
`name@host` inside plain text into links after the escapes are read. So the shapes an
autolink starts from are broken with an invisible WORD JOINER (U+2060): the text reads the
same, and nothing a user typed ever becomes a link or fetches anything.
"""
from __future__ import annotations

import re

_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>:$~=")
_WORD_JOINER = "\u2060"
# where an autolink could start: between "www" and ".", before "://", and after "@"
_AUTOLINK_SHAPES = re.compile(r"(?i)(?<=www)(?=\.)|(?=://)|(?<=@)")


def md_escape(text: object) -> str:
    """User text made inert inside Streamlit markdown: no links (autolinks included), images,
    colours, LaTeX or HTML."""
    plain = _AUTOLINK_SHAPES.sub(_WORD_JOINER, str(text))
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in plain)
