"""What is reported apart from what is targeted (3 of 3): the indicator keeps only what
is reported (a series); its order is now one list for every form."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0012_targets_from_indicators"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="targetallocation", name="one_allocation_per_city"),
        migrations.RemoveConstraint(model_name="indicator", name="one_indicator_per_place"),
        migrations.RemoveConstraint(model_name="indicator", name="indicator_direction_known"),
        migrations.RemoveConstraint(
            model_name="indicator", name="indicator_baseline_quarter_1_to_4"
        ),
        migrations.RemoveConstraint(model_name="indicator", name="indicator_target_quarter_1_to_4"),
        migrations.RemoveConstraint(model_name="indicator", name="indicator_target_has_period"),
        migrations.AlterModelOptions(
            name="indicator",
            options={
                "ordering": ["display_order"],
                "verbose_name": "indicator",
                "verbose_name_plural": "indicators",
            },
        ),
        migrations.AlterModelOptions(
            name="targetallocation",
            options={
                "ordering": ["target", "prefecture"],
                "verbose_name": "target allocation",
                "verbose_name_plural": "target allocations",
            },
        ),
        migrations.RemoveField(model_name="targetallocation", name="indicator"),
        migrations.AlterField(
            model_name="targetallocation",
            name="target",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="allocations",
                to="targets.target",
                verbose_name="target",
            ),
        ),
        migrations.AddConstraint(
            model_name="targetallocation",
            constraint=models.UniqueConstraint(
                fields=("target", "prefecture"), name="one_allocation_per_city"
            ),
        ),
        *[
            migrations.RemoveField(model_name="indicator", name=name)
            for name in [
                "plan",
                "wording",
                "direction",
                "strict",
                "baseline_value",
                "baseline_year",
                "baseline_quarter",
                "target_value",
                "target_year",
                "target_quarter",
            ]
        ],
        migrations.AlterField(
            model_name="indicator",
            name="display_order",
            field=models.PositiveSmallIntegerField(unique=True, verbose_name="display order"),
        ),
    ]
