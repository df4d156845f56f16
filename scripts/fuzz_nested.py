"""`make fuzz`'s nested-body step: deeply nested JSON sent to a few endpoints of a running server.

    python scripts/fuzz_nested.py BASE_URL ACCESS_TOKEN

schemathesis generates bodies from the schema, which never nests more than a few levels, so it
never sends what the red-team report (issue 21) found: `[[[[…]]]]` a thousand deep answered 500.
These bodies go to the production server (gunicorn, uvicorn workers, PostgreSQL) anonymously and
as the CEO; any 5xx, or a server that stops answering, fails the run.
"""

import http.client
import sys
import urllib.parse

BODIES = {
    "deep list": "[" * 1000 + "]" * 1000,
    "deep object": '{"a":' * 1000 + "1" + "}" * 1000,
    "very deep list": "[" * 100_000 + "]" * 100_000,
    "just too deep": '{"items": ' + "[" * 33 + "]" * 33 + "}",
    "deep in a field": '{"username": "x", "password": ' + '{"a": ' * 500 + "1" + "}" * 500 + "}",
}
# (method, path, signed in): the sign-in doors anyone reaches, and writes of each kind.
ENDPOINTS = [
    ("POST", "/api/v1/auth/login/", False),
    ("POST", "/api/v1/auth/register/", False),
    ("POST", "/api/v1/auth/refresh/", False),
    ("POST", "/api/v1/orders/", True),
    ("POST", "/api/v1/products/", True),
    ("POST", "/api/v1/products/bulk/", True),
    ("POST", "/api/v1/categories/", True),
    ("POST", "/api/v1/report-subscriptions/", True),
    ("PATCH", "/api/v1/users/me/", True),
]


def say(line: str) -> None:
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


def send(base: str, method: str, path: str, body: str, token: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=20)
    try:
        connection.request(method, path, body=body.encode(), headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def main(base: str, token: str) -> int:
    failures = []
    for method, path, signed_in in ENDPOINTS:
        for name, body in BODIES.items():
            try:
                status = send(base, method, path, body, token if signed_in else None)
            except OSError as error:  # the server dropped the connection or did not answer
                failures.append(f"{method} {path} ({name}): {error}")
                continue
            if status >= 500:
                failures.append(f"{method} {path} ({name}): {status}")
    sent = len(ENDPOINTS) * len(BODIES)
    if failures:
        say(f"FAIL: {len(failures)} of {sent} nested bodies answered a server error:")
        for failure in failures:
            say(f"  {failure}")
        return 1
    say(f"OK: {sent} deeply nested bodies to {len(ENDPOINTS)} endpoints, no server error")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/"), sys.argv[2]))
