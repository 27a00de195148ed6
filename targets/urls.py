from django.urls import path

from targets import views

urlpatterns = [
    path("", views.home, name="home"),
]
