"""Shared fixtures: the seed stories imported through the real pipeline."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.management import call_command

SEEDS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


@pytest.fixture
def imported_seeds(db, settings):
    """The five seed stories imported and published; returns their articles by file name.

    Their quotes are all public, as if an editor had reviewed them: pages, feeds and the
    API are tested with quotes to show (the publish threshold has tests of its own, in
    test_publish_gate.py and test_importing.py)."""
    from articles.models import Article

    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.0
    call_command("import_articles", "--publish", str(SEEDS_DIR), stdout=StringIO())
    return {article.source_name: article for article in Article.objects.all()}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: no throttle counts or stored responses carry
    over from another test. (The pure pipeline tests also run without Django.)"""
    if settings.configured:
        from articles import importing
        from articles.content_version import forget_public_state

        cache.clear()
        caches["throttle"].clear()
        forget_public_state()
        importing._kept_world = None  # a worker's index of people, from another test's rows


@pytest.fixture
def editor_client(client, db):
    """A test client logged in as a staff member of the Editors group (not a superuser)."""
    from tests.factories import make_editor

    client.force_login(make_editor())
    return client


def pytest_collection_modifyitems(config, items):
    """Every transactional test restores the migrated rows (``serialized_rollback=True``).

    Without it, the flush after the test runs post_migrate, which re-creates content types
    and permissions; the next serialized-rollback test then fails to restore its copy of
    them (a UNIQUE error at set-up, depending on test order)."""
    careless = [
        item.nodeid
        for item in items
        if (marker := item.get_closest_marker("django_db")) is not None
        and marker.kwargs.get("transaction")
        and not marker.kwargs.get("serialized_rollback")
    ]
    if careless:
        raise pytest.UsageError(
            "transactional tests need serialized_rollback=True: " + ", ".join(careless[:5])
        )
