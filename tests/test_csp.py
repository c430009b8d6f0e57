"""Content-Security-Policy (issue 12): every public page sends the strict policy and has no
inline executable script, inline style or event-handler attribute for it to block; the
admin and the API docs keep scripts strict too.

JSON-LD (``<script type="application/ld+json">``) is a data block, not script: the HTML
standard never executes a script element whose type is not a JavaScript MIME type, and CSP's
``script-src`` governs only script that would execute, so the policy leaves it alone.
"""

from html.parser import HTMLParser

import pytest

from tests.factories import build_newsdesk, newsdesk_pages

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
DATA_TYPES = {"application/ld+json", "application/json"}


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = [part.strip().split(None, 1) for part in header.split(";") if part.strip()]
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


class InlineCode(HTMLParser):
    """Collects what a strict policy would block: inline scripts, styles and handlers."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            kind = (attrs.get("type") or "text/javascript").lower()
            if kind not in DATA_TYPES:
                self.found.append(f"inline <script type={kind}>")
        if tag == "style":
            self.found.append("inline <style>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name == "style":
                self.found.append(f"<{tag} style=...>")
            if name in {"href", "src", "action"} and (value or "").lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:...>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def public_urls(desk) -> list[str]:
    return [
        *newsdesk_pages(desk),
        f"/events/?person={desk.rose.slug}",
        "/search/",
        "/no/such/page/",
        "/feeds/articles/rss/",
        "/sitemap.xml",
        "/robots.txt",
    ]


def test_every_public_page_has_the_strict_policy_and_no_inline_code(client):
    """Each public page (the 404 page included) carries the strict policy, and its HTML has
    nothing the policy would block (JSON-LD data blocks aside)."""
    desk = build_newsdesk()
    for url in public_urls(desk):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        policy = directives(response)
        for name, value in STRICT.items():
            assert policy.get(name) == value, (url, name, policy)
        assert "unsafe" not in response["Content-Security-Policy"], url
        if response["Content-Type"].startswith("text/html"):
            assert inline_code(response.content.decode()) == [], url


def test_story_pages_keep_their_json_ld(client):
    """The structured data stays (as a data block, which the policy does not block)."""
    desk = build_newsdesk()
    html = client.get(desk.bafta.get_absolute_url()).content.decode()
    assert '<script type="application/ld+json">' in html


def test_the_admin_runs_no_inline_script(editor_client):
    """The admin's pages are under the same policy and need nothing inline (Newsroom's
    admin styles are in static/css/admin.css)."""
    desk = build_newsdesk()
    for url in [
        "/admin/",
        "/admin/articles/article/",
        f"/admin/articles/article/{desk.bafta.pk}/change/",
        f"/admin/articles/quote/{desk.rose_quote.pk}/change/",
        "/admin/people/person/",
    ]:
        response = editor_client.get(url)
        assert response.status_code == 200, url
        assert directives(response)["script-src"] == "'self'", url
        assert inline_code(response.content.decode()) == [], url


def test_the_login_page_and_lockout_page_are_strict(client, settings):
    """The admin log-in page and the lock-out page have the strict policy and no inline
    code at all."""
    response = client.get("/admin/login/")
    assert directives(response) == {**directives(response), **STRICT}
    assert inline_code(response.content.decode()) == []
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post("/admin/login/", {"username": "nobody", "password": "x"})
    assert response.status_code == 429
    assert directives(response) == {**directives(response), **STRICT}
    assert inline_code(response.content.decode()) == []


def test_api_docs_relax_styles_only(client):
    """Swagger UI's page may use inline styles, but its start-up script is a file."""
    response = client.get("/api/v1/docs/")
    policy = directives(response)
    assert policy["script-src"] == "'self'"
    assert "'unsafe-inline'" in policy["style-src"]
    found = [item for item in inline_code(response.content.decode()) if "style" not in item]
    assert found == []
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_500_page_allows_exactly_its_own_inline_style(client, monkeypatch):
    """The self-contained 500 page keeps its inline styles, allowed by their hash only."""
    import base64
    import hashlib
    import re

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("web.views.render", broken)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    style = re.search(rb"<style>(.*?)</style>", response.content, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style).digest()).decode()
    policy = directives(response)
    assert policy["style-src"] == f"'self' 'sha256-{digest}'"
    assert policy["script-src"] == "'self'"


def test_the_browsable_api_relaxes_styles_only(client):
    """DRF's HTML pages keep script strict; their inline styles are allowed there only."""
    response = client.get("/api/v1/tags/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("text/html")
    policy = directives(response)
    assert policy["script-src"] == "'self'"
    assert "'unsafe-inline'" in policy["style-src"]
    found = [item for item in inline_code(response.content.decode()) if "style" not in item]
    assert found == []
    assert "unsafe" not in client.get("/api/v1/tags/")["Content-Security-Policy"]
