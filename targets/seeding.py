"""Loading the cities and a plan (its series, targets and reporting periods) from the files
under seed/.

Only missing rows are created: anything already in the database, including edits made
in the admin since the last seed, is left as it is.
"""

import csv
from collections import Counter
from pathlib import Path

from django.db import transaction

from targets.models import PopulationFigure, Prefecture
from targets.plan_files import load
from targets.schedule import add_periods_up_to_today

SEED_DIR = Path(__file__).resolve().parent / "seed"
PLAN_2018 = SEED_DIR / "plan-2018.yaml"
PREFECTURES = SEED_DIR / "prefectures.csv"
CENSUS_YEAR = 2020
CENSUS_SOURCE = "第七次全国人口普查公报（2020年11月1日零时）"


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
    """Load the plan file at `path` (`targets.plan_files`), keeping whatever is on record
    where the file differs (edits made in the admin since), then every quarter since the
    plan's up to `today`'s (`add_periods_up_to_today`): what it created, by kind."""
    _plan_file, loaded = load(path.read_bytes(), record_wins=True)
    since = add_periods_up_to_today(today)
    return Counter(
        {
            "plans": int(loaded.plan_created),
            "indicators": len(loaded.series),
            "targets": len(loaded.targets),
            "reporting periods": len(loaded.periods) + len(since),
        }
    )
