"""Celery task that makes PDF summaries; `reports.summaries` does the work."""

import logging

from celery import current_app, shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from reports import summaries
from reports.models import Summary

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), max_retries=3)
def make_summary(summary_id: int) -> None:
    summary = Summary.objects.filter(pk=summary_id, state=Summary.State.PREPARING).first()
    if summary is None:  # made meanwhile, or superseded by a newer version
        return
    try:
        summaries.make(summary)
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        logger.exception("PDF summary %s could not be made", summary_id)
        Summary.objects.filter(pk=summary_id).update(state=Summary.State.FAILED)


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), max_retries=3)
def make_default_summary() -> None:
    summaries.make_default()


def after_recompute() -> None:
    """What the recompute job calls once it is done: queues the default quarter's province
    summary for a worker. Tasks running in-process (no broker, `make run`) leave it to the
    first click, so that an approval never waits for a PDF."""
    if current_app.conf.task_always_eager:
        return
    try:
        make_default_summary.apply_async(retry=False)
    except (BrokerError, OSError):
        logger.warning("Default PDF summary not queued: broker unreachable", exc_info=True)


def enqueue_summary(summary: Summary) -> None:
    """Sends the summary to a worker; with the broker out of reach, makes it here, slowly
    rather than not at all."""
    try:
        make_summary.apply_async(args=[summary.pk], retry=False)
    except (BrokerError, OSError):
        logger.warning("PDF summary made in the web process: broker unreachable", exc_info=True)
        make_summary(summary.pk)
