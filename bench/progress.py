"""How long a full progress recompute takes on a large data set, against one SQL read.

    .venv/bin/python bench/progress.py                      # a fresh SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipplan_progress_bench \\
        .venv/bin/python bench/progress.py                  # PostgreSQL: its tables are emptied

Builds the plan's 21 indicators for 300 cities over 40 quarters (every figure approved),
then prints the time of a full recompute, the time of a single SQL aggregate that reads the
same figures once, their ratio, and the recompute's peak Python memory (tracemalloc, measured
on a second, forced recompute so that tracing does not slow the timed one).
"""

import os
import random
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

CITIES = 300
QUARTERS = 40

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipplan.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from targets.models import (  # noqa: E402
    Figure,
    Indicator,
    PopulationFigure,
    Prefecture,
    Progress,
    ReportingPeriod,
    Submission,
)
from targets.periods import Quarter  # noqa: E402
from targets.recompute import recompute_progress  # noqa: E402
from targets.seeding import seed_plan  # noqa: E402


def build() -> int:
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    seed_plan()
    first = Quarter(2018, 1)
    quarters = [first.shift(step) for step in range(QUARTERS)]
    ReportingPeriod.objects.bulk_create(
        [ReportingPeriod(year=q.year, quarter=q.quarter, due_date=q.end_date) for q in quarters],
        ignore_conflicts=True,
    )
    periods = list(ReportingPeriod.objects.order_by("year", "quarter"))
    cities = Prefecture.objects.bulk_create(
        Prefecture(
            code=f"{500000 + n}", name_zh=f"基准{n}市", name_en=f"Bench {n}", display_order=n + 1
        )
        for n in range(CITIES)
    )
    years = sorted({q.year for q in quarters})
    PopulationFigure.objects.bulk_create(
        PopulationFigure(
            prefecture=city, year=year, population=500_000 + 20_000 * n, source="benchmark"
        )
        for n, city in enumerate(cities)
        for year in years
    )
    indicators = list(Indicator.objects.all())
    now = timezone.now()
    submissions = Submission.objects.bulk_create(
        (
            Submission(prefecture=city, period=period, status=Submission.Status.APPROVED)
            for city in [*cities, None]
            for period in periods
        ),
        batch_size=2000,
    )
    rng = random.Random(153)
    figures = (
        _figure(submission, indicator, step, rng, now)
        for submission in submissions
        for step in [periods.index(submission.period)]
        for indicator in indicators
        if (submission.prefecture is None) == (indicator.reported_by == "province")
    )
    created = Figure.objects.bulk_create(figures, batch_size=5000)
    return len(created)


def _figure(submission, indicator, step, rng, now) -> Figure:
    quarter = step % 4 + 1
    match indicator.kind:
        case "coverage" | "milestone":
            value, denominator = Decimal(int(rng.random() < step / QUARTERS)), None
        case "rank":
            value, denominator = Decimal(max(1, 5 - step // 8)), None
        case "flow" | "cumulative":
            value, denominator = Decimal(rng.randint(1, 50) * quarter), None
        case "ratio" if not indicator.per_10k_residents:
            denominator = Decimal(rng.randint(100, 200) + step)
            value, denominator = Decimal(rng.randint(0, 50) + step), denominator
        case _:
            value, denominator = Decimal(rng.randint(10, 100) + 5 * step), None
    return Figure(
        submission=submission,
        indicator=indicator,
        value=value,
        denominator=denominator,
        approved_value=value,
        approved_denominator=denominator,
        approved_at=now,
    )


def single_read() -> int:
    return len(
        Figure.objects.approved()
        .values("indicator_id", "submission__period_id")
        .annotate(total=Sum("approved_value"), below=Sum("approved_denominator"), n=Count("id"))
    )


def main():
    vendor = connection.vendor
    print(f"database: {vendor} ({connection.settings_dict['NAME']})")
    started = time.perf_counter()
    figures = build()
    print(
        f"built {CITIES} cities × {QUARTERS} quarters × {Indicator.objects.count()} indicators: "
        f"{figures} approved figures in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    done = recompute_progress(force=True)
    recompute = time.perf_counter() - started
    print(f"full recompute: {recompute:.2f} s ({done.rows} progress rows written)")

    started = time.perf_counter()
    groups = single_read()
    read = time.perf_counter() - started
    print(f"single SQL aggregate over the same figures: {read:.3f} s ({groups} groups)")
    print(f"ratio recompute / aggregate: {recompute / read:.1f}")

    started = time.perf_counter()
    unchanged = recompute_progress()
    print(
        f"recompute with nothing changed: {time.perf_counter() - started:.2f} s "
        f"({unchanged.rewritten} indicators rewritten)"
    )

    tracemalloc.start()
    recompute_progress(force=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory of a full recompute (tracemalloc): {peak / 2**20:.0f} MiB")
    assert Progress.objects.count() == done.rows


if __name__ == "__main__":
    main()
