"""What changed since a PDF summary was made, and the sources as published at that moment."""

import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reports.changes import changes_since
from reports.summaries import Scope
from targets.models import Indicator, Prefecture, ReportingPeriod, Submission
from targets.recompute import recompute_progress
from targets.reporting import (
    Entry,
    approve_submission,
    reopen_quarter,
    save_quarter,
    submit_quarter,
)

START = timezone.make_aware(timezone.datetime(2023, 1, 10, 9, 0))


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


def report(city, user, reviewer, value, *, version=0, reason=""):
    agents = Indicator.objects.get(code="patent_agents")
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    submission, _ = save_quarter(
        prefecture=city,
        period=period,
        user=user,
        entries={agents: Entry(Decimal(value))},
        seen_version=version,
        reason=reason,
    )
    submit_quarter(submission=submission, user=user, indicators=[agents])
    approve_submission(submission=submission, user=reviewer)
    recompute_progress()


def links(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]


def local(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


def test_a_summary_links_to_exactly_the_change_made_after_it(
    client, plan, city_officer, other_officer, provincial, clock, in_english
):
    guangzhou, shenzhen = city_officer.prefecture, other_officer.prefecture
    report(guangzhou, city_officer, provincial, 716)
    report(shenzhen, other_officer, provincial, 900)
    clock.shift(3600)
    client.force_login(provincial)
    asked = timezone.now()
    pdf = client.get(reverse("province_summary"), {"quarter": "2022Q4"}).content
    made = timezone.now()
    urls = links(pdf)
    [changes_link] = {url for url in urls if "/dashboard/changes/" in url}
    sources = reverse("sources", args=["patent_agents", "province", "2022Q4"])
    [sources_link] = {url for url in urls if sources in url}

    clock.shift(3600)
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    reopen_quarter(prefecture=guangzhou, period=period, user=provincial, reason="复核")
    clock.shift(600)
    report(guangzhou, city_officer, provincial, 742, version=1, reason="漏报两家")

    page = client.get(local(changes_link), headers={"accept-language": "en"})
    assert page.status_code == 200
    found = page.context["changes"]
    [change] = found.figures
    assert change.figure.submission.prefecture == guangzhou
    assert change.figure.indicator.code == "patent_agents"
    assert (change.before.value, change.after.entry.value) == (716, 742)
    assert change.reasons == ["漏报两家"]
    assert change.changed_by == [city_officer]
    assert change.after.approved_by == provincial
    assert asked <= found.since <= made
    [result] = found.results
    assert (result.before.actual, result.after.actual) == (1616, 1642)
    html = page.content.decode()
    assert "漏报两家" in html and "1616" in html and "1642" in html

    then = client.get(local(sources_link), headers={"accept-language": "en"})
    assert then.context["result"].actual == 1616
    rows = {row.scope: row for row, *_ in then.context["rows"]}
    assert rows["440100"].published.entry.value == 716
    now = client.get(sources, headers={"accept-language": "en"})
    assert now.context["result"].actual == 1642


def test_nothing_changed_lists_nothing(plan, city_officer, provincial, clock):
    report(city_officer.prefecture, city_officer, provincial, 716)
    clock.shift(60)
    found = changes_since(
        timezone.now(), Scope(), ReportingPeriod.objects.get(year=2022, quarter=4)
    )
    assert found.figures == [] and found.results == []


def test_a_city_scope_lists_only_that_citys_figures(
    plan, city_officer, other_officer, provincial, clock
):
    since = timezone.now()
    clock.shift(60)
    report(city_officer.prefecture, city_officer, provincial, 716)
    report(other_officer.prefecture, other_officer, provincial, 900)
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    found = changes_since(since, Scope(prefecture=other_officer.prefecture), period)
    assert [c.figure.submission.prefecture for c in found.figures] == [other_officer.prefecture]
    assert [(r.before.actual, r.after.actual) for r in found.results] == [(None, 900)]
    assert Submission.objects.count() == 2
    assert Prefecture.objects.count() == 21
