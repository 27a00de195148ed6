"""The size limit of every upload, held while the request body streams in.

First of the site's FILE_UPLOAD_HANDLERS, so that it applies to whatever reads the body first
(the NUL check in ipplan.middleware reads the form of every request).
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimit(FileUploadHandler):
    """Counts the bytes of each uploaded file as they arrive and stops reading the request at
    settings.UPLOAD_MAX_BYTES, whatever size the client announced; `exceeded` then says so."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.UPLOAD_MAX_BYTES
        self.received = 0
        self.exceeded = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            # Not reading the rest: a client streaming gigabytes is cut off here.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_too_large(request) -> bool:
    """Whether a file in this request's body passed the limit (the body is read first)."""
    request.FILES  # noqa: B018 -- reading the body is what runs the handlers
    return any(isinstance(h, SizeLimit) and h.exceeded for h in request.upload_handlers)
