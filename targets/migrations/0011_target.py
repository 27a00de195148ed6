"""What is reported apart from what is targeted (1 of 3): the `Target` model beside the
indicator's own fields, which become nullable so that going back can add them again before
the targets are copied onto them. Three migrations, not one: PostgreSQL refuses to alter a
table whose rows changed in the same transaction.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

AMOUNT = {"decimal_places": 6, "max_digits": 20}


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0010_submission_not_city_approved"),
    ]

    operations = [
        migrations.CreateModel(
            name="Target",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("wording", models.TextField(verbose_name="the plan's own wording")),
                (
                    "direction",
                    models.CharField(
                        choices=[("at_least", "at least"), ("at_most", "at most")],
                        default="at_least",
                        max_length=8,
                        verbose_name="direction",
                    ),
                ),
                (
                    "strict",
                    models.BooleanField(
                        default=False,
                        help_text=(
                            "For targets worded 突破/超过: met only when the value passes the "
                            "target."
                        ),
                        verbose_name="target must be exceeded",
                    ),
                ),
                (
                    "baseline_value",
                    models.DecimalField(
                        blank=True, null=True, verbose_name="baseline value", **AMOUNT
                    ),
                ),
                (
                    "baseline_year",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="baseline year"
                    ),
                ),
                (
                    "baseline_quarter",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(4),
                        ],
                        verbose_name="baseline quarter",
                    ),
                ),
                (
                    "value",
                    models.DecimalField(
                        blank=True, null=True, verbose_name="target value", **AMOUNT
                    ),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="target year"
                    ),
                ),
                (
                    "quarter",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(4),
                        ],
                        verbose_name="target quarter",
                    ),
                ),
                (
                    "indicator",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="target",
                        to="targets.indicator",
                        verbose_name="indicator",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="targets",
                        to="targets.plan",
                        verbose_name="plan",
                    ),
                ),
            ],
            options={
                "verbose_name": "target",
                "verbose_name_plural": "targets",
                "ordering": ["plan", "indicator__display_order"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("direction__in", ["at_least", "at_most"])),
                        name="target_direction_known",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("baseline_quarter__gte", 1), ("baseline_quarter__lte", 4)),
                            ("baseline_quarter__isnull", True),
                            _connector="OR",
                        ),
                        name="target_baseline_quarter_1_to_4",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("quarter__gte", 1), ("quarter__lte", 4)),
                            ("quarter__isnull", True),
                            _connector="OR",
                        ),
                        name="target_quarter_1_to_4",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("value__isnull", True),
                            models.Q(("quarter__isnull", False), ("year__isnull", False)),
                            _connector="OR",
                        ),
                        name="target_has_period",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="targetallocation",
            name="target",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="allocations",
                to="targets.target",
                verbose_name="target",
            ),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="plan",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="indicators",
                to="targets.plan",
                verbose_name="plan",
            ),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="wording",
            field=models.TextField(null=True, verbose_name="the plan's own wording"),
        ),
        migrations.AlterField(
            model_name="targetallocation",
            name="indicator",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="allocations",
                to="targets.indicator",
                verbose_name="indicator",
            ),
        ),
    ]
