"""From a province figure on the overview to one city's revision history in two clicks."""

from decimal import Decimal

from targets.models import Indicator, ReportingPeriod
from targets.recompute import recompute_progress
from targets.reporting import Entry, approve_submission, save_quarter, submit_quarter


def test_two_clicks_from_the_overview_to_a_citys_revision_history(
    open_as, live_server, city_officer, provincial
):
    agents = Indicator.objects.get(code="patent_agents")
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    for version, value in enumerate([Decimal(7420), Decimal(742)]):
        submission, _ = save_quarter(
            prefecture=city_officer.prefecture,
            period=period,
            user=city_officer,
            entries={agents: Entry(value, note="含新设立两家" if version else "")},
            seen_version=version,
        )
    submit_quarter(submission=submission, user=city_officer, indicators=[agents])
    approve_submission(submission=submission, user=provincial)
    recompute_progress()

    page = open_as(provincial)
    page.goto(f"{live_server.url}/dashboard/?quarter=2022Q4")
    page.click('a[href="/dashboard/sources/patent_agents/province/2022Q4/"]')
    page.wait_for_url("**/dashboard/sources/patent_agents/province/2022Q4/")
    row = page.locator("table.sources tr", has_text="广州市")
    assert "742" in row.inner_text() and "含新设立两家" in row.inner_text()
    row.get_by_role("link", name="2", exact=True).click()
    page.wait_for_url("**/report/440100/2022Q4/history/patent_agents/")
    history = page.locator("table.history tbody tr").all_inner_texts()
    assert len(history) == 2
    assert "7420" in history[1] and "742" in history[0]
