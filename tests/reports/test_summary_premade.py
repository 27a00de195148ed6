"""The job that recomputes progress makes the province summary of the quarter the pages open
on right after, so that the first click on it is served from the store."""

import time

import pytest
from django.urls import reverse

from reports.dashboards import default_period
from reports.models import Summary
from targets.tasks import enqueue_recompute, recompute_progress
from tests.workers import start_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_after_a_recompute_the_default_summary_waits_for_its_first_click(
    demo, own_redis, broker, client, leadership, settings, tmp_path
):
    settings.PDF_SUMMARY_WAIT_SECONDS = 0  # a summary not stored yet would not be served
    broker(own_redis)
    log = tmp_path / "worker.log"
    worker = start_worker(own_redis, log)
    try:
        assert not Summary.objects.exists()
        assert enqueue_recompute()
        deadline = time.monotonic() + 120
        while not Summary.objects.filter(state=Summary.State.READY).exists():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    summary = Summary.objects.get()
    assert (summary.scope, summary.period, summary.language) == (
        "province@demo-2023",  # the plan in force, which pages open on
        default_period(),
        "zh-hans",
    )
    client.force_login(leadership)
    response = client.get(reverse("province_summary"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert list(Summary.objects.values_list("pk", flat=True)) == [summary.pk]  # not made again


def test_without_a_worker_an_approval_never_waits_for_a_pdf(demo):
    """Tasks in-process (`make run`): the summary is left to its first click."""
    recompute_progress.delay()
    assert not Summary.objects.exists()
