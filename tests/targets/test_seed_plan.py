from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from targets.models import Indicator, Plan, PopulationFigure, Prefecture, ReportingPeriod, Target
from targets.periods import Quarter
from targets.seeding import seed_plan

K = Indicator.Kind
CITIES, PROVINCE = Indicator.ReportedBy.CITIES, Indicator.ReportedBy.PROVINCE

# DESIGN.md's table of the 2018 plan, row by row: code, Chinese name, target as the table
# states it (a milestone's “done” is 1, a coverage target the number of cities), kind, reporter.
DESIGN_TABLE = [
    ("patent_regulation_revised", "《广东省专利条例》修订完成", "≥ 1", K.MILESTONE, PROVINCE),
    ("ip_regulation_enacted", "广东省知识产权条例立法", "≥ 1", K.MILESTONE, PROVINCE),
    ("key_protected_enterprises", "省市知识产权保护重点企业", "≥ 30000 家", K.STOCK, CITIES),
    ("standard_compliant_enterprises", "知识产权贯标企业", "> 15000 家", K.STOCK, CITIES),
    ("hitech_compliance_rate", "高新技术企业贯标率", "≥ 25 %", K.RATIO, CITIES),
    ("patent_cultivation_centres", "高质量专利育成中心", "≥ 300 个", K.STOCK, CITIES),
    ("protection_centres", "知识产权保护中心", "≥ 5 家", K.STOCK, CITIES),
    ("rapid_protection_centres", "快速维权中心及分中心", "≥ 10 家", K.STOCK, CITIES),
    ("assistance_centre_coverage", "维权援助中心地市全覆盖", "≥ 21 个地市", K.COVERAGE, CITIES),
    ("ip_transaction_value", "年度知识产权交易运营额", "> 100 亿元", K.FLOW, CITIES),
    ("pledge_financing", "知识产权质押融资金额", "≥ 200 亿元", K.FLOW, CITIES),
    ("ip_insurance_coverage", "知识产权保险地市全覆盖", "≥ 21 个地市", K.COVERAGE, CITIES),
    ("industry_navigation_projects", "重点产业专利导航项目", "≥ 150 个", K.CUMULATIVE, CITIES),
    ("enterprise_navigation_projects", "重点企业专利导航项目", "≥ 700 个", K.CUMULATIVE, CITIES),
    ("info_push_beneficiaries", "专利信息推送服务受惠企业", "≥ 50000 家次", K.CUMULATIVE, CITIES),
    ("patent_agencies", "专利代理机构", "≥ 400 家", K.STOCK, CITIES),
    ("patent_agents", "执业专利代理人", "≥ 3000 人", K.STOCK, CITIES),
    ("brand_service_institutions", "全国知识产权服务品牌机构", "≥ 40 家", K.STOCK, CITIES),
    ("invention_patents_per_10k", "万人发明专利拥有量", "≥ 25 件/万人", K.RATIO, CITIES),
    ("pct_national_rank", "PCT 专利申请量领跑全国", "≤ 1 名", K.RANK, PROVINCE),
]


def table_rows():
    """Every seeded row of every seeded model, as plain values, for comparing two states."""
    models = [Plan, Prefecture, PopulationFigure, Indicator, Target, ReportingPeriod]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


@pytest.mark.parametrize("code, name_zh, target, kind, reported_by", DESIGN_TABLE)
def test_each_target_matches_the_design_table(plan, code, name_zh, target, kind, reported_by):
    sign, number, *unit = target.split(" ")
    indicator = Indicator.objects.get(code=code)
    assert indicator.name_zh == name_zh
    assert indicator.name_en
    assert indicator.targets.get().value == Decimal(number)
    assert isinstance(indicator.targets.get().value, Decimal)
    target = indicator.targets.get()
    assert target.strict is (sign in "<>")
    assert target.direction == ("at_most" if sign in "≤<" else "at_least")
    assert indicator.unit_zh == "".join(unit)
    assert indicator.kind == kind
    assert indicator.reported_by == reported_by
    assert indicator.targets.get().period == Quarter(2022, 4)


def test_the_plan_has_20_targets_and_one_tracked_indicator(plan):
    plan = Plan.objects.get()
    assert plan.document_number == "粤知〔2018〕153号"
    assert plan.targets.count() == 21
    assert plan.targets.filter(value__isnull=False).count() == len(DESIGN_TABLE) == 20
    tracked = plan.targets.get(value__isnull=True).indicator
    assert (tracked.code, tracked.kind, tracked.reported_by) == ("pct_applications", K.FLOW, CITIES)


def test_ratios_name_what_they_divide(plan):
    rate = Indicator.objects.get(code="hitech_compliance_rate")
    assert (rate.numerator_zh, rate.denominator_zh) == ("贯标高新技术企业数", "高新技术企业数")
    per_10k = Indicator.objects.get(code="invention_patents_per_10k")
    assert per_10k.per_10k_residents
    assert per_10k.numerator_zh == "发明专利有效量"


def test_the_census_populations_add_up_to_the_province_total(plan):
    census = PopulationFigure.objects.filter(year=2020)
    assert census.count() == 21
    assert sum(figure.population for figure in census) == 126_012_510


def test_the_21_cities_are_loaded_in_code_order(plan):
    codes = list(Prefecture.objects.values_list("code", flat=True))
    assert len(codes) == 21
    assert codes == sorted(codes)
    assert Prefecture.objects.get(code="440300").name_zh == "深圳市"


def test_periods_run_from_2018q1_to_2022q4_with_due_dates_and_on_to_today(db):
    """The plan's quarters open and due by the rule; the quarters since, up to the one
    containing the day of seeding: those already past their due date closed without one
    (see `add_periods_up_to_today`), the current one open."""
    seed_plan(today=date(2026, 11, 30))
    periods = list(ReportingPeriod.objects.all())
    assert [p.as_quarter for p in periods] == [Quarter(2018, 1).shift(step) for step in range(36)]
    plan_span, since = periods[:20], periods[20:]
    assert (str(plan_span[0].due_date), str(plan_span[-1].due_date)) == ("2018-04-15", "2023-01-15")
    assert all(period.is_open for period in plan_span)
    assert [(p.is_open, p.due_date) for p in since[:-1]] == [(False, None)] * 15
    assert (since[-1].as_quarter, since[-1].is_open, str(since[-1].due_date)) == (
        Quarter(2026, 4),
        True,
        "2027-01-15",
    )


def test_seeding_twice_gives_the_same_rows(db):
    call_command("seed_plan")
    first = table_rows()
    call_command("seed_plan")
    assert table_rows() == first


def test_seeding_leaves_edits_alone(plan):
    Indicator.objects.filter(code="patent_agents").update(name_en="Licensed patent attorneys")
    call_command("seed_plan")
    assert Indicator.objects.get(code="patent_agents").name_en == "Licensed patent attorneys"


def test_the_project_carries_its_own_copy_of_the_cities(plan, settings):
    seed_copy = settings.BASE_DIR / "targets" / "seed" / "prefectures.csv"
    lines = seed_copy.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "code,name_zh,name_en,population_2020_census"
    assert len(lines) == 22
