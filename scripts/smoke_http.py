"""The browser half of the production smoke test (scripts/smoke_production.sh); standard library only.

Talks to the web process as the TLS proxy in front of it does (`X-Forwarded-Proto: https`) and loads
pages as a browser does: the page, then every stylesheet, script and icon it names and every file
those stylesheets name, each of which must answer 200 from this site (nothing from another host).
Signs in through the admin's login form with its CSRF token, keeping the (Secure) cookies itself.

    python scripts/smoke_http.py http://127.0.0.1:8095 USERNAME PASSWORD
"""

import http.client
import re
import sys
import urllib.parse
from html.parser import HTMLParser


class Failure(Exception):
    pass


def say(line: str) -> None:
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = set((attrs.get("rel") or "").split())
        if tag == "link" and attrs.get("href") and rel & {"stylesheet", "icon", "preload", "modulepreload"}:
            self.urls.append(attrs["href"])
        elif tag in ("script", "img", "iframe") and attrs.get("src"):
            self.urls.append(attrs["src"])


class Browser:
    def __init__(self, base: str):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://{self.host}:{self.port}"  # what the proxy in front serves
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None, proxied=True):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        sent = {"Host": f"{self.host}:{self.port}", "User-Agent": "smoke-test"}
        if proxied:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        sent.update(headers or {})
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def get(self, path, expect=200, **kwargs):
        status, headers, data = self.request("GET", path, **kwargs)
        if status != expect:
            raise Failure(f"GET {path} -> {status}, expected {expect}: {data[:300]!r}")
        return headers, data

    def _local(self, page: str, url: str) -> str:
        absolute = urllib.parse.urljoin(f"{self.origin}{page}", url)
        parts = urllib.parse.urlsplit(absolute)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            raise Failure(f"{page} loads {url} from another host")
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def page(self, path: str, *, assets: bool = True) -> str:
        """Load `path` and everything it names (at least one thing unless `assets` is False)."""
        _, data = self.get(path)
        html = data.decode()
        parser = _Assets()
        parser.feed(html)
        if assets and not parser.urls:
            raise Failure(f"{path} names no stylesheet or script")
        loaded = []
        for url in dict.fromkeys(parser.urls):
            loaded += self._asset(path, self._local(path, url))
        say(f"OK  GET {path} -> 200, and its {len(loaded)} assets -> 200" + (":" if loaded else ""))
        for line in loaded:
            say(f"      {line}")
        return html

    def _asset(self, page: str, path: str) -> list[str]:
        headers, data = self.get(path)
        kind = headers.get("content-type", "").split(";")[0]
        if not data:
            raise Failure(f"{page}: {path} is empty")
        expected = {".css": "text/css", ".js": "javascript"}
        for suffix, fragment in expected.items():
            if path.split("?")[0].endswith(suffix) and fragment not in kind:
                raise Failure(f"{page}: {path} is served as {kind!r}")
        loaded = [f"{path} ({kind}, {len(data)} bytes)"]
        if kind == "text/css":  # what a stylesheet loads in turn: its images, fonts, imports
            for url in re.findall(r"""url\(\s*['"]?([^'")\s]+)""", data.decode()):
                if not url.startswith(("data:", "#")):
                    loaded += self._asset(page, self._local(path, url))
        return loaded

    def admin_login(self, username: str, password: str, next_path: str) -> None:
        login = f"/admin/login/?next={urllib.parse.quote(next_path)}"
        _, data = self.get(login)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', data)
        if not token or "csrftoken" not in self.cookies:
            raise Failure("the admin login form has no CSRF token or cookie")
        fields = {"username": username, "password": password, "next": next_path}
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1].decode(), **fields})
        status, headers, body = self.request(
            "POST",
            login,
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}{login}",
            },
        )
        if status != 302 or headers.get("location") != next_path:
            raise Failure(f"admin login -> {status} {headers.get('location')}: {body[:300]!r}")
        say(f"OK  POST {login} (username, password, CSRF token) -> 302 {next_path}")


def main(base: str, username: str, password: str) -> None:
    visitor = Browser(base)
    # Behind the proxy, plain HTTP is sent to HTTPS.
    status, headers, _ = visitor.request("GET", "/admin/login/", proxied=False)
    if status != 301 or not headers.get("location", "").startswith("https://"):
        where = headers.get("location")
        raise Failure(f"plain HTTP /admin/login/ -> {status} {where}, expected 301 to https")
    say(f"OK  GET /admin/login/ over plain HTTP -> 301 {headers['location']}")
    visitor.page("/admin/login/")
    for path in ("/api/docs/", "/api/redoc/"):
        visitor.page(path)
    schema_headers, schema = visitor.get("/api/schema/")
    if not schema.startswith(b"openapi:"):
        raise Failure(f"/api/schema/ is not an OpenAPI document: {schema[:80]!r}")
    say(f"OK  GET /api/schema/ -> 200 ({schema_headers.get('content-type')}, {len(schema)} bytes)")

    manager = Browser(base)
    manager.get("/reports/", expect=302)  # not signed in: to the login form
    manager.admin_login(username, password, "/reports/")
    # The report pages carry their styles inline; whatever they do name must load.
    if "Sales reports" not in manager.page("/reports/", assets=False):
        raise Failure("/reports/ is not the reports overview")
    manager.page("/admin/")


if __name__ == "__main__":
    try:
        main(*sys.argv[1:4])
    except Failure as failure:
        say(f"FAIL: {failure}")
        sys.exit(1)
