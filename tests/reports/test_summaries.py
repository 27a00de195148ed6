"""The PDF summary, read back with poppler as a reader's machine would: text, fonts, pages."""

import subprocess
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from fontTools.ttLib import TTFont
from weasyprint.formatting_structure.boxes import TableRowGroupBox

from reports import chart_svg, summaries
from reports.models import Summary
from reports.summaries import Scope
from targets.models import Indicator, Plan, Prefecture, ReportingPeriod, Submission
from targets.plans import tracked_by
from targets.recompute import recompute_progress
from tests.factories import approve

CLOSED_PORT_URL = "redis://127.0.0.1:1/5"


def pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page, as pdftotext reads it."""
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, check=True)
    return text.stdout.decode().split("\f")[:-1]


def squeezed(text: str) -> str:
    """Without spaces and line breaks, which wrapping puts inside names."""
    return "".join(text.split())


def pdf_fonts(pdf: bytes, tmp_path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) of every font pdffonts lists."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", path], capture_output=True, check=True).stdout.decode()
    rows = [line.split() for line in listing.splitlines()[2:]]
    return [(row[0], row[-5]) for row in rows]


def download(client, user, url, quarter="2022Q3", **params):
    """The 2018 plan's summary (the demo's plan in force is its demo plan) unless `plan`."""
    client.force_login(user)
    return client.get(url, {"plan": "2018", "quarter": quarter, **params})


def plan_2018():
    return Plan.objects.get(code="2018")


@pytest.fixture
def lingdao(demo):
    from accounts.models import User

    return User.objects.get(username="lingdao")


def test_the_province_summary_holds_every_indicator_in_embedded_chinese(client, lingdao, tmp_path):
    response = download(client, lingdao, reverse("province_summary"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    pdf = response.content
    pages = pdf_pages(pdf, tmp_path)
    text = squeezed("".join(pages))
    assert 6 <= len(pages) <= 30
    for indicator in tracked_by(plan_2018()):
        assert squeezed(indicator.name_zh) in text, indicator.name_zh
    assert "2022年第3季度" in text
    assert "粤知〔2018〕153号" in text
    for number, page in enumerate(pages, start=1):
        page = squeezed(page)
        assert "演示数据" in page, f"page {number} does not say 演示数据"
        assert f"第{number}页，共{len(pages)}页" in page, f"page {number} is not numbered"
        assert "进展摘要·粤知〔2018〕153号·广东省·2022年第3季度" in page, "running header"
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts and all(embedded == "yes" for _name, embedded in fonts)
    assert {name.split("+")[1] for name, _e in fonts} == {"Noto-Sans-SC", "Noto-Sans-SC-Bold"}


def test_every_character_printed_has_a_glyph_in_the_embedded_font(client, lingdao, tmp_path):
    """pdffonts shows no fallback font; this shows that the one font has every character
    printed (a missing glyph prints as a box)."""
    pdf = download(client, lingdao, reverse("prefecture_summary", args=["440100"])).content
    covered = set(TTFont(chart_svg.font_path(chart_svg.FONT_FILES[0])).getBestCmap())
    printed = {ord(c) for c in "".join(pdf_pages(pdf, tmp_path)) if not c.isspace()}
    assert printed and printed <= covered, [chr(c) for c in printed - covered]


def test_in_english_for_a_user_reading_in_english(client, lingdao, tmp_path):
    client.cookies["django_language"] = "en"
    response = download(client, lingdao, reverse("prefecture_summary", args=["440100"]))
    pages = pdf_pages(response.content, tmp_path)
    text = squeezed("".join(pages))
    assert "Guangzhou" in text
    for indicator in tracked_by(plan_2018()):
        if indicator.reported_by != Indicator.ReportedBy.CITIES:
            continue
        assert squeezed(indicator.name_en) in text, indicator.name_en
    assert squeezed(f"Page 1 of {len(pages)}") in squeezed(pages[0])
    assert all("演示数据" in page for page in pages)


def test_the_city_summary_ranks_the_city_among_all_by_gap(lingdao):
    period = ReportingPeriod.objects.get(year=2022, quarter=3)
    guangzhou = Prefecture.objects.get(code="440100")
    content = summaries.content(
        Scope(prefecture=guangzhou, plan=plan_2018()), period, timezone.localdate()
    )
    assert {indicator.code for indicator, _ranked in content["rankings"]} == {
        "key_protected_enterprises",
        "patent_agents",
    }
    for _indicator, ranked in content["rankings"]:
        gaps = [row.gap for row, _allocation in ranked]
        assert len(gaps) == 21 and gaps == sorted(gaps, reverse=True)
    assert {i.code for i, _c, _t in content["rows"]} == {
        i.code for i in tracked_by(plan_2018()) if i.reported_by == Indicator.ReportedBy.CITIES
    }


def test_missing_waiting_and_late_submissions_are_listed(progress_2022q4):
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    period.due_date = period.as_quarter.end_date + timedelta(days=15)
    period.save()
    guangzhou, shenzhen = Prefecture.objects.filter(code__in=["440100", "440300"])
    on_time = timezone.make_aware(datetime.combine(period.due_date, time(9)))
    Submission.objects.filter(period=period).update(submitted_at=on_time)
    Submission.objects.filter(prefecture=shenzhen, period=period).update(
        status=Submission.Status.SUBMITTED, submitted_at=timezone.now()
    )
    after_due = period.due_date + timedelta(days=1)
    overdue = summaries.content(Scope(), period, after_due)["overdue"]
    assert [(place.code, late) for place, _q, _s, late, _on in overdue] == [("440300", True)]
    Submission.objects.filter(prefecture=guangzhou, period=period).delete()
    overdue = summaries.content(Scope(), period, after_due)["overdue"]
    assert {place.code for place, *_rest in overdue} == {"440100", "440300"}


def test_no_table_row_is_split_across_pages(lingdao):
    # Without `break-inside: avoid` on rows, a row of this document does split.
    period = ReportingPeriod.objects.get(year=2022, quarter=3)
    document = summaries.render_document(Scope(plan=plan_2018()), period, timezone.localdate())
    pages_of_row = {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            if isinstance(box, TableRowGroupBox) and not box.is_header:  # headers repeat
                for row in box.children:
                    pages_of_row.setdefault(id(row.element), set()).add(number)
    assert len(pages_of_row) > 60
    assert all(len(pages) == 1 for pages in pages_of_row.values())


def test_made_once_then_served_until_the_data_changes(client, provincial, progress_2022q4):
    url = reverse("indicator_summary", args=["patent_agencies"])
    first = download(client, provincial, url, "2022Q4")
    made = Summary.objects.get()
    second = download(client, provincial, url, "2022Q4")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert Summary.objects.get().finished_at == made.finished_at
    approve(
        Indicator.objects.get(code="patent_agencies"),
        Prefecture.objects.first(),
        ReportingPeriod.objects.get(year=2022, quarter=3),
        18,
    )
    recompute_progress()
    third = download(client, provincial, url, "2022Q4")
    assert third.status_code == 200
    remade = Summary.objects.get()  # the old version is dropped
    assert remade.pk != made.pk and remade.data_version != made.data_version


def test_each_language_is_made_and_kept_apart(client, provincial, progress_2022q4):
    url = reverse("indicator_summary", args=["patent_agencies"])
    download(client, provincial, url, "2022Q4")
    client.cookies["django_language"] = "en"
    download(client, provincial, url, "2022Q4")
    assert sorted(Summary.objects.values_list("language", flat=True)) == ["en", "zh-hans"]


@pytest.mark.parametrize(
    "url",
    [
        reverse("province_summary"),
        reverse("indicator_summary", args=["patent_agencies"]),
        reverse("prefecture_summary", args=["440100"]),
    ],
)
def test_every_signed_in_role_may_download_every_summary(
    client, progress_2022q4, leadership, provincial, city_officer, other_officer, url
):
    """Summaries print published figures only, which every role may read (README)."""
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in [leadership, provincial, city_officer, other_officer]:
        response = download(client, user, url, "2022Q4")
        assert response.status_code == 200, user.username
        assert response.content.startswith(b"%PDF-")


def test_the_dashboards_offer_their_summary_to_every_reader(
    client, progress_2022q4, leadership, city_officer
):
    for user in [leadership, city_officer]:
        client.force_login(user)
        for page in ["/dashboard/", "/dashboard/indicators/patent_agencies/"]:
            assert "下载PDF摘要" in client.get(page).content.decode()
        other = client.get("/dashboard/prefectures/440300/").content.decode()
        assert "下载PDF摘要" in other and "/dashboard/prefectures/440300/summary/" in other


def test_a_summary_that_cannot_be_made_says_so_and_can_be_tried_again(
    client, provincial, progress_2022q4
):
    url = reverse("indicator_summary", args=["patent_agencies"])
    scope = Scope(indicator=Indicator.objects.get(code="patent_agencies"))
    version = summaries.data_version(
        scope, ReportingPeriod.objects.get(year=2022, quarter=4), timezone.localdate()
    )
    Summary.objects.create(
        scope=scope.key,
        period=ReportingPeriod.objects.get(year=2022, quarter=4),
        language="zh-hans",
        data_version=version,
        state=Summary.State.FAILED,
    )
    response = download(client, provincial, url, "2022Q4")
    assert response.status_code == 500
    assert "未能生成" in response.content.decode()
    assert "retry=1" in response.content.decode()
    retried = download(client, provincial, url, "2022Q4", retry="1")
    assert retried.status_code == 200 and retried.content.startswith(b"%PDF-")


def test_the_task_records_a_failure(progress_2022q4):
    from reports.tasks import make_summary

    summary = Summary.objects.create(
        scope="indicator:no_such_indicator",
        period=ReportingPeriod.objects.get(year=2022, quarter=4),
        language="zh-hans",
        data_version="x",
    )
    make_summary(summary.pk)
    summary.refresh_from_db()
    assert summary.state == Summary.State.FAILED and summary.pdf is None


def test_a_request_lost_on_the_way_is_sent_again(client, provincial, progress_2022q4):
    url = reverse("indicator_summary", args=["patent_agencies"])
    assert download(client, provincial, url, "2022Q4", check="1").json() == {"state": "ready"}
    Summary.objects.update(
        state=Summary.State.PREPARING,
        pdf=None,
        requested_at=timezone.now() - summaries.GIVE_UP_AFTER - timedelta(minutes=1),
    )
    response = download(client, provincial, url, "2022Q4")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_with_the_broker_down_the_summary_is_made_in_the_request(
    client, provincial, progress_2022q4, broker
):
    broker(CLOSED_PORT_URL)
    response = download(
        client, provincial, reverse("indicator_summary", args=["patent_agencies"]), "2022Q4"
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_the_pdf_charts_draw_the_web_charts_data():
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "实际值",
                "x": ["2022Q1", "2022Q2"],
                "y": [3.0, 5.0],
                "line": {"color": "#1d4ed8", "width": 3},
            },
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": "≥ 10 家",
                "x": ["2021Q4"],
                "y": [10.0],
                "marker": {"symbol": "star", "size": 16, "color": "#a4161a"},
                "text": ["≥ 10 家"],
            },
        ],
        "layout": {
            "title": {"text": "试验指标：全省对照目标"},
            "yaxis": {"title": {"text": "家"}, "rangemode": "tozero"},
        },
    }
    svg = chart_svg.svg(figure)
    assert svg.startswith("<svg")
    for text in ["试验指标：全省对照目标", "实际值", "≥ 10 家", "2021Q4", "2022Q1", "2022Q2"]:
        assert text in svg
    # Every text element names the embedded font: SVG text does not inherit the page's.
    assert svg.count("<text") == svg.count("font-family: 'Noto Sans SC'") > 0


def test_the_version_follows_the_submissions_the_summary_lists(progress_2022q4):
    q3, q4 = ReportingPeriod.objects.filter(year=2022, quarter__in=[3, 4]).order_by("quarter")
    guangzhou = Prefecture.objects.get(code="440100")
    city, province = Scope(prefecture=guangzhou), Scope()
    today = timezone.localdate()
    before = {scope: summaries.data_version(scope, q4, today) for scope in (city, province)}
    Submission.objects.create(prefecture=guangzhou, period=q3)  # an earlier quarter's draft
    assert summaries.data_version(city, q4, today) != before[city]
    assert summaries.data_version(province, q4, today) == before[province]
    Submission.objects.filter(prefecture=guangzhou, period=q4).update(
        status=Submission.Status.RETURNED
    )
    assert summaries.data_version(province, q4, today) != before[province]
