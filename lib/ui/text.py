"""User text made safe for Streamlit's Markdown: one escaper for the whole app."""
from __future__ import annotations

_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>:$~=")


def md_escape(text: object) -> str:
    """User text made inert inside Streamlit markdown (no links, colours, LaTeX or HTML)."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in str(text))
