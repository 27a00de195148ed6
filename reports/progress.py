"""Stored progress results as records: the schema shared by the export command and the API."""

from targets.models import Progress
from targets.periods import Quarter

FIELDS = [
    "plan",
    "indicator",
    "scope",
    "period",
    "actual",
    "target",
    "gap",
    "percent_of_target",
    "expected",
    "projection",
    "status",
    "complete",
    "missing",
]


def progress_records(quarter: Quarter, plan, indicator: str | None = None) -> list[dict]:
    """The stored results of `plan` (a Plan) in `quarter`, of one indicator (its code) or
    all, in the plan's order."""
    rows = Progress.objects.for_period(quarter).filter(plan=plan)
    if indicator:
        rows = rows.filter(indicator__code=indicator)
    return [row.as_record() for row in rows]
