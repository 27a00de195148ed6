"""Links to where figures come from: a result's sources page, what changed since a moment.

With `absolute`, the link carries the site's address (SITE_URL), for PDFs read away from it.
"""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from targets.models import Progress

register = template.Library()


@register.simple_tag
def sources_url(indicator, prefecture, period, at=None, absolute=False) -> str:
    """{% sources_url indicator prefecture period [at] %}: the sources of that result, as
    published at `at` (default: now); prefecture None for the province."""
    url = reverse("sources", args=[indicator.code, prefecture or "province", period.as_quarter])
    if at is not None:
        url += "?" + urlencode({"as_of": timezone.localtime(at).isoformat()})
    return settings.SITE_URL + url if absolute else url


@register.simple_tag
def changes_url(scope, period, since, absolute=False) -> str:
    """{% changes_url scope period since %}: what changed in a summary's figures since then."""
    query = {
        "since": timezone.localtime(since).isoformat(),
        "scope": scope.key,
        "quarter": str(period.as_quarter),
    }
    url = reverse("changes") + "?" + urlencode(query)
    return settings.SITE_URL + url if absolute else url


@register.filter
def status_label(status: str) -> str:
    return Progress.Status(status).label
