"""Charts as the browser draws them: no label cut off, no toolbar over a title."""

import pytest

from tests.browser.test_phone_width import PHONE, overlap, phone_page, settled


def inside(box, frame):
    return frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3]


@pytest.mark.parametrize("width", [1366, PHONE["width"]])
def test_no_bar_label_is_cut_off_in_english(browser, live_server, demo, width):
    page = phone_page(browser, live_server, "en", "lingdao")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/dashboard/indicators/patent_agents/?quarter=2025Q3")
    page.wait_for_load_state("networkidle")
    frames, labels = settled(
        page,
        "[data-chart=bars] .main-svg",
        "[data-chart=bars] .xtick text, [data-chart=bars] .ytick text",
    )
    assert len(labels) > 5  # on a phone Plotly shows every other city's name
    assert [label for label in labels if not inside(label, frames[0])] == []


def test_no_chart_toolbar_covers_a_chart_title(browser, live_server, demo):
    page = phone_page(browser, live_server, "en", "lingdao")
    page.goto(f"{live_server.url}/dashboard/indicators/patent_agents/?quarter=2025Q3")
    page.wait_for_load_state("networkidle")
    page.hover("[data-chart=series]")  # the toolbar shows on hover
    titles, toolbars = settled(page, ".chart-title", ".modebar-container")
    assert titles and toolbars
    assert not any(overlap(title, bar) for title in titles for bar in toolbars)
