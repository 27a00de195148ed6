from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from ipplan.params import BadParameter

NUL = "\x00"


class RefuseNulMiddleware:
    """A 400 for a NUL character anywhere in the path, the query, a form field or a cookie.

    Nobody types one, and PostgreSQL refuses any text holding one: without this, a NUL in
    whatever a view looks up turns into a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            form = request.POST
        except MultiPartParserError:
            raise BadParameter(_("The form data could not be read.")) from None
        if (
            NUL in request.path
            or any(
                NUL in key or any(NUL in value for value in values)
                for data in (request.GET, form)
                for key, values in data.lists()
            )
            or any(NUL in key or NUL in value for key, value in request.COOKIES.items())
        ):
            raise BadParameter(_("The address or the form holds a character that is not allowed."))
        return self.get_response(request)
