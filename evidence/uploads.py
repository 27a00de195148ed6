"""The size limit of an evidence upload, held while the request body streams in."""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from evidence.checks import MAX_BYTES


class SizeLimit(FileUploadHandler):
    """Counts the bytes of each uploaded file as they arrive and stops reading the request at
    the limit, whatever size the client announced; `exceeded` then says so. Put first in
    `request.upload_handlers`, before anything reads the body."""

    def __init__(self, request=None, limit=MAX_BYTES):
        super().__init__(request)
        self.limit = limit
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
