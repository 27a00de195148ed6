import pytest

from targets.models import Indicator, Prefecture, ReportingPeriod
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
