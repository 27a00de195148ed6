from datetime import date

import pytest

from targets.periods import Quarter


@pytest.mark.parametrize(
    "text, quarter", [("2021Q3", Quarter(2021, 3)), (" 2018q1 ", Quarter(2018, 1))]
)
def test_it_parses_quarters(text, quarter):
    assert Quarter.parse(text) == quarter


@pytest.mark.parametrize("text", ["2021Q5", "2021Q0", "21Q3", "2021-3", ""])
def test_it_refuses_what_is_not_a_quarter(text):
    with pytest.raises(ValueError, match="2021Q3"):
        Quarter.parse(text)


def test_it_steps_across_year_boundaries():
    assert Quarter(2021, 4).shift(1) == Quarter(2022, 1)
    assert Quarter(2022, 1).shift(-1) == Quarter(2021, 4)
    assert Quarter(2018, 1).quarters_until(Quarter(2022, 4)) == 19


def test_quarters_end_on_the_last_day():
    assert [Quarter(2021, q).end_date for q in range(1, 5)] == [
        date(2021, 3, 31),
        date(2021, 6, 30),
        date(2021, 9, 30),
        date(2021, 12, 31),
    ]
