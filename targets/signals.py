"""Edits that change what the progress engine computes enqueue a recompute of what they touch.

Approvals and returns are enqueued by the review views themselves (see targets.tasks).
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from targets.models import (
    Indicator,
    InterimTarget,
    PopulationFigure,
    Progress,
    Target,
    TargetAllocation,
    TargetChange,
)
from targets.tasks import enqueue_recompute


@receiver(post_save, sender=Indicator)
def indicator_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue_recompute([instance.pk])


@receiver(post_save, sender=Target)
def target_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue_recompute([instance.indicator_id])


@receiver(post_delete, sender=Target)
def target_deleted(sender, instance, **kwargs):
    """A plan that no longer targets a series keeps no results for it."""
    Progress.objects.filter(plan=instance.plan_id, indicator=instance.indicator_id).delete()


@receiver(post_save, sender=InterimTarget)
@receiver(post_delete, sender=InterimTarget)
@receiver(post_save, sender=TargetAllocation)
@receiver(post_delete, sender=TargetAllocation)
@receiver(post_save, sender=TargetChange)
@receiver(post_delete, sender=TargetChange)
def part_of_target_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        # A list, not .get(): the target may be gone already (deleted with its series).
        series = Target.objects.filter(pk=instance.target_id).values_list("indicator", flat=True)
        enqueue_recompute(list(series))


@receiver(post_save, sender=PopulationFigure)
@receiver(post_delete, sender=PopulationFigure)
def population_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        per_10k = Indicator.objects.filter(per_10k_residents=True).values_list("pk", flat=True)
        enqueue_recompute(list(per_10k))
