"""Quarters as values: parsed from and printed as `2021Q3`, ordered, and stepped."""

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

QUARTER_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        match = QUARTER_PATTERN.match(text.strip().upper())
        if not match:
            raise ValueError(_("“%(text)s” is not a quarter like 2021Q3.") % {"text": text})
        return cls(int(match[1]), int(match[2]))

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
