"""How long each dashboard takes on the server with a large data set, against a bare page.

    .venv/bin/python bench/pages.py                      # a fresh SQLite file in /tmp
    DATABASE_URL=postgres://... .venv/bin/python bench/pages.py

Builds the progress benchmark's data set (300 cities × 40 quarters, every figure approved),
recomputes progress once, then renders each page REPEAT times through its view and prints the
median time, its ratio to a view that renders only the base template, and its SQL queries.
"""

import importlib.util
import statistics
import sys
import time
from pathlib import Path

REPEAT = 15
HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("progress_bench", HERE / "progress.py")
progress_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(progress_bench)  # sets Django up on the chosen database

from django.contrib.messages.storage.fallback import FallbackStorage  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from reports import dashboards  # noqa: E402
from targets.recompute import recompute_progress  # noqa: E402

PAGES = {
    "overview": (dashboards.overview, {}),
    "indicator (stock)": (dashboards.indicator_dashboard, {"code": "patent_agents"}),
    "indicator (coverage)": (dashboards.indicator_dashboard, {"code": "ip_insurance_coverage"}),
    "prefecture": (dashboards.prefecture_dashboard, {"code": "500000"}),
    "map": (dashboards.map_dashboard, {}),
}


def bare(request):
    return render(request, "base.html")


def timed(view, user, kwargs):
    request = RequestFactory().get("/", {"quarter": "2027Q4"})
    request.user, request.session = user, SessionStore()
    request._messages = FallbackStorage(request)
    started = time.perf_counter()
    response = view(request, **kwargs)
    response.render() if hasattr(response, "render") else None
    return time.perf_counter() - started


def main():
    progress_bench.build()
    recompute_progress()
    user, _ = User.objects.get_or_create(username="bench-provincial")
    user.groups.add(Role.PROVINCIAL.group)
    print(f"database: {connection.vendor}, {REPEAT} renders a page, median server time")
    base = statistics.median(timed(bare, user, {}) for _ in range(REPEAT))
    print(f"{'bare base template':<22} {base * 1000:8.1f} ms")
    for name, (view, kwargs) in PAGES.items():
        with CaptureQueriesContext(connection) as queries:
            timed(view, user, kwargs)
        median = statistics.median(timed(view, user, kwargs) for _ in range(REPEAT))
        print(
            f"{name:<22} {median * 1000:8.1f} ms  {median / base:7.1f} × bare"
            f"  {len(queries)} queries"
        )


if __name__ == "__main__":
    sys.exit(main())
