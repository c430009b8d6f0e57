"""OpenAPI schema and docs: valid without warnings, self-hosted docs, schema-driven fuzzing."""

import re

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from newsroom.wsgi import application
from tests.api_support import *  # noqa: F403  (fixtures)
from tests.api_support import make_alias, make_article, make_event, make_person, make_quote

pytestmark = pytest.mark.django_db

STATIC_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def test_schema_validates_without_warnings(tmp_path):
    """`manage.py spectacular --validate --fail-on-warn` passes."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))


def test_schema_endpoint_documents_every_filter(anon):
    """The served schema is OpenAPI 3 and documents every filter with a description."""
    response = anon.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    expected = {
        "/api/v1/articles/": {"person", "tag", "published_after", "published_before", "q"},
        "/api/v1/quotes/": {"speaker", "article", "status", "partial", "has_speaker", "q"}
        | {"date_after", "date_before"},
        "/api/v1/events/": {"person", "date_after", "date_before", "precision"},
        "/api/v1/people/": {"q"},
    }
    for path, names in expected.items():
        params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert names | {"ordering", "page", "page_size"} <= set(params)
        assert all(params[name].get("description") for name in names | {"ordering"})
    assert "/api/v1/people/{slug}/timeline/" in schema["paths"]
    assert "/api/v1/quotes/{id}/confirm/" in schema["paths"]


def test_docs_are_self_hosted(anon, settings):
    """The docs page loads its scripts and styles from this server only."""
    settings.STORAGES = STATIC_STORAGE  # tests run without collectstatic's manifest
    response = anon.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    external = re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", html)
    assert external == []
    assert "cdn" not in html.lower()


@pytest.fixture
def fuzz_world(db):
    """A little published content, so fuzzed requests also reach real rows.

    Schemathesis calls the WSGI app directly, so Django's request signals would close the
    test's database connection mid-transaction (PostgreSQL); like Django's test client, keep
    ``close_old_connections`` disconnected while the test runs.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    rose = make_person("Rose Ayling-Ellis")
    make_alias(rose, "Rose")
    article = make_article("Fuzzed story", body="Rose said “hello there”.")
    make_quote(article, text="hello there", speaker=rose, start=11)
    make_event(article, people=[rose], date="2024-05-01", date_precision="month")
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@schema.include(method="GET").parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_fuzz_read_endpoints(case, fuzz_world):
    """Schema-generated GETs never answer 5xx, and 2xx answers match the schema."""
    response = case.call()
    case.validate_response(
        response,
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
    )


@schema.include(method=["POST", "PATCH"]).parametrize()
@settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_fuzz_write_endpoints_anonymously(case, fuzz_world):
    """Schema-generated anonymous writes are refused (never a 5xx)."""
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    if case.method in {"POST", "PATCH"}:  # schemathesis also probes other methods
        assert response.status_code in {400, 401, 403, 404}, (case.method, case.path)


def test_every_operation_documents_its_errors_and_public_reads_need_no_auth(anon):
    """Issue 15: reads document 400 and 429 (404 on a record), writes also 401, 403, 409
    and 412; public reads carry the empty security requirement, writes do not."""
    schema = anon.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) > 10
    for path, method, op in operations:
        codes = set(op["responses"])
        assert {"400", "429"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if method == "get":
            assert {} in op["security"], (method, path)
        else:
            assert {"401", "403", "409", "412"} <= codes, (method, path)
            assert {} not in op["security"], (method, path)
