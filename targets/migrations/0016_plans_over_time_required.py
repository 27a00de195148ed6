"""Plans over time (3 of 3): what 0015 filled is required, and each stored result is
unique per plan."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0015_plan_of_each_result"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="target",
            options={
                "ordering": ["plan", "display_order"],
                "verbose_name": "target",
                "verbose_name_plural": "targets",
            },
        ),
        migrations.RemoveConstraint(
            model_name="progress",
            name="one_progress_per_city",
        ),
        migrations.RemoveConstraint(
            model_name="progress",
            name="one_progress_per_province",
        ),
        migrations.AlterField(
            model_name="plan",
            name="code",
            field=models.SlugField(
                help_text="Names the plan in addresses.",
                max_length=40,
                unique=True,
                verbose_name="code",
            ),
        ),
        migrations.AlterField(
            model_name="progress",
            name="plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="targets.plan",
                verbose_name="plan",
            ),
        ),
        migrations.AlterField(
            model_name="target",
            name="display_order",
            field=models.PositiveSmallIntegerField(verbose_name="display order"),
        ),
        migrations.AddConstraint(
            model_name="progress",
            constraint=models.UniqueConstraint(
                condition=models.Q(("prefecture__isnull", False)),
                fields=("indicator", "prefecture", "period", "plan"),
                name="one_progress_per_city",
            ),
        ),
        migrations.AddConstraint(
            model_name="progress",
            constraint=models.UniqueConstraint(
                condition=models.Q(("prefecture__isnull", True)),
                fields=("indicator", "period", "plan"),
                name="one_progress_per_province",
            ),
        ),
        migrations.AddConstraint(
            model_name="target",
            constraint=models.UniqueConstraint(
                fields=("plan", "indicator"), name="one_target_per_series"
            ),
        ),
        migrations.AddConstraint(
            model_name="target",
            constraint=models.UniqueConstraint(
                fields=("plan", "display_order"), name="one_target_per_place"
            ),
        ),
    ]
