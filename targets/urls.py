from django.urls import path, register_converter

from reports.dashboards import landing
from targets import bulk_views, period_views, plan_views, views
from targets.converters import QuarterConverter, ReporterConverter

register_converter(QuarterConverter, "quarter")
register_converter(ReporterConverter, "reporter")

urlpatterns = [
    path("", landing, name="home"),
    path("plan/", views.plan, name="plan"),
    path("plan/choose/", views.choose_plan, name="choose_plan"),
    path("plan/load/", plan_views.plan_upload, name="plan_upload"),
    path("plan/load/confirm/", plan_views.plan_upload_confirm, name="plan_upload_confirm"),
    path("report/<reporter:reporter>/", views.quarters, name="quarters"),
    path("report/<reporter:reporter>/<quarter:quarter>/", views.quarter_form, name="quarter_form"),
    path(
        "report/<reporter:reporter>/<quarter:quarter>/withdraw/",
        views.withdraw,
        name="withdraw",
    ),
    path(
        "report/<reporter:reporter>/<quarter:quarter>/history/",
        views.submission_history,
        name="submission_history",
    ),
    path(
        "report/<reporter:reporter>/<quarter:quarter>/history/<slug:indicator>/",
        views.figure_history,
        name="figure_history",
    ),
    path(
        "report/<reporter:reporter>/<quarter:quarter>/sheet.xlsx",
        bulk_views.quarter_workbook_download,
        name="quarter_workbook",
    ),
    path(
        "report/<reporter:reporter>/<quarter:quarter>/upload/",
        bulk_views.quarter_upload,
        name="quarter_upload",
    ),
    path(
        "report/<reporter:reporter>/<quarter:quarter>/upload/confirm/",
        bulk_views.quarter_upload_confirm,
        name="quarter_upload_confirm",
    ),
    path("import/", bulk_views.csv_import, name="csv_import"),
    path("import/confirm/", bulk_views.csv_import_confirm, name="csv_import_confirm"),
    path("completeness/", bulk_views.completeness, name="completeness"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<reporter:reporter>/<quarter:quarter>/", views.review, name="review"),
    path("review/<reporter:reporter>/<quarter:quarter>/reopen/", views.reopen, name="reopen"),
    path("periods/", period_views.periods, name="periods"),
    path("periods/add/", period_views.periods_add, name="periods_add"),
    path("periods/rule/", period_views.rule_update, name="period_rule"),
    path("audit/", views.audit, name="audit"),
    path("periods/<quarter:quarter>/", period_views.period_update, name="period_update"),
]
