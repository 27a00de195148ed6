from decimal import Decimal

import pytest

from targets.models import Indicator, Prefecture, ReportingPeriod, TargetAllocation
from targets.recompute import recompute_progress
from tests.factories import approve


@pytest.fixture
def progress_2022q4(plan):
    """Stored progress where 2022Q4 has a stock, a coverage gap and a milestone done."""
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    cities = list(Prefecture.objects.all())
    stock = Indicator.objects.get(code="patent_agencies")
    coverage = Indicator.objects.get(code="ip_insurance_coverage")
    for index, city in enumerate(cities):
        approve(stock, city, period, 20)
        approve(coverage, city, period, int(index % 3 != 0))
    approve(Indicator.objects.get(code="patent_regulation_revised"), None, period, 1)
    recompute_progress()


@pytest.fixture
def progress_data(plan):
    """Three indicators approved for every city in 2022, Q4 without 云浮 (445300)."""
    prefectures = list(Prefecture.objects.all())
    for quarter in range(1, 5):
        period = ReportingPeriod.objects.get(year=2022, quarter=quarter)
        for index, prefecture in enumerate(prefectures):
            if quarter == 4 and prefecture.code == "445300":
                continue
            values = {
                "patent_agents": 100 + 10 * quarter + index,
                "pledge_financing": Decimal(quarter * 2),
                "assistance_centre_coverage": int(index < 15 + quarter),
            }
            for code, value in values.items():
                approve(Indicator.objects.get(code=code), prefecture, period, value)
    TargetAllocation.objects.create(
        target=Indicator.objects.get(code="patent_agents").targets.get(),
        prefecture=Prefecture.objects.get(code="440100"),
        value=200,
    )
    recompute_progress()
