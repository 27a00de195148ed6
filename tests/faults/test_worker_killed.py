"""Killing a Celery worker in the middle of a recompute, then starting one again, leaves
correct stored results: the recompute runs in one transaction, so a killed one leaves the
previous results whole, and the next run (the periodic sweep) writes the right ones."""

import signal
import time
from decimal import Decimal

import pytest

from targets.models import Figure, Indicator, Prefecture, Progress, ReportingPeriod, Submission
from targets.tasks import enqueue_recompute
from tests.factories import IndicatorFactory, PlanFactory
from tests.workers import start_worker

pytestmark = pytest.mark.django_db(transaction=True)
# About two seconds of recompute since it got faster (issue 17): the kill lands well inside.
CITIES, QUARTERS, INDICATORS = 150, 40, 16


def many_figures():
    """Enough approved figures for a recompute to take a few seconds."""
    plan = PlanFactory()
    indicators = [IndicatorFactory(plan=plan, target_value=10**6) for _ in range(INDICATORS)]
    cities = Prefecture.objects.bulk_create(
        Prefecture(code=f"{700000 + n}", name_zh=f"故障{n}市", name_en=f"F{n}", display_order=n + 1)
        for n in range(CITIES)
    )
    periods = ReportingPeriod.objects.bulk_create(
        ReportingPeriod(year=2018 + q // 4, quarter=q % 4 + 1) for q in range(QUARTERS)
    )
    submissions = Submission.objects.bulk_create(
        Submission(prefecture=city, period=period, status="approved")
        for city in cities
        for period in periods
    )
    now = "2023-01-01T00:00:00+08:00"
    Figure.objects.bulk_create(
        (
            Figure(
                submission=submission,
                indicator=indicator,
                value=Decimal(n),
                approved_value=Decimal(n),
                approved_at=now,
            )
            for n, submission in enumerate(submissions)
            for indicator in indicators
        ),
        batch_size=5000,
    )
    return indicators, periods


def wait_for(condition, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_worker_killed_mid_recompute_leaves_correct_results_once_restarted(
    own_redis, broker, tmp_path
):
    indicators, periods = many_figures()
    log = tmp_path / "worker.log"
    broker(own_redis)
    worker = start_worker(own_redis, log)
    enqueue_recompute()
    wait_for(lambda: "recompute_progress" in log.read_text() and "received" in log.read_text())
    time.sleep(0.3)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert "succeeded" not in log.read_text(), "the recompute finished before the kill"
    # Killed inside its transaction: nothing half-written.
    assert Progress.objects.count() in (0, len(indicators) * len(periods) * (CITIES + 1))

    worker = start_worker(own_redis, log)
    try:
        enqueue_recompute()  # what the periodic sweep sends
        wait_for(lambda: log.read_text().count("succeeded") >= 1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    rows = Progress.objects.filter(indicator__in=indicators)
    assert rows.count() == len(indicators) * len(periods) * (CITIES + 1)
    first = Indicator.objects.get(pk=indicators[0].pk)
    for index, period in enumerate(periods):
        expected = sum(Decimal(n) for n in range(index, CITIES * QUARTERS, QUARTERS))
        actual = rows.get(indicator=first, prefecture=None, period=period).actual
        assert actual == expected
