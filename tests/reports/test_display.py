"""How numbers read: rounding never crosses the target, and each kind reads as itself."""

from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from reports import display
from targets import progress

D = Decimal


@st.composite
def comparisons(draw):
    """An actual and a target with up to six decimals (what the database stores), often close
    to each other, with the indicator's decimals, direction and strictness."""
    places = draw(st.integers(0, 6))
    target = draw(st.decimals(min_value=D("0.000001"), max_value=10**8, places=places))
    nearby = st.decimals(min_value=D("-0.1"), max_value=D("0.1"), places=6).map(
        lambda step: max(D(0), target + step * target)
    )
    anywhere = st.decimals(min_value=0, max_value=2 * 10**8, places=draw(st.integers(0, 6)))
    actual = draw(st.one_of(nearby, anywhere, st.just(target)))
    return (
        actual.quantize(progress.PLACES),
        target,
        draw(st.integers(0, 4)),
        draw(st.sampled_from([progress.AT_LEAST, progress.AT_MOST])),
        draw(st.booleans()),
    )


@given(comparisons())
def test_the_displayed_comparison_agrees_with_the_status(case):
    actual, target, decimals, direction, strict = case
    met = progress.meets_target(actual, target, direction, strict)
    shown = display.compare(actual, target, decimals=decimals, direction=direction, strict=strict)
    assert shown.met == met
    # The value as shown meets the target exactly when the value does, and sits on the same
    # side of it: short of the target it never reads as the target.
    value = D(shown.value)
    assert progress.meets_target(value, target, direction, strict) == met
    assert (value > target, value == target) == (actual > target, actual == target)
    assert -value.as_tuple().exponent >= decimals
    # A share of target reads 100 % or more only when the target is met (for a target that
    # must be passed, more than 100 %).
    if shown.share is not None:
        share = D(shown.share)
        assert progress.meets_target(share, D(100), progress.AT_LEAST, strict) == met
    # A gap reads as closed (empty) only when there is none, and a gap short of the target is
    # never shown as 0.
    if shown.gap_side == display.SHORT:
        assert not met and D(shown.gap) > 0
    elif shown.gap_side == display.BEYOND:
        assert met and D(shown.gap) > 0
    else:
        assert shown.gap == "" and actual == target
        assert met == (shown.gap_side == display.CLOSED)


@pytest.mark.parametrize(
    "actual, target, decimals, value, share, gap",
    [
        ("24.96", "25", 1, "24.96", "99.8", "0.04"),  # the field example (hitech-just-short)
        ("24.9", "25", 1, "24.9", "99.6", "0.1"),
        ("29999", "30000", 0, "29999", "99.997", "1"),
        ("30000", "30000", 0, "30000", "100.0", ""),
        ("15386", "15000", 0, "15386", "102.6", "386"),
        ("0.04", "25", 2, "0.04", "0.2", "24.96"),
    ],
)
def test_as_many_decimals_as_needed_and_no_more(actual, target, decimals, value, share, gap):
    shown = display.compare(
        D(actual), D(target), decimals=decimals, direction=progress.AT_LEAST, strict=False
    )
    assert (shown.value, shown.share, shown.gap) == (value, share, gap)


@dataclass
class Indicator:
    """As much of an Indicator as the display reads."""

    kind: str = progress.STOCK
    unit_zh: str = "家"
    unit_en: str = "enterprises"
    decimals: int = 0
    direction: str = progress.AT_LEAST
    strict: bool = False

    @property
    def plan_target(self):
        """The direction and strictness, as the display reads them from the plan's target."""
        return SimpleNamespace(direction=self.direction, strict=self.strict)


@dataclass
class Row:
    """As much of a stored Progress row as the display reads."""

    actual: Decimal | None
    target: Decimal | None
    status: str
    complete: bool = True
    missing: tuple = ()
    pace_needed: Decimal | None = None
    projection: Decimal | None = None


def read(indicator, actual, target, status, **row):
    return display.reading(indicator, Row(actual, target, status, **row), "", ["云浮市"])


def test_a_percentage_just_short_reads_short_in_percentage_points():
    rate = Indicator(kind=progress.RATIO, unit_zh="%", unit_en="%", decimals=1)
    reading = read(rate, D("24.96"), D(25), progress.OFF_TRACK)
    assert (reading.value, reading.share, reading.gap) == ("24.96 %", "99.8%", "0.04 个百分点")
    assert reading.bar == 99


def test_a_gap_above_the_target_reads_as_exceeded():
    reading = read(Indicator(), D(15386), D(15000), progress.ACHIEVED)
    assert reading.gap == "超出 386 家"
    with translation.override("en"):
        assert read(Indicator(), D(15386), D(15000), progress.ACHIEVED).gap == (
            "exceeded by 386 enterprises"
        )
    at_most = Indicator(direction=progress.AT_MOST)
    assert read(at_most, D(90), D(100), progress.ACHIEVED).gap == "低于目标 10 家"
    assert read(at_most, D(110), D(100), progress.OFF_TRACK).gap == "高于目标 10 家"


def test_a_target_that_must_be_passed_is_not_met_by_reaching_it():
    strict = Indicator(strict=True)
    reading = read(strict, D(15000), D(15000), progress.OFF_TRACK)
    assert reading.gap == "须超过目标值" and "100" not in reading.share
    assert reading.bar < 100


@pytest.mark.parametrize(
    "rank, status, value, gap, english",
    [
        (D(3), progress.OFF_TRACK, "全国第 3 名", "还差 2 名", "2 places to go"),
        (D(2), progress.AT_RISK, "全国第 2 名", "还差 1 名", "1 place to go"),
        (D(1), progress.ACHIEVED, "全国第 1 名", "已达到", "reached"),
    ],
)
def test_a_rank_reads_as_places_to_go_never_rank_zero(rank, status, value, gap, english):
    indicator = Indicator(kind=progress.RANK, unit_zh="名", unit_en="rank", direction="at_most")
    reading = read(indicator, rank, D(1), status)
    assert (reading.value, reading.gap) == (value, gap)
    assert "第 0 名" not in reading.gap
    with translation.override("en"):
        assert read(indicator, rank, D(1), status).gap == english


def test_coverage_reads_in_cities_with_english_plurals():
    coverage = Indicator(kind=progress.COVERAGE, unit_zh="个地市", unit_en="cities")
    reading = read(coverage, D(20), D(21), progress.AT_RISK)
    assert (reading.value, reading.gap) == ("20 个地市", "1 个地市")
    with translation.override("en"):
        reading = read(coverage, D(20), D(21), progress.AT_RISK)
        assert (reading.value, reading.gap) == ("20 cities", "1 city")


def test_a_milestone_reads_done_or_not_yet():
    milestone = Indicator(kind=progress.MILESTONE, unit_zh="", unit_en="")
    done = read(milestone, D(1), D(1), progress.ACHIEVED)
    assert (done.value, done.share, done.gap) == ("完成", "已达到", "完成")
    not_yet = read(milestone, D(0), D(1), progress.AT_RISK)
    assert (not_yet.value, not_yet.gap) == ("未完成", "尚未完成")


def test_without_a_target_the_value_shows_with_no_target_never_no_data():
    reading = read(Indicator(), D(19129), None, progress.NO_TARGET)
    assert (reading.value, reading.share, reading.status_label) == ("19129 家", "仅监测", "仅监测")
    assert "无数据" not in str(reading)


def test_an_incomplete_total_says_which_cities_are_missing_instead_of_a_share():
    reading = read(
        Indicator(), D(162), D(300), progress.INCOMPLETE, complete=False, missing=("445300",)
    )
    assert reading.share == "数据不完整：缺 1 个地市" and reading.bar is None
    assert reading.incomplete == "数据不完整：缺 1 个地市（云浮市）"
    with translation.override("en"):
        reading = read(
            Indicator(), D(162), D(300), progress.INCOMPLETE, complete=False, missing=("x",)
        )
        assert reading.share == "incomplete: 1 city missing"


def test_no_figure_yet_is_not_an_incomplete_total():
    reading = display.reading(Indicator(kind=progress.MILESTONE), None, "完成")
    assert reading.share == "尚无数据" and reading.incomplete == ""
    row = Row(None, D(1), progress.NO_DATA, complete=False)
    assert display.reading(Indicator(kind=progress.MILESTONE), row, "完成").share == "尚无数据"


def test_an_achieved_target_needs_no_pace_and_a_short_one_never_reads_zero():
    assert read(Indicator(), D(15386), D(15000), progress.ACHIEVED, pace_needed=D(0)).pace == (
        "无需：目标已达成"
    )
    short = read(Indicator(), D(29999), D(30000), progress.AT_RISK, pace_needed=D("0.2"))
    assert short.pace == "0.2 家"


def test_a_projection_just_short_of_the_target_reads_short():
    reading = read(Indicator(), D(100), D(300), progress.OFF_TRACK, projection=D("299.6"))
    assert reading.projection == "299.6 家"


def test_english_amounts_in_yi_yuan_keep_the_chinese_D():
    money = Indicator(kind=progress.FLOW, unit_zh="亿元", unit_en="100 million yuan", decimals=2)
    assert display.amount(D("81.82"), money) == "81.82 亿元"
    with translation.override("en"):
        assert display.amount(D("81.82"), money) == "¥81.82 亿"
        assert display.amount(D(31), money) == "¥31.00 亿"


def test_values_keep_their_indicators_decimals():
    rate = Indicator(kind=progress.RATIO, unit_zh="%", unit_en="%", decimals=1)
    assert display.amount(D("47.875789"), rate) == "47.9 %"
    money = Indicator(kind=progress.FLOW, unit_zh="亿元", unit_en="", decimals=2)
    assert [display.amount(D(v), money) for v in ("45.5", "31")] == ["45.50 亿元", "31.00 亿元"]


@pytest.mark.parametrize(
    "projection, shown",
    [("20.9", "20 个地市"), ("20.4", "20 个地市"), ("21.0", "21 个地市"), ("18.5", "19 个地市")],
)
def test_a_projected_count_of_cities_is_whole_and_short_of_all_21_until_it_is(projection, shown):
    coverage = Indicator(kind=progress.COVERAGE, unit_zh="个地市", unit_en="cities")
    assert display.amount_beside(D(projection), D(21), coverage) == shown


def test_a_projected_rank_is_whole_and_never_first_before_it_is():
    rank = Indicator(kind=progress.RANK, unit_zh="名", unit_en="rank", direction="at_most")
    assert display.amount_beside(D("1.3"), D(1), rank) == "全国第 2 名"
    assert display.amount_beside(D("2.4"), D(1), rank) == "全国第 2 名"


@pytest.mark.parametrize(
    "ratio, shown",
    [("0.997979", "1.00"), ("0.9496", "0.9496"), ("0.5996", "0.5996"), ("0.6", "0.60")],
)
def test_a_growth_ratio_never_rounds_onto_the_bound_of_another_category(ratio, shown):
    assert display.growth_text(D(ratio)) == shown
