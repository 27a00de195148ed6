"""Loading a plan, its indicators and targets, the cities and the reporting periods from data
files.

Only missing rows are created: anything already in the database, including edits made
in the admin since the last seed, is left as it is.
"""

import csv
import json
from collections import Counter
from pathlib import Path

from django.db import transaction

from targets.models import Indicator, Plan, PopulationFigure, Prefecture, Target
from targets.periods import Quarter
from targets.schedule import add_periods, add_periods_up_to_today

SEED_DIR = Path(__file__).resolve().parent / "seed"
PLAN_2018 = SEED_DIR / "plan-2018.json"
PREFECTURES = SEED_DIR / "prefectures.csv"
CENSUS_YEAR = 2020
CENSUS_SOURCE = "第七次全国人口普查公报（2020年11月1日零时）"
# What a plan file's indicator entry says of the plan's target, by the target's field name.
TARGET_FIELDS = {
    "wording": "wording",
    "direction": "direction",
    "strict": "strict",
    "baseline_value": "baseline_value",
    "baseline_year": "baseline_year",
    "baseline_quarter": "baseline_quarter",
    "target_value": "value",
    "target_year": "year",
    "target_quarter": "quarter",
}


@transaction.atomic
def seed_prefectures(path: Path = PREFECTURES) -> Counter:
    created = Counter()
    with path.open(encoding="utf-8") as rows:
        for order, row in enumerate(csv.DictReader(rows), start=1):
            prefecture, new = Prefecture.objects.get_or_create(
                code=row["code"],
                defaults={
                    "name_zh": row["name_zh"],
                    "name_en": row["name_en"],
                    "display_order": order,
                },
            )
            created["prefectures"] += new
            _, new = PopulationFigure.objects.get_or_create(
                prefecture=prefecture,
                year=CENSUS_YEAR,
                defaults={
                    "population": int(row["population_2020_census"]),
                    "source": CENSUS_SOURCE,
                },
            )
            created["population figures"] += new
    return created


@transaction.atomic
def seed_plan(path: Path = PLAN_2018, today=None) -> Counter:
    """The plan, its indicators and its reporting periods (its own span, open and due by the
    stored rule), then every quarter since up to `today`'s (`add_periods_up_to_today`)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    created = Counter()
    plan_fields = data["plan"]
    plan, new = Plan.objects.get_or_create(
        document_number=plan_fields["document_number"], defaults=plan_fields
    )
    created["plans"] += new
    for fields in data["indicators"]:
        series = {name: value for name, value in fields.items() if name not in TARGET_FIELDS}
        indicator, new = Indicator.objects.get_or_create(code=fields["code"], defaults=series)
        created["indicators"] += new
        target = {
            TARGET_FIELDS[name]: value for name, value in fields.items() if name in TARGET_FIELDS
        }
        _, new = Target.objects.get_or_create(
            plan=plan,
            indicator=indicator,
            defaults={**target, "display_order": fields["display_order"]},
        )
        created["targets"] += new
    first, last = Quarter.parse(data["first_period"]), Quarter.parse(data["last_period"])
    created["reporting periods"] += len(add_periods(first=first, last=last))
    created["reporting periods"] += len(add_periods_up_to_today(today))
    return created
