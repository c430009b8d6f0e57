"""Data migrations keep existing rows working."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_KEYS = [("articles", "0005_quote_suggested_speaker")]
WITH_KEYS = [("articles", "0008_article_source_key_unique")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_articles_get_their_file_name_as_source_key():
    """Articles imported before source keys (issue 11) get a key equal to their file name,
    in their history too, and the key is then required and unique."""
    old = migrate(BEFORE_KEYS)
    try:
        Article = old.get_model("articles", "Article")
        HistoricalArticle = old.get_model("articles", "HistoricalArticle")
        for n, name in enumerate(["story.txt", "0001.txt"]):
            fields = {
                "title": f"Story {n}",
                "slug": f"story-{n}",
                "body": "Body.",
                "source_name": name,
                "source_sha256": hashlib.sha256(name.encode()).hexdigest(),
            }
            article = Article.objects.create(**fields, raw_text="Body.")
            HistoricalArticle.objects.create(
                id=article.pk,
                history_type="+",
                history_date=article.imported_at,
                imported_at=article.imported_at,
                **fields,
            )

        new = migrate(WITH_KEYS)
        Article = new.get_model("articles", "Article")
        HistoricalArticle = new.get_model("articles", "HistoricalArticle")
        assert sorted(Article.objects.values_list("source_key", "source_name")) == [
            ("0001.txt", "0001.txt"),
            ("story.txt", "story.txt"),
        ]
        assert sorted(HistoricalArticle.objects.values_list("source_key", flat=True)) == [
            "0001.txt",
            "story.txt",
        ]
        assert not Article._meta.get_field("source_name").unique
        assert Article._meta.get_field("source_key").unique
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
