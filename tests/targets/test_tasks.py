import io
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from targets.models import Progress
from targets.tasks import enqueue_recompute, recompute_progress
from tests.factories import IndicatorFactory, PeriodFactory, PrefectureFactory, approve
from tests.workers import start_worker

# Committed transactions throughout: what happens after a commit is what these tests check.
pytestmark = pytest.mark.django_db(transaction=True)

CLOSED_PORT_URL = "redis://127.0.0.1:1/5"


@pytest.fixture
def stock(db):
    indicator = IndicatorFactory(target_value=100, target_year=2030, target_quarter=4)
    period = PeriodFactory(year=2030, quarter=1)
    for value in (10, 32):
        approve(indicator, PrefectureFactory(), period, value)
    return indicator


def province_actual(indicator):
    row = Progress.objects.filter(indicator=indicator, prefecture=None).first()
    return row and row.actual


def test_the_task_recomputes_and_is_idempotent(stock):
    assert recompute_progress.delay().get() == {"indicators": 1, "rewritten": 1, "rows": 3}
    assert recompute_progress.delay([stock.pk]).get()["rewritten"] == 0
    assert Progress.objects.count() == 3
    assert province_actual(stock) == Decimal(42)


def test_the_task_acknowledges_late_and_retries_on_database_errors():
    assert recompute_progress.acks_late
    assert {exc.__name__ for exc in recompute_progress.autoretry_for} == {
        "OperationalError",
        "InterfaceError",
    }


def test_a_full_sweep_is_scheduled():
    schedule = settings.CELERY_BEAT_SCHEDULE.values()
    assert any(entry["task"] == recompute_progress.name for entry in schedule)


def test_enqueuing_waits_for_the_commit(stock):
    with transaction.atomic():
        enqueued = enqueue_recompute([stock.pk])
        assert enqueued.sent is None
        assert province_actual(stock) is None
    assert enqueued.sent is True
    assert province_actual(stock) == Decimal(42)


def test_enqueues_in_one_transaction_send_one_task_for_all(
    stock, django_capture_on_commit_callbacks
):
    with transaction.atomic(), django_capture_on_commit_callbacks() as callbacks:
        first = enqueue_recompute([1])
        second = enqueue_recompute([stock.pk])
    assert first is second
    assert first.indicator_ids == {1, stock.pk}
    assert len(callbacks) == 1
    with transaction.atomic(), django_capture_on_commit_callbacks() as callbacks:
        enqueue_recompute([1])
        everything = enqueue_recompute()
    assert everything.indicator_ids is None


def test_with_the_broker_down_enqueue_says_so_and_the_next_sweep_repairs(stock, broker):
    broker(CLOSED_PORT_URL)
    enqueued = enqueue_recompute([stock.pk])
    assert not enqueued
    assert enqueued.sent is False
    assert province_actual(stock) is None
    recompute_progress()  # what beat runs
    assert province_actual(stock) == Decimal(42)


def test_a_real_worker_updates_stored_progress_after_an_enqueue(stock, broker, own_redis, tmp_path):
    log = tmp_path / "worker.log"
    broker(own_redis)
    worker = start_worker(own_redis, log)
    try:
        assert enqueue_recompute([stock.pk])
        deadline = time.monotonic() + 60
        while province_actual(stock) is None and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert province_actual(stock) == Decimal(42), log.read_text()


@pytest.fixture
def other(db):
    return IndicatorFactory(target_value=5, target_year=2030, target_quarter=4)


def is_stale(indicator) -> bool:
    indicator.refresh_from_db(fields=["progress_stale"])
    return indicator.progress_stale


def test_a_recompute_that_fails_leaves_its_indicators_stale_for_the_next_one(
    stock, other, monkeypatch
):
    def crash(*args, **kwargs):
        raise RuntimeError("the engine crashed")

    with monkeypatch.context() as patch:
        patch.setattr("targets.progress.compute_progress", crash)
        with transaction.atomic():  # as an approval: the recompute runs once this commits
            enqueue_recompute([stock.pk])
    assert is_stale(stock)
    assert province_actual(stock) is None
    recompute_progress([other.pk])  # anything's next recompute
    assert province_actual(stock) == Decimal(42)
    assert not is_stale(stock) and not is_stale(other)


def test_a_recompute_that_could_not_be_sent_is_repaired_by_compute_progress(stock, broker):
    broker(CLOSED_PORT_URL)
    assert not enqueue_recompute([stock.pk])
    assert is_stale(stock)
    call_command("compute_progress", stdout=io.StringIO())
    assert province_actual(stock) == Decimal(42)
    assert not is_stale(stock)


def test_a_recompute_that_ran_leaves_nothing_stale(stock):
    assert enqueue_recompute([stock.pk])
    assert province_actual(stock) == Decimal(42)
    assert not is_stale(stock)
