"""Login lockout: who is locked out after how many wrong passwords (django-axes).

axes compares one failure count with one limit. A city office behind one address, or every
user behind a reverse proxy, must not be locked out by someone guessing a colleague's
password, so the count that locks an account is that of its (username, address) pair; an
address guessing many usernames is stopped by a second, looser limit on the address alone.
axes' maintainers point to a handler of one's own for two limits (jazzband/django-axes#661).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length


class PairAndAddressHandler(AxesDatabaseHandler):
    """Locks a (username, address) pair after AXES_FAILURE_LIMIT failures, and an address
    after LOGIN_ADDRESS_FAILURE_LIMIT failures whatever the usernames tried from it."""

    def get_failures(self, request, credentials=None) -> int:
        pair = super().get_failures(request, credentials)
        if self._address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            # axes locks out when this count reaches its limit: report the address as there.
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def _address_failures(self, request) -> int:
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        )
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def username_tried(request, credentials) -> str | None:
    """The username a login attempt gave, cut to what axes stores (no account's is longer)."""
    data = credentials if credentials is not None else getattr(request, "data", request.POST)
    username = data.get("username")
    return username[:USERNAME_LENGTH] if isinstance(username, str) else username
