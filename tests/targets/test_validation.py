from datetime import time, timedelta
from decimal import Decimal

import pytest

from targets.models import Indicator
from targets.periods import Quarter
from targets.reporting import Entry
from targets.validation import Problem, cell_amount, entry_errors, entry_warnings, parse_amount

pytestmark = pytest.mark.usefixtures("in_english")

D = Decimal


@pytest.fixture
def indicator(plan):
    return lambda code: Indicator.objects.get(code=code)


@pytest.mark.parametrize(
    "text, number",
    [
        ("1234", D(1234)),
        ("1,234.5", D("1234.5")),
        (" 12 ", D(12)),
        ("１２３", D(123)),
        ("１,２３４", D(1234)),
        ("1 234 567", D(1234567)),
        ("1，234", D(1234)),  # a full-width comma, as a Chinese input method types it
        ("", None),
    ],
)
def test_it_reads_numbers_as_people_type_them(text, number):
    assert parse_amount(text) == number


@pytest.mark.parametrize(
    "text", ["abc", "12a", "1.2.3", "NaN", "Infinity", "--1", "0.6²", "3²", "٣٤", "①"]
)
def test_it_refuses_what_is_not_a_number(text):
    with pytest.raises(ValueError, match="not a number"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["0,45", "12,34", "1,2,3", "12 34", "1,2345", ",123"])
def test_a_comma_or_space_anywhere_but_between_thousands_is_refused_not_dropped(text):
    with pytest.raises(Problem, match="only separates thousands"):
        parse_amount(text)


@pytest.mark.parametrize(
    "code, entry, part, message",
    [
        ("patent_agents", Entry(D(-1)), "value", "negative"),
        ("patent_agents", Entry(D("10.5")), "value", "whole number"),
        ("info_push_beneficiaries", Entry(D("3.2")), "value", "whole number"),
        ("pledge_financing", Entry(D("1.234")), "value", "2 decimal places"),
        ("pledge_financing", Entry(D(200_000)), "value", "beyond"),
        ("patent_agents", Entry(D(20_000_000)), "value", "beyond"),
        ("hitech_compliance_rate", Entry(D(11), D(10)), "value", "cannot exceed"),
        ("hitech_compliance_rate", Entry(D(5)), "denominator", "denominator too"),
        ("hitech_compliance_rate", Entry(D(0), D(0)), "denominator", "cannot be zero"),
        ("hitech_compliance_rate", Entry(D(5), D("10.5")), "denominator", "whole number"),
        ("invention_patents_per_10k", Entry(D(5), D(10)), "denominator", "no denominator"),
        ("assistance_centre_coverage", Entry(D(2)), "value", "yes or no"),
        ("patent_agents", Entry(D(5), nothing_to_report=True), "nothing_to_report", "not both"),
    ],
)
def test_bad_entries_are_refused_with_a_reason(indicator, code, entry, part, message):
    errors = entry_errors(indicator(code), entry)
    assert message in " ".join(errors[part])


@pytest.mark.parametrize(
    "code, entry",
    [
        ("patent_agents", Entry(D(3000))),
        ("pledge_financing", Entry(D("12.34"))),
        ("pledge_financing", Entry(D("12.30"))),
        ("hitech_compliance_rate", Entry(D(10), D(10))),
        ("invention_patents_per_10k", Entry(D(123456))),
        ("assistance_centre_coverage", Entry(D(0))),
        ("patent_agents", Entry(nothing_to_report=True)),
        ("patent_agents", Entry()),
    ],
)
def test_good_entries_pass(indicator, code, entry):
    assert entry_errors(indicator(code), entry) == {}


@pytest.mark.parametrize(
    "code, value, previous, quarter, expected",
    [
        ("patent_agents", 90, 100, Quarter(2022, 3), ["Lower than last quarter's 100"]),
        ("patent_agents", 100, 100, Quarter(2022, 3), []),
        ("patent_agents", 301, 100, Quarter(2022, 3), ["More than three times"]),
        ("pledge_financing", 5, 8, Quarter(2022, 3), ["adds up from January"]),
        ("pledge_financing", 5, 80, Quarter(2022, 1), []),
        ("industry_navigation_projects", 2, 3, Quarter(2022, 2), ["adds up from January"]),
        ("pledge_financing", 30, 8, Quarter(2022, 2), ["More than three times"]),
        ("assistance_centre_coverage", 0, 1, Quarter(2022, 2), []),
    ],
)
def test_unusual_values_raise_warnings(indicator, code, value, previous, quarter, expected):
    warnings = entry_warnings(indicator(code), Entry(D(value)), Entry(D(previous)), quarter)
    assert len(warnings) == len(expected)
    for warning, start in zip(warnings, expected, strict=True):
        assert start in warning


def test_without_a_previous_quarter_there_is_nothing_to_compare(indicator):
    assert entry_warnings(indicator("patent_agents"), Entry(D(1)), None, Quarter(2022, 2)) == []


@pytest.mark.parametrize(
    "value, shown",
    [(time(12, 30), "12:30"), (time(8, 5, 9), "8:05:09"), (timedelta(hours=36), "36:00")],
)
def test_a_time_in_a_number_cell_is_named_as_excel_shows_it(value, shown):
    with pytest.raises(Problem) as refused:
        cell_amount(value)
    assert f"The cell holds a time ({shown}), not a number" in str(refused.value)
