"""On a phone (375 px wide) no page scrolls sideways, in Chinese or in English, and the map's
tiles and labels do not overlap. Nor do the pages with wide tables at desktop widths: their
tables scroll inside their own box."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reports import summaries
from reports.models import Summary
from reports.summaries import Scope
from targets.models import Indicator, Prefecture, ReportingPeriod
from targets.reporting import reopen_quarter
from tests.test_every_url import named_patterns

PHONE = {"width": 375, "height": 812}
CITY = {"reporter": "440100", "quarter": "2025Q3"}
# url name: (who looks, the URL's arguments, query strings to try). Demo users.
PAGES = {
    "login": (None, {}, [""]),
    "plan": ("lingdao", {}, [""]),
    "overview": ("lingdao", {}, ["?quarter=2025Q3", "?quarter=2025Q4"]),
    "map": (
        "lingdao",
        {},
        ["?quarter=2025Q3", "?quarter=2025Q3&mode=status&indicator=hitech_compliance_rate"],
    ),
    "indicator_dashboard": ("lingdao", {"code": "hitech_compliance_rate"}, ["?quarter=2025Q4"]),
    "prefecture_dashboard": ("guangzhou", {"code": "440100"}, ["?quarter=2025Q3"]),
    "methodology": ("lingdao", {}, [""]),
    "preferences": ("lingdao", {}, [""]),
    "password_change": ("lingdao", {}, [""]),
    "password_change_done": ("lingdao", {}, [""]),
    "quarters": ("guangzhou", {"reporter": "440100"}, [""]),
    "quarter_form": ("guangzhou", {"reporter": "440100", "quarter": "2025Q4"}, [""]),
    "quarter_upload": ("guangzhou", {"reporter": "440100", "quarter": "2025Q4"}, [""]),
    "submission_history": ("guangzhou", CITY, [""]),
    "figure_history": ("guangzhou", CITY | {"indicator": "patent_agents"}, [""]),
    "review_queue": ("sheng", {}, [""]),
    "review": ("sheng", CITY, [""]),
    "periods": ("sheng", {}, [""]),
    "audit": ("sheng", {}, [""]),
    "csv_import": ("sheng", {}, [""]),
    "plan_upload": ("sheng", {}, [""]),
    "completeness": ("sheng", {}, [""]),
    "sources": (
        "lingdao",
        {"code": "invention_patents_per_10k", "scope": "province", "quarter": "2025Q3"},
        [""],
    ),
    "changes": ("lingdao", {}, ["?since=2025-01-01T00:00&quarter=2025Q3"]),
    "final_evaluation": ("sheng", {"code": "2018"}, [""]),
    # The page that stands in for a PDF summary that could not be made (see below).
    "indicator_summary": ("sheng", {"code": "patent_agents"}, ["?quarter=2025Q3"]),
}
# Not pages: files, JSON, redirects and forms' POST targets.
NOT_PAGES = {
    "home",
    "logout",
    "set_language",
    "health",
    "progress_api",
    "quarter_workbook",
    "quarter_upload_confirm",
    "reopen",
    "period_update",
    "period_rule",
    "csv_import_confirm",
    "plan_upload_confirm",
    "choose_plan",
    "conclude_plan",
    "province_summary",
    "prefecture_summary",
    "withdraw",
    "periods_add",
    "sources_api",
    "evidence_upload",
    "evidence_ask",
    "evidence_download",
    "favicon",
}


def test_every_page_is_checked():
    assert set(named_patterns()) == set(PAGES) | NOT_PAGES


@pytest.fixture
def failed_summary(demo):
    """A summary that failed, so that its URL answers with a page rather than a PDF."""
    scope = Scope(indicator=Indicator.objects.get(code="patent_agents"))
    period = ReportingPeriod.objects.get(year=2025, quarter=3)
    for language in ("zh-hans", "en"):
        Summary.objects.create(
            scope=scope.key,
            period=period,
            language=language,
            data_version=summaries.data_version(scope, period, timezone.localdate()),
            state=Summary.State.FAILED,
        )


def phone_page(browser, live_server, language, username, viewport=PHONE):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    if username:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "ipplan-demo")
        page.click("section.login button[type=submit]")
        page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, failed_summary, language):
    pages, too_wide = {}, {}
    for name, (username, kwargs, queries) in PAGES.items():
        if username not in pages:
            pages[username] = phone_page(browser, live_server, language, username)
        page = pages[username]
        for query in queries:
            url = reverse(name, kwargs=kwargs) + query
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.scrollingElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[url] = width
            # The plan switcher's label and button keep to one line (a Chinese word would
            # otherwise break between its characters): their box is one line high.
            for piece in page.locator(".plan-switch label, .plan-switch button").all():
                lines = piece.evaluate(
                    "e => e.getClientRects().length === 1 && e.getBoundingClientRect().height"
                    " < 2 * parseFloat(getComputedStyle(e).lineHeight || 20)"
                )
                if not lines:
                    too_wide[url + " · plan switcher"] = piece.inner_text()
    assert too_wide == {}


CORPUS = Path(__file__).resolve().parent.parent / "corpus"
# Pages whose tables are wider than a laptop's window: (who looks, URL name, its arguments,
# a corpus file to upload there first, for its preview). The corpus sheets are 广州市's 2022Q4
# sheet: that quarter, which the demo approved and closed, is reopened for the upload.
WIDE_TABLES = [
    ("guangzhou", "quarter_form", {"reporter": "440100", "quarter": "2025Q4"}, None),
    (
        "guangzhou",
        "quarter_upload",
        {"reporter": "440100", "quarter": "2022Q4"},
        "date-in-denominator.xlsx",
    ),
    ("sheng", "review", {"reporter": "440100", "quarter": "2025Q4"}, None),
    ("sheng", "csv_import", {}, "several-quarters.csv"),
    ("sheng", "completeness", {}, None),
    ("sheng", "audit", {}, None),
]


@pytest.mark.parametrize("width", [1024, 1280])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_wide_tables_scroll_in_their_own_box_at_desktop_widths(
    browser, live_server, demo, language, width
):
    reopen_quarter(
        prefecture=Prefecture.objects.get(code="440100"),
        period=ReportingPeriod.objects.get(year=2022, quarter=4),
        user=User.objects.get(username="sheng"),
        reason="核对年报数据",
    )
    pages, too_wide = {}, {}
    for username, name, kwargs, upload in WIDE_TABLES:
        if username not in pages:
            viewport = {"width": width, "height": 800}
            pages[username] = phone_page(browser, live_server, language, username, viewport)
        page = pages[username]
        page.goto(live_server.url + reverse(name, kwargs=kwargs))
        if upload:
            page.set_input_files("form.upload input[type=file]", CORPUS / upload)
            page.click("form.upload button[type=submit]")
            page.wait_for_selector("table.preview")
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate(
            "document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            too_wide[name] = overflow
    assert too_wide == {}


def boxes(page, selector):
    return page.eval_on_selector_all(
        selector,
        "nodes => nodes.map(n => { const r = n.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; })",
    )


def settled(page, *selectors):
    """The boxes of each selector once the layout has settled (fonts loaded, plots resized)."""
    page.evaluate("document.fonts.ready.then(() => true)")
    before = None
    for _attempt in range(20):
        now = [boxes(page, selector) for selector in selectors]
        if now == before:
            return now
        before = now
        page.wait_for_timeout(250)
    raise AssertionError("the layout never settled")


def overlap(one, other):
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_map_tiles_and_their_labels_never_overlap_on_a_phone(
    browser, live_server, demo, language
):
    page = phone_page(browser, live_server, language, "lingdao")
    page.goto(f"{live_server.url}/dashboard/map/?quarter=2025Q3&indicator=hitech_compliance_rate")
    page.wait_for_load_state("networkidle")
    tiles, labels = settled(
        page, "[data-chart=map] .shapelayer path", "[data-chart=map] .textpoint text"
    )
    assert len(tiles) == len(labels) == 21
    for group in (tiles, labels):
        pairs = [(a, b) for i, a in enumerate(group) for b in group[i + 1 :] if overlap(a, b)]
        assert pairs == []
    # Every label stays on its own tile.
    for label in labels:
        assert any(
            tile[0] <= label[0]
            and label[2] <= tile[2]
            and tile[1] <= label[1]
            and label[3] <= tile[3]
            for tile in tiles
        ), label
