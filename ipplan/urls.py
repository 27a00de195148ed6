from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from accounts.views import preferences
from ipplan.views import favicon, health

urlpatterns = [
    path("", include("targets.urls")),
    path("accounts/preferences/", preferences, name="preferences"),
    # Only these of django.contrib.auth's views: password resets by e-mail are not offered.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("reports.urls")),
    path("", include("evidence.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
]

admin.site.site_header = _("Guangdong IP Action Plan Tracker: administration")
admin.site.site_title = _("IP Action Plan Tracker")

handler400 = "ipplan.views.bad_request"
handler403 = "ipplan.views.permission_denied"
handler404 = "ipplan.views.page_not_found"
handler500 = "ipplan.views.server_error"
