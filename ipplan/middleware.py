from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from ipplan.params import BadParameter
from ipplan.views import error_page

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


class MethodNotAllowedPageMiddleware:
    """The site's error page for a 405, keeping its status and Allow header.

    Django's require_POST answers a GET with an empty body, which a browser shows as a blank
    page to whoever reloads, bookmarks or follows the address of a form's button.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        page = error_page(
            request,
            405,
            _("Not a page to open"),
            _(
                "This address only takes what a form's button sends. Go back to the page with "
                "the form, or start again from the start page."
            ),
        )
        page["Allow"] = response["Allow"]
        return page
