"""Hostile and awkward input, used by the bad-input tests. The host evil.example must never
be contacted, and no dialog may ever open."""
EVIL_HOST = "evil.example"
PAYLOADS = (
    "<script>alert('x')</script>",
    f"<img src=https://{EVIL_HOST}/img.png onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    "[data](data:text/html,<script>alert(1)</script>)",
    f"![remote](https://{EVIL_HOST}/track.png)",
    ":red[coloured] **bold**",
    "$x^2$ and $$\\frac{1}{2}$$",
    "=HYPERLINK(\"https://evil.example\",\"x\")",
    "+1-555-0100", "-2+3", "@SUM(A1:A2)",
    "Zoë 🌟 Ünïcødé",
    "مرحبا بالعالم",                   # right-to-left
    "zero\u200bwidth\u200djoin",
    f"https://{EVIL_HOST}/bare-link", f"www.{EVIL_HOST}/www-link", f"zoe@{EVIL_HOST}",   # autolink shapes
)
