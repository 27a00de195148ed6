"""Plans over time: a concluded plan's final evaluation (终期评估), frozen once."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0017_reporting_rule"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="FinalEvaluation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "evaluated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="frozen at"
                    ),
                ),
                (
                    "evaluated_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="frozen by",
                    ),
                ),
                (
                    "plan",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="final_evaluation",
                        to="targets.plan",
                        verbose_name="plan",
                    ),
                ),
            ],
            options={
                "verbose_name": "final evaluation",
                "verbose_name_plural": "final evaluations",
                "ordering": ["plan"],
            },
        ),
        migrations.CreateModel(
            name="FinalResult",
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
                    "status",
                    models.CharField(
                        choices=[
                            ("achieved", "achieved"),
                            ("on_track", "on track"),
                            ("at_risk", "at risk"),
                            ("off_track", "off track"),
                            ("incomplete", "incomplete"),
                            ("no_target", "no target"),
                            ("no_data", "no data"),
                        ],
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "actual",
                    models.DecimalField(
                        decimal_places=6, max_digits=20, null=True, verbose_name="actual"
                    ),
                ),
                (
                    "target_value",
                    models.DecimalField(
                        decimal_places=6, max_digits=20, null=True, verbose_name="target value"
                    ),
                ),
                (
                    "gap",
                    models.DecimalField(
                        decimal_places=6, max_digits=20, null=True, verbose_name="gap to target"
                    ),
                ),
                (
                    "percent_of_target",
                    models.DecimalField(
                        decimal_places=6, max_digits=20, null=True, verbose_name="percent of target"
                    ),
                ),
                ("complete", models.BooleanField(verbose_name="complete")),
                (
                    "missing",
                    models.JSONField(blank=True, default=list, verbose_name="cities missing"),
                ),
                (
                    "cities_met",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="cities that met their allocation"
                    ),
                ),
                (
                    "cities_allocated",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="cities with an allocation"
                    ),
                ),
                (
                    "computed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="result computed at"),
                ),
                (
                    "evaluation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="results",
                        to="targets.finalevaluation",
                        verbose_name="final evaluation",
                    ),
                ),
                (
                    "target",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="targets.target",
                        verbose_name="target",
                    ),
                ),
            ],
            options={
                "verbose_name": "final result",
                "verbose_name_plural": "final results",
                "ordering": ["evaluation", "target__display_order"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("evaluation", "target"), name="one_final_result_per_target"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("quarter__gte", 1), ("quarter__lte", 4)),
                        name="final_result_quarter_1_to_4",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "status__in",
                                [
                                    "achieved",
                                    "on_track",
                                    "at_risk",
                                    "off_track",
                                    "incomplete",
                                    "no_target",
                                    "no_data",
                                ],
                            )
                        ),
                        name="final_result_status_known",
                    ),
                ],
            },
        ),
    ]
