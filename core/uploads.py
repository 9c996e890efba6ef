"""An upload handler that stops storing a file once it is over the largest size we accept."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(UploadedFile):
    """Stands in for a file that was refused while it streamed in: nothing of it is kept."""

    def __init__(self, name, content_type, size):
        import io

        super().__init__(io.BytesIO(b""), name, content_type, size)


class SizeLimitUploadHandler(FileUploadHandler):
    """Refuse files over `MAX_UPLOAD_BYTES` while they stream in.

    Past the limit the file's bytes are thrown away instead of being kept in memory or on
    disk, but the rest of the form is still read, so the page can say what was wrong without
    losing what was typed. The request is marked with `upload_too_large`.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            self.oversized = True
        # None: later handlers (memory, temporary file) get nothing more of this file.
        return None if self.oversized else raw_data

    def file_complete(self, file_size):
        if not self.oversized:
            return None
        self.request.upload_too_large = True
        return OversizedUpload(self.file_name, self.content_type, self.received)
