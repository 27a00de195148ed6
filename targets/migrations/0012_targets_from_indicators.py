"""What is reported apart from what is targeted (2 of 3): each indicator's plan, wording,
direction, baseline and target copied to a `Target` of its plan, allocations re-pointed.
Going back copies every target onto its indicator again (tests/targets/test_migration_targets.py
moves a demo database back and forth and compares every row).
"""

from django.db import migrations

TARGET_FIELDS = [
    "wording",
    "direction",
    "strict",
    "baseline_value",
    "baseline_year",
    "baseline_quarter",
]
# The indicator's name for each field whose name changes on the target.
RENAMED = {"value": "target_value", "year": "target_year", "quarter": "target_quarter"}


def targets_from_indicators(apps, schema_editor):
    Indicator = apps.get_model("targets", "Indicator")
    Target = apps.get_model("targets", "Target")
    TargetAllocation = apps.get_model("targets", "TargetAllocation")
    for indicator in Indicator.objects.order_by("pk"):
        target = Target.objects.create(
            plan_id=indicator.plan_id,
            indicator=indicator,
            **{field: getattr(indicator, field) for field in TARGET_FIELDS},
            **{new: getattr(indicator, old) for new, old in RENAMED.items()},
        )
        TargetAllocation.objects.filter(indicator=indicator).update(target=target)


def indicators_from_targets(apps, schema_editor):
    Indicator = apps.get_model("targets", "Indicator")
    Target = apps.get_model("targets", "Target")
    TargetAllocation = apps.get_model("targets", "TargetAllocation")
    for target in Target.objects.order_by("pk"):
        Indicator.objects.filter(pk=target.indicator_id).update(
            plan_id=target.plan_id,
            **{field: getattr(target, field) for field in TARGET_FIELDS},
            **{old: getattr(target, new) for new, old in RENAMED.items()},
        )
        TargetAllocation.objects.filter(target=target).update(indicator_id=target.indicator_id)


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0011_target"),
    ]

    operations = [
        migrations.RunPython(targets_from_indicators, indicators_from_targets),
    ]
