"""A concluded plan's final evaluation (终期评估): provisional until provincial staff freeze
it, then kept whatever later corrections do to the stored results."""

import csv
import io
from datetime import date

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from reports import evaluation, summaries
from reports.evaluation import FinalStatus
from reports.summaries import Scope
from targets.models import (
    FinalEvaluation,
    FinalResult,
    Indicator,
    Plan,
    Prefecture,
    ReportingPeriod,
    TargetAllocation,
)
from targets.recompute import recompute_progress
from tests.factories import approve
from tests.reports.test_dashboards import ten_times_the_demo
from tests.reports.test_summaries import pdf_pages, squeezed

URL = "/dashboard/plans/2018/final/"
CONCLUDE = "/dashboard/plans/2018/final/conclude/"
YUNFU = "445300"


@pytest.fixture
def final_quarter(progress_2022q4):
    """2022Q4 as `progress_2022q4` leaves it (patent agencies 420 ≥ 400, insurance in 14 of
    21 cities, the patent regulations revised), with patent attorneys from every city but
    云浮 (incomplete), and patent agencies allocated to 广州 (met) and 深圳 (not met)."""
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    attorneys = Indicator.objects.get(code="patent_agents")
    for city in Prefecture.objects.exclude(code=YUNFU):
        approve(attorneys, city, period, 100)
    target = Indicator.objects.get(code="patent_agencies").targets.get()
    TargetAllocation.objects.create(
        target=target, prefecture=Prefecture.objects.get(code="440100"), value=15
    )
    TargetAllocation.objects.create(
        target=target, prefecture=Prefecture.objects.get(code="440300"), value=25
    )
    recompute_progress()
    return period


def lines_by_code(plan_code="2018"):
    found = evaluation.evaluation(Plan.objects.get(code=plan_code))
    return found, {line.indicator.code: line for line in found.lines}


def test_each_target_reads_its_final_status_at_its_own_quarter(final_quarter):
    found, lines = lines_by_code()
    assert found.provisional
    assert [line.indicator.code for line in found.lines][:2] == [
        "patent_regulation_revised",
        "ip_regulation_enacted",
    ]
    assert lines["patent_agencies"].final == FinalStatus.ACHIEVED
    assert lines["patent_agencies"].cities == "2 个地市中 1 个完成分解目标"
    assert lines["ip_insurance_coverage"].final == FinalStatus.NOT_ACHIEVED
    assert lines["patent_regulation_revised"].final == FinalStatus.ACHIEVED
    assert lines["ip_regulation_enacted"].final == FinalStatus.NO_DATA
    assert lines["pct_applications"].final == FinalStatus.NO_TARGET
    incomplete = lines["patent_agents"]
    assert incomplete.final == FinalStatus.INCOMPLETE
    assert incomplete.missing == "目标日期时缺 1 个地市：云浮市"
    assert all(str(line.result.quarter) == "2022Q4" for line in found.lines)


def test_the_page_is_provisional_until_concluded_in_chinese_and_english(
    client, final_quarter, leadership
):
    client.force_login(leadership)
    text = client.get(URL).content.decode()
    assert "暂定结果，尚未定稿" in text
    assert "目标日期时缺 1 个地市：云浮市" in text
    assert "2 个地市中 1 个完成分解目标" in text
    assert "仅监测，无目标值" in text
    assert CONCLUDE not in text  # leadership reads it, provincial staff conclude it
    client.cookies["django_language"] = "en"
    text = client.get(URL).content.decode()
    assert "Provisional, not yet frozen." in text
    assert "1 city missing at the target date: Yunfu" in text
    assert "1 of 2 cities met their allocation" in text
    assert "incomplete at the target date" in text and "not achieved" in text


def test_provincial_staff_freeze_it_once_with_who_and_when(client, final_quarter, provincial):
    client.force_login(provincial)
    page = client.get(URL).content.decode()
    assert CONCLUDE in page
    assert "1 项目标在目标日期仍不完整" in page  # patent attorneys: 云浮 missing
    # One click is not enough: freezing asks to confirm, and without it nothing changes.
    unconfirmed = client.post(CONCLUDE, follow=True).content.decode()
    assert "未定稿：请先勾选确认" in unconfirmed and not FinalEvaluation.objects.exists()
    response = client.post(CONCLUDE, {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == URL
    frozen = FinalEvaluation.objects.get()
    assert frozen.evaluated_by == provincial and frozen.plan.code == "2018"
    rows = {
        r.target.indicator.code: r for r in FinalResult.objects.select_related("target__indicator")
    }
    assert len(rows) == Plan.objects.get().targets.count()
    assert rows["patent_agents"].status == "incomplete" and rows["patent_agents"].missing == [YUNFU]
    assert (rows["patent_agencies"].cities_met, rows["patent_agencies"].cities_allocated) == (1, 2)
    assert rows["patent_agencies"].actual == 420 and rows["patent_agencies"].target_value == 400
    assert rows["patent_agencies"].computed_at is not None
    entry = LogEntry.objects.get()
    assert (entry.action_flag, entry.user, entry.object_id) == (
        ADDITION,
        provincial,
        str(frozen.pk),
    )
    page = client.get(URL).content.decode()
    assert "provincial 于" in page and "定稿" in page and "暂定结果" not in page
    assert CONCLUDE not in page
    # A second conclusion changes nothing and says so.
    response = client.post(CONCLUDE, {"confirm": "yes"}, follow=True)
    assert "该终期评估此前已定稿，未作任何改动。" in response.content.decode()
    assert FinalEvaluation.objects.get().evaluated_at == frozen.evaluated_at
    assert FinalResult.objects.count() == len(rows) and LogEntry.objects.count() == 1


@pytest.mark.parametrize("who", ["city_officer", "other_officer", "leadership"])
def test_no_one_but_provincial_staff_may_freeze_it(client, final_quarter, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(CONCLUDE, {"confirm": "yes"}).status_code == 403
    assert not FinalEvaluation.objects.exists()


def test_a_later_correction_leaves_the_frozen_result_and_is_flagged(
    client, final_quarter, provincial
):
    client.force_login(provincial)
    client.post(CONCLUDE, {"confirm": "yes"})
    # In 2024 云浮 reports its 2022Q4 patent attorneys: the total is complete, and short.
    attorneys = Indicator.objects.get(code="patent_agents")
    approve(attorneys, Prefecture.objects.get(code=YUNFU), final_quarter, 100)
    recompute_progress()
    found, lines = lines_by_code()
    line = lines["patent_agents"]
    assert line.final == FinalStatus.INCOMPLETE and line.result.actual == 2000
    assert line.now.actual == 2100 and line.now.complete
    assert line.correction == "定稿后数据已更正：现为2100 人、未达成。"
    assert found.corrected == 1
    assert all(other.now is None for other in found.lines if other is not line)
    page = client.get(URL).content.decode()
    assert "定稿后数据已更正：现为2100 人、未达成。" in page
    assert "定稿后有 1 项目标的数据被更正" in page
    assert FinalResult.objects.get(target__indicator=attorneys).actual == 2000


def test_freezing_waits_for_a_pending_recompute(client, final_quarter, provincial):
    Indicator.objects.filter(code="patent_agents").update(progress_stale=True)
    with pytest.raises(evaluation.RecomputePending):
        evaluation.conclude(Plan.objects.get(), provincial)
    client.force_login(provincial)
    response = client.post(CONCLUDE, {"confirm": "yes"}, follow=True)
    assert "数据有变动，结果正在重新计算，请稍后再试。" in response.content.decode()
    assert not FinalEvaluation.objects.exists()


def test_a_plan_still_running_has_no_final_evaluation(client, plan, leadership, provincial):
    running = Plan.objects.create(
        code="2023",
        title_zh="后续方案",
        title_en="The next plan",
        document_number="粤知〔2023〕1号",
        start_date=date(2023, 1, 1),
        target_date=date(2099, 12, 31),
    )
    with pytest.raises(evaluation.NotYetConcluded):
        evaluation.conclude(running, provincial)
    client.force_login(leadership)
    response = client.get("/dashboard/plans/2023/final/")
    assert response.status_code == 404
    assert "2099-12-31" in response.content.decode()
    assert client.get("/dashboard/plans/1999/final/").status_code == 404
    home = client.get(reverse("plan")).content.decode()
    assert URL in home and "/dashboard/plans/2023/final/" not in home
    assert URL in client.get(reverse("overview") + "?plan=2018").content.decode()
    assert "/final/" not in client.get(reverse("overview") + "?plan=2023").content.decode()


def test_the_downloads_hold_every_target_with_chinese_headings(client, final_quarter, provincial):
    client.force_login(provincial)
    client.post(CONCLUDE, {"confirm": "yes"})
    response = client.get(URL, {"_export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "指标",
        "目标",
        "评估时点",
        "实际值",
        "差距",
        "完成比例",
        "终期状态",
        "缺报地市",
        "地市分解目标完成情况",
        "定稿后的更正",
    ]
    assert len(rows) == 1 + Plan.objects.get().targets.count()
    attorneys = next(row for row in rows if row[0] == "执业专利代理人")
    assert attorneys[2:4] == ["2022Q4", "2000 人"]
    assert attorneys[6:8] == ["目标日期时数据不完整", "云浮市"]
    agencies = next(row for row in rows if row[0] == "专利代理机构")
    assert agencies[6] == "已达成" and agencies[8] == "2 个地市中 1 个完成分解目标"
    sheet = load_workbook(io.BytesIO(client.get(URL, {"_export": "xlsx"}).content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "关于强化知识产权保护推动经济高质量发展的行动方案：终期评估"
    assert values[1][0].startswith("provincial 于 ") and values[1][0].endswith("定稿。")
    assert values[2] == rows[0] and len(values) == len(rows) + 2
    client.cookies["django_language"] = "en"
    english = client.get(URL, {"_export": "csv"}).content.decode("utf-8-sig")
    assert english.startswith("Indicator,Target,Evaluated at,Actual,Gap,Share of target,")


def test_the_pages_queries_are_bounded(client, final_quarter, leadership, provincial):
    client.force_login(leadership)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    # The session, the user and their roles, the demo banner's two, the plan, its targets,
    # whether it is frozen, the stored results (province, allocations, cities), the names of
    # the cities missing; once frozen, the frozen results too.
    provisional = queries()
    assert provisional <= 12
    evaluation.conclude(Plan.objects.get(), provincial)
    frozen = queries()
    assert frozen <= 13
    ten_times_the_demo()
    target = Indicator.objects.get(code="patent_agencies").targets.get()
    TargetAllocation.objects.bulk_create(
        TargetAllocation(target=target, prefecture=city, value=1)
        for city in Prefecture.objects.filter(allocations=None)
    )
    assert queries() == frozen


def test_the_province_summary_of_a_concluded_plan_opens_with_it(
    final_quarter, provincial, tmp_path
):
    plan = Plan.objects.get()
    scope, today = Scope(plan=plan), timezone.localdate()
    text = squeezed(
        "".join(pdf_pages(summaries.render_pdf(scope, final_quarter, today)[0], tmp_path))
    )
    section = text.split("终期评估")[1].split("各项指标")[0]
    assert "暂定结果，尚未定稿" in section
    assert "目标日期时数据不完整" in section and "云浮市" in section
    assert "2个地市中1个完成分解目标" in section
    before = summaries.data_version(scope, final_quarter, today)
    evaluation.conclude(plan, provincial)
    assert summaries.data_version(scope, final_quarter, today) != before
    with translation.override("en"):
        pages = pdf_pages(summaries.render_pdf(scope, final_quarter, today)[0], tmp_path)
    text = squeezed("".join(pages))
    section = text.split("Finalevaluation")[1].split("Everyindicator")[0]
    assert "Frozenon" in section and "byprovincial." in section and "Provisional" not in section
    assert "1citymissingatthetargetdate:Yunfu" in section and "notachieved" in section
    city = Scope(prefecture=Prefecture.objects.get(code="440100"), plan=plan)
    assert summaries.content(city, final_quarter, today)["final"] is None
