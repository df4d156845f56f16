"""The API docs (Swagger UI, ReDoc) and the admin load everything from this site, and every
stylesheet and script a page names is a file that collectstatic puts where it is served."""

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

PAGES = ["/api/docs/", "/api/redoc/", "/admin/login/"]


class _Assets(HTMLParser):
    """The URLs a browser fetches while loading the page: stylesheets, icons, scripts, images."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag in ("script", "img", "iframe") and attrs.get("src"):
            self.urls.append(attrs["src"])


def _assets(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_name_no_other_host(client, path):
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    # Not in a link, a script, a font import nor the settings handed to the UI.
    assert re.findall(r"https?://[^\s\"'<>)]+", html) == []
    assert all(url.startswith("/") and not url.startswith("//") for url in _assets(html)), _assets(html)
    assert "fonts.googleapis" not in html and "cdn." not in html


@pytest.mark.django_db
def test_with_the_production_storage_every_asset_of_a_page_is_collected(client, settings, tmp_path):
    """DEBUG off names files by their hash from collectstatic's manifest (the Procfile's web line
    runs it): each page renders and everything it names is a collected file."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        # The manifest of the production storage, without its (slow) compression.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assets = [url for url in _assets(response.content.decode()) if url.startswith("/static/")]
        assert assets, path
        for url in assets:
            name = url.removeprefix("/static/")
            assert re.search(r"\.[0-9a-f]{12}\.\w+$", name), f"{path}: {url} is not hashed"
            assert (tmp_path / name).is_file(), f"{path}: {url} was not collected"
