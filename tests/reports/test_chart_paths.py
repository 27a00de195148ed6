"""A plan's expected path ends at its target's date, however late the quarter in view: the
2018 plan read at 2025Q4 draws no line running back from 2025 to its 2022Q4 target."""

from decimal import Decimal as D
from types import SimpleNamespace

from reports import charts
from targets.models import Indicator
from targets.periods import Quarter as Q
from targets.plans import with_targets


def rows_to_2025():
    """Stored province results 2018Q1..2025Q4, each with an expected value."""
    return [
        SimpleNamespace(
            period=SimpleNamespace(as_quarter=Q(2018, 1).shift(n)),
            expected=D(1000 + n),
            actual=D(900 + n),
            complete=True,
            projection=None,
        )
        for n in range(32)
    ]


def test_a_plans_path_stops_at_its_target_quarter(plan, in_english):
    indicator = Indicator.objects.get(code="patent_agents")
    [indicator] = with_targets([indicator], indicator.targets.get().plan)
    quarters = [Q(2018, 1).shift(n) for n in range(32)]
    series = charts.province_series(indicator, rows_to_2025(), quarters)
    [path] = [trace for trace in series["data"] if trace["name"] == "path to the target"]
    [other] = charts.other_plan_traces(indicator, indicator.plan_target, rows_to_2025())
    for trace in (path, other):
        assert trace["x"][-1] == "2022Q4" and trace["y"][-1] == 3000
        assert [Q.parse(x) for x in trace["x"]] == sorted(Q.parse(x) for x in trace["x"])
        assert len(trace["x"]) == 20  # 2018Q1..2022Q3, then the target at 2022Q4
