"""Layout at a laptop (1280x800) and a phone (390x844), page by page, on the demo cohort:
full-page screenshots under build/screenshots/layout/ for a person to look at, plus what a
browser can measure: no request leaves the machine (fonts, icons, CDNs: the app works
offline), no page is wider than the window, metric titles are not cut off, no visible
text reads "None", and the pages raise no script errors."""
from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest

from lib import access, demo, users
from lib.db import Database
from lib.students import create_student
from tests.conftest import TODAY
from tests.e2e.conftest import SHOTS, app_errors, click, open_app, wait_idle
from tests.e2e.test_sign_in_browser import provider, serve_centre, sign_in  # noqa: F401  (provider: a fixture)

pytestmark = pytest.mark.e2e
SIZES = {"1280": (1280, 800), "390": (390, 844)}
OUT = SHOTS / "layout"
# (page link, tabs to visit, role)
PAGES = (
    ("My progress", [None], "Student"),
    ("Network", ["Contacts", "Map your network", "Target organisations", "Import from LinkedIn", "Network map"],
     "Student"),
    ("Outreach", ["Do today", "Compose", "Requests", "Charts"], "Student"),
    ("Prep", ["Checklist", "Questions", "Prep sheet", "Log the conversation", "All conversations"], "Student"),
    ("Follow-ups", ["Due", "Thank-yous", "Keep in touch", "Referrals", "Charts", "Export"], "Student"),
    ("What I'm learning", ["Skills", "Advice", "Resources and people", "TIARA", "Field briefs"], "Student"),
    ("My profile", [None], "Student"),
    ("Guided tour", [None], "Student"),
    ("Your data", [None], "Student"),
    ("Get started", [None], "Student"),
    ("Coach", [None], "Student"),                                     # what the coach shared, as the student sees it
    ("Coach", ["Cohort", "Advising session", "History", "What they are learning"], "Coach"),
    # a coach on a student's pages: read-only, tables in place of editors (saved as coach-view_*)
    ("My progress", [None], "Coach"),
    ("Network", ["Target organisations"], "Coach"),
    ("Prep", ["Questions"], "Coach"),
    ("What I'm learning", ["Skills"], "Coach"),
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
  // each table (named by its column headers, which the grid keeps in the DOM for screen readers):
  // how far it would scroll sideways, and cells of its rows (drawn on a canvas) that read "None"
  const tables = [...document.querySelectorAll("[data-testid='stDataFrame']")].filter(t => t.offsetParent !== null)
      .map(t => {
        const heads = [...t.querySelectorAll("[role='columnheader']")].map(h => h.textContent.trim()).join('|');
        const s = t.querySelector('.dvn-scroller');
        return [heads, s ? s.scrollWidth - s.clientWidth : -1];
      });
  const cellNones = [...main.querySelectorAll("[data-testid='stDataFrame'] [role='gridcell']")]
      .map(c => c.textContent.trim()).filter(t => t === 'None' || t === 'nan' || t === 'NaT');
  // the network map (the chart whose legend has "You"): its category labels and names, as drawn
  const mapOverlaps = [];
  let maps = 0;
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    if (![...plot.querySelectorAll('.legendtext')].some(t => t.textContent === 'You')) continue;
    maps += 1;
    const boxes = [...plot.querySelectorAll('.annotation-text-g, .textpoint')].map(e => [e.textContent, e.getBoundingClientRect()])
        .filter(([t, r]) => t && r.width > 0);
    boxes.forEach(([t1, a], i) => boxes.slice(i + 1).forEach(([t2, b]) => {
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) mapOverlaps.push(t1 + ' / ' + t2);
    }));
    mapOverlaps.push(...(boxes.length ? [] : ['no labels drawn']));
  }
  return {wide, cut, nones: nones.concat(cellNones), tables, mapOverlaps, maps};
}"""
# tables whose columns must all show at laptop width, without scrolling sideways (by their first headers)
NO_SCROLL_AT_1280 = ("When|Kind|What",)      # the Due table on My progress


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


def shot_name(size: str, what: str) -> str:
    return f"{size}_{what}".replace(" ", "-").replace("'", "").lower()


def capture(page, what: str, tab, findings: dict) -> None:
    """Measure and screenshot the page as it is now, at each size (the whole page's height)."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        if width < 600:
            _phone_sidebar_closed(page)
        page.wait_for_timeout(1500 if tab in ("Charts", "Network map", None) else 600)
        name = shot_name(size, what)
        findings[name] = page.evaluate(MEASURE)
        tall = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                             "\"[data-testid='stMain'], [data-testid='stMainBlockContainer']\")]"
                             ".map(e => e.scrollHeight))")
        page.set_viewport_size({"width": width, "height": min(max(int(tall) + 40, height), 7000)})
        page.wait_for_timeout(700)
        page.screenshot(path=str(OUT / f"{name}.png"))        # the whole page, at this width


@pytest.mark.timeout(900)           # ~90 screenshots
def test_every_page_at_laptop_and_phone_sizes(browser, demo_cohort, served_app):
    page, errors = open_app(browser, served_app, height=800)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", "localhost")
            and not r.url.startswith(("data:", "blob:")) else None)
    page.reload()
    wait_idle(page)
    icons = page.evaluate("() => [...document.querySelectorAll(\"link[rel~='icon']\")].map(l => l.href)")
    assert icons and all(urlparse(h).hostname == "127.0.0.1" and h.endswith(".png") for h in icons), icons  # ours
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
            viewer = "coach-view_" if role == "Coach" and link != "Coach" else ""
            capture(page, f"{viewer}{link}_{tab or 'page'}", tab, findings)
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
    check(findings)
    assert [over for heads, over in findings["1280_my-progress_page"]["tables"]
            if heads.startswith(NO_SCROLL_AT_1280)] == [0]              # the Due table was measured, and fits
    assert findings["1280_network_network-map"]["maps"] == findings["390_network_network-map"]["maps"] == 1


def test_signed_in_pages_at_laptop_and_phone_sizes(browser, tmp_path, provider):
    """The pages only sign-in offers: Admin (each tab, with a deletion request waiting) and
    a student's My record."""
    def seed(db):
        users.request_deletion(db, access.viewer_for(db, "ben@uni.edu").own_student, "ben@uni.edu")
    OUT.mkdir(parents=True, exist_ok=True)
    findings: dict = {}
    with serve_centre(tmp_path, provider, seed=seed) as url:
        for who, link, tabs in (("root", "Admin", ["People", "Add a person", "Import a roster", "Coaches and groups",
                                                   "Deletion requests", "Access log"]),
                                ("ana", "My record", [None])):
            page = sign_in(browser, url, who)
            outside: list[str] = []
            page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in
                    ("127.0.0.1", "localhost") and not r.url.startswith(("data:", "blob:")) else None)
            page.set_viewport_size({"width": 1280, "height": 800})
            click(page, page.locator("[data-testid='stSidebarNav'] a", has_text=link))
            for tab in tabs:
                page.set_viewport_size({"width": 1280, "height": 800})
                if tab:
                    page.get_by_role("tab", name=tab, exact=True).click()
                    wait_idle(page)
                capture(page, f"signed-in_{link}_{tab or 'page'}", tab, findings)
            assert not outside, f"requests left the machine: {sorted(set(outside))[:5]}"
            page.close()
    (OUT / "findings-signed-in.json").write_text(json.dumps(findings, indent=1))
    check(findings)


def check(findings: dict) -> None:
    too_wide = {n: f["wide"] for n, f in findings.items() if f["wide"] > int(n.split("_")[0]) + 1}
    cut = {n: f["cut"] for n, f in findings.items() if f["cut"]}
    nones = {n: f["nones"] for n, f in findings.items() if f["nones"]}
    assert not too_wide, too_wide
    assert not cut, cut
    assert not nones, nones
    scrolled = {(n, key): over for n, f in findings.items() if n.startswith("1280_") for key, over in f["tables"]
                if key.startswith(NO_SCROLL_AT_1280) and over > 1}
    assert not scrolled, scrolled
    overlaps = {n: f["mapOverlaps"] for n, f in findings.items() if f["mapOverlaps"]}
    assert not overlaps, overlaps                  # the network map's labels, as the browser drew them
