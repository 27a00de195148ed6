"""How long the progress engine takes at 300 cities, each figure beside its floor measured in
the same run (medians of interleaved rounds):

    .venv/bin/python bench/progress.py                      # a fresh SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipplan_progress_bench \\
        .venv/bin/python bench/progress.py                  # PostgreSQL: its tables are emptied

Builds the plan's 21 indicators for 300 cities over 40 quarters (every figure approved),
then prints one line per goal:

- a full recompute, against one `INSERT … SELECT` writing the same rows (the old rows
  deleted first in both, in one transaction);
- publishing one city's approved quarter (the recompute its approval sends), the latest
  quarter and a correction 20 quarters back, against rewriting only the rows it can change
  with two `UPDATE`s: that quarter onward for that city and the province, and every other
  city's share of the province;

and the peak Python memory of a full recompute (tracemalloc, on an extra run).
"""

import os
import random
import statistics
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
from django.db import connection, transaction  # noqa: E402
from django.db.models import F, Q  # noqa: E402
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
from targets.recompute import mark_changed, recompute_progress  # noqa: E402
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


ROUNDS = 3


def settle() -> None:
    """What autovacuum does between one burst of writes and the next: this machine's
    PostgreSQL runs without it, and a table holding millions of dead rows from the rounds
    before would slow every later round, figure and floor alike. Not timed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def full_recompute() -> float:
    started = time.perf_counter()
    recompute_progress(force=True)
    return time.perf_counter() - started


def insert_select_floor() -> float:
    """The same rows, copied from a table holding them, over the deleted ones."""
    table = Progress._meta.db_table
    columns = ", ".join(f.column for f in Progress._meta.concrete_fields if not f.primary_key)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM bench_holding")
    return time.perf_counter() - started


def approval(city, period, step) -> float:
    """One city-quarter approved anew with changed figures, then published: the recompute
    its approval sends, timed."""
    submission = Submission.objects.get(prefecture=city, period=period)
    Figure.objects.filter(submission=submission).update(
        approved_value=F("approved_value") + 1 + step
    )
    mark_changed([submission])
    started = time.perf_counter()
    done = recompute_progress([])
    took = time.perf_counter() - started
    assert done.rows > 0
    return took


def approval_floor(city, period) -> float:
    """Rewriting only the rows one city-quarter's approval can change, values as they are."""
    table = Progress._meta.db_table
    later = list(
        ReportingPeriod.objects.filter(
            Q(year__gt=period.year) | Q(year=period.year, quarter__gte=period.quarter)
        ).values_list("pk", flat=True)
    )
    of_cities = Indicator.objects.filter(reported_by="cities")
    sharing = of_cities.filter(kind__in=["stock", "flow", "cumulative", "coverage"]).exclude(
        targets__allocations__isnull=False
    )
    ids = ", ".join(str(pk) for pk in of_cities.values_list("pk", flat=True))
    shared = ", ".join(str(pk) for pk in sharing.values_list("pk", flat=True))
    periods = ", ".join(str(pk) for pk in later)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET computed_at = %s WHERE indicator_id IN ({ids}) "
            f"AND period_id IN ({periods}) AND (prefecture_id = %s OR prefecture_id IS NULL)",
            [timezone.now(), city.pk],
        )
        # Setting the time too, as publishing does: SQLite skips writing a row an UPDATE
        # leaves as it was, so shares set to themselves alone would write nothing.
        cursor.execute(
            f"UPDATE {table} SET share_of_province = share_of_province, computed_at = %s "
            f"WHERE indicator_id IN ({shared}) AND period_id IN ({periods}) "
            "AND prefecture_id <> %s",
            [timezone.now(), city.pk],
        )
    return time.perf_counter() - started


def goal(what, figures, floors, limit) -> None:
    figure, floor = statistics.median(figures), statistics.median(floors)
    ratio = figure / floor
    held = "held" if ratio <= limit else "NOT held"
    print(
        f"{what}: {figure:.3f} s, floor {floor:.3f} s, ratio {ratio:.2f}, "
        f"goal ≤ {limit:g} × floor: {held}"
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
    done = recompute_progress(force=True)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_holding")
        cursor.execute(f"CREATE TABLE bench_holding AS SELECT * FROM {Progress._meta.db_table}")
    recomputes, floors = [], []
    for _ in range(ROUNDS):
        settle()
        recomputes.append(full_recompute())
        settle()
        floors.append(insert_select_floor())
    limit = 1.5 if vendor == "postgresql" else 2
    goal(f"full recompute ({done.rows} rows)", recomputes, floors, limit)

    city = Prefecture.objects.get(code=f"{500000 + CITIES // 2}")
    periods = list(ReportingPeriod.objects.order_by("year", "quarter"))
    for label, period in [("latest quarter", periods[-1]), ("20 quarters back", periods[-21])]:
        approvals, floors = [], []
        for step in range(ROUNDS):
            settle()
            approvals.append(approval(city, period, step))
            floors.append(approval_floor(city, period))
        goal(f"publishing one city's approval, {label} ({period})", approvals, floors, 2)

    started = time.perf_counter()
    unchanged = recompute_progress()
    print(
        f"whole recompute with nothing changed: {time.perf_counter() - started:.2f} s "
        f"({unchanged.rows} rows written)"
    )
    tracemalloc.start()
    recompute_progress(force=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory of a full recompute (tracemalloc): {peak / 2**20:.0f} MiB")
    assert Progress.objects.count() == done.rows
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_holding")


if __name__ == "__main__":
    main()
