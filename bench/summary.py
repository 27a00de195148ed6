"""How long the PDF summary takes to make, against serving it again from the store.

    .venv/bin/python bench/summary.py                      # a fresh SQLite file in /tmp
    DATABASE_URL=postgres://... .venv/bin/python bench/summary.py

Loads the plan and the demo (as `make run` does), then asks each summary's view for the
2022Q3 PDF: once cold (made in the request, as the embedded default runs tasks in-process),
then REPEAT times from the store, and prints both times and their ratio, side by side.
"""

import importlib.util
import io
import statistics
import sys
import time
from pathlib import Path

REPEAT = 20
HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("progress_bench", HERE / "progress.py")
progress_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(progress_bench)  # sets Django up on the chosen database

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from accounts.models import User  # noqa: E402
from reports import views  # noqa: E402
from reports.models import Summary  # noqa: E402

SUMMARIES = {
    "province (21 indicators)": (views.province_summary, {}),
    "indicator": (views.indicator_summary, {"code": "key_protected_enterprises"}),
    "prefecture (18 indicators)": (views.prefecture_summary, {"code": "440100"}),
}


def timed(view, user, kwargs):
    request = RequestFactory().get("/", {"quarter": "2022Q3"})
    request.user = user
    started = time.perf_counter()
    response = view(request, **kwargs)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and response.content.startswith(b"%PDF-"), response
    return elapsed, len(response.content)


def main():
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("seed_plan", stdout=io.StringIO())
    call_command("load_demo", "--without-debug", stdout=io.StringIO())
    user = User.objects.get(username="lingdao")
    print(f"database: {connection.vendor}; cold: made in the request; cached: median of {REPEAT}")
    for name, (view, kwargs) in SUMMARIES.items():
        cold, size = timed(view, user, kwargs)
        cached = statistics.median(timed(view, user, kwargs)[0] for _ in range(REPEAT))
        pages = Summary.objects.latest("pk").pages
        print(
            f"{name:<28} cold {cold:6.2f} s  cached {cached * 1000:6.1f} ms"
            f"  {cold / cached:6.0f} ×  {pages} pages, {size // 1024} KiB"
        )


if __name__ == "__main__":
    sys.exit(main())
