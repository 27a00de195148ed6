from django.contrib import admin

from targets.models import (
    Figure,
    Indicator,
    Plan,
    PopulationFigure,
    Prefecture,
    ReportingPeriod,
    Submission,
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


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "display_order",
        "code",
        "name_zh",
        "kind",
        "direction",
        "target_value",
        "unit_zh",
        "reported_by",
    ]
    list_display_links = ["code", "name_zh"]
    list_filter = ["plan", "kind", "reported_by"]
    search_fields = ["code", "name_zh", "name_en", "wording"]


@admin.register(TargetAllocation)
class TargetAllocationAdmin(admin.ModelAdmin):
    list_display = ["indicator", "prefecture", "value"]
    list_filter = ["indicator", "prefecture"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "due_date", "is_open"]
    list_filter = ["year", "is_open"]


class FigureInline(admin.TabularInline):
    model = Figure
    extra = 0
    raw_id_fields = ["indicator"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["period", "prefecture", "status", "version", "submitted_at", "reviewed_at"]
    list_filter = ["status", "period", "prefecture"]
    list_select_related = ["period", "prefecture"]
    raw_id_fields = ["created_by", "submitted_by", "reviewed_by"]
    inlines = [FigureInline]


@admin.register(Figure)
class FigureAdmin(admin.ModelAdmin):
    list_display = [
        "submission",
        "indicator",
        "value",
        "denominator",
        "nothing_to_report",
        "is_demo",
    ]
    list_filter = ["indicator", "is_demo"]
    list_select_related = ["submission__period", "submission__prefecture", "indicator"]
    raw_id_fields = ["submission"]
