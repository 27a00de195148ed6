from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from targets.adjustments import adjustment
from targets.forms import QuarterField
from targets.models import (
    Figure,
    FigureRevision,
    Indicator,
    InterimTarget,
    Plan,
    PopulationFigure,
    Prefecture,
    ReportingPeriod,
    Submission,
    SubmissionEvent,
    Target,
    TargetAllocation,
    TargetChange,
)
from targets.periods import Quarter


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["document_number", "title_zh", "start_date", "target_date"]


class PopulationInline(admin.TabularInline):
    model = PopulationFigure
    extra = 0


@admin.register(Prefecture)
class PrefectureAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "display_order"]
    search_fields = ["code", "name_zh", "name_en"]
    inlines = [PopulationInline]


@admin.register(PopulationFigure)
class PopulationFigureAdmin(admin.ModelAdmin):
    list_display = ["prefecture", "year", "population", "source", "is_demo"]
    list_filter = ["year", "is_demo", "prefecture"]


class TargetForm(forms.ModelForm):
    """A target as the admin edits it: changing the value or date of a started plan's target
    is a mid-term adjustment (中期调整), which asks from which quarter and why, and is kept
    (see targets.adjustments)."""

    adjustment_effective = QuarterField(
        label=_("Adjustment takes effect from"),
        required=False,
        help_text=_(
            "Only when changing the value or date of a target whose plan has started: the "
            "first quarter judged against the new target, e.g. 2021Q3."
        ),
    )
    adjustment_reason = forms.CharField(
        label=_("Reason for the adjustment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Target
        fields = ["plan", "indicator", "display_order", "wording", "direction", "strict",
                  "baseline_value", "baseline_year", "baseline_quarter", "value", "year",
                  "quarter"]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        self.adjustment = None
        # Before _post_clean, the instance still holds the target as stored.
        if self.instance.pk is None or self.errors:
            return cleaned
        value, year, quarter = (cleaned.get(name) for name in ("value", "year", "quarter"))
        period = Quarter(year, quarter) if value is not None and year and quarter else None
        try:
            self.adjustment = adjustment(
                self.instance,
                value,
                period,
                cleaned.get("adjustment_effective"),
                cleaned.get("adjustment_reason") or "",
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(f"adjustment_{field}", messages)
        return cleaned

    def save_adjustment(self, model_admin, request) -> None:
        """Record the adjustment this form made, once the target itself is saved; warn that
        the cities' allocations, which an adjustment leaves as they are, may need one too."""
        if getattr(self, "adjustment", None) is None:
            return
        self.adjustment.by = request.user
        self.adjustment.save()
        if self.instance.allocations.exists():
            model_admin.message_user(
                request,
                _(
                    "The cities' allocations of this target are as they were: change them "
                    "below if they should follow the adjustment."
                ),
                messages.WARNING,
            )


class TargetInline(admin.StackedInline):
    model = Target
    form = TargetForm
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["display_order", "code", "name_zh", "kind", "unit_zh", "reported_by"]
    list_display_links = ["code", "name_zh"]
    list_filter = ["targets__plan", "kind", "reported_by"]
    search_fields = ["code", "name_zh", "name_en", "targets__wording"]
    inlines = [TargetInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for target_form in formset.forms:
            if isinstance(target_form, TargetForm):
                target_form.save_adjustment(self, request)


class InterimTargetInline(admin.TabularInline):
    model = InterimTarget
    extra = 0


class TargetAllocationInline(admin.TabularInline):
    model = TargetAllocation
    extra = 0


class TargetChangeInline(admin.TabularInline):
    """The target's mid-term adjustments: recorded by the form above, never edited."""

    model = TargetChange
    extra = 0
    fields = ["at", "by", "old_value", "old_year", "old_quarter", "new_value", "new_year",
              "new_quarter", "effective_year", "effective_quarter", "reason"]  # fmt: skip
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "plan", "direction", "value", "year", "quarter"]
    list_filter = ["plan"]
    search_fields = ["indicator__code", "indicator__name_zh", "indicator__name_en", "wording"]
    form = TargetForm
    inlines = [InterimTargetInline, TargetAllocationInline, TargetChangeInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        form.save_adjustment(self, request)


@admin.register(TargetAllocation)
class TargetAllocationAdmin(admin.ModelAdmin):
    list_display = ["target", "prefecture", "value"]
    list_filter = ["target__plan", "prefecture"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "due_date", "is_open"]
    list_filter = ["year", "is_open"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Figures and their history change only through the reporting forms, which keep
    a revision of every change; the admin shows them and never edits them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FigureInline(admin.TabularInline):
    model = Figure
    extra = 0
    fields = ["indicator", "value", "denominator", "nothing_to_report", "note", "approved_value"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["period", "prefecture", "status", "version", "submitted_at", "reviewed_at"]
    list_filter = ["status", "period", "prefecture"]
    list_select_related = ["period", "prefecture"]
    inlines = [FigureInline]


@admin.register(Figure)
class FigureAdmin(ReadOnlyAdmin):
    list_display = [
        "submission", "indicator", "value", "denominator", "nothing_to_report", "approved_value",
    ]  # fmt: skip
    list_filter = ["indicator", "is_demo"]
    list_select_related = ["submission__period", "submission__prefecture", "indicator"]


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "submission", "action", "by", "comment"]
    list_filter = ["action"]
    list_select_related = ["submission__period", "submission__prefecture", "by"]


@admin.register(FigureRevision)
class FigureRevisionAdmin(ReadOnlyAdmin):
    list_display = ["at", "figure", "old_value", "new_value", "by", "reason"]
    list_select_related = ["figure__indicator", "figure__submission__period", "by"]


@admin.register(TargetChange)
class TargetChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "target", "old_value", "new_value", "effective", "by", "reason"]
    list_filter = ["target__plan"]
    list_select_related = ["target__plan", "target__indicator", "by"]
