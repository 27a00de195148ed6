"""Plans over time (1 of 3): a series may carry a target of each plan, and stored progress
names the plan whose target it was computed against. Nullable here, filled by 0015 and made
required by 0016: PostgreSQL refuses to alter a table whose rows changed in the same
transaction.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0013_indicator_is_series"),
    ]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="code",
            field=models.SlugField(
                help_text="Names the plan in addresses.",
                max_length=40,
                null=True,
                verbose_name="code",
            ),
        ),
        migrations.AlterField(
            model_name="target",
            name="indicator",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="targets",
                to="targets.indicator",
                verbose_name="indicator",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="display_order",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="display order"),
        ),
        migrations.AddField(
            model_name="progress",
            name="plan",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="targets.plan",
                verbose_name="plan",
            ),
        ),
        migrations.CreateModel(
            name="InterimTarget",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "quarter",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(4),
                        ],
                        verbose_name="quarter",
                    ),
                ),
                (
                    "value",
                    models.DecimalField(
                        decimal_places=6, max_digits=20, verbose_name="interim value"
                    ),
                ),
                (
                    "target",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="interim_targets",
                        to="targets.target",
                        verbose_name="target",
                    ),
                ),
            ],
            options={
                "verbose_name": "interim target",
                "verbose_name_plural": "interim targets",
                "ordering": ["target", "year", "quarter"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("target", "year", "quarter"), name="one_interim_target_per_quarter"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("quarter__gte", 1), ("quarter__lte", 4)),
                        name="interim_quarter_1_to_4",
                    ),
                ],
            },
        ),
    ]
