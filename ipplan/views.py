from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from kombu import Connection

from ipplan.params import BadParameter, NotOnRecord

BROKER_TIMEOUT_SECONDS = 2
# Django's forms end every label with gettext(":"), which its own Chinese catalogue leaves
# half-width; naming it here puts it in ours, translated full-width (用户名：).
gettext_noop(":")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with Connection(
            settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS
        ) as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:
        return False


@never_cache
@login_not_required
def health(request):
    """For load balancers and monitoring: 200 when the database and the broker answer."""
    checks = {"database": "ok" if _database_ok() else "down"}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = "ok" if _broker_ok() else "down"
    else:
        checks["broker"] = "in-process"
    healthy = "down" not in checks.values()
    return JsonResponse(checks, status=200 if healthy else 503)


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the hashed file."""
    return redirect(static("favicon.ico"), permanent=True)


# Error pages. They render without the request's context, so that showing one needs no
# database; each shows the request id that the log records carry.
API_PREFIX = "/api/"


def error_page(request, status: int, title: str, message: str) -> HttpResponse:
    request_id = getattr(request, "id", None)
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"error": message, "request_id": request_id}, status=status)
    context = {"title": title, "message": message, "request_id": request_id}
    return HttpResponse(render_to_string("error.html", context), status=status)


def bad_request(request, exception):
    if isinstance(exception, BadParameter):
        message = str(exception)
    else:
        message = _("The request could not be understood.")
    return error_page(request, 400, _("Bad request"), message)


def permission_denied(request, exception):
    return error_page(
        request, 403, _("Not allowed"), _("Your account does not give access to this page.")
    )


def page_not_found(request, exception):
    if isinstance(exception, NotOnRecord):
        message = str(exception)
    else:
        message = _("There is no page at this address.")
    return error_page(request, 404, _("Not found"), message)


def server_error(request):
    return error_page(
        request,
        500,
        _("Something went wrong"),
        _(
            "The error has been recorded. If it happens again, tell the administrator "
            "the request id below."
        ),
    )


def csrf_failure(request, reason=""):
    return error_page(
        request,
        403,
        _("The form has expired"),
        _("The page was open too long or came from elsewhere. Reload it and try again."),
    )
