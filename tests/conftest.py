"""Shared fixtures: the seed stories imported through the real pipeline."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

SEEDS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


@pytest.fixture
def imported_seeds(db):
    """The five seed stories imported and published; returns their articles by file name."""
    from articles.models import Article

    call_command("import_articles", "--publish", str(SEEDS_DIR), stdout=StringIO())
    return {article.source_name: article for article in Article.objects.all()}
