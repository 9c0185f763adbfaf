"""A new student goes from an empty network to a mapped one in a real browser: types names
into the "Map your network" editor, uploads a LinkedIn Connections.csv, sees the counts,
imports, and looks at the network map."""
import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import SHOTS, app_errors, click, open_app, wait_for_charts, wait_idle

pytestmark = pytest.mark.e2e
FIXTURE = ROOT / "tests" / "fixtures" / "linkedin" / "Connections.csv"


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has=page.get_by_text(label, exact=True))
    return box.locator("[data-testid='stMetricValue']").inner_text()


def test_map_import_and_see_the_network(browser, served_app):
    page, errors = open_app(browser, served_app)
    page.get_by_label("Your name").fill("Ada Lovelace")
    click(page, page.get_by_role("button", name="Create my profile"))
    click(page, page.get_by_role("link", name="Network"))

    # an empty network opens on the prompts; type two family members into the editor
    assert page.get_by_role("tab", name="Map your network", selected=True).is_visible()
    page.wait_for_timeout(1000)          # let the grid settle before typing into it
    grid = page.locator("[data-testid='stDataFrame'] canvas").first
    box = grid.bounding_box()
    for row, name in enumerate(("Aunt May", "Uncle Ben")):
        page.mouse.click(box["x"] + 60, box["y"] + 35 + 35 * row + 17)   # Name column (35 px rows)
        for key in ("Enter", name, "Enter"):          # open the cell editor, type, save the cell
            page.wait_for_timeout(250)                # the grid drops keys sent faster than it draws
            page.keyboard.press(key) if key == "Enter" else page.keyboard.type(key)
        wait_idle(page)
    click(page, page.get_by_role("button", name="Add these people"))
    assert page.get_by_text("Added 2 family contacts").is_visible()
    assert metric(page, "Warm contacts") == "2"

    # import LinkedIn connections: preview first, then one click
    click(page, page.get_by_role("tab", name="Import from LinkedIn"))
    page.locator("input[type='file']").set_input_files(str(FIXTURE))
    wait_idle(page)
    page.get_by_text("New people", exact=True).wait_for()
    assert (metric(page, "New people"), metric(page, "Already in your network"),
            metric(page, "Blank rows skipped"), metric(page, "Invalid rows")) == ("8", "0", "2", "1")
    assert page.get_by_text("imported without it").count() == 2      # lines 10 and 11: a field left out
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "network_import_preview.png"), full_page=True)
    click(page, page.get_by_role("button", name="Import 8 new contacts"))
    assert page.get_by_text("Imported 8 new contacts from Connections.csv").is_visible()
    assert metric(page, "Cold contacts") == "8"

    click(page, page.get_by_role("tab", name="Network map"))
    wait_for_charts(page)
    assert page.locator(".js-plotly-plot").count() == 3
    assert page.locator(".js-plotly-plot").first.get_by_text("Aunt May").count() == 1   # labelled: few people
    page.screenshot(path=str(SHOTS / "network_map.png"), full_page=True)
    assert (SHOTS / "network_map.png").stat().st_size > 20_000
    assert not app_errors(errors)


def test_a_deep_link_to_a_fresh_server_runs_through_the_app(browser, served_app):
    """The first visitor of a fresh server opens /network directly: the page must still come
    with the app's sidebar, not Streamlit's file-list menu of pages/."""
    page, _ = open_app(browser, f"{served_app}/network", height=900)
    page.wait_for_timeout(500)
    wait_idle(page)
    assert page.get_by_text("I am a").is_visible()                 # drawn by app.py's sidebar
    assert page.get_by_role("link", name="app").count() == 0       # no file-list menu
    page.goto(served_app)
    wait_idle(page)
    assert page.get_by_role("heading", name="Welcome to Coffee Chat Coach").is_visible()
