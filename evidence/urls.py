from django.urls import path

from evidence import views

# The "quarter" and "reporter" converters are registered by targets.urls, included first.
urlpatterns = [
    path(
        "report/<reporter:reporter>/<quarter:quarter>/evidence/",
        views.upload,
        name="evidence_upload",
    ),
    path(
        "review/<reporter:reporter>/<quarter:quarter>/ask-for-evidence/",
        views.ask,
        name="evidence_ask",
    ),
    path("evidence/<int:pk>/", views.download, name="evidence_download"),
]
