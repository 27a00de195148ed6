from django.urls import path

from reports import views

urlpatterns = [
    path("api/progress/", views.progress_api, name="progress_api"),
    path("methodology/", views.methodology, name="methodology"),
]
