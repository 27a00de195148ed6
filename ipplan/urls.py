from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

urlpatterns = [
    path("", include("targets.urls")),
    path("", include("reports.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = _("Guangdong IP Action Plan Tracker: administration")
admin.site.site_title = _("IP Action Plan Tracker")
