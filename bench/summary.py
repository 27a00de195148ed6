"""How long a PDF summary takes to make cold, against WeasyPrint alone on the same HTML, and
against serving it again from the store.

    .venv/bin/python bench/summary.py                      # a fresh SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipplan_summary_bench \\
        .venv/bin/python bench/summary.py                  # PostgreSQL: its tables are emptied

Loads the plan and the demo (as `make run` does). For each summary, in ROUNDS interleaved
rounds: its view asked for the 2022Q3 PDF with nothing stored (made in the request, as the
embedded default runs tasks in-process), then WeasyPrint alone laying out and writing the
same summary's HTML with its charts already drawn (the floor). Then the view REPEAT times
with the PDF stored. Prints medians and ratios, and one line per goal: a cold province
summary within twice the floor.
"""

import importlib.util
import io
import statistics
import sys
import time
from pathlib import Path

ROUNDS = 5
REPEAT = 20
HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("progress_bench", HERE / "progress.py")
progress_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(progress_bench)  # sets Django up on the chosen database

import weasyprint  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from accounts.models import User  # noqa: E402
from reports import summaries, views  # noqa: E402
from reports.models import Summary  # noqa: E402
from reports.summaries import Scope  # noqa: E402
from targets.models import Indicator, Plan, Prefecture, ReportingPeriod  # noqa: E402

# The 2018 plan's summaries of 2022Q3: the demo's plan in force is its second one.
PLAN = "2018"
SUMMARIES = {
    "province (21 indicators)": (views.province_summary, {}, lambda plan: Scope(plan=plan)),
    "indicator": (
        views.indicator_summary,
        {"code": "key_protected_enterprises"},
        lambda plan: Scope(
            indicator=Indicator.objects.get(code="key_protected_enterprises"), plan=plan
        ),
    ),
    "prefecture (18 indicators)": (
        views.prefecture_summary,
        {"code": "440100"},
        lambda plan: Scope(prefecture=Prefecture.objects.get(code="440100"), plan=plan),
    ),
}
GOAL = 2


def timed_view(view, user, kwargs):
    request = RequestFactory().get("/", {"quarter": "2022Q3", "plan": PLAN})
    request.user, request.session = user, SessionStore()
    started = time.perf_counter()
    response = view(request, **kwargs)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and response.content.startswith(b"%PDF-"), response
    return elapsed, len(response.content)


def timed_weasyprint(html):
    started = time.perf_counter()
    pdf = weasyprint.HTML(string=html).render().write_pdf()
    elapsed = time.perf_counter() - started
    assert pdf.startswith(b"%PDF-")
    return elapsed


def main():
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("seed_plan", stdout=io.StringIO())
    call_command("load_demo", "--without-debug", stdout=io.StringIO())
    user = User.objects.get(username="lingdao")
    period = ReportingPeriod.objects.get(year=2022, quarter=3)
    plan = Plan.objects.get(code=PLAN)
    print(
        f"database: {connection.vendor}; {ROUNDS} interleaved rounds of cold and floor, "
        f"cached: median of {REPEAT}"
    )
    goals = []
    for name, (view, kwargs, scope) in SUMMARIES.items():
        with translation.override(user.language):
            html = summaries.summary_html(scope(plan), period, timezone.localdate())
        colds, floors = [], []
        for _round in range(ROUNDS):
            Summary.objects.all().delete()
            colds.append(timed_view(view, user, kwargs)[0])
            floors.append(timed_weasyprint(html))
        cold, floor = statistics.median(colds), statistics.median(floors)
        cached = statistics.median(timed_view(view, user, kwargs)[0] for _ in range(REPEAT))
        stored = Summary.objects.latest("pk")
        print(
            f"{name:<28} cold {cold:6.2f} s  WeasyPrint alone {floor:6.2f} s "
            f"({cold / floor:4.2f} ×)  cached {cached * 1000:6.1f} ms ({cold / cached:5.0f} ×)"
            f"  {stored.pages} pages, {len(stored.pdf) // 1024} KiB"
        )
        if name.startswith("province"):
            goals.append((name, cold, floor))
    for name, cold, floor in goals:
        held = "held" if cold / floor <= GOAL else "NOT held"
        print(
            f"goal cold {name:<26} {cold:6.2f} s  floor {floor:6.2f} s"
            f"  ratio {cold / floor:5.2f}  goal ≤ {GOAL}  {held}"
        )


if __name__ == "__main__":
    sys.exit(main())
