from django.contrib import admin

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
)


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


class TargetInline(admin.StackedInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["display_order", "code", "name_zh", "kind", "unit_zh", "reported_by"]
    list_display_links = ["code", "name_zh"]
    list_filter = ["targets__plan", "kind", "reported_by"]
    search_fields = ["code", "name_zh", "name_en", "targets__wording"]
    inlines = [TargetInline]


class InterimTargetInline(admin.TabularInline):
    model = InterimTarget
    extra = 0


class TargetAllocationInline(admin.TabularInline):
    model = TargetAllocation
    extra = 0


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "plan", "direction", "value", "year", "quarter"]
    list_filter = ["plan"]
    search_fields = ["indicator__code", "indicator__name_zh", "indicator__name_en", "wording"]
    inlines = [InterimTargetInline, TargetAllocationInline]


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
