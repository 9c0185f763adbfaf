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


# for a file people read as text too (the prep sheet's .md): only what can start markup
# anywhere in a line, plus what starts a heading, list, quote or rule at the start of one
_INLINE_SPECIALS = set("\\`*_[]<>|$~")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))", re.MULTILINE)


def md_escape(text: object, *, minimal: bool = False) -> str:
    """User text made inert inside Streamlit markdown: no links (autolinks included), images,
    colours, LaTeX or HTML. `minimal`: for a Markdown file people also read as plain text
    ("Dr. Smith (UK)" stays as typed): only the characters that start markup where they stand
    are escaped; still no link, image, emphasis, HTML or LaTeX."""
    plain = _AUTOLINK_SHAPES.sub(_WORD_JOINER, str(text))
    if not minimal:
        return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in plain)
    plain = "".join("\\" + ch if ch in _INLINE_SPECIALS else ch for ch in plain)
    plain = re.sub(r"&(?=#?\w+;)", r"\\&", plain)                       # no HTML entities
    return _LINE_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2).isdigit() else "\\" + m.group(2)),
                           plain)
