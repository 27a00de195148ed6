from django.urls import path

from reports import dashboards, evaluation_views, sources_views, views

# The "quarter" and "reporter" converters are registered by targets.urls, included first.

urlpatterns = [
    path("api/progress/", views.progress_api, name="progress_api"),
    path("api/progress/sources/", sources_views.sources_api, name="sources_api"),
    path("dashboard/changes/", sources_views.changes_page, name="changes"),
    path(
        "dashboard/sources/<slug:code>/<reporter:scope>/<quarter:quarter>/",
        sources_views.sources_page,
        name="sources",
    ),
    path("methodology/", views.methodology, name="methodology"),
    path("dashboard/", dashboards.overview, name="overview"),
    path("dashboard/map/", dashboards.map_dashboard, name="map"),
    path(
        "dashboard/plans/<slug:code>/final/",
        evaluation_views.final_evaluation,
        name="final_evaluation",
    ),
    path(
        "dashboard/plans/<slug:code>/final/conclude/",
        evaluation_views.conclude_plan,
        name="conclude_plan",
    ),
    path("dashboard/summary/", views.province_summary, name="province_summary"),
    path(
        "dashboard/indicators/<slug:code>/summary/",
        views.indicator_summary,
        name="indicator_summary",
    ),
    path(
        "dashboard/prefectures/<str:code>/summary/",
        views.prefecture_summary,
        name="prefecture_summary",
    ),
    path(
        "dashboard/indicators/<slug:code>/",
        dashboards.indicator_dashboard,
        name="indicator_dashboard",
    ),
    path(
        "dashboard/prefectures/<str:code>/",
        dashboards.prefecture_dashboard,
        name="prefecture_dashboard",
    ),
]
