"""Uploads are refused past the limit while they arrive, not after they were written to disk."""

import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

# Room for the other form fields and the multipart boundaries around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


def upload_request_limit() -> int:
    """The most bytes a form carrying an upload may have: the file and the fields around it."""
    return settings.PRODUCT_IMPORT_MAX_BYTES + FORM_OVERHEAD_BYTES


class SizeLimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: a request that declares more than PRODUCT_IMPORT_MAX_BYTES
    (the only upload there is) is refused before its body is read, and a file whose bytes pass
    the limit while streaming (chunked, or a lying Content-Length) is refused at that chunk.
    RequestDataTooBig answers 413 under /api/ and 400 elsewhere."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > upload_request_limit():
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


# A chunked body is spooled in memory up to this size, then on disk.
SPOOL_MEMORY_BYTES = 256 * 1024
READ_BYTES = 64 * 1024


def chunked_body_limit(environ: dict) -> int:
    """The most bytes a request without Content-Length may send: a form (the product import,
    the only upload there is) may carry the upload limit and its boundaries, anything else what
    Django would read into memory."""
    if environ.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
        return upload_request_limit()
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or upload_request_limit()


class ChunkedBodyMiddleware:
    """WSGI middleware in front of Django for request bodies sent in chunks (`Transfer-Encoding:
    chunked`, no Content-Length), as a proxy or `curl -T -` may send them.

    Django's WSGIRequest reads exactly CONTENT_LENGTH bytes and takes a missing one for 0, so such
    a body was silently dropped: an import answered 400 "No file was submitted". Here the body is
    read as it arrives into a spooled file (memory up to SPOOL_MEMORY_BYTES, then disk) and
    handed on with its real length, so Django's own limits (SizeLimitedUploadHandler,
    DATA_UPLOAD_MAX_MEMORY_SIZE) judge it as any other body. Past `chunked_body_limit` reading
    stops at once and the answer is 413, the rest of the body never read."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if (
            environ.get("CONTENT_LENGTH")
            or "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        ):
            return self.app(environ, start_response)
        limit = chunked_body_limit(environ)
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115 - Django reads it
        size = 0
        while chunk := environ["wsgi.input"].read(READ_BYTES):
            size += len(chunk)
            if size > limit:
                spool.close()
                return self._too_large(environ, start_response, limit)
            spool.write(chunk)
        spool.seek(0)
        environ = {**environ, "CONTENT_LENGTH": str(size), "wsgi.input": spool}
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        response = self.app(environ, start_response)
        return _ClosingResponse(response, spool)

    @staticmethod
    def _too_large(environ, start_response, limit: int):
        detail = f"The request body is larger than {limit} bytes."
        if environ.get("PATH_INFO", "").startswith("/api/"):
            body, content_type = (
                json.dumps({"detail": detail, "code": "too_large"}).encode(),
                "application/json",
            )
        else:
            body, content_type = detail.encode(), "text/plain; charset=utf-8"
        # The rest of the body is never read: the connection cannot carry another request.
        start_response(
            "413 Request Entity Too Large",
            [("Content-Type", content_type), ("Content-Length", str(len(body))), ("Connection", "close")],
        )
        return [body]


class _ClosingResponse:
    """The app's response, closed with the spooled body: a WSGI server calls close() on what
    the app returned, and Django's response must be closed too (request_finished)."""

    def __init__(self, response: Iterable[bytes], spool: IO[bytes]):
        self.response = response
        self.spool = spool

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.response)

    def close(self) -> None:
        try:
            close = getattr(self.response, "close", None)
            if close is not None:
                close()
        finally:
            self.spool.close()
