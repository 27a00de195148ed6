"""How long the approval click takes under `make run`: the demo data on SQLite, no broker, so
the recompute the approval sends runs in the request once it commits.

    .venv/bin/python bench/approval.py                      # a fresh SQLite file in /tmp

Loads the demo as `make run` does, then in each round sends Guangzhou's latest quarter back
for correction, changes and submits it again (untimed), and times the reviewer's approval
POST through the review page, progress included. Prints the median against the goal.
"""

import io
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROUNDS = 7
GOAL = 0.3  # seconds

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipplan.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ["DEBUG"] = "true"  # as `make run`
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.pop("CELERY_BROKER_URL", None)  # no broker: tasks run in-process
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import User  # noqa: E402
from targets.models import Indicator, Prefecture, Progress, ReportingPeriod, Submission  # noqa: E402
from targets.reporting import Entry, reopen_quarter, save_quarter, submit_quarter  # noqa: E402


def resubmitted(prefecture, period, reporter, reviewer, step) -> Submission:
    """The quarter reopened, one figure changed, and submitted again."""
    reopen_quarter(prefecture=prefecture, period=period, user=reviewer, reason="benchmark")
    submission = Submission.objects.get(prefecture=prefecture, period=period)
    indicators = list(Indicator.objects.reported_by(prefecture))
    figure = submission.figures.get(indicator__code="key_protected_enterprises")
    save_quarter(
        prefecture=prefecture,
        period=period,
        user=reporter,
        entries={figure.indicator: Entry((figure.value or Decimal(0)) + 1 + step)},
        seen_version=submission.version,
        reason="benchmark",
    )
    submission.refresh_from_db()
    return submit_quarter(submission=submission, user=reporter, indicators=indicators)


def main():
    call_command("migrate", verbosity=0)
    call_command("seed_plan", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    assert Progress.objects.exists()
    prefecture = Prefecture.objects.get(code="440100")
    # The demo's latest quarter (2022Q4), not the quarters since, which have no figures.
    period = (
        ReportingPeriod.objects.filter(submissions__prefecture=prefecture)
        .order_by("-year", "-quarter")
        .first()
    )
    reporter, reviewer = User.objects.get(username="guangzhou"), User.objects.get(username="sheng")
    client = Client()
    client.force_login(reviewer)
    url = reverse("review", args=[prefecture.code, str(period)])
    clicks = []
    for step in range(ROUNDS):
        submission = resubmitted(prefecture, period, reporter, reviewer, step)
        started = time.perf_counter()
        response = client.post(url, {"approve": "1", "seen_version": submission.version})
        clicks.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
        submission.refresh_from_db()
        assert submission.status == Submission.Status.APPROVED
    click = statistics.median(clicks)
    held = "held" if click <= GOAL else "NOT held"
    print(
        f"approval click under make run ({prefecture.code} {period}, median of {ROUNDS}): "
        f"{click:.3f} s, goal ≤ {GOAL} s: {held}"
    )


if __name__ == "__main__":
    main()
