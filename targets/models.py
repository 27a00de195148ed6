from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from targets.periods import Quarter

AMOUNT = {"max_digits": 20, "decimal_places": 6}


def in_english() -> bool:
    return (get_language() or "").startswith("en")


class Plan(models.Model):
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Names the plan in addresses.")
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300)
    document_number = models.CharField(_("document number"), max_length=50, unique=True)
    start_date = models.DateField(_("start date"))
    target_date = models.DateField(_("target date"))

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__gt=models.F("start_date")),
                name="plan_target_after_start",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return self.title_en if in_english() else self.title_zh

    @property
    def concluded(self) -> bool:
        """Whether its target date has passed: it then has a final evaluation (终期评估)."""
        return timezone.localdate() > self.target_date


class Prefecture(models.Model):
    code = models.CharField(
        _("division code"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("A division code has six digits."))],
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=50, unique=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), unique=True)

    class Meta:
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")
        ordering = ["display_order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}$"), name="prefecture_code_6_digits"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if in_english() else self.name_zh


class PopulationFigure(models.Model):
    prefecture = models.ForeignKey(
        Prefecture, models.CASCADE, related_name="populations", verbose_name=_("prefecture")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.BigIntegerField(_("resident population"))
    source = models.CharField(_("source"), max_length=200)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["prefecture", "year"]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "year"], name="one_population_per_year"),
            models.CheckConstraint(condition=Q(population__gte=0), name="population_not_negative"),
        ]

    def __str__(self):
        return f"{self.prefecture} {self.year}: {self.population}"


class IndicatorKind(models.TextChoices):
    STOCK = "stock", _("stock (value at period end)")
    FLOW = "flow", _("flow (year to date)")
    CUMULATIVE = "cumulative", _("cumulative since the plan's start")
    RATIO = "ratio", _("ratio")
    COVERAGE = "coverage", _("coverage of cities")
    MILESTONE = "milestone", _("milestone")
    RANK = "rank", _("national rank")


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class ReportedBy(models.TextChoices):
    CITIES = "cities", _("cities")
    PROVINCE = "province", _("province only")


class IndicatorQuerySet(models.QuerySet):
    def reported_by(self, prefecture):
        """The indicators in a city's form, or, for None, in the province's own form."""
        reporter = ReportedBy.PROVINCE if prefecture is None else ReportedBy.CITIES
        return self.filter(reported_by=reporter).order_by("display_order")

    def asked_for(self, prefecture, quarter: Quarter):
        """The indicators a reporter's sheet for `quarter` asks for (form, Excel sheet):
        those of `reported_by` that are reported by then (see `with_first_reported`)."""
        return (
            self.reported_by(prefecture)
            .with_first_reported()
            .filter(Q(first_reported__isnull=True) | Q(first_reported__lte=quarter.end_date))
        )

    def with_first_reported(self):
        """Each indicator with `first_reported`: the day the first plan tracking it started
        (None when no plan tracks it). A series is reported from then on, whatever plans
        follow, and never for the quarters before: a city is not asked for a figure nobody
        tracked then."""
        return self.annotate(first_reported=models.Min("targets__plan__start_date"))


class Indicator(models.Model):
    """A reported series (统计指标): what cities or the province report each quarter, apart
    from what any plan sets on it (see `Target`)."""

    Kind = IndicatorKind
    ReportedBy = ReportedBy

    code = models.SlugField(_("code"), max_length=60, unique=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    unit_zh = models.CharField(_("unit (Chinese)"), max_length=20, blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=IndicatorKind)
    reported_by = models.CharField(_("reported by"), max_length=8, choices=ReportedBy)
    decimals = models.PositiveSmallIntegerField(
        _("decimal places"), default=0, validators=[MaxValueValidator(6)]
    )
    numerator_zh = models.CharField(_("numerator (Chinese)"), max_length=100, blank=True)
    numerator_en = models.CharField(_("numerator (English)"), max_length=100, blank=True)
    denominator_zh = models.CharField(_("denominator (Chinese)"), max_length=100, blank=True)
    denominator_en = models.CharField(_("denominator (English)"), max_length=100, blank=True)
    per_10k_residents = models.BooleanField(
        _("per 10 000 residents"),
        default=False,
        help_text=_("The denominator is the resident population on record, not a reported figure."),
    )
    # Set in the same transaction as any change its stored progress must follow, cleared by
    # the recompute that follows it: a recompute that never ran is still owed.
    progress_stale = models.BooleanField(
        _("progress to be recomputed"), default=False, editable=False
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["display_order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=IndicatorKind.values), name="indicator_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(reported_by__in=ReportedBy.values), name="indicator_reporter_known"
            ),
            models.CheckConstraint(condition=Q(decimals__lte=6), name="indicator_decimals_0_to_6"),
            models.CheckConstraint(
                condition=~Q(kind="ratio") | Q(per_10k_residents=True) | ~Q(denominator_zh=""),
                name="indicator_ratio_has_denominator",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if in_english() else self.name_zh

    @property
    def unit(self):
        return self.unit_en if in_english() else self.unit_zh

    @property
    def numerator(self):
        return self.numerator_en if in_english() else self.numerator_zh

    @property
    def denominator(self):
        return self.denominator_en if in_english() else self.denominator_zh

    # The target of the plan in view, for the pages and forms that show a series with it:
    # set by `targets.plans.with_targets` (None: the plan does not track this series).
    plan_target = None

    @property
    def target_value(self) -> Decimal | None:
        """The value the plan in view sets; None when it sets none or does not track this."""
        return self.plan_target.value if self.plan_target else None

    @property
    def has_target(self) -> bool:
        return self.target_value is not None

    @property
    def target_period(self) -> Quarter | None:
        """The quarter the target of the plan in view falls due, with `target_value`."""
        return self.plan_target.period if self.plan_target else None


class Target(models.Model):
    """What a plan sets on a series it tracks: the value to reach by a quarter (none: tracked
    without a target), its direction, the baseline and the plan's own wording. Plans that
    succeed one another may each set their own target on the same series."""

    Direction = Direction

    plan = models.ForeignKey(Plan, models.PROTECT, related_name="targets", verbose_name=_("plan"))
    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    display_order = models.PositiveSmallIntegerField(_("display order"))
    wording = models.TextField(_("the plan's own wording"))
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction, default=Direction.AT_LEAST
    )
    strict = models.BooleanField(
        _("target must be exceeded"),
        default=False,
        help_text=_("For targets worded 突破/超过: met only when the value passes the target."),
    )
    baseline_value = models.DecimalField(_("baseline value"), **AMOUNT, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    baseline_quarter = models.PositiveSmallIntegerField(
        _("baseline quarter"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    value = models.DecimalField(_("target value"), **AMOUNT, null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    quarter = models.PositiveSmallIntegerField(
        _("target quarter"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )

    class Meta:
        verbose_name = pgettext_lazy("what a plan sets on a series", "target")
        verbose_name_plural = pgettext_lazy("what a plan sets on series", "targets")
        ordering = ["plan", "display_order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "indicator"], name="one_target_per_series"),
            models.UniqueConstraint(fields=["plan", "display_order"], name="one_target_per_place"),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="target_direction_known"
            ),
            models.CheckConstraint(
                condition=Q(baseline_quarter__gte=1, baseline_quarter__lte=4)
                | Q(baseline_quarter__isnull=True),
                name="target_baseline_quarter_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4) | Q(quarter__isnull=True),
                name="target_quarter_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(year__isnull=False, quarter__isnull=False),
                name="target_has_period",
            ),
        ]

    def __str__(self):
        return f"{self.plan.document_number} · {self.indicator}"

    @property
    def has_value(self) -> bool:
        return self.value is not None

    @property
    def period(self) -> Quarter | None:
        return Quarter(self.year, self.quarter) if self.has_value else None

    @property
    def baseline_period(self) -> Quarter | None:
        if self.baseline_year is None:
            return None
        return Quarter(self.baseline_year, self.baseline_quarter or 4)


class InterimTarget(models.Model):
    """A value a target sets on the way (e.g. a 2020 mid-term value): the expected path runs
    from the baseline through each interim target to the target (see the methodology page)."""

    target = models.ForeignKey(
        Target,
        models.CASCADE,
        related_name="interim_targets",
        verbose_name=pgettext_lazy("what a plan sets on a series", "target"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    value = models.DecimalField(_("interim value"), **AMOUNT)

    class Meta:
        verbose_name = _("interim target")
        verbose_name_plural = _("interim targets")
        ordering = ["target", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "year", "quarter"], name="one_interim_target_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="interim_quarter_1_to_4"
            ),
        ]

    def __str__(self):
        return f"{self.target} · {self.period}: {self.value}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)


class TargetChange(models.Model):
    """A mid-term adjustment (中期调整): a started plan's target value or date changed, with
    what it was and became, the first quarter judged against the new one, who, when and why.
    Quarters before `effective` stay judged against the old target (see the methodology
    page); recorded by `targets.adjustments`, never edited."""

    target = models.ForeignKey(
        Target,
        models.CASCADE,
        related_name="changes",
        verbose_name=pgettext_lazy("what a plan sets on a series", "target"),
    )
    effective_year = models.PositiveSmallIntegerField(_("effective from year"))
    effective_quarter = models.PositiveSmallIntegerField(
        _("effective from quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    old_value = models.DecimalField(_("old target value"), **AMOUNT, null=True, blank=True)
    old_year = models.PositiveSmallIntegerField(_("old target year"), null=True, blank=True)
    old_quarter = models.PositiveSmallIntegerField(_("old target quarter"), null=True, blank=True)
    new_value = models.DecimalField(_("new target value"), **AMOUNT, null=True, blank=True)
    new_year = models.PositiveSmallIntegerField(_("new target year"), null=True, blank=True)
    new_quarter = models.PositiveSmallIntegerField(_("new target quarter"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("mid-term adjustment")
        verbose_name_plural = _("mid-term adjustments")
        ordering = ["target", "effective_year", "effective_quarter", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_quarter__gte=1, effective_quarter__lte=4),
                name="target_change_quarter_1_to_4",
            ),
        ]

    def __str__(self):
        return f"{self.target} · {self.effective}"

    @property
    def effective(self) -> Quarter:
        return Quarter(self.effective_year, self.effective_quarter)

    @property
    def old_period(self) -> Quarter | None:
        return Quarter(self.old_year, self.old_quarter) if self.old_value is not None else None

    @property
    def new_period(self) -> Quarter | None:
        return Quarter(self.new_year, self.new_quarter) if self.new_value is not None else None


class TargetAllocation(models.Model):
    """A city's share of a province target (目标任务分解)."""

    target = models.ForeignKey(
        Target,
        models.CASCADE,
        related_name="allocations",
        verbose_name=pgettext_lazy("what a plan sets on a series", "target"),
    )
    prefecture = models.ForeignKey(
        Prefecture, models.CASCADE, related_name="allocations", verbose_name=_("prefecture")
    )
    value = models.DecimalField(_("allocated target"), **AMOUNT)

    class Meta:
        verbose_name = _("target allocation")
        verbose_name_plural = _("target allocations")
        ordering = ["target", "prefecture"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "prefecture"], name="one_allocation_per_city"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="allocation_not_negative"),
        ]

    def __str__(self):
        return f"{self.target} · {self.prefecture}: {self.value}"

    @classmethod
    def of(cls, prefecture, plan) -> dict[int, Decimal]:
        """A reporter's own targets in `plan` by indicator id; none for the province
        (`None`)."""
        if prefecture is None:
            return {}
        allocations = cls.objects.filter(prefecture=prefecture, target__plan=plan)
        return dict(allocations.values_list("target__indicator", "value"))


class ReportingPeriod(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    is_open = models.BooleanField(_("open for reporting"), default=True)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="one_period_per_quarter"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="period_quarter_1_to_4"
            ),
        ]

    def __str__(self):
        return str(self.as_quarter)

    @property
    def as_quarter(self) -> Quarter:
        return Quarter(self.year, self.quarter)


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")


class Submission(models.Model):
    """One city's figures for one quarter; with no prefecture, the province's own figures."""

    Status = SubmissionStatus

    prefecture = models.ForeignKey(
        Prefecture,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("prefecture"),
        help_text=_("Empty for the province's own figures."),
    )
    period = models.ForeignKey(
        ReportingPeriod, models.PROTECT, related_name="submissions", verbose_name=_("period")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SubmissionStatus, default=SubmissionStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Lateness is judged on the first submission: a later return, reopening or correction
    # asked for by the province does not make a city late.
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
        help_text=_("Who approved or returned it last."),
    )
    review_started_at = models.DateTimeField(
        _("review started at"),
        null=True,
        blank=True,
        help_text=_(
            "When provincial staff first opened the submitted quarter for review; from then on "
            "the city can no longer withdraw it."
        ),
    )
    review_started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review started by"),
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    reopened = models.BooleanField(
        _("reopened"),
        default=False,
        help_text=_("Provincial staff reopened it: the city may edit it even in a closed quarter."),
    )

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["period", "prefecture"]
        # The overview and every city's page ask what waits for provincial staff
        # (reminders.notices): it reads the submissions other than the cities' approved
        # quarters, a few among thousands, which an index of those alone finds at once.
        indexes = [
            models.Index(
                fields=["period"],
                condition=~Q(prefecture__isnull=False, status=SubmissionStatus.APPROVED),
                name="submission_not_city_approved",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "period"],
                condition=Q(prefecture__isnull=False),
                name="one_submission_per_city_and_period",
            ),
            # A unique constraint over a NULL prefecture would let the province in twice.
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(prefecture__isnull=True),
                name="one_province_submission_per_period",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SubmissionStatus.values), name="submission_status_known"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="submission_version_from_1"),
        ]

    def __str__(self):
        return f"{self.reporter} · {self.period}"

    @property
    def reporter(self):
        return self.prefecture.name if self.prefecture else _("Province")


class FigureQuerySet(models.QuerySet):
    def approved(self):
        """Figures that have been approved at least once: all that downstream work reads."""
        return self.filter(approved_at__isnull=False)


class Figure(models.Model):
    submission = models.ForeignKey(
        Submission, models.CASCADE, related_name="figures", verbose_name=_("submission")
    )
    indicator = models.ForeignKey(
        Indicator, models.PROTECT, related_name="figures", verbose_name=_("indicator")
    )
    value = models.DecimalField(_("value"), **AMOUNT, null=True, blank=True)
    denominator = models.DecimalField(_("denominator"), **AMOUNT, null=True, blank=True)
    nothing_to_report = models.BooleanField(_("nothing to report"), default=False)
    note = models.TextField(_("note"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    # What was last approved stays published while the working copy above is reopened and
    # edited: progress, charts and exports read only these.
    approved_value = models.DecimalField(_("approved value"), **AMOUNT, null=True, blank=True)
    approved_denominator = models.DecimalField(
        _("approved denominator"), **AMOUNT, null=True, blank=True
    )
    approved_nothing_to_report = models.BooleanField(
        _("approved as nothing to report"), default=False
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    objects = FigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        ordering = ["submission", "indicator"]
        # Every page asks whether demo figures exist (the banner): an index of those alone
        # answers at once, and is empty in production.
        indexes = [
            models.Index(fields=["is_demo"], condition=Q(is_demo=True), name="figure_demo_only")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "indicator"], name="one_figure_per_indicator"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="figure_value_not_negative"),
            models.CheckConstraint(
                condition=Q(denominator__gte=0), name="figure_denominator_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(nothing_to_report=False) | Q(value__isnull=True),
                name="figure_nothing_to_report_has_no_value",
            ),
            models.CheckConstraint(
                condition=Q(approved_value__gte=0), name="figure_approved_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(approved_denominator__gte=0),
                name="figure_approved_denominator_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.submission} · {self.indicator.code}"


class SubmissionEvent(models.Model):
    """One step in a submission's life: who did what, when, and why. Never edited."""

    class Action(models.TextChoices):
        SAVED = "saved", pgettext_lazy("action", "save")
        SUBMITTED = "submitted", pgettext_lazy("action", "submit")
        APPROVED = "approved", pgettext_lazy("action", "approve")
        RETURNED = "returned", pgettext_lazy("action", "return")
        REOPENED = "reopened", pgettext_lazy("action", "reopen")
        WITHDRAWN = "withdrawn", pgettext_lazy("action", "withdraw")

    submission = models.ForeignKey(
        Submission, models.PROTECT, related_name="events", verbose_name=_("submission")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action)
    from_status = models.CharField(_("from status"), max_length=10, choices=SubmissionStatus)
    to_status = models.CharField(_("to status"), max_length=10, choices=SubmissionStatus)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.submission} · {self.get_action_display()}"


class FigureRevision(models.Model):
    """One change to a figure's working values: old and new, who, when, why. Never edited."""

    figure = models.ForeignKey(
        Figure, models.PROTECT, related_name="revisions", verbose_name=_("figure")
    )
    version = models.PositiveIntegerField(_("submission version it created"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    old_value = models.DecimalField(_("old value"), **AMOUNT, null=True, blank=True)
    new_value = models.DecimalField(_("new value"), **AMOUNT, null=True, blank=True)
    old_denominator = models.DecimalField(_("old denominator"), **AMOUNT, null=True, blank=True)
    new_denominator = models.DecimalField(_("new denominator"), **AMOUNT, null=True, blank=True)
    old_nothing_to_report = models.BooleanField(_("was nothing to report"), default=False)
    new_nothing_to_report = models.BooleanField(_("now nothing to report"), default=False)
    old_note = models.TextField(_("old note"), blank=True)
    new_note = models.TextField(_("new note"), blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("figure revision")
        verbose_name_plural = _("figure revisions")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.figure} · v{self.version}"

    @property
    def own_reason(self) -> str:
        """The reason, but not when it is the new note itself (a note stands in for the
        reason of a changed approved figure): pages show that as the note's change."""
        if self.reason == self.new_note and self.old_note != self.new_note:
            return ""
        return self.reason

    @property
    def changes_entry(self) -> bool:
        """Whether the figure itself changed, rather than its note alone."""
        return (self.old_value, self.old_denominator, self.old_nothing_to_report) != (
            self.new_value,
            self.new_denominator,
            self.new_nothing_to_report,
        )


class ProgressStatus(models.TextChoices):
    ACHIEVED = "achieved", _("achieved")
    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    OFF_TRACK = "off_track", _("off track")
    INCOMPLETE = "incomplete", _("incomplete")
    NO_TARGET = "no_target", _("no target")
    NO_DATA = "no_data", _("no data")


class GrowthCategory(models.TextChoices):
    ACHIEVED = "achieved", _("target achieved")
    SUBSTANTIAL = "substantial", _("substantial progress")
    MODERATE = "moderate", _("moderate progress")
    LIMITED = "limited", _("limited progress")
    DETERIORATION = "deterioration", _("deterioration")


class ProgressQuerySet(models.QuerySet):
    def for_period(self, quarter: Quarter):
        """One quarter's stored results in display order, as exports and the API list them."""
        return (
            self.filter(period__year=quarter.year, period__quarter=quarter.quarter)
            .select_related("indicator", "prefecture", "period", "plan")
            .order_by(
                "plan__start_date",
                "indicator__display_order",
                models.F("prefecture__display_order").asc(nulls_first=True),
            )
        )


class Progress(models.Model):
    """What the progress engine computed for one plan's target on one series, scope and
    quarter.

    Written only by `targets.recompute`; pages, exports and PDFs read these rows.
    """

    Status = ProgressStatus
    Growth = GrowthCategory

    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="progress", verbose_name=_("indicator")
    )
    # No index of its own: a handful of plans share every row, so it never narrows a read,
    # and SQLite (which keeps no statistics) would take it over the unique indexes below,
    # reading a whole plan's rows to find a few.
    plan = models.ForeignKey(
        Plan, models.CASCADE, related_name="+", db_index=False, verbose_name=_("plan")
    )
    prefecture = models.ForeignKey(
        Prefecture,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="progress",
        verbose_name=_("prefecture"),
        help_text=_("Empty for the province."),
    )
    period = models.ForeignKey(
        ReportingPeriod, models.CASCADE, related_name="progress", verbose_name=_("period")
    )
    actual = models.DecimalField(_("actual"), **AMOUNT, null=True)
    target = models.DecimalField(_("target"), **AMOUNT, null=True)
    gap = models.DecimalField(_("gap to target"), **AMOUNT, null=True)
    percent_of_target = models.DecimalField(_("percent of target"), **AMOUNT, null=True)
    expected = models.DecimalField(_("expected by now"), **AMOUNT, null=True)
    pace_needed = models.DecimalField(_("pace needed per quarter"), **AMOUNT, null=True)
    projection = models.DecimalField(_("projection at the target date"), **AMOUNT, null=True)
    projection_reaches = models.CharField(
        _("quarter the projection reaches the target"), max_length=6, blank=True
    )
    status = models.CharField(_("status"), max_length=10, choices=ProgressStatus)
    growth_ratio = models.DecimalField(_("growth ratio"), **AMOUNT, null=True)
    growth_category = models.CharField(
        _("growth category"), max_length=13, choices=GrowthCategory, blank=True
    )
    coverage_ratio = models.DecimalField(_("share of cities covered"), **AMOUNT, null=True)
    share_of_province = models.DecimalField(_("share of the province (%)"), **AMOUNT, null=True)
    complete = models.BooleanField(_("complete"))
    missing = models.JSONField(_("cities missing"), default=list, blank=True)
    uncovered = models.JSONField(_("cities not covered"), default=list, blank=True)
    data_version = models.CharField(_("data version"), max_length=64)
    computed_at = models.DateTimeField(_("computed at"))

    objects = ProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress result")
        verbose_name_plural = _("progress results")
        ordering = ["indicator", "period", "prefecture"]
        constraints = [
            # The plan last: reads of a series' rows, for every plan, use the same index.
            models.UniqueConstraint(
                fields=["indicator", "prefecture", "period", "plan"],
                condition=Q(prefecture__isnull=False),
                name="one_progress_per_city",
            ),
            # As for submissions: NULL never clashes in a unique constraint.
            models.UniqueConstraint(
                fields=["indicator", "period", "plan"],
                condition=Q(prefecture__isnull=True),
                name="one_progress_per_province",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProgressStatus.values), name="progress_status_known"
            ),
        ]

    def __str__(self):
        scope = self.prefecture or _("Province")
        return f"{self.indicator.code} · {scope} · {self.period}"

    @property
    def scope(self) -> str:
        return self.prefecture.code if self.prefecture else "province"

    def as_record(self) -> dict:
        """The export and API schema: numbers as numbers, or None."""
        return {
            "plan": self.plan.code,
            "indicator": self.indicator.code,
            "scope": self.scope,
            "period": str(self.period),
            "actual": _number(self.actual),
            "target": _number(self.target),
            "gap": _number(self.gap),
            "percent_of_target": _number(self.percent_of_target),
            "expected": _number(self.expected),
            "projection": _number(self.projection),
            "status": self.status,
            "complete": self.complete,
            "missing": list(self.missing),
        }


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class StaleProgress(models.Model):
    """The approved figures of one scope (a city, or the province's own) changed from one
    quarter on: the next recompute brings up to date the results they can change, and
    deletes the mark (see `targets.recompute`)."""

    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="+", verbose_name=_("indicator")
    )
    prefecture = models.ForeignKey(
        Prefecture,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prefecture"),
        help_text=_("Empty for the province."),
    )
    period = models.ForeignKey(
        ReportingPeriod, models.CASCADE, related_name="+", verbose_name=_("period")
    )

    class Meta:
        verbose_name = _("progress to bring up to date")
        verbose_name_plural = _("progress to bring up to date")

    def __str__(self):
        scope = self.prefecture or _("Province")
        return f"{self.indicator.code} · {scope} · {self.period}+"


class ReportingRule(models.Model):
    """The due-date rule provincial staff set on 报送期管理: a quarter is due this many days
    after it ends. One row (pk 1, created by the migration with 15 days). It applies to the
    periods created after it changed; an existing period keeps its due date."""

    MOST_DAYS = 180

    days_to_report = models.PositiveSmallIntegerField(
        _("days to report"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(MOST_DAYS)],
        help_text=_("A quarter is due this many days after it ends."),
    )
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("due-date rule")
        verbose_name_plural = _("due-date rules")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="one_reporting_rule"),
            models.CheckConstraint(
                condition=Q(days_to_report__gte=1, days_to_report__lte=180),
                name="reporting_rule_days_1_to_180",
            ),
        ]

    def __str__(self):
        return _("Due %(days)s days after the quarter ends") % {"days": self.days_to_report}


class FinalEvaluation(models.Model):
    """A concluded plan's final evaluation (终期评估), frozen when provincial staff conclude
    the plan: one `FinalResult` per target, copied from the stored results of the target's
    own quarter and never changed afterwards (see `reports.evaluation`)."""

    plan = models.OneToOneField(
        Plan, models.PROTECT, related_name="final_evaluation", verbose_name=_("plan")
    )
    evaluated_at = models.DateTimeField(_("frozen at"), default=timezone.now)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("frozen by")
    )

    class Meta:
        verbose_name = _("final evaluation")
        verbose_name_plural = _("final evaluations")
        ordering = ["plan"]

    def __str__(self):
        return f"{self.plan.document_number} · {self.evaluated_at:%Y-%m-%d}"


class FinalResult(models.Model):
    """One target's result at its own quarter (for a target without a value: the plan's
    last quarter) as it stood when the plan was concluded. Never edited."""

    evaluation = models.ForeignKey(
        FinalEvaluation,
        models.CASCADE,
        related_name="results",
        verbose_name=_("final evaluation"),
    )
    target = models.ForeignKey(
        Target,
        models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("what a plan sets on a series", "target"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    # The engine's status at that quarter; the final status is read from it.
    status = models.CharField(_("status"), max_length=10, choices=ProgressStatus)
    actual = models.DecimalField(_("actual"), **AMOUNT, null=True)
    target_value = models.DecimalField(_("target value"), **AMOUNT, null=True)
    gap = models.DecimalField(_("gap to target"), **AMOUNT, null=True)
    percent_of_target = models.DecimalField(_("percent of target"), **AMOUNT, null=True)
    complete = models.BooleanField(_("complete"))
    missing = models.JSONField(_("cities missing"), default=list, blank=True)
    cities_met = models.PositiveSmallIntegerField(
        _("cities that met their allocation"), null=True, blank=True
    )
    cities_allocated = models.PositiveSmallIntegerField(
        _("cities with an allocation"), null=True, blank=True
    )
    computed_at = models.DateTimeField(_("result computed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("final result")
        verbose_name_plural = _("final results")
        ordering = ["evaluation", "target__display_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "target"], name="one_final_result_per_target"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="final_result_quarter_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProgressStatus.values), name="final_result_status_known"
            ),
        ]

    def __str__(self):
        return f"{self.target} · {self.year}Q{self.quarter}"
