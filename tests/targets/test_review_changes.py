"""Reviews that show what changed: corrections beside what was approved before, ratios as
rates with their unit, coverage in words."""

import pytest
from django.urls import reverse

from targets.models import Prefecture, ReportingPeriod
from targets.reporting import approve_submission, reopen_quarter
from tests.filing import file

REVIEW = reverse("review", kwargs={"reporter": "440100", "quarter": "2022Q4"})
FORM = reverse("quarter_form", kwargs={"reporter": "440100", "quarter": "2022Q4"})
GUANGZHOU_2020 = 18676605  # the census population on record


Q3 = {
    "patent_agents": 716,
    "hitech_compliance_rate": (2400, 10000),
    "invention_patents_per_10k": 50000,
    "assistance_centre_coverage": 1,
}
Q4 = Q3 | {
    "patent_agents": 742,
    "hitech_compliance_rate": (2450, 10000),
    "invention_patents_per_10k": 52000,
}


@pytest.fixture
def approved_q3_q4(plan, city_officer, provincial):
    for quarter, values in [(3, Q3), (4, Q4)]:
        approve_submission(submission=file(city_officer, quarter, values), user=provincial)


@pytest.fixture
def correction(approved_q3_q4, city_officer, provincial):
    """2022Q4 reopened by the province; the city corrects two rows and resubmits."""
    reopen_quarter(
        prefecture=city_officer.prefecture,
        period=ReportingPeriod.objects.get(year=2022, quarter=4),
        user=provincial,
        reason="请核对执业专利代理人",
    )
    corrected = Q4 | {"patent_agents": 745, "hitech_compliance_rate": (2496, 10000)}
    file(
        city_officer,
        4,
        corrected,
        seen_version=1,
        reasons={"patent_agents": "漏计三人", "hitech_compliance_rate": "分子笔误"},
    )


def row_of(page, name):
    start = page.index(f'<th scope="row">{name}')
    return " ".join(page[start : page.index("</tr>", start)].split())


def test_a_correction_shows_the_approved_value_beside_the_new_one_with_the_reason(
    client, correction, provincial
):
    client.force_login(provincial)
    page = client.get(REVIEW).content.decode()
    assert "本季度此前已审核通过，现为更正" in page
    assert "此前审核通过" in page and "更正原因" in page
    agents = row_of(page, "执业专利代理人")
    assert (
        '<td class="number">742</td> <td class="number">745 <span class="flag">已更正</span>'
        in (agents)
    )
    assert "<td>漏计三人</td>" in agents
    unchanged = row_of(page, "专利代理机构")
    assert "已更正" not in unchanged and "<td>—</td>" in unchanged


def test_a_first_review_has_no_correction_columns(client, plan, city_officer, provincial):
    file(city_officer, 4, Q4)
    client.force_login(provincial)
    page = client.get(REVIEW).content.decode()
    assert "此前审核通过" not in page and "更正原因" not in page


def test_an_approved_quarter_never_reopened_is_not_called_a_correction(
    client, approved_q3_q4, provincial
):
    client.force_login(provincial)
    page = client.get(REVIEW).content.decode()
    assert "现为更正" not in page and "此前审核通过" not in page and "更正原因" not in page


def test_a_ratio_reads_as_a_rate_with_its_unit_and_the_change_of_the_rate(
    client, correction, provincial
):
    client.force_login(provincial)
    page = client.get(REVIEW).content.decode()
    hitech = row_of(page, "高新技术企业贯标率")
    assert "24.00 % (2400 / 10000)" in hitech  # last quarter
    assert "24.50 % (2450 / 10000)" in hitech  # approved before
    assert "24.96 % (2496 / 10000)" in hitech  # now: never rounded up to the target
    assert '<span class="delta up">+0.96 个百分点</span>' in hitech
    assert "<td>分子笔误</td>" in hitech


def test_a_rate_per_10_000_residents_divides_by_the_population_on_record(
    client, correction, provincial
):
    client.force_login(provincial)
    per_10k = row_of(client.get(REVIEW).content.decode(), "万人发明专利拥有量")
    # 52000 / 18676605 × 10 000 = 27.84; last quarter 50000 → 26.77
    assert f"27.84 件/万人 (52000 / {GUANGZHOU_2020})" in per_10k
    assert f"26.77 件/万人 (50000 / {GUANGZHOU_2020})" in per_10k
    assert '<span class="delta up">+1.07 件/万人</span>' in per_10k
    assert "+4.0%" not in per_10k  # no change computed on the patent count


def test_coverage_reads_yes_or_no_on_the_review_and_the_form(
    client, correction, provincial, city_officer
):
    client.force_login(provincial)
    coverage = row_of(client.get(REVIEW).content.decode(), "维权援助中心地市全覆盖")
    assert '<td class="number">是</td>' in coverage
    assert '<span class="delta same">无变化</span>' in coverage
    client.force_login(city_officer)
    form = client.get(FORM).content.decode()
    row = form[form.index("维权援助中心地市全覆盖") :]
    assert '<td class="number">是</td>' in row[: row.index("</tr>")]


def test_the_reviewer_approves_the_correction_and_it_is_published(client, correction, provincial):
    client.force_login(provincial)
    client.post(REVIEW, {"approve": "", "comment": "", "seen_version": "2"})
    figure = Prefecture.objects.get(code="440100").submissions.get(
        period__quarter=4, period__year=2022
    )
    assert figure.figures.get(indicator__code="patent_agents").approved_value == 745


def test_the_change_of_a_rate_is_the_difference_of_the_rates_shown(
    client, plan, city_officer, provincial
):
    """27.715 % reads 27.72 % and 28.184 % reads 28.18 %: the change reads +0.46, their
    difference on the page, not +0.47 (the difference of the unrounded rates); likewise
    57.4446 → 58.7152 件/万人 reads 57.44 → 58.72, +1.28."""
    q3 = Q3 | {"hitech_compliance_rate": (27715, 100000), "invention_patents_per_10k": 107287}
    q4 = Q4 | {"hitech_compliance_rate": (28184, 100000), "invention_patents_per_10k": 109660}
    approve_submission(submission=file(city_officer, 3, q3), user=provincial)
    file(city_officer, 4, q4)
    client.force_login(provincial)
    page = client.get(REVIEW).content.decode()
    hitech = row_of(page, "高新技术企业贯标率")
    assert "27.72 % (27715 / 100000)" in hitech and "28.18 % (28184 / 100000)" in hitech
    assert '<span class="delta up">+0.46 个百分点</span>' in hitech
    per_10k = row_of(page, "万人发明专利拥有量")
    assert "57.44 件/万人" in per_10k and "58.72 件/万人" in per_10k
    assert '<span class="delta up">+1.28 件/万人</span>' in per_10k
