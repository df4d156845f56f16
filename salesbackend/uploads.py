"""Uploads are refused past the limit while they arrive, not after they were written to disk."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

# Room for the other form fields and the multipart boundaries around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


class SizeLimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: a request that declares more than PRODUCT_IMPORT_MAX_BYTES
    (the only upload there is) is refused before its body is read, and a file whose bytes pass
    the limit while streaming (chunked, or a lying Content-Length) is refused at that chunk.
    RequestDataTooBig answers 413 under /api/ and 400 elsewhere."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > settings.PRODUCT_IMPORT_MAX_BYTES + FORM_OVERHEAD_BYTES:
            raise RequestDataTooBig(self._message())

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.PRODUCT_IMPORT_MAX_BYTES:
            raise RequestDataTooBig(self._message())
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers build the file

    @staticmethod
    def _message() -> str:
        return f"The upload is larger than {settings.PRODUCT_IMPORT_MAX_BYTES} bytes."
