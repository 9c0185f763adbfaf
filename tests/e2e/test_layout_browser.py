"""Layout at a laptop (1280x800) and a phone (390x844), page by page, on the demo cohort:
full-page screenshots under build/screenshots/layout/ for a person to look at, plus what a
browser can measure: no request leaves the machine (fonts, icons, CDNs: the app works
offline), no page is wider than the window, metric titles are not cut off, no visible
text reads "None", and the pages raise no script errors."""
from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest

from lib import demo
from lib.db import Database
from lib.students import create_student
from tests.conftest import TODAY
from tests.e2e.conftest import SHOTS, app_errors, click, open_app, wait_idle

pytestmark = pytest.mark.e2e
SIZES = {"1280": (1280, 800), "390": (390, 844)}
OUT = SHOTS / "layout"
# (page link, tabs to visit, role)
PAGES = (
    ("My progress", [None], "Student"),
    ("Network", ["Contacts", "Target organisations", "Network map"], "Student"),
    ("Outreach", ["Do today", "Compose", "Requests", "Charts"], "Student"),
    ("Prep", ["Checklist", "Questions", "Prep sheet"], "Student"),
    ("Follow-ups", ["Due", "Thank-yous", "Keep in touch", "Charts"], "Student"),
    ("My profile", [None], "Student"),
    ("Guided tour", [None], "Student"),
    ("Your data", [None], "Student"),
    ("Get started", [None], "Student"),
    ("Coach", [None], "Student"),                                     # what the coach shared, as the student sees it
    ("Coach", ["Cohort", "Advising session", "History"], "Coach"),
)
NEWCOMER = "Zoe Newcomer"            # a student with nothing yet: the empty states
EMPTY_PAGES = (("My progress", [None]), ("Outreach", ["Charts"]), ("Follow-ups", ["Due", "Charts"]),
               ("Network", ["Network map"]))

MEASURE = """() => {
  const wide = document.documentElement.scrollWidth;
  const cut = [...document.querySelectorAll("[data-testid='stMetricLabel']")]
      .filter(e => [e, ...e.querySelectorAll('*')].some(x => x.clientWidth > 0 && x.scrollWidth > x.clientWidth + 1))
      .map(e => e.innerText);
  const main = document.querySelector("[data-testid='stMain']") || document.body;
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const nones = [];
  while (walker.nextNode()) {
    const t = walker.currentNode.textContent.trim();
    const el = walker.currentNode.parentElement;
    if ((t === 'None' || t === 'nan' || t === 'NaT') && el && el.offsetParent !== null) nones.push(t);
  }
  return {wide, cut, nones};
}"""


@pytest.fixture
def demo_cohort(tmp_path):
    demo.load_file(tmp_path / "demo.duckdb", as_of=TODAY)      # before the server starts: one process per file
    with Database(tmp_path / "demo.duckdb") as db:
        create_student(db, NEWCOMER, school="Lakeside University")


def _phone_sidebar_closed(page) -> None:
    """At phone width the sidebar lies over the page: close it for the screenshot."""
    close = page.locator("[data-testid='stSidebarCollapseButton'] button, [data-testid='stSidebarCollapseButton']")
    sidebar = page.locator("[data-testid='stSidebar']")
    if sidebar.count() and sidebar.first.get_attribute("aria-expanded") == "true" and close.count():
        close.first.click(force=True)
        page.wait_for_timeout(500)


def capture(page, what: str, tab, findings: dict) -> None:
    """Measure and screenshot the page as it is now, at each size (the whole page's height)."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        if width < 600:
            _phone_sidebar_closed(page)
        page.wait_for_timeout(1500 if tab in ("Charts", "Network map", None) else 600)
        name = f"{size}_{what}".replace(" ", "-").lower()
        findings[name] = page.evaluate(MEASURE)
        tall = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                             "\"[data-testid='stMain'], [data-testid='stMainBlockContainer']\")]"
                             ".map(e => e.scrollHeight))")
        page.set_viewport_size({"width": width, "height": min(max(int(tall) + 40, height), 7000)})
        page.wait_for_timeout(700)
        page.screenshot(path=str(OUT / f"{name}.png"))        # the whole page, at this width


def test_every_page_at_laptop_and_phone_sizes(browser, demo_cohort, served_app):
    page, errors = open_app(browser, served_app, height=800)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", "localhost")
            and not r.url.startswith(("data:", "blob:")) else None)
    page.reload()
    wait_idle(page)
    click(page, page.locator("[data-testid='stRadio']").filter(has_text="Data").get_by_text("Demo cohort"))
    OUT.mkdir(parents=True, exist_ok=True)
    findings = {}
    role_now = None
    for link, tabs, role in PAGES:
        page.set_viewport_size({"width": 1280, "height": 800})          # navigate at laptop width
        if role != role_now:
            click(page, page.locator("[data-testid='stRadio']").filter(has_text="I am a").get_by_text(role))
            role_now = role
        click(page, page.get_by_role("link", name=link, exact=True).first)
        for tab in tabs:
            page.set_viewport_size({"width": 1280, "height": 800})
            if tab:
                click(page, page.get_by_role("tab", name=tab, exact=True))
            if tab == "Compose":                                      # a draft and its checks, not an empty picker
                page.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text("Write to", exact=True)).click()
                page.get_by_role("option").first.click()
                wait_idle(page)
                page.get_by_text("Connection first").first.wait_for()
            capture(page, f"{link}_{tab or 'page'}", tab, findings)
    # the empty states, on a student with nothing yet
    page.set_viewport_size({"width": 1280, "height": 800})
    click(page, page.locator("[data-testid='stRadio']").filter(has_text="I am a").get_by_text("Student"))
    page.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text("Student", exact=True)).first.click()
    page.get_by_role("option").filter(has_text=NEWCOMER).first.click()
    wait_idle(page)
    for link, tabs in EMPTY_PAGES:
        page.set_viewport_size({"width": 1280, "height": 800})
        click(page, page.get_by_role("link", name=link, exact=True).first)
        for tab in tabs:
            page.set_viewport_size({"width": 1280, "height": 800})
            if tab:
                click(page, page.get_by_role("tab", name=tab, exact=True))
            capture(page, f"empty_{link}_{tab or 'page'}", tab, findings)
    # the Guided tour's "Try it" opens the step's page on the step's tab
    page.set_viewport_size({"width": 1280, "height": 800})
    click(page, page.get_by_role("link", name="Guided tour", exact=True).first)
    click(page, page.get_by_role("button", name="Try it").nth(1))          # step 2: ask for the conversation
    page.get_by_role("heading", name="Outreach").first.wait_for()
    assert page.get_by_role("tab", name="Compose", exact=True).get_attribute("aria-selected") == "true"
    (OUT / "findings.json").write_text(json.dumps(findings, indent=1))
    assert not outside, f"requests left the machine: {sorted(set(outside))[:5]}"
    assert not app_errors(errors), errors
    too_wide = {n: f["wide"] for n, f in findings.items() if f["wide"] > int(n.split("_")[0]) + 1}
    cut = {n: f["cut"] for n, f in findings.items() if f["cut"]}
    nones = {n: f["nones"] for n, f in findings.items() if f["nones"]}
    assert not too_wide, too_wide
    assert not cut, cut
    assert not nones, nones
