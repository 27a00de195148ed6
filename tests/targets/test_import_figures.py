import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets.models import (
    Figure,
    FigureRevision,
    Prefecture,
    ReportingPeriod,
    StaleProgress,
    Submission,
)
from targets.reporting import _create_submissions, approve_submission
from tests.filing import file, save

pytestmark = pytest.mark.usefixtures("in_english")

HEADER = "prefecture,indicator,period,value,denominator,note\n"
GOOD = HEADER + (
    "440100,patent_agents,2019Q4,1200,,\n"
    "440100,hitech_compliance_rate,2019Q4,300,1200,\n"
    "440100,invention_patents_per_10k,2019Q4,90000,,\n"
    "440100,ip_insurance_coverage,2019Q4,yes,,\n"
    "440300,patent_agents,2019Q4,900,,from the yearbook\n"
    "province,patent_regulation_revised,2019Q4,not_done,,\n"
)


@pytest.fixture
def csv_file(tmp_path):
    def write(text, encoding="utf-8"):
        path = tmp_path / "figures.csv"
        path.write_bytes(text.encode(encoding))
        return path

    return write


def test_it_imports_every_row(csv_file, provincial, plan):
    call_command("import_figures", csv_file(GOOD), user="provincial")
    assert Figure.objects.count() == 6
    rate = Figure.objects.get(indicator__code="hitech_compliance_rate")
    assert (rate.value, rate.denominator) == (300, 1200)
    assert Figure.objects.get(indicator__code="ip_insurance_coverage").value == 1
    assert Figure.objects.get(submission__prefecture=None).value == 0
    assert Figure.objects.get(note="from the yearbook").value == 900


def test_the_same_figure_twice_is_refused(csv_file, provincial, plan, capsys):
    with pytest.raises(CommandError):
        call_command(
            "import_figures",
            csv_file(GOOD + "440100,patent_agents,2019Q4,1300,,\n"),
            user="provincial",
        )
    assert "figures.csv:8: Same figure as line 2." in capsys.readouterr().err


def test_a_header_typed_in_capitals_is_fine(csv_file, provincial, plan):
    typed = GOOD.replace(HEADER, HEADER.title().replace(",", " , "))
    call_command("import_figures", csv_file(typed), user="provincial")
    assert Figure.objects.count() == 6


def test_a_bom_is_fine(csv_file, provincial, plan):
    call_command("import_figures", csv_file("\ufeff" + GOOD), user="provincial")
    assert Figure.objects.count() == 6


def test_one_bad_row_imports_nothing_and_every_bad_row_is_reported(
    csv_file, provincial, plan, capsys
):
    bad = GOOD + (
        "440100,patent_agents,2019Q4,12.5,,\n"
        "449999,patent_agents,2019Q4,1,,\n"
        "440100,no_such_indicator,2019Q4,1,,\n"
        "440100,patent_regulation_revised,2019Q4,done,,\n"
        "440100,patent_agents,2031Q1,1,,\n"
        "440100,hitech_compliance_rate,2019Q3,30,20,\n"
        "440100,ip_insurance_coverage,2019Q3,maybe,,\n"
    )
    with pytest.raises(CommandError, match=r"Nothing imported: 7 bad rows\."):
        call_command("import_figures", csv_file(bad), user="provincial")
    errors = capsys.readouterr().err
    for line in range(8, 15):
        assert f"figures.csv:{line}:" in errors
    assert "Enter a whole number" in errors
    assert "Unknown prefecture" in errors and "Unknown indicator" in errors
    assert "province only" in errors and "No reporting period 2031Q1" in errors
    assert "cannot exceed" in errors and "enter “yes” or “no”" in errors
    assert not Figure.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        ("prefecture,indicator,period,value\n440100,patent_agents,2019Q4,1\n", "header must be"),
        ("", "header must be"),
    ],
)
def test_a_wrong_header_is_refused(csv_file, provincial, plan, capsys, content, message):
    with pytest.raises(CommandError):
        call_command("import_figures", csv_file(content), user="provincial")
    assert message in capsys.readouterr().err


def test_a_gbk_file_reads_as_excel_wrote_it(csv_file, provincial, plan):
    text = GOOD + "440100,patent_agents,2020Q1,1250,,广州市局年报\n"
    call_command("import_figures", csv_file(text, "gbk"), user="provincial")
    figure = Figure.objects.get(indicator__code="patent_agents", submission__period__year=2020)
    assert figure.note == "广州市局年报"


def test_a_file_neither_utf8_nor_gbk_is_refused(csv_file, provincial, plan, capsys):
    with pytest.raises(CommandError):
        call_command(
            "import_figures",
            csv_file(GOOD + "440100,patent_agents,2020Q1,1,,广州\n", "utf-16"),
            user="provincial",
        )
    assert "neither UTF-8 nor GBK" in capsys.readouterr().err
    assert not Figure.objects.exists()


def test_importing_twice_changes_nothing_the_second_time(csv_file, provincial, plan):
    path = csv_file(GOOD)
    call_command("import_figures", path, user="provincial", approve=True)
    rows = list(Figure.objects.order_by("pk").values())
    events = list(Submission.objects.values_list("events__pk", flat=True))
    call_command("import_figures", path, user="provincial", approve=True)
    assert list(Figure.objects.order_by("pk").values()) == rows
    assert list(Submission.objects.values_list("events__pk", flat=True)) == events


def test_approve_leaves_the_quarters_approved_by_that_user(csv_file, provincial, plan):
    call_command("import_figures", csv_file(GOOD), user="provincial", approve=True)
    assert set(Submission.objects.values_list("status", flat=True)) == {"approved"}
    assert set(Submission.objects.values_list("reviewed_by__username", flat=True)) == {"provincial"}
    assert Figure.objects.approved().count() == 6


def test_it_may_write_into_a_closed_quarter_and_says_so(csv_file, provincial, plan):
    ReportingPeriod.objects.filter(year=2019, quarter=4).update(is_open=False)
    call_command("import_figures", csv_file(GOOD), user="provincial")
    submission = Submission.objects.get(prefecture__code="440100")
    event = submission.events.get()
    assert "figures.csv" in event.comment and "closed" in event.comment
    assert event.by == provincial


def test_a_change_to_an_approved_quarter_sends_it_back_to_the_review_queue(
    csv_file, provincial, plan
):
    call_command("import_figures", csv_file(GOOD), user="provincial", approve=True)
    call_command(
        "import_figures",
        csv_file(HEADER + "440100,patent_agents,2019Q4,1300,,\n"),
        user="provincial",
    )
    figure = Figure.objects.get(
        indicator__code="patent_agents", submission__prefecture__code="440100"
    )
    assert (figure.value, figure.approved_value) == (1300, 1200)
    assert figure.submission.status == "submitted"
    # The review queue says who sent it back, and when.
    assert figure.submission.submitted_by == provincial and figure.submission.submitted_at
    assert figure.revisions.last().old_value == 1200


def test_only_provincial_staff_may_import(csv_file, city_officer):
    with pytest.raises(CommandError, match="not a provincial staff account"):
        call_command("import_figures", csv_file(GOOD), user="guangzhou")


def test_the_upload_page_previews_then_imports(client, provincial, plan):
    client.force_login(provincial)
    upload = {"file": _named(GOOD), "approve": "on"}
    page = client.post(reverse("csv_import"), upload).content.decode()
    assert "What the import would do" in page or "导入后的效果" in page
    assert not Figure.objects.exists()
    client.post(reverse("csv_import_confirm"))
    assert Figure.objects.approved().count() == 6


def test_the_upload_page_lists_bad_lines(client, provincial, plan):
    client.force_login(provincial)
    page = client.post(
        reverse("csv_import"), {"file": _named(GOOD + "449999,patent_agents,2019Q4,1,,\n")}
    ).content.decode()
    assert "449999" in page
    client.post(reverse("csv_import_confirm"))
    assert not Figure.objects.exists()


def _named(text):
    import io

    buffer = io.BytesIO(text.encode())
    buffer.name = "figures.csv"
    return buffer


def test_a_change_to_a_submitted_quarter_keeps_it_in_the_review_queue(
    csv_file, provincial, city_officer, plan
):
    call_command("import_figures", csv_file(GOOD), user="provincial")
    submission = Submission.objects.get(prefecture__code="440100")
    Submission.objects.filter(pk=submission.pk).update(status="submitted")
    call_command(
        "import_figures",
        csv_file(HEADER + "440100,patent_agents,2019Q4,1300,,\n"),
        user="provincial",
    )
    submission.refresh_from_db()
    assert submission.status == "submitted"
    assert submission.events.last().to_status == "submitted"


WARNED = HEADER + "440100,patent_agents,2019Q4,1200,,\n440100,patent_agents,2020Q1,4000,,\n"


def test_the_page_lists_warned_rows_and_imports_them_only_with_a_tick_and_a_reason(
    client, provincial, plan
):
    client.force_login(provincial)
    page = client.post(reverse("csv_import"), {"file": _named(WARNED)}).content.decode()
    assert "有 1 行需要核对" in page
    assert "<td>3</td><td>广州市</td><td>2020年第1季度</td><td>执业专利代理人</td>" in page
    assert "超过上季度 1200 的三倍。" in page
    confirm = reverse("csv_import_confirm")
    page = client.post(confirm, {"accept": "on"}).content.decode()
    assert "未导入任何数据：请勾选确认有提示的各行，并填写理由。" in page
    page = client.post(confirm, {"reason": "checked with the city"}).content.decode()
    assert "未导入任何数据" in page
    assert not Figure.objects.exists()
    client.post(confirm, {"accept": "on", "reason": "checked with the city"})
    figure = Figure.objects.get(submission__period__year=2020)
    assert figure.value == 4000
    assert "已确认提示：checked with the city" in figure.revisions.get().reason


def test_the_preview_shows_yes_no_words_and_note_changes(client, provincial, plan):
    client.force_login(provincial)
    client.post(reverse("csv_import"), {"file": _named(GOOD)})
    client.post(reverse("csv_import_confirm"))
    changed = GOOD.replace("ip_insurance_coverage,2019Q4,yes", "ip_insurance_coverage,2019Q4,no")
    changed = changed.replace("from the yearbook", "from the 2020 yearbook")
    changed = changed.replace(
        "patent_regulation_revised,2019Q4,not_done", "patent_regulation_revised,2019Q4,done"
    )
    page = client.post(reverse("csv_import"), {"file": _named(changed)}).content.decode()
    page = re.sub(r">\s+<", "><", page)  # now and after, side by side
    assert '<td class="number">是</td><td class="number">否</td>' in page
    assert '<td class="number">未完成</td><td class="number">完成</td>' in page
    assert "新增 0 项数据，修改 3 项，其余 3 项保持不变。" in page
    assert "leaves as it is" not in page and "保持不变</td>" not in page
    assert "<del>from the yearbook</del> → from the 2020 yearbook" in page


def test_a_file_past_the_sites_upload_limit_is_cut_off_and_told_its_size(client, plan, provincial):
    """The body stops at the site's limit while it streams in (ipplan.uploads.SizeLimit)."""
    client.force_login(provincial)
    big = SimpleUploadedFile("big.csv", b"x" * (11 * 1024 * 1024), content_type="text/csv")
    page = client.post(reverse("csv_import"), {"file": big}).content.decode()
    assert "文件大于 2 MB" in page
    assert "import_figures 命令导入（不限大小）" in page  # what to do instead
    middling = SimpleUploadedFile("middling.csv", b"x" * (3 * 1024 * 1024))
    page = client.post(reverse("csv_import"), {"file": middling}).content.decode()
    assert "文件大于 2 MB" in page and "请拆分为几个文件" in page


# Approving from a file publishes the quarters it touches: a city's figures nobody reviewed
# go with them only once the importer has seen them named and said why.

ONE_FIGURE = HEADER + "440100,patent_agents,2022Q4,750,,\n"
UNREVIEWED = "Approving Guangzhou 2022 Q4 also publishes figures nobody has reviewed yet: "


@pytest.fixture
def city_draft(city_officer, plan):
    """Guangzhou's 2022Q4 as a draft: 742 patent attorneys and 120 agencies, unsubmitted."""
    return save(city_officer, 4, {"patent_agents": 742, "patent_agencies": 120})


def test_approving_a_quarter_holding_a_citys_draft_needs_a_reason(
    csv_file, provincial, city_draft, capsys
):
    with pytest.raises(CommandError):
        call_command("import_figures", csv_file(ONE_FIGURE), user="provincial", approve=True)
    said = capsys.readouterr().err
    assert f"figures.csv:2: Practising patent attorneys: {UNREVIEWED}" in said
    assert "Patent agencies" in said
    assert not Figure.objects.approved().exists()
    assert Figure.objects.get(indicator__code="patent_agents").value == 742

    call_command(
        "import_figures",
        csv_file(ONE_FIGURE),
        user="provincial",
        approve=True,
        accept_warnings="the city confirmed 120 by phone",
    )
    agencies = Figure.objects.get(indicator__code="patent_agencies")
    assert agencies.approved_value == 120
    # The figures the approval published beside the file's are marked for the recompute too.
    assert StaleProgress.objects.filter(
        indicator__code="patent_agencies", prefecture__code="440100"
    ).exists()
    approval = Submission.objects.get().events.last()
    assert approval.action == "approved" and "confirmed 120 by phone" in approval.comment


def test_a_quarter_whose_other_figures_are_approved_as_they_are_needs_no_reason(
    csv_file, provincial, city_officer, plan
):
    submission = file(city_officer, 4, {"patent_agents": 742, "patent_agencies": 120})
    approve_submission(submission=submission, user=provincial)
    call_command("import_figures", csv_file(ONE_FIGURE), user="provincial", approve=True)
    figure = Figure.objects.get(indicator__code="patent_agents")
    assert (figure.value, figure.approved_value) == (750, 750)


def test_the_page_names_the_unreviewed_figures_and_asks_for_a_reason(
    client, provincial, city_draft
):
    client.force_login(provincial)
    client.cookies["django_language"] = "en"
    page = client.post(reverse("csv_import"), {"file": _named(ONE_FIGURE), "approve": "on"})
    warning = page.content.decode().split(UNREVIEWED)[1].split("</td>")[0]
    assert "Patent agencies" in warning and "Practising patent attorneys" not in warning
    refused = client.post(reverse("csv_import_confirm")).content.decode()
    assert "Nothing was imported" in refused
    assert not Figure.objects.approved().exists()
    client.post(reverse("csv_import_confirm"), {"accept": "on", "reason": "checked by phone"})
    assert Figure.objects.approved().count() == Figure.objects.count()


def test_counts_of_one_take_the_singular(csv_file, provincial, plan, capsys):
    one = HEADER + "440100,patent_agents,2019Q4,1200,,\n"
    call_command("import_figures", csv_file(one), user="provincial", approve=True)
    assert capsys.readouterr().out == "Imported 1 row: 1 figure changed in 1 quarter, 1 approved.\n"
    with pytest.raises(CommandError, match=r"^Nothing imported: 1 bad row\.$"):
        call_command(
            "import_figures",
            csv_file(HEADER + "449999,patent_agents,2019Q4,1,,\n"),
            user="provincial",
        )
    jump = HEADER + "440100,patent_agents,2020Q1,9000,,\n"
    with pytest.raises(
        CommandError, match=r"^Nothing imported: 1 row needs a second look\. Check it,"
    ):
        call_command("import_figures", csv_file(jump), user="provincial")
    call_command(
        "import_figures",
        csv_file(
            HEADER + "440300,patent_agents,2019Q4,9,,\n" + "440100,patent_agents,2019Q3,9,,\n"
        ),
        user="provincial",
    )
    assert (
        capsys.readouterr().out == "Imported 2 rows: 2 figures changed in 2 quarters, 0 approved.\n"
    )


def test_the_preview_counts_in_the_singular_for_one(client, provincial, plan):
    client.force_login(provincial)
    client.cookies["django_language"] = "en"
    client.post(
        reverse("csv_import"), {"file": _named(HEADER + "440100,patent_agents,2019Q4,9,,\n")}
    )
    page = client.post(reverse("csv_import_confirm"), follow=True).content.decode()
    assert "Imported 1 row: 1 figure changed in 1 quarter, 0 approved." in page
    both = HEADER + "440100,patent_agents,2019Q4,9,,\n" + "440300,patent_agents,2019Q4,8,,\n"
    page = client.post(reverse("csv_import"), {"file": _named(both)}).content.decode()
    assert "It adds 1 figure, changes 0 and leaves 1 as it is." in page


def history(cities: int, quarters: int, value: int) -> str:
    codes = Prefecture.objects.order_by("code").values_list("code", flat=True)[:cities]
    periods = [f"{2019 + q // 4}Q{q % 4 + 1}" for q in range(quarters)]
    return HEADER + "".join(
        f"{code},patent_agents,{period},{value},,\n" for code in codes for period in periods
    )


def test_an_import_takes_the_same_statements_for_4_quarters_as_for_48(csv_file, provincial, plan):
    """A whole plan's history imports well within the web server's timeout: the statements
    do not grow with the cities and quarters (a dozen per quarter took 26 s at 7,560 rows),
    and every figure still gets its revision and every quarter its events."""

    def statements(cities, quarters, value):
        path = csv_file(history(cities, quarters, value))
        with CaptureQueriesContext(connection) as run:
            call_command("import_figures", path, user="provincial", approve=True)
        return len(run)

    small = [statements(2, 2, value) for value in (10, 20)]
    large = [statements(8, 6, value) for value in (30, 40)]
    assert large[1] == small[1]  # every figure changed
    assert large[0] <= small[0] + 1  # new figures, and four changed (one more UPDATE)
    submission = Submission.objects.get(
        prefecture__code="440100", period__year=2019, period__quarter=1
    )
    assert list(submission.events.values_list("action", flat=True)) == ["saved", "approved"] * 4
    figure = submission.figures.get()
    assert list(figure.revisions.values_list("version", "old_value", "new_value")) == [
        (1, None, 10),
        (2, 10, 20),
        (3, 20, 30),
        (4, 30, 40),
    ]
    assert (figure.value, figure.approved_value, submission.version) == (40, 40, 4)
    assert FigureRevision.objects.count() == 2 * 2 * 2 + 8 * 6 * 2


def test_quarters_a_city_created_meanwhile_are_found_not_created_again(provincial, plan):
    """An import creates the submissions it lacks in one insert; when a city's first save
    created one after the import looked (here: before the insert), it is found instead."""
    guangzhou, shenzhen = Prefecture.objects.filter(code__in=["440100", "440300"])
    period = ReportingPeriod.objects.get(year=2019, quarter=4)
    theirs = Submission.objects.create(prefecture=guangzhou, period=period)
    created = _create_submissions([(guangzhou, period), (shenzhen, period)], provincial)
    assert list(created) == [(shenzhen, period)]
    assert Submission.objects.filter(period=period).count() == 2
    assert Submission.objects.get(prefecture=guangzhou, period=period) == theirs
