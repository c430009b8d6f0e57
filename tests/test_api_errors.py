"""Every API error is JSON, ``{"detail": ...}`` (issue 12): unknown URLs, uncaught
exceptions inside and outside DRF, and CSRF failures. The website keeps its HTML pages."""

import json

import pytest
from django.middleware.csrf import CsrfViewMiddleware
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from api import views
from api.exceptions import csrf_failure
from tests.factories import make_article, make_editor, make_quote

pytestmark = pytest.mark.django_db


def assert_json_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert isinstance(json.loads(response.content)["detail"], str)


@pytest.mark.parametrize(
    "path", ["/api/", "/api/v2/articles/", "/api/v1/no-such-list/", "/api/v1/articles/x/y/z/"]
)
def test_unknown_api_urls_are_json_404s(client, path):
    """A URL under /api/ that matches no route answers a JSON 404, not the site's page."""
    assert_json_error(client.get(path), 404)


def test_unknown_site_urls_keep_the_html_404_page(client):
    """Outside /api/ the 404 is still the site's HTML page."""
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "We can’t find that page" in response.text


def test_a_bug_in_an_api_view_is_a_json_500_without_the_traceback(monkeypatch, caplog):
    """An exception DRF does not know (a bug) answers a JSON 500 and is logged."""

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views.TagViewSet, "list", broken)
    response = Client(raise_request_exception=False).get("/api/v1/tags/")
    assert_json_error(response, 500)
    assert "secret internals" not in response.text
    assert any("secret internals" in str(r.exc_info) for r in caplog.records if r.exc_info)


def test_an_error_outside_drf_under_api_is_a_json_500(monkeypatch):
    """An exception raised before DRF handles the request (here in dispatch) reaches
    Django's handler500, which answers JSON under /api/ and HTML elsewhere."""

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.TagViewSet, "dispatch", broken)
    client = Client(raise_request_exception=False)
    assert_json_error(client.get("/api/v1/tags/"), 500)


def test_site_500_stays_an_html_page():
    """The 500 handler answers the site's HTML page outside /api/."""
    from api.exceptions import server_error

    response = server_error(RequestFactory().get("/people/"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b"Something went wrong" in response.content


def test_api_write_without_csrf_token_is_a_json_403():
    """A session-authenticated write without the CSRF token is refused with JSON."""
    quote = make_quote(make_article())
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_editor())
    response = client.post(f"/api/v1/quotes/{quote.pk}/confirm/", {}, format="json")
    assert_json_error(response, 403)
    assert "CSRF" in json.loads(response.content)["detail"]


def test_django_csrf_failure_under_api_is_json_and_html_elsewhere():
    """Django's CSRF failure view (CSRF_FAILURE_VIEW) answers JSON under /api/."""
    factory = RequestFactory()
    middleware = CsrfViewMiddleware(lambda request: None)

    def plain_view(request):
        raise AssertionError("not reached")

    api = factory.post("/api/v1/anything/")
    response = middleware.process_view(api, plain_view, (), {})
    assert_json_error(response, 403)
    site = middleware.process_view(factory.post("/search/"), plain_view, (), {})
    assert site.status_code == 403
    assert site["Content-Type"].startswith("text/html")
    assert csrf_failure(factory.post("/api/v1/x/"), reason="no token").status_code == 403
