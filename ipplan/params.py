"""Query parameters read as what they stand for; anything else is a 400 in the user's language.

Views call these rather than int() or a membership test of their own, so that no query
string can turn into a server error and every refusal reads the same.
"""

import re

from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils.translation import gettext as _

WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")


class BadParameter(BadRequest):
    """Part of a request (path, query, form) that means nothing here.

    Its message is for the user: the 400 page (or the API's JSON) shows it.
    """


class NotOnRecord(Http404):
    """Something the request names (a quarter, an indicator, a city) that does not exist here.

    Its message is for the user: the 404 page shows it instead of "no page at this address".
    """


def whole_number(request, name: str, *, minimum: int, maximum: int) -> int | None:
    """`?name=` as an int from `minimum` to `maximum`; None when absent or empty.

    Raises BadParameter for anything else (decimals, exponents, words, out of range).
    """
    text = request.GET.get(name, "").strip()
    if not text:
        return None
    if not WHOLE_NUMBER.fullmatch(text) or not minimum <= int(text) <= maximum:
        raise BadParameter(
            _("“%(name)s” must be a whole number from %(minimum)s to %(maximum)s.")
            % {"name": name, "minimum": minimum, "maximum": maximum}
        )
    return int(text)


def one_of(request, name: str, choices) -> str | None:
    """`?name=` when it is one of `choices` (strings); None when absent or empty.

    Raises BadParameter for any other value.
    """
    value = request.GET.get(name, "")
    if not value:
        return None
    if value not in choices:
        raise BadParameter(
            _("“%(name)s” must be one of: %(choices)s.")
            % {"name": name, "choices": ", ".join(choices)}
        )
    return value
