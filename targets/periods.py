"""Quarters as values: parsed from and printed as `2021Q3`, ordered, and stepped; and the
rule that gives each quarter its due date."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

QUARTER_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")
# Cities report a quarter's figures by the 15th day after it ends (2022Q4: 2023-01-15): the
# rule until provincial staff set another (targets.models.ReportingRule, on 报送期管理).
DAYS_TO_REPORT = 15


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    year: int
    quarter: int

    def __hash__(self) -> int:
        # Quarters key the progress engine's dictionaries hundreds of thousands of times per
        # recompute: one int is cheaper to hash than the generated tuple of the fields.
        return self.year * 4 + self.quarter

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        match = QUARTER_PATTERN.match(text.strip().upper())
        if not match:
            raise ValueError(_("“%(text)s” is not a quarter like 2021Q3.") % {"text": text})
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        return _("%(year)s Q%(quarter)s") % {"year": self.year, "quarter": self.quarter}

    @property
    def end_date(self) -> date:
        month = self.quarter * 3
        return date(self.year, month, 30 if month in (6, 9) else 31)

    def shift(self, quarters: int) -> "Quarter":
        index = self.year * 4 + self.quarter - 1 + quarters
        return Quarter(index // 4, index % 4 + 1)

    def quarters_until(self, other: "Quarter") -> int:
        return (other.year - self.year) * 4 + other.quarter - self.quarter


def due_date_for(quarter: Quarter, days_to_report: int = DAYS_TO_REPORT) -> date:
    """The day a quarter's figures are due: `days_to_report` days after its last day."""
    return quarter.end_date + timedelta(days=days_to_report)
