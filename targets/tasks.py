"""Celery tasks of the progress engine, and how the rest of the site asks for them.

`enqueue_recompute` is what views and signals call: it marks the indicators stale in the
surrounding transaction, sends the task once that commits, never raises for an unreachable
broker, and says whether the task got out, so that a page can tell the user that charts will
catch up. A recompute that failed to run or to be sent leaves its indicators marked, and the
next recompute of anything (or the periodic full sweep, CELERY_BEAT_SCHEDULE) repairs them.
"""

import logging
from dataclasses import dataclass, field

from celery import shared_task
from django.db import InterfaceError, OperationalError, connection, transaction
from kombu.exceptions import OperationalError as BrokerError

import reports.tasks
from targets.models import Indicator
from targets.recompute import mark_changed
from targets.recompute import recompute_progress as recompute
from targets.schedule import add_periods_up_to_today

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def recompute_progress(indicator_ids=None) -> dict:
    """Idempotent: running it twice on the same data stores the same rows once."""
    done = recompute(indicator_ids)
    reports.tasks.after_recompute()
    return {"indicators": done.indicators, "rewritten": done.rewritten, "rows": done.rows}


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True)
def add_reporting_periods() -> list[str]:
    """Daily (CELERY_BEAT_SCHEDULE): the quarters up to today's, as `add_periods_up_to_today`
    decides; the quarters created. Their results are computed once this commits, so that the
    pages have rows to read for them."""
    created = add_periods_up_to_today()
    if created:
        enqueue_recompute()
    return [str(period) for period in created]


@dataclass
class Enqueued:
    """The answer of `enqueue_recompute`: false once sending failed.

    Outside a transaction the task has been sent (or has failed) by the time this returns.
    Inside one the send waits for the commit; until then `sent` is None and the answer true.
    """

    indicator_ids: set[int] | None = field(default_factory=set)
    sent: bool | None = None

    def __bool__(self) -> bool:
        return self.sent is not False

    def add(self, indicator_ids) -> None:
        if self.indicator_ids is None or indicator_ids is None:
            self.indicator_ids = None
        else:
            self.indicator_ids.update(indicator_ids)

    def send(self) -> None:
        ids = None if self.indicator_ids is None else sorted(self.indicator_ids)
        try:
            recompute_progress.apply_async(args=[ids], retry=False)
        except (BrokerError, OSError):
            logger.warning("Progress recompute not queued: broker unreachable", exc_info=True)
            self.sent = False
        else:
            self.sent = True


def enqueue_recompute(indicator_ids=None) -> Enqueued:
    """Recompute these indicators (all of them for None) after the current transaction.

    Several calls in one transaction send one task covering all their indicators.
    """
    _mark_stale(indicator_ids)
    pending = _pending_in_this_transaction()
    if pending is not None:
        pending.add(indicator_ids)
        return pending
    enqueued = Enqueued(None if indicator_ids is None else set(indicator_ids))
    transaction.on_commit(enqueued.send, robust=True)
    return enqueued


def enqueue_publish(submissions) -> Enqueued:
    """Bring progress up to date once these just approved submissions commit: only what
    their figures can change is recomputed. Answers as `enqueue_recompute`."""
    mark_changed(submissions)
    return enqueue_recompute([])


def _mark_stale(indicator_ids) -> None:
    indicators = Indicator.objects.all()
    if indicator_ids is not None:
        indicators = indicators.filter(pk__in=list(indicator_ids))
    # In key order, as recompute_progress locks them, so that the two never deadlock.
    with transaction.atomic():
        locked = (
            indicators.order_by("pk").select_for_update(no_key=True).values_list("pk", flat=True)
        )
        Indicator.objects.filter(pk__in=list(locked)).update(progress_stale=True)


def _pending_in_this_transaction() -> Enqueued | None:
    if not connection.in_atomic_block:
        return None
    # Django's own list of callbacks, so that a rolled-back savepoint takes ours with it.
    for _, callback, _ in connection.run_on_commit:
        if isinstance(getattr(callback, "__self__", None), Enqueued):
            return callback.__self__
    return None
