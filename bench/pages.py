"""How long each dashboard takes on the server with a large data set, against its floor.

    .venv/bin/python bench/pages.py                      # a fresh SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipplan_pages_bench \\
        .venv/bin/python bench/pages.py                  # PostgreSQL: its tables are emptied

Builds the progress benchmark's data set (300 cities × 40 quarters, every figure approved) and
recomputes progress once. Then, in ROUNDS interleaved rounds, requests each page through the
whole middleware stack (Django's test client, logged in as provincial staff) and, in the same
round, its floor: a bare page (the base template through the same stack) plus the one query
that returns the page's data. Static files are named by their source paths, so no
`collectstatic` is needed. Prints medians: the page's server time split into SQL, template
and the rest (Python), its bytes raw and gzipped, its queries, then one line per goal.
"""

import importlib.util
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROUNDS = 15
HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("progress_bench", HERE / "progress.py")
progress_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(progress_bench)  # sets Django up on the chosen database

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.template import Template  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from targets.models import Indicator, Prefecture, Progress, ReportingPeriod  # noqa: E402
from targets.recompute import recompute_progress  # noqa: E402

QUARTER = "2027Q4"
COLUMNS = ("indicator_id", "period_id", "actual", "target", "gap", "percent_of_target")
COLUMNS += ("expected", "pace_needed", "projection", "projection_reaches", "status")
COLUMNS += ("complete", "missing")
HTML_BUDGET = 100 * 1024


def bare(request):
    return render(request, "base.html")


urlpatterns = [path("bench/bare/", bare), path("", include("ipplan.urls"))]


def floors(period):
    """Each page's URL and the one query that returns what it shows."""
    periods = ReportingPeriod.objects.filter(
        Q(year__lt=period.year) | Q(year=period.year, quarter__lte=period.quarter)
    )
    city = Prefecture.objects.order_by("display_order").first()
    stock = Indicator.objects.get(code="patent_agents")
    coverage = Indicator.objects.get(code="ip_insurance_coverage")
    first_city_indicator = Indicator.objects.filter(reported_by="cities").first()
    province = Progress.objects.filter(prefecture=None)
    every_indicator = Indicator.objects.values("pk")
    return {
        "overview": (
            "/dashboard/",
            province.filter(period__in=periods).values_list(*COLUMNS),
        ),
        "prefecture": (
            f"/dashboard/prefectures/{city.code}/",
            # Each branch names every column of its partial unique index, as the page's read
            # does: without them SQLite, which keeps no statistics, reads the quarter's rows of
            # every city through the period index, 8 ms more than the 39 rows cost.
            Progress.objects.filter(
                Q(prefecture=city, period=period, indicator__in=every_indicator)
                | Q(prefecture=None, period=period, indicator__in=every_indicator)
            ).values_list(*COLUMNS),
        ),
        "indicator (stock)": (
            f"/dashboard/indicators/{stock.code}/",
            Progress.objects.filter(indicator=stock, period__in=periods).values_list(
                "prefecture_id", "period_id", "actual"
            ),
        ),
        "indicator (coverage)": (
            f"/dashboard/indicators/{coverage.code}/",
            Progress.objects.filter(indicator=coverage, period__in=periods).values_list(
                "prefecture_id", "period_id", "actual"
            ),
        ),
        "map": (
            "/dashboard/map/",
            Progress.objects.filter(
                indicator=first_city_indicator, period=period, prefecture__isnull=False
            ).values_list("prefecture_id", "actual", "status"),
        ),
    }  # fmt: skip


class Split:
    """Server time of one request: SQL (every query), template (rendering less the SQL run
    inside it), the rest is Python."""

    def __init__(self):
        self.sql = self.template = self.sql_in_template = 0.0
        self.rendering = self.queries = 0

    def query(self, execute, sql, params, many, context):
        self.queries += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.sql += elapsed
            if self.rendering:
                self.sql_in_template += elapsed


@contextmanager
def split_time(split):
    original = Template.render

    def render(template, context):
        outermost = not split.rendering
        split.rendering += 1
        started = time.perf_counter()
        try:
            return original(template, context)
        finally:
            split.rendering -= 1
            if outermost:
                split.template += time.perf_counter() - started

    Template.render = render
    try:
        with connection.execute_wrapper(split.query):
            yield
    finally:
        Template.render = original


def timed_get(client, url):
    split = Split()
    with split_time(split):
        started = time.perf_counter()
        response = client.get(url, {"quarter": QUARTER})
        total = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    template = split.template - split.sql_in_template
    return total, split.sql, template, total - split.sql - template, split.queries


def timed_query(queryset):
    started = time.perf_counter()
    list(queryset.all())  # a fresh queryset each time: nothing cached
    return time.perf_counter() - started


def verdict(name, figure, floor, goal, unit="ms"):
    ratio = figure / floor
    held = "held" if ratio <= goal else "NOT held"
    scale = 1000 if unit == "ms" else 1 / 1024
    print(
        f"goal {name:<30} {figure * scale:9.1f} {unit}  floor {floor * scale:8.1f} {unit}"
        f"  ratio {ratio:5.2f}  goal ≤ {goal:g}  {held}"
    )


def main():
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["testserver"],
        STORAGES={**settings.STORAGES, "staticfiles": plain_static},
    ):
        measure()


def measure():
    progress_bench.build()
    recompute_progress()
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load on a live database (this machine's PostgreSQL
        # runs without it): the statistics, and the visibility map without which an index
        # cannot answer a count alone (every entry sent to the table), as bench/progress.py.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    user, _ = User.objects.get_or_create(username="bench-provincial")
    user.groups.add(Role.PROVINCIAL.group)
    client = Client()
    client.force_login(user)
    year, quarter = QUARTER.split("Q")
    pages = floors(ReportingPeriod.objects.get(year=year, quarter=quarter))
    for url, _query in pages.values():  # warm up: templates compiled, caches filled
        client.get(url, {"quarter": QUARTER})
    samples = {name: [] for name in pages}
    bare_times, query_times = [], {name: [] for name in pages}
    for round_number in range(ROUNDS):
        names = list(pages)
        names = names[round_number % len(names) :] + names[: round_number % len(names)]
        for name in names:
            url, query = pages[name]
            bare_times.append(timed_get(client, "/bench/bare/")[0])
            query_times[name].append(timed_query(query))
            samples[name].append(timed_get(client, url))
    base = statistics.median(bare_times)
    print(
        f"database: {connection.vendor}; {ROUNDS} interleaved rounds, medians; "
        f"bare page {base * 1000:.1f} ms"
    )
    print(
        f"{'page':<22} {'total':>8} {'SQL':>8} {'template':>9} {'Python':>8} {'floor':>8}"
        f" {'ratio':>6} {'queries':>8} {'raw KB':>8} {'gzip KB':>8}"
    )
    results = {}
    for name, (url, _query) in pages.items():
        total, sql, template, python, queries = (
            statistics.median(part) for part in zip(*samples[name], strict=True)
        )
        floor = base + statistics.median(query_times[name])
        raw = len(client.get(url, {"quarter": QUARTER}).content)
        gzipped = len(
            client.get(url, {"quarter": QUARTER}, headers={"accept-encoding": "gzip"}).content
        )
        results[name] = (total, floor, raw)
        print(
            f"{name:<22} {total * 1000:6.1f}ms {sql * 1000:6.1f}ms {template * 1000:7.1f}ms"
            f" {python * 1000:6.1f}ms {floor * 1000:6.1f}ms {total / floor:6.2f}"
            f" {queries:8.0f} {raw / 1024:8.1f} {gzipped / 1024:8.1f}"
        )
    for name in ("overview", "prefecture", "indicator (stock)", "indicator (coverage)"):
        total, floor, raw = results[name]
        verdict(f"{name} time", total, floor, 2)
    for name in ("indicator (stock)", "indicator (coverage)"):
        raw = results[name][2]
        verdict(f"{name} HTML", raw, HTML_BUDGET, 1, unit="KB")


if __name__ == "__main__":
    sys.exit(main())
