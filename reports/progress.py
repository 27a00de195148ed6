"""Stored progress results as records: the schema shared by the export command and the API."""

from targets.models import Progress
from targets.periods import Quarter

FIELDS = [
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


def progress_records(quarter: Quarter, indicator: str | None = None) -> list[dict]:
    rows = Progress.objects.for_period(quarter)
    if indicator:
        rows = rows.filter(indicator__code=indicator)
    return [row.as_record() for row in rows]
