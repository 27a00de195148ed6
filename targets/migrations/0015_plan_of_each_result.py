"""Plans over time (2 of 3): each plan gets a code (the 2018 plan `2018`, any other its
number), each target its series' place in the list, and each stored result the plan of its
series' one target."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

PLAN_2018 = "粤知〔2018〕153号"


def fill(apps, schema_editor):
    Plan = apps.get_model("targets", "Plan")
    Target = apps.get_model("targets", "Target")
    Progress = apps.get_model("targets", "Progress")
    for plan in Plan.objects.all():
        plan.code = "2018" if plan.document_number == PLAN_2018 else f"plan-{plan.pk}"
        plan.save(update_fields=["code"])
    for target in Target.objects.select_related("indicator"):
        target.display_order = target.indicator.display_order
        target.save(update_fields=["display_order"])
    plan_of_series = Target.objects.filter(indicator=OuterRef("indicator")).values("plan")[:1]
    Progress.objects.update(plan=Subquery(plan_of_series))
    # A result of a series no plan targets (none in practice) has nothing to be kept against.
    Progress.objects.filter(plan__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0014_plans_over_time"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
