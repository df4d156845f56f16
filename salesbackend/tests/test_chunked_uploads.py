"""Red-team report (issue 21): an upload sent in chunks (`Transfer-Encoding: chunked`, no
Content-Length) is read like any other, and refused with 413 once it passes the limit.

Driven through the ASGI app the Procfile serves (salesbackend.asgi: uvicorn hands it the
de-chunked body as `http.request` messages) with httpx's in-process transport, whose body is an
async generator: no Content-Length, the chunks pulled one by one as the app reads them. The
views read the database from the WSGI thread pool, so the tests commit their data.
"""

import uuid

import httpx
import pytest
from asgiref.sync import async_to_sync

from catalog.models import Product
from conftest import client_for
from salesbackend.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

CHUNK = 8 * 1024
HEADER = b"sku,name,description,price,cost_price,category,status,stock\n"


def _multipart(csv: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="products.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    body += csv + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class ChunkedUpload:
    """An upload sent in CHUNK pieces, counting how many the server pulled."""

    def __init__(self, body: bytes):
        self.chunks = [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)]
        self.pulled = 0

    async def __aiter__(self):
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk


def _post(
    path: str, upload: ChunkedUpload, content_type: str, authorization: str = ""
) -> tuple[int, dict, list]:
    seen: list = []

    async def recording(scope, receive, send):
        seen.append(dict(scope["headers"]))
        await application(scope, receive, send)

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=recording)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            headers = {"Content-Type": content_type}
            if authorization:
                headers["Authorization"] = authorization
            return await client.post(path, content=upload, headers=headers)

    response = async_to_sync(send)()
    return response.status_code, response.json(), seen


def _staff_authorization(salesperson) -> str:
    return client_for(salesperson)._credentials["HTTP_AUTHORIZATION"]


def test_a_chunked_import_within_the_limit_is_read(salesperson):
    body, content_type = _multipart(
        HEADER + b"CH-1,Desk lamp,,24.50,10.00,,active,3\nCH-2,Floor lamp,,80.00,30.00,,,0\n"
    )
    upload = ChunkedUpload(body)

    status, answer, seen = _post(
        "/api/v1/products/import/", upload, content_type, _staff_authorization(salesperson)
    )

    assert seen[0][b"transfer-encoding"] == b"chunked" and b"content-length" not in seen[0]
    assert status == 200, answer
    assert answer == {"created": 2, "updated": 0, "dry_run": False}
    assert sorted(Product.objects.values_list("sku", flat=True)) == ["CH-1", "CH-2"]


def test_a_large_chunked_import_under_the_limit_is_read_whole(salesperson):
    rows = b"".join(f"CHL-{n},Lamp number {n},,3.00,1.00,,,\n".encode() for n in range(3000))
    body, content_type = _multipart(HEADER + rows)
    upload = ChunkedUpload(body)
    assert len(upload.chunks) > 5

    status, answer, _ = _post(
        "/api/v1/products/import/", upload, content_type, _staff_authorization(salesperson)
    )

    assert status == 200, answer
    assert answer["created"] == 3000


def test_a_chunked_import_past_the_limit_is_413_without_reading_it_all(salesperson, settings):
    settings.PRODUCT_IMPORT_MAX_BYTES = 20_000
    rows = b"".join(f"BIG-{n},Lamp,,3.00,1.00,,,\n".encode() for n in range(40_000))  # about 1 MB
    body, content_type = _multipart(HEADER + rows)
    upload = ChunkedUpload(body)

    status, answer, _ = _post(
        "/api/v1/products/import/", upload, content_type, _staff_authorization(salesperson)
    )

    assert status == 413
    assert answer["code"] == "too_large"
    assert upload.pulled < len(upload.chunks) // 4  # stopped near the limit, not at the end
    assert Product.objects.count() == 0


def test_a_chunked_json_body_reaches_the_view(customer):
    upload = ChunkedUpload(b'{"username": "' + customer.username.encode() + b'", "password": "wrong"}')

    status, answer, _ = _post("/api/v1/auth/login/", upload, "application/json")

    assert status == 401, answer  # the credentials were read (an empty body is a 400)


def test_a_chunked_json_body_past_the_memory_limit_is_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    upload = ChunkedUpload(b'{"username": "someone", "password": "' + b"x" * 200_000 + b'"}')

    status, answer, _ = _post("/api/v1/auth/login/", upload, "application/json")

    assert status == 413
    assert answer["code"] == "too_large"
    assert upload.pulled < len(upload.chunks)
